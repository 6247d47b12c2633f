package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.lrgrad.kernels.SgemmTest.assertMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Subspaces;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * topSubspaceExact and topSubspaceRandomized on every implementation, on matrices G = U·diag(s)·Vᵀ built in float64
 * with known orthonormal U, V and distinct singular values: the returned vectors must be the known ones, each signed
 * so that its entry of largest magnitude is positive.
 */
class TopSubspaceTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";
  private static final int OVERSAMPLE = 6;
  private static final int POWER_ITERATIONS = 2;

  /** {m, n, r}: m < n, m = n, m > n, r = 1, r = min(m, n), odd sizes up to 257. */
  static List<int[]> shapes() {
    List<int[]> shapes = new ArrayList<>();
    int[][] grid = {{1, 1, 1}, {1, 7, 1}, {7, 1, 1}, {2, 2, 2}, {3, 5, 2}, {5, 3, 3}, {8, 8, 1}, {9, 9, 9},
        {13, 33, 4}, {33, 13, 4}, {33, 33, 5}, {64, 33, 7}, {17, 40, 17}, {40, 17, 17}, {31, 65, 1}, {65, 31, 30},
        {100, 100, 12}, {257, 40, 8}, {40, 257, 40}, {129, 127, 127}};
    for (int[] s : grid) {
      shapes.add(s);
    }
    return shapes;
  }

  /** A matrix with a known SVD, its singular values and vectors. */
  static final class Known {
    final int m, n;
    final double[][] u, v;
    final double[] s;
    final Matrix g;

    Known(Random rnd, int m, int n, double[] s) {
      this.m = m;
      this.n = n;
      this.s = s;
      this.u = Subspaces.randomOrthonormal(rnd, m, s.length);
      this.v = Subspaces.randomOrthonormal(rnd, n, s.length);
      this.g = Subspaces.withSvd(u, s, v, rnd.nextInt(5), rnd.nextInt(4));
    }

    double[][] vectors(ProjectionSide side) {
      return side == ProjectionSide.LEFT ? u : v;
    }
  }

  /** min(m, n) distinct singular values evenly spaced from 1 down to 0.25: every vector is well determined. */
  static double[] evenlySpaced(int k) {
    double[] s = new double[k];
    for (int t = 0; t < k; t++) {
      s[t] = 1 - 0.75 * t / k;
    }
    return s;
  }

  /** Singular values 0.7ᵗ: a decaying spectrum, the randomized method's use case. */
  static double[] decaying(int k) {
    double[] s = new double[k];
    for (int t = 0; t < k; t++) {
      s[t] = Math.pow(0.7, t);
    }
    return s;
  }

  /**
   * The smallest gap between the singular values of vectors 0..r−1 and their neighbours (past the last one, the
   * null space's 0): each of those vectors is determined to about (rounding of G) / gap.
   */
  static double minGap(double[] s, int r) {
    double gap = Double.POSITIVE_INFINITY;
    for (int t = 0; t < r; t++) {
      gap = Math.min(gap, s[t] - (t + 1 < s.length ? s[t + 1] : 0));
      if (t > 0) {
        gap = Math.min(gap, s[t - 1] - s[t]);
      }
    }
    return gap;
  }

  static Matrix output(Random rnd, ProjectionSide side, int m, int n, int r) {
    return Matrix.filled(side.projectorRows(m, n, r), side.projectorCols(m, n, r), rnd.nextInt(5), rnd.nextInt(4),
        Float.NaN);
  }

  /**
   * Every vector is the known one, signed by the rule, to within a bound for float32 rounding of G and of the
   * algorithm, divided by the gap that determines the vector (Davis–Kahan); and the vectors are orthonormal.
   */
  static void assertKnownVectors(String context, ProjectionSide side, Known known, int r, Matrix out) {
    int len = side == ProjectionSide.LEFT ? known.m : known.n;
    double orth = Subspaces.orthonormalityError(side, out);
    double orthBound = 8 * (len + 2) * Tolerance.U;
    assertTrue(orth <= orthBound, context + ": max |VᵀV − I| = " + orth + " > " + orthBound);
    double bound = 8 * (known.m + known.n) * Tolerance.U * known.s[0] / minGap(known.s, r);
    double[][] want = known.vectors(side);
    for (int t = 0; t < r; t++) {
      double[] got = Subspaces.vector(side, out, t);
      int top = Subspaces.argMaxAbs(got);
      assertTrue(got[top] > 0, context + ": vector " + t + "'s entry of largest magnitude, index " + top + ", is "
          + got[top] + " (the sign rule makes it positive)");
      double sign = Subspaces.dot(got, want[t]) < 0 ? -1 : 1;
      for (int i = 0; i < len; i++) {
        double diff = Math.abs(got[i] - sign * want[t][i]);
        if (!(diff <= bound)) {
          fail(context + ": vector " + t + " entry " + i + " = " + got[i] + ", want " + sign * want[t][i]
              + " (|diff| = " + diff + " > " + bound + ")");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void exactFindsKnownVectorsOnShapeGrid(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(30);
    for (int[] shape : shapes()) {
      int m = shape[0], n = shape[1], r = shape[2];
      Known known = new Known(rnd, m, n, evenlySpaced(Math.min(m, n)));
      for (ProjectionSide side : ProjectionSide.values()) {
        Matrix gBefore = known.g.copy();
        Matrix out = output(rnd, side, m, n, r);
        Matrix work = Matrix.filled(1, LowRankOps.topSubspaceExactWorkspace(side, m, n, r), rnd.nextInt(3), 0, 7f);
        LowRankOps.topSubspaceExact(kernels, side, m, n, r, known.g.data, known.g.off, known.g.ld, out.data, out.off,
            out.ld, work.data, work.off);
        String context = kernels + " exact " + side + " " + m + "x" + n + " r=" + r + " ldg=" + known.g.ld
            + " ldout=" + out.ld;
        out.assertCanariesIntact(context + " out");
        work.assertCanariesIntact(context + " work");
        known.g.assertUnchanged(context + " G", gBefore);
        assertKnownVectors(context, side, known, r, out);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void randomizedFindsKnownVectorsOfDecayingSpectrum(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(31);
    for (int[] shape : shapes()) {
      int m = shape[0], n = shape[1], k = Math.min(m, n);
      // The leading vectors of 0.7ᵗ are well separated; past ~40 vectors the values fall below float resolution.
      int r = Math.min(shape[2], 16);
      Known known = new Known(rnd, m, n, decaying(k));
      for (ProjectionSide side : ProjectionSide.values()) {
        Matrix gBefore = known.g.copy();
        Matrix out = output(rnd, side, m, n, r);
        Matrix work = Matrix.filled(1, LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, r, OVERSAMPLE),
            rnd.nextInt(3), 0, 7f);
        LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, OVERSAMPLE, POWER_ITERATIONS, 1234L, known.g.data,
            known.g.off, known.g.ld, out.data, out.off, out.ld, work.data, work.off);
        String context = kernels + " randomized " + side + " " + m + "x" + n + " r=" + r;
        out.assertCanariesIntact(context + " out");
        work.assertCanariesIntact(context + " work");
        known.g.assertUnchanged(context + " G", gBefore);
        assertKnownVectors(context, side, known, r, out);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void randomizedIsBitwiseRepeatableForASeed(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(32);
    int m = 70, n = 45, r = 5;
    Known known = new Known(rnd, m, n, evenlySpaced(Math.min(m, n)));
    for (ProjectionSide side : ProjectionSide.values()) {
      int need = LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, r, 4);
      Matrix first = output(rnd, side, m, n, r);
      Matrix second = output(rnd, side, m, n, r);
      float[] work = new float[need];
      LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, 4, 1, 99L, known.g.data, known.g.off, known.g.ld,
          first.data, first.off, first.ld, work, 0);
      // A workspace full of other values must not change the result: everything is written before it is read.
      Arrays.fill(work, Float.NaN);
      LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, 4, 1, 99L, known.g.data, known.g.off, known.g.ld,
          second.data, second.off, second.ld, work, 0);
      for (int i = 0; i < first.rows; i++) {
        for (int j = 0; j < first.cols; j++) {
          assertEquals(Float.floatToRawIntBits(first.get(i, j)), Float.floatToRawIntBits(second.get(i, j)),
              kernels + " " + side + ": same seed, different bits at (" + i + ", " + j + ")");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void rankDeficientInputStillGivesOrthonormalVectors(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(33);
    int[][] shapes = {{12, 20, 6}, {20, 12, 6}, {9, 9, 9}, {1, 4, 1}};
    for (int[] shape : shapes) {
      int m = shape[0], n = shape[1], r = shape[2];
      // Rank 2 (or 1 for a single row), and the zero matrix: the vectors beyond the rank are any completion.
      int rank = Math.min(2, Math.min(m, n));
      Known lowRank = new Known(rnd, m, n, rank == 1 ? new double[] {1.0} : new double[] {1.0, 0.5});
      Matrix zero = Matrix.filled(m, n, 1, 2, 0f);
      for (ProjectionSide side : ProjectionSide.values()) {
        for (int mode = 0; mode < 2; mode++) {
          for (Matrix g : new Matrix[] {lowRank.g, zero}) {
            Matrix out = output(rnd, side, m, n, r);
            String context = kernels + (mode == 0 ? " exact " : " randomized ") + side + " " + m + "x" + n + " r="
                + r + (g == zero ? " G=0" : " rank " + rank);
            if (mode == 0) {
              float[] work = new float[LowRankOps.topSubspaceExactWorkspace(side, m, n, r)];
              LowRankOps.topSubspaceExact(kernels, side, m, n, r, g.data, g.off, g.ld, out.data, out.off, out.ld, work,
                  0);
            } else {
              float[] work = new float[LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, r, 3)];
              LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, 3, 1, 5L, g.data, g.off, g.ld, out.data, out.off,
                  out.ld, work, 0);
            }
            out.assertCanariesIntact(context);
            int len = side == ProjectionSide.LEFT ? m : n;
            double orth = Subspaces.orthonormalityError(side, out);
            assertTrue(orth <= 8 * (len + 2) * Tolerance.U, context + ": max |VᵀV − I| = " + orth);
            for (int t = 0; t < r; t++) {
              double[] got = Subspaces.vector(side, out, t);
              assertTrue(got[Subspaces.argMaxAbs(got)] > 0, context + ": sign rule on vector " + t);
            }
            if (g != zero) {
              // The known part of the span comes first: |⟨vector t, known t⟩| = 1 for t < rank.
              double[][] want = lowRank.vectors(side);
              for (int t = 0; t < Math.min(r, rank); t++) {
                double cos = Math.abs(Subspaces.dot(Subspaces.vector(side, out, t), want[t]));
                assertEquals(1.0, cos, 1e-5, context + ": |cos| between vector " + t + " and the known one");
              }
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(34);
    int m = 6, n = 4, r = 2;
    ProjectionSide left = ProjectionSide.LEFT;
    Matrix g = Matrix.random(rnd, m, n, 0, 0);
    float[] out = new float[m * r];
    int exactNeed = LowRankOps.topSubspaceExactWorkspace(left, m, n, r);
    int randNeed = LowRankOps.topSubspaceRandomizedWorkspace(left, m, n, r, 2);
    float[] work = new float[Math.max(exactNeed, randNeed)];
    // One array holding G, then P, then the workspace, to provoke overlaps.
    float[] shared = new float[m * n + m * r + work.length];
    System.arraycopy(g.packed(), 0, shared, 0, m * n);
    Matrix gBefore = g.copy();
    float[] outBefore = out.clone(), workBefore = work.clone(), sharedBefore = shared.clone();

    List<Object[]> cases = new ArrayList<>();
    cases.add(expect(IllegalArgumentException.class, "r=5 must be in [1, min(m, n)=4]",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, 5, g.data, 0, n, new float[m * 5], 0, 5, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "r=0",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, 0, g.data, 0, n, out, 0, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "m=0 must be >= 1",
        () -> LowRankOps.topSubspaceExact(kernels, left, 0, n, r, g.data, 0, n, out, 0, r, work, 0)));
    cases.add(expect(IndexOutOfBoundsException.class, "gOff=-1",
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, r, 2, 1, 1L, g.data, -1, n, out, 0, r, work, 0)));
    cases.add(expect(IndexOutOfBoundsException.class, "out.length=12",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, g.data, 0, n, out, 1, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "side must not be null",
        () -> LowRankOps.topSubspaceExact(kernels, null, m, n, r, g.data, 0, n, out, 0, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "ldg=3 < 4",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, g.data, 0, 3, out, 0, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "ldout=1 < 2",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, g.data, 0, n, out, 0, 1, work, 0)));
    cases.add(expect(IndexOutOfBoundsException.class, "work needs " + exactNeed + " floats",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, g.data, 0, n, out, 0, r, new float[exactNeed - 1],
            0)));
    cases.add(expect(IndexOutOfBoundsException.class, "work needs " + randNeed + " floats",
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, r, 2, 1, 1L, g.data, 0, n, out, 0, r,
            new float[randNeed - 1], 0)));
    cases.add(expect(IllegalArgumentException.class, "r=7 must be in [1, min(m, n)=4]",
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, 7, 2, 1, 1L, g.data, 0, n, new float[m * 7], 0, 7,
            work, 0)));
    cases.add(expect(IllegalArgumentException.class, "oversample=-1",
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, r, -1, 1, 1L, g.data, 0, n, out, 0, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "powerIterations=-1",
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, r, 2, -1, 1L, g.data, 0, n, out, 0, r, work, 0)));
    int pOff = m * n, wOff = m * n + m * r;
    cases.add(expect(IllegalArgumentException.class, "overlaps g [",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, shared, 0, n, shared, pOff - 1, r, work, 0)));
    cases.add(expect(IllegalArgumentException.class, "overlaps work",
        () -> LowRankOps.topSubspaceExact(kernels, left, m, n, r, shared, 0, n, shared, pOff, r, shared, wOff - 1)));
    cases.add(expect(IllegalArgumentException.class, "work [" + (pOff - 1),
        () -> LowRankOps.topSubspaceRandomized(kernels, left, m, n, r, 2, 1, 1L, shared, 1, n, out, 0, r, shared,
            pOff - 1)));
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Class<? extends Throwable> type = (Class<? extends Throwable>) c[0];
      assertMessage(type, (String) c[1], (Executable) c[2]);
    }
    g.assertUnchanged("rejected calls: G", gBefore);
    assertBits("out", outBefore, out);
    assertBits("work", workBefore, work);
    assertBits("shared", sharedBefore, shared);
  }

  private static Object[] expect(Class<? extends Throwable> type, String fragment, Executable call) {
    return new Object[] {type, fragment, call};
  }

  private static void assertBits(String what, float[] before, float[] after) {
    for (int k = 0; k < before.length; k++) {
      assertEquals(Float.floatToRawIntBits(before[k]), Float.floatToRawIntBits(after[k]),
          "rejected calls: " + what + "[" + k + "] was written");
    }
  }
}
