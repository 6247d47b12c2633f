package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.AdamOracle;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.SubnormalMoments;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * adamStep on every implementation: both {@link AdamConvention}s, L2 and decoupled weight decay, several steps
 * (bias corrections change with the step), tiny gradients where the place of ε decides the step.
 */
class AdamStepTest {

  /** One configuration; {@code gradScale} sizes the gradients (3e-8: ε dominates √v, as adam_steps' tinygrad). */
  private static final class Hyper {
    final AdamConvention convention;
    final float lr, beta1, beta2, eps, weightDecay, gradScale;
    final boolean decoupled;

    Hyper(AdamConvention convention, float lr, float beta1, float beta2, float eps, float weightDecay,
        boolean decoupled, float gradScale) {
      this.convention = convention;
      this.lr = lr;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.eps = eps;
      this.weightDecay = weightDecay;
      this.decoupled = decoupled;
      this.gradScale = gradScale;
    }

    @Override
    public String toString() {
      return convention + " lr=" + lr + " beta1=" + beta1 + " beta2=" + beta2 + " eps=" + eps + " weightDecay="
          + weightDecay + " decoupled=" + decoupled + " gradScale=" + gradScale;
    }
  }

  private static final AdamConvention TORCH = AdamConvention.TORCH, GALORE = AdamConvention.GALORE;
  private static final Hyper[] CASES = {
      new Hyper(TORCH, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1f),
      new Hyper(TORCH, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, false, 1f),
      new Hyper(TORCH, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 1f),
      new Hyper(TORCH, 3e-3f, 0.8f, 0.99f, 1e-8f, 0.1f, true, 3e-8f),
      new Hyper(TORCH, 0.5f, 0.5f, 0.75f, 0.1f, 0.5f, true, 1f),
      new Hyper(GALORE, 1e-2f, 0.9f, 0.999f, 1e-6f, 0f, true, 1f),
      new Hyper(GALORE, 3e-3f, 0.8f, 0.99f, 1e-6f, 0.1f, true, 1e-7f),
      new Hyper(GALORE, 0.5f, 0.5f, 0.75f, 0.1f, 0.5f, true, 1f),
      new Hyper(GALORE, 0.1f, 0.9f, 0.999f, 1e-6f, 0.1f, false, 1f),
  };
  /** Steps 1..5 in order, then a jump: bias corrections near 1. */
  private static final int[] STEPS = {1, 2, 3, 4, 5, 100};

