package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Gradients of the model (Linear, ReLU, Linear, softmax cross-entropy) against central finite differences of an
 * independent float64 forward pass written here (docs/method.md §4.1): the full G of dense optimizers, the LoRA factor
 * gradients, and the low-rank R = PᵀG / G·Qᵀ of LRG and GaLore (fused form and the form through G).
 */
class GradientCheckTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";
  private static final int IN = 5;
  private static final int HIDDEN = 7;
  private static final int CLASSES = 3;
  private static final int BATCH = 4;
  private static final double H = 1e-6;

  /** The float64 oracle: Linear(W1, b1), ReLU, Linear(W2, b2), mean cross-entropy. */
  static final class Mlp {
    double[] w1 = new double[HIDDEN * IN];
    double[] b1 = new double[HIDDEN];
    double[] w2 = new double[CLASSES * HIDDEN];
    double[] b2 = new double[CLASSES];
    final double[] x = new double[BATCH * IN];
    final int[] labels = new int[BATCH];
    /** The smallest |pre-activation| of the last forward pass: far from 0, so ReLU is smooth under ±H. */
    double minAbsPre;

    double loss() {
      double total = 0;
      minAbsPre = Double.MAX_VALUE;
      for (int b = 0; b < BATCH; b++) {
        double[] h = new double[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
          double pre = b1[i];
          for (int j = 0; j < IN; j++) {
            pre += w1[i * IN + j] * x[b * IN + j];
          }
          minAbsPre = Math.min(minAbsPre, Math.abs(pre));
          h[i] = Math.max(pre, 0);
        }
        double[] logits = new double[CLASSES];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < CLASSES; c++) {
          logits[c] = b2[c];
          for (int i = 0; i < HIDDEN; i++) {
            logits[c] += w2[c * HIDDEN + i] * h[i];
          }
          max = Math.max(max, logits[c]);
        }
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) {
          sum += Math.exp(logits[c] - max);
        }
        total += Math.log(sum) + max - logits[labels[b]];
      }
      return total / BATCH;
    }

    /** d loss / d a[i] by central differences. */
    double derivative(double[] a, int i) {
      double keep = a[i];
      a[i] = keep + H;
      double up = loss();
      a[i] = keep - H;
      double down = loss();
      a[i] = keep;
      return (up - down) / (2 * H);
    }

    /** The full gradient of an array of parameters. */
    double[] gradient(double[] a) {
      double[] g = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        g[i] = derivative(a, i);
      }
      return g;
    }
  }

  private static float[] randomFloats(Random rnd, int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (scale * rnd.nextGaussian());
    }
    return a;
  }

  private static double[] widen(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static final class Fixture {
    final Trainer trainer;
    final Mlp mlp = new Mlp();
    final float[] x;
    final int[] labels = new int[BATCH];

    Fixture(Kernels k, Optimizer optimizer, long seed) {
      Sequential model = new Sequential(new Linear(IN, HIDDEN), new Relu(), new Linear(HIDDEN, CLASSES));
      trainer = Trainer.builder(model, BATCH).kernels(k).seed(seed).group(optimizer, model.parameters()).build();
      Random rnd = new Random(seed);
      x = randomFloats(rnd, BATCH * IN, 1.0);
      for (int b = 0; b < BATCH; b++) {
        labels[b] = rnd.nextInt(CLASSES);
      }
      System.arraycopy(widen(x), 0, mlp.x, 0, x.length);
      System.arraycopy(labels, 0, mlp.labels, 0, BATCH);
      mlp.w1 = widen(model.parameters().get(0).data());
      mlp.b1 = widen(model.parameters().get(1).data());
      mlp.w2 = widen(model.parameters().get(2).data());
      mlp.b2 = widen(model.parameters().get(3).data());
    }

    Map<String, float[]> gradients() {
      float loss = trainer.computeGradients(x, 0, labels, 0, BATCH);
      double want = mlp.loss();
      assertTrue(mlp.minAbsPre > 1e-3, "a pre-activation is " + mlp.minAbsPre + " from ReLU's kink");
      assertEquals(want, loss, 1e-5 * Math.max(1, Math.abs(want)), "loss");
      Map<String, float[]> grads = new HashMap<>();
      trainer.visitGradients(new StateVisitor() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          grads.put(name, data.clone());
        }

        @Override
        public long counter(String name, long value) {
          return value;
        }
      });
      return grads;
    }

    float[] state(String wanted) {
      float[][] found = new float[1][];
      trainer.visitState(new StateVisitor() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          if (name.equals(wanted)) {
            found[0] = data;
          }
        }

        @Override
        public long counter(String name, long value) {
          return value;
        }
      });
      return found[0];
    }
  }

  private static void assertCloseToDifferences(String what, float[] got, double[] want) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      double bound = 2e-5 + 1e-4 * Math.abs(want[i]);
      assertTrue(Math.abs(got[i] - want[i]) <= bound, what + "[" + i + "] = " + got[i] + ", finite differences "
          + want[i]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void denseGradientsMatchFiniteDifferences(Candidate candidate) {
    Fixture f = new Fixture(Implementations.require(candidate), new Sgd(0.1f), 11);
    Map<String, float[]> grads = f.gradients();
    assertCloseToDifferences("0.weight.grad", grads.get("0.weight.grad"), f.mlp.gradient(f.mlp.w1));
    assertCloseToDifferences("0.bias.grad", grads.get("0.bias.grad"), f.mlp.gradient(f.mlp.b1));
    assertCloseToDifferences("2.weight.grad", grads.get("2.weight.grad"), f.mlp.gradient(f.mlp.w2));
    assertCloseToDifferences("2.bias.grad", grads.get("2.bias.grad"), f.mlp.gradient(f.mlp.b2));
  }

  /** W_eff = W0 + s·B·A in float64, for the oracle. */
  private static double[] effective(float[] w0, double[] a, double[] b, int m, int n, int r, double s) {
    double[] w = widen(w0);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < r; p++) {
          w[i * n + j] += s * b[i * r + p] * a[p * n + j];
        }
      }
    }
    return w;
  }

  /** d loss / d A and d loss / d B of one adapted layer, by central differences on float64 factors. */
  private static double[][] factorDifferences(Mlp mlp, boolean first, float[] w0, float[] factorA, float[] factorB,
      int m, int n, int r, double s) {
    double[] a = widen(factorA);
    double[] b = widen(factorB);
    double[][] out = {new double[a.length], new double[b.length]};
    double[][] factors = {a, b};
    for (int which = 0; which < 2; which++) {
      double[] f = factors[which];
      for (int i = 0; i < f.length; i++) {
        double keep = f[i];
        f[i] = keep + H;
        double up = lossWith(mlp, first, effective(w0, a, b, m, n, r, s));
        f[i] = keep - H;
        double down = lossWith(mlp, first, effective(w0, a, b, m, n, r, s));
        f[i] = keep;
        out[which][i] = (up - down) / (2 * H);
      }
    }
    lossWith(mlp, first, effective(w0, a, b, m, n, r, s));
    return out;
  }

  private static double lossWith(Mlp mlp, boolean first, double[] w) {
    if (first) {
      mlp.w1 = w;
    } else {
      mlp.w2 = w;
    }
    return mlp.loss();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void loraFactorGradientsMatchFiniteDifferences(Candidate candidate) {
    int r = 2;
    float s = 1.5f;
    Fixture f = new Fixture(Implementations.require(candidate), new LoraAdam(0.01f, r).scale(s), 12);
    // Non-zero B (LoRA starts with B = 0, where ∂A vanishes): write the factors through the state.
    Random rnd = new Random(5);
    float[] b1 = f.state("0.weight.lora_B");
    float[] b2 = f.state("2.weight.lora_B");
    System.arraycopy(randomFloats(rnd, b1.length, 0.3), 0, b1, 0, b1.length);
    System.arraycopy(randomFloats(rnd, b2.length, 0.3), 0, b2, 0, b2.length);
    float[] a1 = f.state("0.weight.lora_A");
    float[] a2 = f.state("2.weight.lora_A");
    float[] w01 = f.trainer.model().parameters().get(0).data();
    float[] w02 = f.trainer.model().parameters().get(2).data();
    f.mlp.w1 = effective(w01, widen(a1), widen(b1), HIDDEN, IN, r, s);
    f.mlp.w2 = effective(w02, widen(a2), widen(b2), CLASSES, HIDDEN, r, s);

    Map<String, float[]> grads = f.gradients();
    double[][] first = factorDifferences(f.mlp, true, w01, a1, b1, HIDDEN, IN, r, s);
    double[][] second = factorDifferences(f.mlp, false, w02, a2, b2, CLASSES, HIDDEN, r, s);
    assertCloseToDifferences("0.weight.lora_A.grad", grads.get("0.weight.lora_A.grad"), first[0]);
    assertCloseToDifferences("0.weight.lora_B.grad", grads.get("0.weight.lora_B.grad"), first[1]);
    assertCloseToDifferences("2.weight.lora_A.grad", grads.get("2.weight.lora_A.grad"), second[0]);
    assertCloseToDifferences("2.weight.lora_B.grad", grads.get("2.weight.lora_B.grad"), second[1]);
    assertCloseToDifferences("0.bias.grad", grads.get("0.bias.grad"), f.mlp.gradient(f.mlp.b1));
    assertCloseToDifferences("2.bias.grad", grads.get("2.bias.grad"), f.mlp.gradient(f.mlp.b2));
  }

  /** R of a projector: PᵀG (LEFT, P m×r) or G·Qᵀ (RIGHT, Q r×n), from the float64 G. */
  private static double[] project(ProjectionSide side, float[] proj, double[] g, int m, int n, int r) {
    double[] out = new double[side == ProjectionSide.LEFT ? r * n : m * r];
    for (int i = 0; i < (side == ProjectionSide.LEFT ? r : m); i++) {
      for (int j = 0; j < (side == ProjectionSide.LEFT ? n : r); j++) {
        double sum = 0;
        if (side == ProjectionSide.LEFT) {
          for (int p = 0; p < m; p++) {
            sum += proj[p * r + i] * g[p * n + j];
          }
        } else {
          for (int p = 0; p < n; p++) {
            sum += g[i * n + p] * proj[j * n + p];
          }
        }
        out[i * (side == ProjectionSide.LEFT ? n : r) + j] = sum;
      }
    }
    return out;
  }

  private static void checkLowRank(Kernels k, LowRankAdam optimizer) {
    Fixture f = new Fixture(k, optimizer.updateInterval(2), 13);
    double[] g1 = f.mlp.gradient(f.mlp.w1);
    double[] g2 = f.mlp.gradient(f.mlp.w2);
    // Step count 0 refreshes (GaLore: through the full G); the step count 1 uses the fused form.
    for (int round = 0; round < 2; round++) {
      Map<String, float[]> grads = f.gradients();
      assertCloseToDifferences("0.weight.lowrank_grad round " + round, grads.get("0.weight.lowrank_grad"),
          project(optimizer.sideFor(HIDDEN, IN), f.state("0.weight.projector"), g1, HIDDEN, IN, 3));
      assertCloseToDifferences("2.weight.lowrank_grad round " + round, grads.get("2.weight.lowrank_grad"),
          project(optimizer.sideFor(CLASSES, HIDDEN), f.state("2.weight.projector"), g2, CLASSES, HIDDEN, 3));
      // A zero-rate step moves nothing but the step count, so round 1 sees the same weights.
      f.trainer.step(f.x, 0, f.labels, 0, BATCH);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void lrgProjectedGradientMatchesFiniteDifferences(Candidate candidate) {
    checkLowRank(Implementations.require(candidate), LowRankAdam.lrg(0f, 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void galoreProjectedGradientMatchesFiniteDifferences(Candidate candidate) {
    // W1 is 7×5 (m ≥ n): GaLore projects it on the right, W2 (3×7) on the left.
    checkLowRank(Implementations.require(candidate), LowRankAdam.galore(0f, 3));
  }
}
