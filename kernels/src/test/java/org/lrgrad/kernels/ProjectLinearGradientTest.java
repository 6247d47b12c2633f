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

/**
 * projectLinearGradient on every implementation: the low-rank gradient of a linear layer from X and dY without G,
 * against float64 and against the same kernels' path through G = dYᵀX (docs/method.md §4 invariant 1).
 */
class ProjectLinearGradientTest {

  /**
   * R in float64: LEFT R(k, j) = Σ_b (Σ_i dY(b, i)·P(i, k))·X(b, j); RIGHT R(i, k) = Σ_b dY(b, i)·(Σ_j X(b, j)·Q(k, j)).
   * Each value is a double sum of depth m + batch (LEFT) or n + batch (RIGHT); its bound uses the sum of the
   * magnitudes of all products, which bounds any association order (the fused form and the one through G alike).
   */
  static void oracle(ProjectionSide side, int batch, int m, int n, int r, Matrix x, Matrix dy, Matrix proj,
      double[] want, double[] bound) {
    int inner = side == ProjectionSide.LEFT ? m : n;
    double[] t = new double[batch * r], tAbs = new double[batch * r];
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < r; k++) {
        double sum = 0, abs = 0;
        for (int i = 0; i < inner; i++) {
          double term = side == ProjectionSide.LEFT ? dy.get(b, i) * proj.get(i, k)
              : x.get(b, i) * proj.get(k, i);
          sum += term;
          abs += Math.abs(term);
        }
        t[b * r + k] = sum;
        tAbs[b * r + k] = abs;
      }
    }
    int outer = side == ProjectionSide.LEFT ? n : m;
    for (int k = 0; k < r; k++) {
      for (int o = 0; o < outer; o++) {
        double sum = 0, abs = 0;
        for (int b = 0; b < batch; b++) {
          double other = side == ProjectionSide.LEFT ? x.get(b, o) : dy.get(b, o);
          sum += t[b * r + k] * other;
          abs += tAbs[b * r + k] * Math.abs(other);
        }
        int cell = side == ProjectionSide.LEFT ? k * n + o : o * r + k;
        want[cell] = sum;
        bound[cell] = Tolerance.forDot(inner + batch, abs);
      }
    }
  }

  private static Matrix random(Random rnd, int rows, int cols) {
    return Matrix.random(rnd, rows, cols, rnd.nextInt(5), rnd.nextInt(4));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleAndTheFormThroughG(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(60);
    for (int[] s : Sizes.linearLayers()) {
      int batch = s[0], m = s[1], n = s[2], r = s[3];
      for (ProjectionSide side : ProjectionSide.values()) {
        Matrix x = random(rnd, batch, n), dy = random(rnd, batch, m);
        Matrix proj = random(rnd, side.projectorRows(m, n, r), side.projectorCols(m, n, r));
        int rows = side.lowRankRows(m, n, r), cols = side.lowRankCols(m, n, r);
        // Outputs and workspace start as NaN: written before read, or NaN leaks into R.
        Matrix out = Matrix.filled(rows, cols, rnd.nextInt(5), rnd.nextInt(4), Float.NaN);
        int need = LowRankOps.projectLinearGradientWorkspace(batch, r);
        Matrix work = Matrix.filled(1, need, rnd.nextInt(5), 0, Float.NaN);
        Matrix xBefore = x.copy(), dyBefore = dy.copy(), projBefore = proj.copy();
        double[] want = new double[rows * cols], bound = new double[rows * cols];
        oracle(side, batch, m, n, r, x, dy, proj, want, bound);
        LowRankOps.projectLinearGradient(kernels, side, batch, m, n, r, x.data, x.off, x.ld, dy.data, dy.off, dy.ld,
            proj.data, proj.off, proj.ld, out.data, out.off, out.ld, work.data, work.off);
        String context = kernels + " projectLinearGradient " + side + " batch=" + batch + " m=" + m + " n=" + n
            + " r=" + r + " ldx=" + x.ld + " lddy=" + dy.ld + " ldproj=" + proj.ld + " ldout=" + out.ld + " workOff="
            + work.off;
        Tolerance.assertClose(context + " R", out, want, bound);
        out.assertCanariesIntact(context + " R");
        work.assertCanariesIntact(context + " work");
        x.assertUnchanged(context + " X", xBefore);
        dy.assertUnchanged(context + " dY", dyBefore);
        proj.assertUnchanged(context + " projector", projBefore);

        // The same through the full gradient: G = dYᵀ·X, then R = project(G). Both are within the oracle's bound.
        Matrix g = Matrix.filled(m, n, 0, 0, Float.NaN);
        kernels.sgemm(true, false, m, n, batch, 1f, dy.data, dy.off, dy.ld, x.data, x.off, x.ld, 0f, g.data, g.off,
            g.ld);
        Matrix throughG = Matrix.filled(rows, cols, 0, 0, Float.NaN);
        LowRankOps.project(kernels, side, m, n, r, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, throughG.data,
            throughG.off, throughG.ld);
        Tolerance.assertClose(context + " R through G", throughG, want, bound);
        double[] fused = new double[rows * cols], twice = new double[rows * cols];
        for (int c = 0; c < fused.length; c++) {
          fused[c] = out.get(c / cols, c % cols);
          twice[c] = 2 * bound[c];
        }
        Tolerance.assertClose(context + " fused vs through G", throughG, fused, twice);
      }
    }
  }

  // batch = 4, m = 8, n = 6, r = 3: X 4x6 (24 floats), dY 4x8 (32), P 8x3 (24), Q 3x6 (18), R 3x6 (LEFT, 18) or
  // 8x3 (RIGHT, 24), work 4*3 = 12.
  private static final ProjectionSide LEFT = ProjectionSide.LEFT, RIGHT = ProjectionSide.RIGHT;

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(61);
    float[] x = BadInput.array(rnd, 24), dy = BadInput.array(rnd, 32), p = BadInput.array(rnd, 24);
    float[] q = BadInput.array(rnd, 18), rl = BadInput.array(rnd, 18), rr = BadInput.array(rnd, 24);
    float[] w = BadInput.array(rnd, 12), s = BadInput.array(rnd, 100);
    BadInput bad = BadInput.watching(x, dy, p, q, rl, rr, w, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, null, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "side must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 0, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "batch=0", ">= 1");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, -8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "m=-8", ">= 1");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, RIGHT, 4, 8, 0, 3, x, 0, 6, dy, 0, 8, q, 0, 6, rr, 0, 3,
        w, 0), "n=0", ">= 1");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 7, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "r=7", "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, null, 0, 6, dy, 0, 8, p, 0, 3, rl, 0,
        6, w, 0), "x must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, null, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "dy must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, null, 0, 3, rl, 0,
        6, w, 0), "proj must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, null, 0, 6,
        w, 0), "out must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        null, 0), "work must not be null");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 5, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "ldx=5 < 6");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 7, p, 0, 3, rl, 0, 6,
        w, 0), "lddy=7 < 8");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, RIGHT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, q, 0, 3, rr, 0, 3,
        w, 0), "ldproj=3 < 6", "side=RIGHT");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 0,
        w, 0), "ldout=0 < 6");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, -1, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "xOff=-1");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, -1), "workOff=-1");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 7, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 0), "x.length >= 27", "x.length=24");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 1, 8, p, 0, 3, rl, 0, 6,
        w, 0), "dy.length >= 33", "dy.length=32");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 2, 3, rl, 0, 6,
        w, 0), "proj.length >= 26", "proj.length=24");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, RIGHT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, q, 0, 6, rr, 0, 4,
        w, 0), "out.length >= 31", "out.length=24");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        w, 1), "work needs 12 floats from workOff=1", "work.length=12");
    bad.rejects(oob, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        new float[11], 0), "work needs 12 floats", "work.length=11");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, s, 0, 6, dy, 0, 8, p, 0, 3, s, 20, 6,
        w, 0), "out [20, 38) overlaps x [0, 24)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, s, 50, 8, p, 0, 3, s, 40, 6,
        w, 0), "out [40, 58) overlaps dy [50, 82)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, RIGHT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, s, 0, 6, s, 10, 3,
        w, 0), "out [10, 34) overlaps proj [0, 18)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, p, 0, 3, s, 0, 6, s,
        17), "out [0, 18) overlaps work [17, 29)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, s, 30, 6, dy, 0, 8, p, 0, 3, rl, 0, 6,
        s, 20), "work [20, 32) overlaps x [30, 54)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, s, 0, 8, p, 0, 3, rl, 0, 6, s,
        31), "work [31, 43) overlaps dy [0, 32)");
    bad.rejects(iae, () -> LowRankOps.projectLinearGradient(k, LEFT, 4, 8, 6, 3, x, 0, 6, dy, 0, 8, s, 60, 3, rl, 0, 6,
        s, 50), "work [50, 62) overlaps proj [60, 84)");
  }
}
