package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * loraGradients on every implementation: dA = s·(dY·B)ᵀ·X and dB = s·dYᵀ·(X·Aᵀ) against float64, against finite
 * differences of the loss they are the gradients of (docs/method.md §4 invariant 1), and dA = 0 exactly when B = 0
 * (invariant 2).
 */
class LoraGradientsTest {
  private static final float[] SCALES = {2f, 0.5f, 8f, -1.5f};

  /** The operands of one call, with NaN in the outputs and the workspace: written before read, or NaN leaks. */
  private static final class Layer {
    final int batch, m, n, r;
    final float scale;
    final Matrix x, dy, a, b, gradA, gradB, work;

    Layer(Random rnd, int batch, int m, int n, int r, float scale, boolean zeroB) {
      this.batch = batch;
      this.m = m;
      this.n = n;
      this.r = r;
      this.scale = scale;
      x = random(rnd, batch, n);
      dy = random(rnd, batch, m);
      a = random(rnd, r, n);
      b = zeroB ? Matrix.filled(m, r, rnd.nextInt(5), rnd.nextInt(4), 0f) : random(rnd, m, r);
      gradA = Matrix.filled(r, n, rnd.nextInt(5), rnd.nextInt(4), Float.NaN);
      gradB = Matrix.filled(m, r, rnd.nextInt(5), rnd.nextInt(4), Float.NaN);
      work = Matrix.filled(1, LowRankOps.loraGradientsWorkspace(batch, r), rnd.nextInt(5), 0, Float.NaN);
    }

    private static Matrix random(Random rnd, int rows, int cols) {
      return Matrix.random(rnd, rows, cols, rnd.nextInt(5), rnd.nextInt(4));
    }

    void run(Kernels kernels) {
      Matrix xBefore = x.copy(), dyBefore = dy.copy(), aBefore = a.copy(), bBefore = b.copy();
      LowRankOps.loraGradients(kernels, batch, m, n, r, scale, x.data, x.off, x.ld, dy.data, dy.off, dy.ld, a.data,
          a.off, a.ld, b.data, b.off, b.ld, gradA.data, gradA.off, gradA.ld, gradB.data, gradB.off, gradB.ld, work.data,
          work.off);
      String context = context(kernels);
      gradA.assertCanariesIntact(context + " dA");
      gradB.assertCanariesIntact(context + " dB");
      work.assertCanariesIntact(context + " work");
      x.assertUnchanged(context + " X", xBefore);
      dy.assertUnchanged(context + " dY", dyBefore);
      a.assertUnchanged(context + " A", aBefore);
      b.assertUnchanged(context + " B", bBefore);
    }

    String context(Kernels kernels) {
      return kernels + " loraGradients batch=" + batch + " m=" + m + " n=" + n + " r=" + r + " scale=" + scale
          + " ldx=" + x.ld + " lddy=" + dy.ld + " lda=" + a.ld + " ldb=" + b.ld + " ldgA=" + gradA.ld + " ldgB="
          + gradB.ld + " workOff=" + work.off;
    }