  /**
   * One step. TORCH: AdamW first decays p ← p·(1 − lr·wd); GALORE applies the decoupled decay after the update,
   * p ← p − lr·wd·p (docs/method.md §1, GaLore's AdamW). L2 (not decoupled): the gradient is g + wd·p in both.
   */
  private static void oracle(Hyper h, int step, Matrix p, Matrix g, Matrix m, Matrix v, double[][] want,
      double[][] bound) {
    for (int j = 0; j < p.cols; j++) {
      double pj = p.get(0, j), gj = g.get(0, j);
      double l2 = h.decoupled ? 0 : h.weightDecay;
      double torchDecay = h.decoupled && h.convention == TORCH ? 1.0 - (double) h.lr * h.weightDecay : 1.0;
      double decayed = pj * torchDecay;
      AdamOracle a = new AdamOracle(h.convention, step, h.beta1, h.beta2, h.eps, gj + l2 * pj,
          Math.abs(gj) + l2 * Math.abs(pj), m.get(0, j), v.get(0, j));
      double updated = decayed - h.lr * a.d;
      double updatedAbs = Math.abs(pj) * (1 + (double) h.lr * h.weightDecay) + h.lr * a.dAbs;
      if (h.decoupled && h.convention == GALORE) {
        updated -= (double) h.lr * h.weightDecay * updated;
        updatedAbs *= 1 + (double) h.lr * h.weightDecay;
      }
      want[0][j] = updated;
      bound[0][j] = Tolerance.forTerms(updatedAbs);
      want[1][j] = a.m;
      bound[1][j] = Tolerance.forTerms(a.mAbs);
      want[2][j] = a.v;
      bound[2][j] = Tolerance.forTerms(a.vAbs);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverStepsLengthsAndOffsets(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(20);
    for (int len : Sizes.ELEMENTWISE) {
      for (Hyper h : CASES) {
        Matrix p = Matrix.vector(rnd, len, rnd.nextInt(8), -1f, 1f);
        Matrix m = Matrix.vector(rnd, len, rnd.nextInt(8), 0f, 0f);
        Matrix v = Matrix.vector(rnd, len, rnd.nextInt(8), 0f, 0f);
        for (int step : STEPS) {
          Matrix g = Matrix.vector(rnd, len, rnd.nextInt(8), -h.gradScale, h.gradScale);
          Matrix gBefore = g.copy();
          double[][] want = new double[3][len], bound = new double[3][len];
          oracle(h, step, p, g, m, v, want, bound);
          kernels.adamStep(len, step, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.decoupled, h.convention,
              p.data, p.off, g.data, g.off, m.data, m.off, v.data, v.off);
          String context = kernels + " adamStep len=" + len + " step=" + step + " " + h + " offsets p=" + p.off
              + " g=" + g.off + " m=" + m.off + " v=" + v.off;
          Tolerance.assertClose(context + " p", p, want[0], bound[0]);
          Tolerance.assertClose(context + " m", m, want[1], bound[1]);
          Tolerance.assertClose(context + " v", v, want[2], bound[2]);
          p.assertCanariesIntact(context + " p");
          m.assertCanariesIntact(context + " m");
          v.assertCanariesIntact(context + " v");
          g.assertUnchanged(context + " g", gBefore);
        }
      }
    }
  }

  /**
   * The tiny-gradient cases are only worth running if ε's place decides the result: the two conventions must
   * differ there by far more than the tolerance (and agree to it where √v ≫ ε).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void conventionsDifferWhereEpsilonDominates(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(21);
    int len = 33;
    Matrix g = Matrix.vector(rnd, len, 0, -3e-8f, 3e-8f);
    Matrix p0 = Matrix.vector(rnd, len, 0, -1f, 1f);
    float[][] results = new float[2][];
    for (AdamConvention c : AdamConvention.values()) {
      Matrix p = p0.copy();
      kernels.adamStep(len, 1, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, c, p.data, p.off, g.data, g.off,
          new float[len], 0, new float[len], 0);
      results[c.ordinal()] = p.packed();
    }
    for (int j = 0; j < len; j++) {
      double moved = Math.abs(results[0][j] - p0.get(0, j));
      assertTrue(Math.abs(results[0][j] - results[1][j]) > 0.1 * moved,
          "TORCH and GALORE should differ at " + j + ": " + results[0][j] + " vs " + results[1][j]);
    }
  }

  /**
   * A moment that decays below the smallest normal float is stored as +0 when ε &gt; 0 (x86 computes on subnormals
   * through microcode assists) and kept when ε = 0; the parameter does not move where both moments are zero.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void subnormalMomentsAreStoredAsZeroWhenEpsilonIsPositive(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    SubnormalMoments.assertAdamFlushes(kernels + " adamStep", (len, c, eps, m, v) -> {
      float[] p = new float[len];
      Arrays.fill(p, 0.25f);
      kernels.adamStep(len, 3, 1e-3f, SubnormalMoments.BETA1, SubnormalMoments.BETA2, eps, 0f, false, c, p, 0,
          new float[len], 0, m, 0, v, 0);
      for (int i = 0; i < len; i++) {
        p[i] -= 0.25f;
      }
      return p;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroLengthWritesNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix p = Matrix.vector(new Random(22), 4, 1, -1f, 1f);
    Matrix before = p.copy();
    float[] empty = new float[0];
    kernels.adamStep(0, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, true, TORCH, p.data, p.data.length, empty, 0, empty, 0,
        empty, 0);
    p.assertUnchanged("len=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(23);
    float[] p = BadInput.array(rnd, 16), g = BadInput.array(rnd, 16), m = BadInput.array(rnd, 16);
    float[] v = BadInput.array(rnd, 16), shared = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(p, g, m, v, shared);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.adamStep(-1, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "len=-1", ">= 0");
    bad.rejects(iae, () -> k.adamStep(16, 0, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "step=0", ">= 1");
    bad.rejects(iae, () -> k.adamStep(16, 1, -0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "lr=-0.1", ">= 0");
    bad.rejects(iae, () -> k.adamStep(16, 1, Float.NaN, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v,
        0), "lr=NaN", "finite");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 1f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "beta1=1.0", "[0, 1)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, -0.1f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "beta1=-0.1", "[0, 1)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, Float.NaN, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v,
        0), "beta1=NaN");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 1f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "beta2=1.0", "[0, 1)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, -1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 0),
        "eps=-1.0E-8", ">= 0");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, Float.POSITIVE_INFINITY, 0f, false, TORCH, p, 0, g,
        0, m, 0, v, 0), "eps=Infinity", "finite");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, -0.01f, true, TORCH, p, 0, g, 0, m, 0, v, 0),
        "weightDecay=-0.01", ">= 0");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, Float.NaN, true, TORCH, p, 0, g, 0, m, 0, v,
        0), "weightDecay=NaN");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, null, p, 0, g, 0, m, 0, v, 0),
        "convention must not be null");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, null, 0, g, 0, m, 0, v, 0),
        "p must not be null");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, null, 0, m, 0, v, 0),
        "g must not be null");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, null, 0, v, 0),
        "m must not be null");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, null, 0),
        "v must not be null");
    bad.rejects(oob, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, -1, g, 0, m, 0, v, 0),
        "pOff=-1");
    bad.rejects(oob, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, -1, v, 0),
        "mOff=-1");
    bad.rejects(oob, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 3, m, 0, v, 0),
        "g.length >= 19", "g.length=16");
    bad.rejects(oob, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 1, v, 0),
        "m.length >= 17", "m.length=16");
    bad.rejects(oob, () -> k.adamStep(14, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, g, 0, m, 0, v, 5),
        "v.length >= 19", "v.length=16");
    bad.rejects(oob, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 2, g, 0, m, 0, v, 0),
        "p.length >= 18", "p.length=16");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, shared, 0, shared, 8, m, 0,
        v, 0), "p [0, 16) overlaps g [8, 24)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, shared, 0, shared, 0,
        v, 0), "m [0, 16) overlaps g [0, 16)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, p, 0, shared, 20, m, 0,
        shared, 24), "v [24, 40) overlaps g [20, 36)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, shared, 10, g, 0, shared,
        0, v, 0), "m [0, 16) overlaps p [10, 26)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, TORCH, shared, 24, g, 0, m, 0,
        shared, 9), "v [9, 25) overlaps p [24, 40)");
    bad.rejects(iae, () -> k.adamStep(16, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, GALORE, p, 0, g, 0, shared, 4,
        shared, 19), "v [19, 35) overlaps m [4, 20)");
  }

  /** The rounding rule of element-wise steps (Kernels): the reference's bits on every implementation, no FMA. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void equalsTheReferenceBitForBit(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(13);
    for (int len : Sizes.ELEMENTWISE) {
      for (AdamConvention convention : AdamConvention.values()) {
        for (boolean decoupled : new boolean[] {false, true}) {
          for (int step : new int[] {1, 7}) {
            float[] g = Matrix.vector(rnd, len, 0, -1f, 1f).data;
            float[] wantP = Matrix.vector(rnd, len, 0, -1f, 1f).data, gotP = wantP.clone();
            float[] wantM = Matrix.vector(rnd, len, 0, -0.1f, 0.1f).data, gotM = wantM.clone();
            float[] wantV = Matrix.vector(rnd, len, 0, 0f, 0.01f).data, gotV = wantV.clone();
            float eps = step == 1 ? 1e-8f : 1e-3f;
            Implementations.reference().adamStep(len, step, 0.01f, 0.9f, 0.999f, eps, 0.1f, decoupled, convention,
                wantP, 0, g, 0, wantM, 0, wantV, 0);
            kernels.adamStep(len, step, 0.01f, 0.9f, 0.999f, eps, 0.1f, decoupled, convention, gotP, 0, g, 0, gotM,
                0, gotV, 0);
            if (!java.util.Arrays.equals(wantP, gotP) || !java.util.Arrays.equals(wantM, gotM)
                || !java.util.Arrays.equals(wantV, gotV)) {
              org.junit.jupiter.api.Assertions.fail(kernels + " adamStep len=" + len + " " + convention
                  + " decoupled=" + decoupled + " step=" + step + ": not the reference's bits");
            }
          }
        }
      }
    }
  }
}
