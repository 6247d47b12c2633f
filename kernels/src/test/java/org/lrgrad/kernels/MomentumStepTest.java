package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.SubnormalMoments;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * momentumStep on every implementation: {@code torch.optim.SGD} with momentum, in float64, over several steps
 * (step 1 creates the buffer, later steps decay it), plain, Nesterov, dampening and weight decay.
 */
class MomentumStepTest {

  /** One configuration of the optimizer. */
  private static final class Hyper {
    final float lr, momentum, dampening, weightDecay;
    final boolean nesterov;

    Hyper(float lr, float momentum, float dampening, boolean nesterov, float weightDecay) {
      this.lr = lr;
      this.momentum = momentum;
      this.dampening = dampening;
      this.nesterov = nesterov;
      this.weightDecay = weightDecay;
    }

    @Override
    public String toString() {
      return "lr=" + lr + " momentum=" + momentum + " dampening=" + dampening + " nesterov=" + nesterov
          + " weightDecay=" + weightDecay;
    }
  }

  private static final Hyper[] CASES = {
      new Hyper(0.1f, 0.9f, 0f, false, 0f),
      new Hyper(0.05f, 0.9f, 0f, true, 0f),
      new Hyper(0.1f, 0.9f, 0f, false, 0.01f),
      new Hyper(0.1f, 0.8f, 0.5f, false, 0.02f),
      new Hyper(0.3f, 0f, 0f, false, 0.1f),
      new Hyper(0.7f, 0.5f, 0f, true, 0.3f),
  };

