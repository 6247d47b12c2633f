package org.lrgrad.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * project and projectBackAccumulate on every implementation, both sides: R = PᵀG (LEFT) or G·Qᵀ (RIGHT), and
 * W + α·P·N or W + α·N·Q, in float64 ({@link SgemmTest#oracle}), over a grid of shapes and ranks with offsets,
 * padded leading dimensions and canaries.
 */
class ProjectTest {
  private static final int[] SMALL = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33};
  private static final int[][] LARGE = {{63, 65, 8}, {65, 63, 33}, {129, 257, 16}, {257, 129, 5}, {257, 257, 32},
      {1, 257, 1}, {257, 1, 1}, {257, 17, 17}, {17, 257, 17}};

  /** (m, n, r): every small pair with r = 1, about half of min(m, n), and min(m, n); then large shapes. */
  static List<int[]> shapes() {
    List<int[]> shapes = new ArrayList<>();
    for (int m : SMALL) {
      for (int n : SMALL) {
        int min = Math.min(m, n), half = (min + 1) / 2;
        shapes.add(new int[] {m, n, 1});
        if (half > 1) {
          shapes.add(new int[] {m, n, half});
        }
        if (min > half) {
          shapes.add(new int[] {m, n, min});
        }
      }
    }
    for (int[] s : LARGE) {
      shapes.add(s);
    }
    return shapes;
  }

  private static Matrix random(Random rnd, int rows, int cols) {
    return Matrix.random(rnd, rows, cols, rnd.nextInt(5), rnd.nextInt(4));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void projectMatchesFloat64Oracle(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(50);
    for (int[] s : shapes()) {
      int m = s[0], n = s[1], r = s[2];
      for (ProjectionSide side : ProjectionSide.values()) {
        Matrix proj = random(rnd, side.projectorRows(m, n, r), side.projectorCols(m, n, r));
        Matrix g = random(rnd, m, n);
        // R is written, never read: NaN in it must not leak.
        Matrix out = Matrix.filled(side.lowRankRows(m, n, r), side.lowRankCols(m, n, r), rnd.nextInt(5),
            rnd.nextInt(4), Float.NaN);
        Matrix projBefore = proj.copy(), gBefore = g.copy();
        double[] want = new double[out.rows * out.cols], bound = new double[want.length];
        if (side == ProjectionSide.LEFT) {
          SgemmTest.oracle(true, false, r, n, m, 1f, proj, g, 0f, out, want, bound);
        } else {
          SgemmTest.oracle(false, true, m, r, n, 1f, g, proj, 0f, out, want, bound);
        }
        LowRankOps.project(kernels, side, m, n, r, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, out.data, out.off,
            out.ld);
        String context = kernels + " project " + side + " m=" + m + " n=" + n + " r=" + r + " ldproj=" + proj.ld
            + " ldg=" + g.ld + " ldout=" + out.ld;
        Tolerance.assertClose(context + " R", out, want, bound);
        out.assertCanariesIntact(context + " R");
        proj.assertUnchanged(context + " projector", projBefore);
        g.assertUnchanged(context + " G", gBefore);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void projectBackAccumulateMatchesFloat64Oracle(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(51);
    float[] alphas = {1f, -0.01f, 2.5f, -1f};
    int cases = 0;
    for (int[] s : shapes()) {
      int m = s[0], n = s[1], r = s[2];
      for (ProjectionSide side : ProjectionSide.values()) {
        float alpha = alphas[cases++ % alphas.length];
        Matrix proj = random(rnd, side.projectorRows(m, n, r), side.projectorCols(m, n, r));
        Matrix low = random(rnd, side.lowRankRows(m, n, r), side.lowRankCols(m, n, r));
        Matrix w = random(rnd, m, n);
        Matrix projBefore = proj.copy(), lowBefore = low.copy();
        double[] want = new double[m * n], bound = new double[m * n];
        if (side == ProjectionSide.LEFT) {
          SgemmTest.oracle(false, false, m, n, r, alpha, proj, low, 1f, w, want, bound);
        } else {
          SgemmTest.oracle(false, false, m, n, r, alpha, low, proj, 1f, w, want, bound);
        }
        LowRankOps.projectBackAccumulate(kernels, side, m, n, r, alpha, proj.data, proj.off, proj.ld, low.data, low.off,
            low.ld, w.data, w.off, w.ld);
        String context = kernels + " projectBackAccumulate " + side + " m=" + m + " n=" + n + " r=" + r + " alpha="
            + alpha + " ldproj=" + proj.ld + " ldlow=" + low.ld + " ldw=" + w.ld;
        Tolerance.assertClose(context + " W", w, want, bound);
        w.assertCanariesIntact(context + " W");
        proj.assertUnchanged(context + " projector", projBefore);
        low.assertUnchanged(context + " N", lowBefore);
      }
    }
  }

  // m = 8, n = 6, r = 3: P is 8x3 (24 floats), Q 3x6 (18), G and W 8x6 (48), R and N 3x6 (LEFT) or 8x3 (RIGHT).
  private static final ProjectionSide LEFT = ProjectionSide.LEFT, RIGHT = ProjectionSide.RIGHT;

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void projectRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(52);
    float[] p = BadInput.array(rnd, 24), q = BadInput.array(rnd, 18), g = BadInput.array(rnd, 48);
    float[] rl = BadInput.array(rnd, 18), rr = BadInput.array(rnd, 24), s = BadInput.array(rnd, 80);
    BadInput bad = BadInput.watching(p, q, g, rl, rr, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> LowRankOps.project(k, null, 8, 6, 3, p, 0, 3, g, 0, 6, rl, 0, 6), "side must not be null");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 0, 6, 3, p, 0, 3, g, 0, 6, rl, 0, 6), "m=0", ">= 1");
    bad.rejects(iae, () -> LowRankOps.project(k, RIGHT, 8, -6, 3, q, 0, 6, g, 0, 6, rr, 0, 3), "n=-6", ">= 1");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 0, p, 0, 3, g, 0, 6, rl, 0, 6), "r=0", "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 7, p, 0, 3, g, 0, 6, rl, 0, 6), "r=7", "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.project(k, RIGHT, 4, 6, 5, q, 0, 6, g, 0, 6, rr, 0, 3), "r=5",
        "[1, min(m, n)=4]");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, null, 0, 3, g, 0, 6, rl, 0, 6),
        "proj must not be null");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, null, 0, 6, rl, 0, 6), "g must not be null");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, 0, 6, null, 0, 6), "out must not be null");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 2, g, 0, 6, rl, 0, 6), "ldproj=2 < 3",
        "side=LEFT");
    bad.rejects(iae, () -> LowRankOps.project(k, RIGHT, 8, 6, 3, q, 0, 5, g, 0, 6, rr, 0, 3), "ldproj=5 < 6",
        "side=RIGHT");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, 0, 5, rl, 0, 6), "ldg=5 < 6");
    bad.rejects(iae, () -> LowRankOps.project(k, RIGHT, 8, 6, 3, q, 0, 6, g, 0, 6, rr, 0, 2), "ldout=2 < 3");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, -1, 3, g, 0, 6, rl, 0, 6), "projOff=-1");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, -1, 6, rl, 0, 6), "gOff=-1");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, 0, 6, rl, -1, 6), "outOff=-1");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 1, 3, g, 0, 6, rl, 0, 6), "proj.length >= 25",
        "proj.length=24");
    bad.rejects(oob, () -> LowRankOps.project(k, RIGHT, 8, 6, 3, q, 0, 7, g, 0, 6, rr, 0, 3), "proj.length >= 20",
        "proj.length=18");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, 0, 7, rl, 0, 6), "g.length >= 55",
        "g.length=48");
    bad.rejects(oob, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, g, 0, 6, rl, 1, 6), "out.length >= 19",
        "out.length=18");
    bad.rejects(oob, () -> LowRankOps.project(k, RIGHT, 8, 6, 3, q, 0, 6, g, 0, 6, rr, 0, 4), "out.length >= 31",
        "out.length=24");
    bad.rejects(iae, () -> LowRankOps.project(k, LEFT, 8, 6, 3, p, 0, 3, s, 0, 6, s, 40, 6),
        "out [40, 58) overlaps g [0, 48)");
    bad.rejects(iae, () -> LowRankOps.project(k, RIGHT, 8, 6, 3, s, 0, 6, g, 0, 6, s, 17, 3),
        "out [17, 41) overlaps proj [0, 18)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void projectBackAccumulateRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(53);
    float[] p = BadInput.array(rnd, 24), q = BadInput.array(rnd, 18), w = BadInput.array(rnd, 48);
    float[] nl = BadInput.array(rnd, 18), nr = BadInput.array(rnd, 24), s = BadInput.array(rnd, 80);
    BadInput bad = BadInput.watching(p, q, w, nl, nr, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, null, 8, 6, 3, -1f, p, 0, 3, nl, 0, 6, w, 0, 6),
        "side must not be null");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, -8, 6, 3, -1f, p, 0, 3, nl, 0, 6, w, 0, 6), "m=-8",
        ">= 1");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 0, 3, -1f, p, 0, 3, nl, 0, 6, w, 0, 6), "n=0",
        ">= 1");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, RIGHT, 8, 6, 9, -1f, q, 0, 6, nr, 0, 3, w, 0, 6), "r=9",
        "[1, min(m, n)=6]");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, Float.NaN, p, 0, 3, nl, 0, 6, w, 0, 6),
        "alpha=NaN", "finite");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, Float.NEGATIVE_INFINITY, p, 0, 3, nl, 0,
        6, w, 0, 6), "alpha=-Infinity", "finite");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, null, 0, 3, nl, 0, 6, w, 0, 6),
        "proj must not be null");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, null, 0, 6, w, 0, 6),
        "low must not be null");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, 0, 6, null, 0, 6),
        "w must not be null");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 1, nl, 0, 6, w, 0, 6),
        "ldproj=1 < 3");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, 0, 5, w, 0, 6),
        "ldlow=5 < 6");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, RIGHT, 8, 6, 3, -1f, q, 0, 6, nr, 0, 2, w, 0, 6),
        "ldlow=2 < 3");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, 0, 6, w, 0, 4),
        "ldw=4 < 6");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, -5, 3, nl, 0, 6, w, 0, 6),
        "projOff=-5");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, -1, 6, w, 0, 6),
        "lowOff=-1");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, 0, 6, w, -1, 6),
        "wOff=-1");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 4, nl, 0, 6, w, 0, 6),
        "proj.length >= 31", "proj.length=24");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, nl, 2, 6, w, 0, 6),
        "low.length >= 20", "low.length=18");
    bad.rejects(oob, () -> LowRankOps.projectBackAccumulate(k, RIGHT, 8, 6, 3, -1f, q, 0, 6, nr, 0, 3, w, 1, 6),
        "w.length >= 49", "w.length=48");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, LEFT, 8, 6, 3, -1f, p, 0, 3, s, 0, 6, s, 10, 6),
        "w [10, 58) overlaps low [0, 18)");
    bad.rejects(iae, () -> LowRankOps.projectBackAccumulate(k, RIGHT, 8, 6, 3, -1f, s, 60, 6, nr, 0, 3, s, 20, 6),
        "w [20, 68) overlaps proj [60, 78)");
  }
}
