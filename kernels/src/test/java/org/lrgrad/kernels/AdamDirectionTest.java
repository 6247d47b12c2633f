package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.fail;

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
 * adamDirection on every implementation: moments and the normalized direction in float64 for both conventions,
 * out aliasing g, and GaLore-Adam with a signed-permutation projector equal to Adam bit for bit (docs/method.md §4.4).
 */
class AdamDirectionTest {
  private static final AdamConvention GALORE = AdamConvention.GALORE, TORCH = AdamConvention.TORCH;

  /** (beta1, beta2, eps, gradient scale): defaults of each convention, tiny gradients where ε decides, large ε. */
  private static final float[][] HYPER = {{0.9f, 0.999f, 1e-8f, 1f}, {0.9f, 0.999f, 1e-6f, 1f},
      {0.8f, 0.99f, 1e-8f, 3e-8f}, {0.5f, 0.75f, 0.1f, 1f}, {0f, 0.9f, 1e-6f, 1e-7f}};
  private static final int[] STEPS = {1, 2, 3, 4, 5, 100};

  private static void oracle(AdamConvention c, int step, float[] h, Matrix g, Matrix m, Matrix v, double[][] want,
      double[][] bound) {
    for (int j = 0; j < g.cols; j++) {
      double gj = g.get(0, j);
      AdamOracle a = new AdamOracle(c, step, h[0], h[1], h[2], gj, Math.abs(gj), m.get(0, j), v.get(0, j));
      want[0][j] = a.d;
      bound[0][j] = Tolerance.forTerms(a.dAbs);
      want[1][j] = a.m;
      bound[1][j] = Tolerance.forTerms(a.mAbs);
      want[2][j] = a.v;
      bound[2][j] = Tolerance.forTerms(a.vAbs);
    }
  }