  /**
   * One step (vectors/README.md "Optimizer formulas", SGD): g' = g + wd·p; step 1: buf = g' (no dampening), later
   * buf = μ·buf + (1 − dampening)·g'; update = g' + μ·buf (Nesterov) or buf; p − lr·update.
   */
  private static void oracle(Hyper h, int step, Matrix p, Matrix g, Matrix buf, double[] wantP, double[] boundP,
      double[] wantBuf, double[] boundBuf) {
    for (int j = 0; j < p.cols; j++) {
      double pj = p.get(0, j), gj = g.get(0, j), bj = buf.get(0, j);
      double grad = gj + h.weightDecay * pj;
      double gradAbs = Math.abs(gj) + h.weightDecay * Math.abs(pj);
      double b = step == 1 ? grad : h.momentum * bj + (1.0 - h.dampening) * grad;
      double bAbs = step == 1 ? gradAbs : h.momentum * Math.abs(bj) + (1.0 - h.dampening) * gradAbs;
      double update = h.nesterov ? grad + h.momentum * b : b;
      double updateAbs = h.nesterov ? gradAbs + h.momentum * bAbs : bAbs;
      wantBuf[j] = b;
      boundBuf[j] = Tolerance.forTerms(bAbs);
      wantP[j] = pj - h.lr * update;
      boundP[j] = Tolerance.forTerms(Math.abs(pj) + h.lr * updateAbs);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverStepsLengthsAndOffsets(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(10);
    for (int len : Sizes.ELEMENTWISE) {
      for (Hyper h : CASES) {
        Matrix p = Matrix.vector(rnd, len, rnd.nextInt(8), -1f, 1f);
        // Step 1 must overwrite the buffer whatever it holds (PyTorch creates it from g').
        Matrix buf = Matrix.vector(rnd, len, rnd.nextInt(8), -5f, 5f);
        for (int step = 1; step <= 4; step++) {
          Matrix g = Matrix.vector(rnd, len, rnd.nextInt(8), -2f, 2f);
          Matrix gBefore = g.copy();
          double[] wantP = new double[len], boundP = new double[len];
          double[] wantBuf = new double[len], boundBuf = new double[len];
          oracle(h, step, p, g, buf, wantP, boundP, wantBuf, boundBuf);
          kernels.momentumStep(len, step, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay, p.data, p.off,
              g.data, g.off, buf.data, buf.off);
          String context = kernels + " momentumStep len=" + len + " step=" + step + " " + h + " pOff=" + p.off
              + " gOff=" + g.off + " bufOff=" + buf.off;
          Tolerance.assertClose(context + " p", p, wantP, boundP);
          Tolerance.assertClose(context + " buf", buf, wantBuf, boundBuf);
          p.assertCanariesIntact(context + " p");
          buf.assertCanariesIntact(context + " buf");
          g.assertUnchanged(context + " g", gBefore);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void firstStepCopiesTheGradientIntoTheBufferWithoutDampening(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(11);
    int len = 37;
    Matrix p = Matrix.vector(rnd, len, 3, -1f, 1f);
    Matrix g = Matrix.vector(rnd, len, 1, -1f, 1f);
    Matrix buf = Matrix.vector(rnd, len, 2, -1f, 1f);
    kernels.momentumStep(len, 1, 0.1f, 0.9f, 0.5f, false, 0f, p.data, p.off, g.data, g.off, buf.data, buf.off);
    for (int j = 0; j < len; j++) {
      assertEquals(Float.floatToRawIntBits(g.get(0, j)), Float.floatToRawIntBits(buf.get(0, j)),
          "step 1 with weightDecay=0: buf = g exactly at " + j);
    }
  }

  /** A buffer that decays below the smallest normal float is stored as +0 (x86 computes on subnormals slowly). */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void subnormalBufferIsStoredAsZero(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    for (int len : new int[] {3, 37, 64}) {
      for (boolean nesterov : new boolean[] {false, true}) {
        float[] buf0 = SubnormalMoments.m(len);
        float[] buf = buf0.clone(), p = new float[len], g = new float[len];
        kernels.momentumStep(len, 2, 0.1f, SubnormalMoments.BETA1, 0f, nesterov, 0f, p, 0, g, 0, buf, 0);
        SubnormalMoments.assertStepped(kernels + " momentumStep len=" + len + " nesterov=" + nesterov, "buf",
            SubnormalMoments.BETA1, buf0, buf, true);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroLengthWritesNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix p = Matrix.vector(new Random(12), 4, 1, -1f, 1f);
    Matrix before = p.copy();
    float[] empty = new float[0];
    kernels.momentumStep(0, 2, 0.1f, 0.9f, 0f, true, 0.1f, p.data, p.data.length, empty, 0, empty, 0);
    p.assertUnchanged("len=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(13);
    float[] p = BadInput.array(rnd, 16);
    float[] g = BadInput.array(rnd, 16);
    float[] b = BadInput.array(rnd, 16);
    float[] shared = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(p, g, b, shared);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.momentumStep(-1, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 0), "len=-1", ">= 0");
    bad.rejects(iae, () -> k.momentumStep(16, 0, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 0), "step=0", ">= 1");
    bad.rejects(iae, () -> k.momentumStep(16, 1, -0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 0), "lr=-0.1", ">= 0");
    bad.rejects(iae, () -> k.momentumStep(16, 1, Float.NaN, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 0), "lr=NaN");
    bad.rejects(iae, () -> k.momentumStep(16, 1, Float.NEGATIVE_INFINITY, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 0),
        "lr=-Infinity");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 1f, 0f, false, 0f, p, 0, g, 0, b, 0), "momentum=1.0",
        "[0, 1)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 1.5f, 0f, false, 0f, p, 0, g, 0, b, 0), "momentum=1.5",
        "[0, 1)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, -0.1f, 0f, false, 0f, p, 0, g, 0, b, 0), "momentum=-0.1",
        "[0, 1)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, Float.NaN, 0f, false, 0f, p, 0, g, 0, b, 0), "momentum=NaN");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 1f, false, 0f, p, 0, g, 0, b, 0), "dampening=1.0",
        "[0, 1)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, -1f, false, 0f, p, 0, g, 0, b, 0), "dampening=-1.0");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, -0.5f, p, 0, g, 0, b, 0),
        "weightDecay=-0.5", ">= 0");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, Float.POSITIVE_INFINITY, p, 0, g, 0, b, 0),
        "weightDecay=Infinity");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0.1f, true, 0f, p, 0, g, 0, b, 0),
        "nesterov needs momentum > 0 and dampening = 0", "momentum=0.9", "dampening=0.1");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0f, 0f, true, 0f, p, 0, g, 0, b, 0),
        "nesterov needs momentum > 0", "momentum=0.0");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, null, 0, g, 0, b, 0),
        "p must not be null");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, null, 0, b, 0),
        "g must not be null");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, null, 0),
        "buf must not be null");
    bad.rejects(oob, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, -1, g, 0, b, 0), "pOff=-1");
    bad.rejects(oob, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, b, -3), "bufOff=-3");
    bad.rejects(oob, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 1, b, 0), "g.length >= 17",
        "g.length=16");
    bad.rejects(oob, () -> k.momentumStep(15, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, g, 0, b, 2), "buf.length >= 17",
        "buf.length=16");
    bad.rejects(oob, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 4, g, 0, b, 0), "p.length >= 20",
        "p.length=16");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, shared, 0, shared, 15, b, 0),
        "p [0, 16) overlaps g [15, 31)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, p, 0, shared, 0, shared, 8),
        "buf [8, 24) overlaps g [0, 16)");
    bad.rejects(iae, () -> k.momentumStep(16, 1, 0.1f, 0.9f, 0f, false, 0f, shared, 20, g, 0, shared, 20),
        "buf [20, 36) overlaps p [20, 36)");
  }

  /** The rounding rule of element-wise steps (Kernels): the reference's bits on every implementation, no FMA. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void equalsTheReferenceBitForBit(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(12);
    for (int len : Sizes.ELEMENTWISE) {
      for (int step = 1; step <= 2; step++) {
        for (boolean nesterov : new boolean[] {false, true}) {
          float[] g = Matrix.vector(rnd, len, 0, -2f, 2f).data;
          float[] wantP = Matrix.vector(rnd, len, 0, -1f, 1f).data, gotP = wantP.clone();
          float[] wantBuf = Matrix.vector(rnd, len, 0, -1f, 1f).data, gotBuf = wantBuf.clone();
          float dampening = nesterov ? 0f : 0.1f;
          Implementations.reference().momentumStep(len, step, 0.05f, 0.9f, dampening, nesterov, 0.01f, wantP, 0, g,
              0, wantBuf, 0);
          kernels.momentumStep(len, step, 0.05f, 0.9f, dampening, nesterov, 0.01f, gotP, 0, g, 0, gotBuf, 0);
          if (!java.util.Arrays.equals(wantP, gotP) || !java.util.Arrays.equals(wantBuf, gotBuf)) {
            org.junit.jupiter.api.Assertions.fail(kernels + " momentumStep len=" + len + " step=" + step
                + " nesterov=" + nesterov + ": not the reference's bits");
          }
        }
      }
    }
  }
}