    /**
     * dA and dB in float64 with their bounds: dA is the LEFT fused projection of (X, dY) by B, dB the RIGHT one by
     * A, both times s (see {@link ProjectLinearGradientTest#oracle}).
     */
    double[][] oracle() {
      double[][] result = {new double[r * n], new double[r * n], new double[m * r], new double[m * r]};
      ProjectLinearGradientTest.oracle(ProjectionSide.LEFT, batch, m, n, r, x, dy, b, result[0], result[1]);
      ProjectLinearGradientTest.oracle(ProjectionSide.RIGHT, batch, m, n, r, x, dy, a, result[2], result[3]);
      for (int pair = 0; pair < 4; pair += 2) {
        for (int k = 0; k < result[pair].length; k++) {
          result[pair][k] *= scale;
          result[pair + 1][k] *= Math.abs(scale);
        }
      }
      return result;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64Oracle(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(70);
    int cases = 0;
    for (int[] s : Sizes.linearLayers()) {
      Layer layer = new Layer(rnd, s[0], s[1], s[2], s[3], SCALES[cases++ % SCALES.length], false);
      double[][] want = layer.oracle();
      layer.run(kernels);
      Tolerance.assertClose(layer.context(kernels) + " dA", layer.gradA, want[0], want[1]);
      Tolerance.assertClose(layer.context(kernels) + " dB", layer.gradB, want[2], want[3]);
    }
  }

  /**
   * L(A, B) = Σ dY ⊙ (X·W_effᵀ) with W_eff = W0 + s·B·A, in double. It is linear in A and in B, so a central
   * difference is exact up to the rounding of L, whatever the step.
   */
  private static double loss(Layer l, Matrix w0, double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < l.m; i++) {
      for (int j = 0; j < l.n; j++) {
        double w = w0.get(i, j);
        for (int k = 0; k < l.r; k++) {
          w += l.scale * b[i * l.r + k] * a[k * l.n + j];
        }
        for (int s = 0; s < l.batch; s++) {
          sum += l.dy.get(s, i) * l.x.get(s, j) * w;
        }
      }
    }
    return sum;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFiniteDifferencesOfTheLoss(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(71);
    int[][] shapes = {{1, 1, 1, 1}, {5, 7, 9, 3}, {3, 13, 6, 6}, {9, 4, 17, 2}, {7, 16, 8, 8}, {2, 33, 5, 1}};
    double h = 0.25;
    int cases = 0;
    for (int[] s : shapes) {
      Layer l = new Layer(rnd, s[0], s[1], s[2], s[3], SCALES[cases++ % SCALES.length], false);
      Matrix w0 = Matrix.random(rnd, l.m, l.n, 0, 0);
      double[][] bounds = l.oracle();
      l.run(kernels);
      double[] a = toDouble(l.a), b = toDouble(l.b);
      // Entries are in [-1, 1], so L sums at most roundings = batch·m·n·(r + 1) rounded terms of total magnitude at
      // most batch·m·n·(1 + |s|·r); twice that error over 2h bounds the difference's rounding (far below float32's).
      double roundings = (double) l.batch * l.m * l.n * (l.r + 1);
      double lossAbs = (double) l.batch * l.m * l.n * (1 + Math.abs(l.scale) * l.r);
      double lossRounding = 2 * roundings * Math.ulp(1.0) * lossAbs / (2 * h);
      for (int k = 0; k < l.r; k++) {
        for (int j = 0; j < l.n; j++) {
          double fd = centralDifference(l, w0, a, b, a, k * l.n + j, h);
          check(l.context(kernels) + " dA(" + k + ", " + j + ")", fd, l.gradA.get(k, j),
              bounds[1][k * l.n + j] + lossRounding);
        }
      }
      for (int i = 0; i < l.m; i++) {
        for (int k = 0; k < l.r; k++) {
          double fd = centralDifference(l, w0, a, b, b, i * l.r + k, h);
          check(l.context(kernels) + " dB(" + i + ", " + k + ")", fd, l.gradB.get(i, k),
              bounds[3][i * l.r + k] + lossRounding);
        }
      }
    }
  }

  private static double centralDifference(Layer l, Matrix w0, double[] a, double[] b, double[] varied, int index,
      double h) {
    double saved = varied[index];
    varied[index] = saved + h;
    double up = loss(l, w0, a, b);
    varied[index] = saved - h;
    double down = loss(l, w0, a, b);
    varied[index] = saved;
    return (up - down) / (2 * h);
  }

  private static double[] toDouble(Matrix matrix) {
    float[] packed = matrix.packed();
    double[] out = new double[packed.length];
    for (int k = 0; k < packed.length; k++) {
      out[k] = packed[k];
    }
    return out;
  }

  private static void check(String what, double want, double got, double bound) {
    if (!(Math.abs(got - want) <= bound)) {
      fail(what + ": got " + got + ", finite difference " + want + " (|diff|=" + Math.abs(got - want) + " > bound "
          + bound + ")");
    }
  }

  /** B = 0 (LoRA's initialisation): dA = s·(dY·0)ᵀ·X is exactly zero, while dB is the usual product. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroBGivesExactlyZeroGradientForA(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(72);
    int cases = 0;
    for (int[] s : Sizes.linearLayers()) {
      Layer l = new Layer(rnd, s[0], s[1], s[2], s[3], SCALES[cases++ % SCALES.length], true);
      double[][] want = l.oracle();
      l.run(kernels);
      for (int k = 0; k < l.r; k++) {
        for (int j = 0; j < l.n; j++) {
          if (l.gradA.get(k, j) != 0f) {
            fail(l.context(kernels) + " B = 0: dA(" + k + ", " + j + ") = " + l.gradA.get(k, j) + ", not exactly 0");
          }
        }
      }
      Tolerance.assertClose(l.context(kernels) + " B = 0: dB", l.gradB, want[2], want[3]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(73);
    // batch = 4, m = 8, n = 6, r = 3: X 4x6 (24 floats), dY 4x8 (32), A and dA 3x6 (18), B and dB 8x3 (24), work 12.
    float[] x = BadInput.array(rnd, 24), dy = BadInput.array(rnd, 32), a = BadInput.array(rnd, 18);
    float[] b = BadInput.array(rnd, 24), ga = BadInput.array(rnd, 18), gb = BadInput.array(rnd, 24);
    float[] w = BadInput.array(rnd, 12), s = BadInput.array(rnd, 100);
    BadInput bad = BadInput.watching(x, dy, a, b, ga, gb, w, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 0, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "batch=0", ">= 1");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 0, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "m=0", ">= 1");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, -6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "n=-6", ">= 1");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 0, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "r=0", "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 7, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "r=7", "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, Float.NaN, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga,
        0, 6, gb, 0, 3, w, 0), "scale=NaN", "finite");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, Float.POSITIVE_INFINITY, x, 0, 6, dy, 0, 8, a, 0, 6,
        b, 0, 3, ga, 0, 6, gb, 0, 3, w, 0), "scale=Infinity", "finite");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, null, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "x must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, null, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "dy must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, null, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "factorA must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, null, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "factorB must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, null, 0, 6,
        gb, 0, 3, w, 0), "gradA must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        null, 0, 3, w, 0), "gradB must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, null, 0), "work must not be null");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 5, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "ldx=5 < 6");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 6, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "lddy=6 < 8");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 3, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "lda=3 < 6");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 2, ga, 0, 6,
        gb, 0, 3, w, 0), "ldb=2 < 3");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 5,
        gb, 0, 3, w, 0), "ldgA=5 < 6");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 1, w, 0), "ldgB=1 < 3");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, -1, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "dyOff=-1");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, -2, 6,
        gb, 0, 3, w, 0), "gradAOff=-2");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 1, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "x.length >= 25", "x.length=24");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 9, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "dy.length >= 35", "dy.length=32");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 1, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, w, 0), "factorA.length >= 19", "factorA.length=18");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 4, ga, 0, 6,
        gb, 0, 3, w, 0), "factorB.length >= 31", "factorB.length=24");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 7,
        gb, 0, 3, w, 0), "gradA.length >= 20", "gradA.length=18");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 5, 3, w, 0), "gradB.length >= 29", "gradB.length=24");
    bad.rejects(oob, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, new float[11], 0), "work needs 12 floats", "work.length=11");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, s, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, s, 10, 6,
        gb, 0, 3, w, 0), "gradA [10, 28) overlaps x [0, 24)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, s, 0, 8, a, 0, 6, b, 0, 3, s, 31, 6, gb,
        0, 3, w, 0), "gradA [31, 49) overlaps dy [0, 32)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, s, 0, 6, b, 0, 3, s, 0, 6, gb,
        0, 3, w, 0), "gradA [0, 18) overlaps factorA [0, 18)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, s, 20, 3, s, 5, 6,
        gb, 0, 3, w, 0), "gradA [5, 23) overlaps factorB [20, 44)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, s, 0, 6, s,
        17, 3, w, 0), "gradA [0, 18) overlaps gradB [17, 41)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, s, 50, 6,
        gb, 0, 3, s, 60), "gradA [50, 68) overlaps work [60, 72)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, s, 30, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        s, 10, 3, w, 0), "gradB [10, 34) overlaps x [30, 54)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, s, 40, 8, a, 0, 6, b, 0, 3, ga, 0, 6, s,
        70, 3, w, 0), "gradB [70, 94) overlaps dy [40, 72)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, s, 20, 6, b, 0, 3, ga, 0, 6,
        s, 0, 3, w, 0), "gradB [0, 24) overlaps factorA [20, 38)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, s, 0, 3, ga, 0, 6, s,
        0, 3, w, 0), "gradB [0, 24) overlaps factorB [0, 24)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6, s,
        0, 3, s, 23), "gradB [0, 24) overlaps work [23, 35)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, s, 0, 6, dy, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, s, 12), "work [12, 24) overlaps x [0, 24)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, s, 0, 8, a, 0, 6, b, 0, 3, ga, 0, 6, gb,
        0, 3, s, 30), "work [30, 42) overlaps dy [0, 32)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, s, 0, 6, b, 0, 3, ga, 0, 6,
        gb, 0, 3, s, 17), "work [17, 29) overlaps factorA [0, 18)");
    bad.rejects(iae, () -> LowRankOps.loraGradients(k, 4, 8, 6, 3, 2f, x, 0, 6, dy, 0, 8, a, 0, 6, s, 40, 3, ga, 0, 6,
        gb, 0, 3, s, 30), "work [30, 42) overlaps factorB [40, 64)");
  }
}