  /** Steps over every length, both conventions; {@code aliased}: out is g itself (the low-rank buffer reused). */
  private static void runGrid(Kernels kernels, boolean aliased, long seed) {
    Random rnd = new Random(seed);
    for (int len : Sizes.ELEMENTWISE) {
      for (AdamConvention c : AdamConvention.values()) {
        for (float[] h : HYPER) {
          Matrix m = Matrix.vector(rnd, len, rnd.nextInt(8), 0f, 0f);
          Matrix v = Matrix.vector(rnd, len, rnd.nextInt(8), 0f, 0f);
          for (int step : STEPS) {
            Matrix g = Matrix.vector(rnd, len, rnd.nextInt(8), -h[3], h[3]);
            Matrix gBefore = g.copy();
            // A separate out starts as garbage: every cell must be written.
            Matrix out = aliased ? g : Matrix.vector(rnd, len, rnd.nextInt(8), -9f, 9f);
            double[][] want = new double[3][len], bound = new double[3][len];
            oracle(c, step, h, g, m, v, want, bound);
            kernels.adamDirection(len, step, h[0], h[1], h[2], c, g.data, g.off, m.data, m.off, v.data, v.off,
                out.data, out.off);
            String context = kernels + " adamDirection len=" + len + " step=" + step + " " + c + " beta1=" + h[0]
                + " beta2=" + h[1] + " eps=" + h[2] + " gradScale=" + h[3] + (aliased ? " out=g" : "")
                + " offsets g=" + g.off + " m=" + m.off + " v=" + v.off + " out=" + out.off;
            Tolerance.assertClose(context + " out", out, want[0], bound[0]);
            Tolerance.assertClose(context + " m", m, want[1], bound[1]);
            Tolerance.assertClose(context + " v", v, want[2], bound[2]);
            out.assertCanariesIntact(context + " out");
            m.assertCanariesIntact(context + " m");
            v.assertCanariesIntact(context + " v");
            if (!aliased) {
              g.assertUnchanged(context + " g", gBefore);
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverStepsLengthsAndOffsets(Candidate candidate) {
    runGrid(Implementations.require(candidate), false, 30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void outMayBeTheGradientItself(Candidate candidate) {
    runGrid(Implementations.require(candidate), true, 31);
  }

  /**
   * docs/method.md §4 invariant 4, as an exact statement about these kernels. Take an m×n weight, the side GaLore picks
   * ({@link ProjectionSide#galoreDefault}: RIGHT when m ≥ n, LEFT otherwise), r = min(m, n), and as projector a
   * signed permutation S of size r (the identity is one): Q = S (n×n) on the right, P = S (m×m) on the left; scale
   * α = 1 and no weight decay. Then one GaLore step, project(S, G) → adamDirection(GALORE) with out = R →
   * projectBackAccumulate(alpha = −lr), leaves W bit for bit equal to adamStep(GALORE) on the full matrix, step
   * after step, provided lr is a power of two. Why: each output of project and of the back-projection is a sum with
   * exactly one non-zero product ±1·x, so it is x or −x exactly; the moments are odd (m) and even (v) in g, so the
   * low-rank state is S applied to Adam's state exactly, and the direction d = fl(c·q), q = m/(√v+ε),
   * c = √bc2/bc1, is odd too. adamStep subtracts fl(s·q) with s = lr·c; the low-rank path subtracts lr·fl(c·q). For
   * lr = 2⁻ᵏ, multiplying by lr is exact, so fl(s·q) = lr·fl(c·q) and both subtract the same float with one final
   * rounding. For other lr the two paths may differ in the last bit; an adamStep that fuses p − s·q into one FMA
   * rounds differently from the low-rank path and fails this test.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void galoreWithSignedPermutationProjectorIsAdamBitForBit(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(32);
    int[][] shapes = {{1, 1}, {1, 9}, {9, 1}, {7, 13}, {13, 7}, {16, 16}, {33, 17}, {5, 64}, {40, 9}, {65, 33}};
    float lr = 1f / 128, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-6f;
    for (int[] shape : shapes) {
      for (boolean identity : new boolean[] {true, false}) {
        int m = shape[0], n = shape[1], r = Math.min(m, n);
        ProjectionSide side = ProjectionSide.galoreDefault(m, n);
        int[] perm = new int[r], sign = new int[r];
        for (int k = 0; k < r; k++) {
          perm[k] = k;
          sign[k] = identity || rnd.nextBoolean() ? 1 : -1;
        }
        for (int k = r - 1; k > 0 && !identity; k--) {
          int swap = rnd.nextInt(k + 1), t = perm[k];
          perm[k] = perm[swap];
          perm[swap] = t;
        }
        int projRows = side.projectorRows(m, n, r), projCols = side.projectorCols(m, n, r);
        Matrix proj = Matrix.filled(projRows, projCols, rnd.nextInt(4), rnd.nextInt(3), 0f);
        for (int k = 0; k < r; k++) {
          // P(perm[k], k) on the left, Q(k, perm[k]) on the right: R's coordinate k is sign[k]·(G's perm[k]).
          if (side == ProjectionSide.LEFT) {
            proj.set(perm[k], k, sign[k]);
          } else {
            proj.set(k, perm[k], sign[k]);
          }
        }
        int lowRows = side.lowRankRows(m, n, r), lowCols = side.lowRankCols(m, n, r), lowLen = lowRows * lowCols;
        Matrix w = Matrix.random(rnd, m, n, rnd.nextInt(4), rnd.nextInt(3));
        float[] p = w.packed(), mFull = new float[m * n], vFull = new float[m * n];
        float[] mLow = new float[lowLen], vLow = new float[lowLen];
        // Adam's element-wise kernels need the low-rank gradient contiguous: ld = its columns.
        Matrix low = Matrix.filled(lowRows, lowCols, rnd.nextInt(4), 0, 0f);
        for (int step = 1; step <= 4; step++) {
          Matrix g = Matrix.random(rnd, m, n, rnd.nextInt(4), rnd.nextInt(3));
          kernels.adamStep(m * n, step, lr, beta1, beta2, eps, 0f, true, GALORE, p, 0, g.packed(), 0, mFull, 0, vFull,
              0);
          LowRankOps.project(kernels, side, m, n, r, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, low.data,
              low.off, low.ld);
          kernels.adamDirection(lowLen, step, beta1, beta2, eps, GALORE, low.data, low.off, mLow, 0, vLow, 0,
              low.data, low.off);
          LowRankOps.projectBackAccumulate(kernels, side, m, n, r, -lr, proj.data, proj.off, proj.ld, low.data, low.off,
              low.ld, w.data, w.off, w.ld);
          String context = kernels + " GaLore " + m + "x" + n + " side=" + side + (identity ? " identity" : " signed"
              + " permutation") + " step=" + step;
          w.assertCanariesIntact(context + " W");
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              assertBits(context + " W(" + i + ", " + j + ")", p[i * n + j], w.get(i, j));
            }
          }
          for (int a = 0; a < lowRows; a++) {
            for (int b = 0; b < lowCols; b++) {
              int k = side == ProjectionSide.LEFT ? a : b;
              int full = side == ProjectionSide.LEFT ? perm[k] * n + b : a * n + perm[k];
              assertBits(context + " m(" + a + ", " + b + ")", sign[k] * mFull[full], mLow[a * lowCols + b]);
              assertBits(context + " v(" + a + ", " + b + ")", vFull[full], vLow[a * lowCols + b]);
            }
          }
        }
      }
    }
  }

  private static void assertBits(String what, float want, float got) {
    if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
      fail(what + ": got " + got + ", want bit for bit " + want + " (Adam on the full matrix)");
    }
  }

  /** As adamStep: moments decaying below the smallest normal float are stored as +0 when ε &gt; 0, kept when ε = 0. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void subnormalMomentsAreStoredAsZeroWhenEpsilonIsPositive(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    SubnormalMoments.assertAdamFlushes(kernels + " adamDirection", (len, c, eps, m, v) -> {
      float[] out = new float[len];
      kernels.adamDirection(len, 3, SubnormalMoments.BETA1, SubnormalMoments.BETA2, eps, c, new float[len], 0, m, 0,
          v, 0, out, 0);
      return out;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroLengthWritesNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix out = Matrix.vector(new Random(33), 4, 1, -1f, 1f);
    Matrix before = out.copy();
    float[] empty = new float[0];
    kernels.adamDirection(0, 1, 0.9f, 0.999f, 1e-8f, TORCH, empty, 0, empty, 0, empty, 0, out.data, out.data.length);
    out.assertUnchanged("len=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(34);
    float[] g = BadInput.array(rnd, 16), m = BadInput.array(rnd, 16), v = BadInput.array(rnd, 16);
    float[] o = BadInput.array(rnd, 16), s = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(g, m, v, o, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.adamDirection(-1, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 0), "len=-1",
        ">= 0");
    bad.rejects(iae, () -> k.adamDirection(16, -3, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 0), "step=-3",
        ">= 1");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 1f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 0), "beta1=1.0",
        "[0, 1)");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, Float.NaN, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 0),
        "beta2=NaN", "[0, 1)");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, -0.5f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 0), "beta2=-0.5");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, Float.NaN, TORCH, g, 0, m, 0, v, 0, o, 0),
        "eps=NaN", "finite");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, -1f, GALORE, g, 0, m, 0, v, 0, o, 0), "eps=-1.0",
        ">= 0");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, null, g, 0, m, 0, v, 0, o, 0),
        "convention must not be null");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, null, 0, m, 0, v, 0, o, 0),
        "g must not be null");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, null, 0, v, 0, o, 0),
        "m must not be null");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, null, 0, o, 0),
        "v must not be null");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, null, 0),
        "out must not be null");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, -1, m, 0, v, 0, o, 0), "gOff=-1");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, -1),
        "outOff=-1");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 1, m, 0, v, 0, o, 0),
        "g.length >= 17", "g.length=16");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 2, v, 0, o, 0),
        "m.length >= 18", "m.length=16");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 3, o, 0),
        "v.length >= 19", "v.length=16");
    bad.rejects(oob, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, m, 0, v, 0, o, 4),
        "out.length >= 20", "out.length=16");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, s, 0, s, 15, v, 0, o, 0),
        "m [15, 31) overlaps g [0, 16)");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, s, 20, m, 0, s, 5, o, 0),
        "v [5, 21) overlaps g [20, 36)");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, s, 0, s, 0, o, 0),
        "v [0, 16) overlaps m [0, 16)");
    // out may be g exactly, but not shifted by one.
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, s, 0, m, 0, v, 0, s, 1),
        "out [1, 17) overlaps g [0, 16)", "only exact aliasing");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, TORCH, g, 0, s, 10, v, 0, s, 24),
        "out [24, 40) overlaps m [10, 26)");
    bad.rejects(iae, () -> k.adamDirection(16, 1, 0.9f, 0.999f, 1e-8f, GALORE, g, 0, m, 0, s, 0, s, 0),
        "out [0, 16) overlaps v [0, 16)");
  }

  /** The rounding rule of element-wise steps (Kernels): the reference's bits on every implementation, no FMA. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void equalsTheReferenceBitForBit(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(14);
    for (int len : Sizes.ELEMENTWISE) {
      for (AdamConvention convention : AdamConvention.values()) {
        for (int step : new int[] {1, 7}) {
          float[] g = Matrix.vector(rnd, len, 0, -1f, 1f).data;
          float[] wantM = Matrix.vector(rnd, len, 0, -0.1f, 0.1f).data, gotM = wantM.clone();
          float[] wantV = Matrix.vector(rnd, len, 0, 0f, 0.01f).data, gotV = wantV.clone();
          float[] want = new float[len], got = new float[len];
          float eps = step == 1 ? 1e-8f : 1e-3f;
          Implementations.reference().adamDirection(len, step, 0.9f, 0.999f, eps, convention, g, 0, wantM, 0, wantV,
              0, want, 0);
          kernels.adamDirection(len, step, 0.9f, 0.999f, eps, convention, g, 0, gotM, 0, gotV, 0, got, 0);
          if (!java.util.Arrays.equals(want, got) || !java.util.Arrays.equals(wantM, gotM)
              || !java.util.Arrays.equals(wantV, gotV)) {
            org.junit.jupiter.api.Assertions.fail(kernels + " adamDirection len=" + len + " " + convention + " step="
                + step + ": not the reference's bits");
          }
        }
      }
    }
  }
}
