package org.lrgrad.kernels;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.Tolerance;

/** sgdStep on every implementation: PyTorch's SGD without momentum, in float64, across vector-lane tails. */
class SgdStepTest {

  /** (lr, weightDecay) pairs: plain, L2, large values where every term matters, lr = 0. */
  private static final float[][] HYPER = {{0.1f, 0f}, {0.01f, 0.05f}, {0.7f, 0.3f}, {0f, 0.5f}};

  /** g' = g + wd·p; p − lr·g' (vectors/README.md "Optimizer formulas", SGD), with its rounding bound. */
  private static void oracle(float lr, float wd, Matrix p, Matrix g, double[] want, double[] bound) {
    for (int j = 0; j < p.cols; j++) {
      double pj = p.get(0, j), gj = g.get(0, j);
      want[j] = pj - lr * (gj + wd * pj);
      bound[j] = Tolerance.forTerms(Math.abs(pj) + lr * (Math.abs(gj) + wd * Math.abs(pj)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverLengthsAndOffsets(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(1);
    for (int len : Sizes.ELEMENTWISE) {
      for (float[] h : HYPER) {
        Matrix p = Matrix.vector(rnd, len, rnd.nextInt(8), -1f, 1f);
        Matrix g = Matrix.vector(rnd, len, rnd.nextInt(8), -2f, 2f);
        Matrix gBefore = g.copy();
        double[] want = new double[len], bound = new double[len];
        oracle(h[0], h[1], p, g, want, bound);
        kernels.sgdStep(len, h[0], h[1], p.data, p.off, g.data, g.off);
        String context = kernels + " sgdStep len=" + len + " lr=" + h[0] + " weightDecay=" + h[1] + " pOff=" + p.off
            + " gOff=" + g.off;
        Tolerance.assertClose(context + " p", p, want, bound);
        p.assertCanariesIntact(context + " p");
        g.assertUnchanged(context + " g", gBefore);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroLengthWritesNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix p = Matrix.vector(new Random(2), 4, 1, -1f, 1f);
    Matrix before = p.copy();
    // An empty tensor may start at the end of its array.
    kernels.sgdStep(0, 0.1f, 0.1f, p.data, p.data.length, new float[0], 0);
    p.assertUnchanged("len=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(3);
    float[] p = BadInput.array(rnd, 16);
    float[] g = BadInput.array(rnd, 16);
    float[] shared = BadInput.array(rnd, 24);
    BadInput bad = BadInput.watching(p, g, shared);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.sgdStep(-1, 0.1f, 0f, p, 0, g, 0), "len=-1", ">= 0");
    bad.rejects(iae, () -> k.sgdStep(16, -0.5f, 0f, p, 0, g, 0), "lr=-0.5", ">= 0");
    bad.rejects(iae, () -> k.sgdStep(16, Float.NaN, 0f, p, 0, g, 0), "lr=NaN", "finite");
    bad.rejects(iae, () -> k.sgdStep(16, Float.POSITIVE_INFINITY, 0f, p, 0, g, 0), "lr=Infinity", "finite");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, -1f, p, 0, g, 0), "weightDecay=-1.0", ">= 0");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, Float.NaN, p, 0, g, 0), "weightDecay=NaN", "finite");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, 0f, null, 0, g, 0), "p must not be null");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, 0f, p, 0, null, 0), "g must not be null");
    bad.rejects(oob, () -> k.sgdStep(16, 0.1f, 0f, p, -1, g, 0), "pOff=-1", ">= 0");
    bad.rejects(oob, () -> k.sgdStep(16, 0.1f, 0f, p, 0, g, -2), "gOff=-2", ">= 0");
    bad.rejects(oob, () -> k.sgdStep(16, 0.1f, 0f, p, 1, g, 0), "p.length >= 17", "p.length=16");
    bad.rejects(oob, () -> k.sgdStep(12, 0.1f, 0f, p, 0, g, 5), "g.length >= 17", "g.length=16");
    bad.rejects(oob, () -> k.sgdStep(0, 0.1f, 0f, p, 17, g, 0), "pOff=17", "p.length=16");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, 0f, shared, 8, shared, 0), "p [8, 24) overlaps g [0, 16)");
    bad.rejects(iae, () -> k.sgdStep(16, 0.1f, 0f, shared, 0, shared, 0), "p [0, 16) overlaps g [0, 16)");
  }

  /** The rounding rule of element-wise steps (Kernels): the reference's bits on every implementation, no FMA. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void equalsTheReferenceBitForBit(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(11);
    for (int len : Sizes.ELEMENTWISE) {
      for (float[] h : HYPER) {
        float[] g = Matrix.vector(rnd, len, 0, -2f, 2f).data;
        float[] want = Matrix.vector(rnd, len, 0, -1f, 1f).data, got = want.clone();
        Implementations.reference().sgdStep(len, h[0], h[1], want, 0, g, 0);
        kernels.sgdStep(len, h[0], h[1], got, 0, g, 0);
        if (!java.util.Arrays.equals(want, got)) {
          org.junit.jupiter.api.Assertions.fail(kernels + " sgdStep len=" + len + " lr=" + h[0] + " weightDecay="
              + h[1] + ": not the reference's bits");
        }
      }
    }
  }
}
