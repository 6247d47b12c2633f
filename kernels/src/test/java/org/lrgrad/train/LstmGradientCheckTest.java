package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Backward through time of {@link Lstm} against central finite differences of a float64 forward pass written here:
 * Linear(3 → 6), LSTM(2 → 4, 3 steps), Linear(4 → 3), cross-entropy. The Linear in front checks the LSTM's input
 * error too.
 */
class LstmGradientCheckTest {
  private static final int IN = 3;
  private static final int STEP_IN = 2;
  private static final int STEPS = 3;
  private static final int HID = 4;
  private static final int CLASSES = 3;
  private static final int BATCH = 2;
  private static final double H = 1e-6;

  /** Parameters in model order: W0, b0, W_ih, W_hh, bias, W2, b2. */
  private final double[][] p = new double[7][];
  private final double[] x = new double[BATCH * IN];
  private final int[] labels = new int[BATCH];

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  private double loss() {
    double total = 0;
    for (int b = 0; b < BATCH; b++) {
      double[] z = new double[STEPS * STEP_IN];
      for (int i = 0; i < z.length; i++) {
        z[i] = p[1][i];
        for (int j = 0; j < IN; j++) {
          z[i] += p[0][i * IN + j] * x[b * IN + j];
        }
      }
      double[] h = new double[HID];
      double[] c = new double[HID];
      for (int t = 0; t < STEPS; t++) {
        double[] gate = new double[4 * HID];
        for (int r = 0; r < 4 * HID; r++) {
          gate[r] = p[4][r];
          for (int j = 0; j < STEP_IN; j++) {
            gate[r] += p[2][r * STEP_IN + j] * z[t * STEP_IN + j];
          }
          for (int j = 0; j < HID; j++) {
            gate[r] += p[3][r * HID + j] * h[j];
          }
        }
        for (int j = 0; j < HID; j++) {
          c[j] = sigmoid(gate[HID + j]) * c[j] + sigmoid(gate[j]) * Math.tanh(gate[2 * HID + j]);
          h[j] = sigmoid(gate[3 * HID + j]) * Math.tanh(c[j]);
        }
      }
      double[] logits = new double[CLASSES];
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < CLASSES; k++) {
        logits[k] = p[6][k];
        for (int j = 0; j < HID; j++) {
          logits[k] += p[5][k * HID + j] * h[j];
        }
        max = Math.max(max, logits[k]);
      }
      double sum = 0;
      for (double l : logits) {
        sum += Math.exp(l - max);
      }
      total += Math.log(sum) + max - logits[labels[b]];
    }
    return total / BATCH;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.lrgrad.kernels.testing.Implementations#all")
  void backwardThroughTimeMatchesFiniteDifferences(Candidate candidate) {
    Sequential model = new Sequential(new Linear(IN, STEPS * STEP_IN), new Lstm(STEP_IN, HID, STEPS),
        new Linear(HID, CLASSES));
    Trainer t = Trainer.builder(model, BATCH).kernels(Implementations.require(candidate)).seed(3)
        .group(new Sgd(0.1f), model.parameters()).build();
    List<Parameter> params = model.parameters();
    assertEquals(7, params.size());
    Random rnd = new Random(8);
    float[] xf = new float[BATCH * IN];
    for (int i = 0; i < xf.length; i++) {
      xf[i] = (float) rnd.nextGaussian();
      x[i] = xf[i];
    }
    for (int b = 0; b < BATCH; b++) {
      labels[b] = rnd.nextInt(CLASSES);
    }
    for (int i = 0; i < params.size(); i++) {
      float[] data = params.get(i).data();
      // Larger weights than the default initialisation, so that every gate works away from its linear range.
      p[i] = new double[data.length];
      for (int j = 0; j < data.length; j++) {
        data[j] *= 3f;
        p[i][j] = data[j];
      }
    }
    float loss = t.computeGradients(xf, 0, labels, 0, BATCH);
    double want = loss();
    assertEquals(want, loss, 1e-5 * Math.max(1, Math.abs(want)), "loss");
    Map<String, float[]> grads = new HashMap<>();
    t.visitGradients(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        grads.put(name, data.clone());
      }

      @Override
      public long counter(String name, long value) {
        return value;
      }
    });
    for (int i = 0; i < params.size(); i++) {
      String name = params.get(i).name() + ".grad";
      float[] got = grads.get(name);
      for (int j = 0; j < p[i].length; j++) {
        double keep = p[i][j];
        p[i][j] = keep + H;
        double up = loss();
        p[i][j] = keep - H;
        double down = loss();
        p[i][j] = keep;
        double fd = (up - down) / (2 * H);
        assertTrue(Math.abs(got[j] - fd) <= 2e-5 + 1e-4 * Math.abs(fd),
            name + "[" + j + "] = " + got[j] + ", finite differences " + fd);
      }
    }
  }
}
