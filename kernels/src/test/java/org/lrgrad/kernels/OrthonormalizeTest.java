package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.lrgrad.kernels.SgemmTest.assertMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Subspaces;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * orthonormalize (the columns of A) and orthonormalizeRows (the rows of B = Aᵀ) on every implementation, against a
 * float64 modified Gram–Schmidt oracle: the same contract in two layouts, so every check runs on both.
 */
class OrthonormalizeTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";

  /** The two entry points. */
  enum Layout {
    COLUMNS,
    ROWS
  }

  /**
   * Q (m×r) of A by {@code layout}: orthonormalize on a copy of A, or orthonormalizeRows on Aᵀ (with its own offset
   * and padding) transposed back; the canaries around the matrix and the workspace are checked.
   */
  static Matrix orthonormalized(Kernels kernels, Layout layout, Matrix a, Random rnd, String context) {
    int m = a.rows, r = a.cols;
    Matrix work = layout == Layout.COLUMNS ? workspace(kernels, m, r, rnd.nextInt(3))
        : Matrix.filled(1, LowRankOps.orthonormalizeRowsWorkspace(m, r), rnd.nextInt(3), 0, 0f);
    Matrix q;
    if (layout == Layout.COLUMNS) {
      q = a.copy();
      LowRankOps.orthonormalize(kernels, m, r, q.data, q.off, q.ld, work.data, work.off);
      q.assertCanariesIntact(context + " A");
    } else {
      Matrix b = Matrix.random(rnd, r, m, rnd.nextInt(5), rnd.nextInt(4));
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < r; j++) {
          b.set(j, i, a.get(i, j));
        }
      }
      LowRankOps.orthonormalizeRows(kernels, r, m, b.data, b.off, b.ld, work.data, work.off);
      b.assertCanariesIntact(context + " B");
      q = a.copy();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < r; j++) {
          q.set(i, j, b.get(j, i));
        }
      }
    }
    work.assertCanariesIntact(context + " work");
    return q;
  }

  static List<int[]> shapes() {
    List<int[]> shapes = new ArrayList<>();
    int[] ms = {1, 2, 3, 5, 8, 17, 33, 64, 129};
    for (int m : ms) {
      for (int r : new int[] {1, 2, 3, m / 2, m - 1, m}) {
        if (r >= 1 && r <= m) {
          shapes.add(new int[] {m, r});
        }
      }
    }
    int[][] large = {{257, 1}, {257, 16}, {257, 64}, {200, 200}, {257, 257}};
    for (int[] s : large) {
      shapes.add(s);
    }
    return shapes;
  }

  /**
   * Modified Gram–Schmidt in float64, run twice per column (so the oracle itself is orthonormal to float64
   * precision): q[t] are the columns of Q, and r[s][t] = R(s, t). Full-rank input only.
   */
  static double[][] gramSchmidt(Matrix a, double[][] r) {
    int m = a.rows, cols = a.cols;
    double[][] q = new double[cols][m];
    for (int t = 0; t < cols; t++) {
      for (int i = 0; i < m; i++) {
        q[t][i] = a.get(i, t);
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int s = 0; s < t; s++) {
          double d = Subspaces.dot(q[s], q[t]);
          r[s][t] += d;
          for (int i = 0; i < m; i++) {
            q[t][i] -= d * q[s][i];
          }
        }
      }
      r[t][t] = Math.sqrt(Subspaces.dot(q[t], q[t]));
      for (int i = 0; i < m; i++) {
        q[t][i] /= r[t][t];
      }
    }
    return q;
  }

  /** ‖R‖_F·‖R⁻¹‖_F in float64 (R upper triangular): an upper bound of A's 2-norm condition number times r. */
  static double conditionBound(double[][] r) {
    int n = r.length;
    double[][] inv = new double[n][n];
    for (int j = 0; j < n; j++) {
      inv[j][j] = 1 / r[j][j];
      for (int i = j - 1; i >= 0; i--) {
        double sum = 0;
        for (int k = i + 1; k <= j; k++) {
          sum += r[i][k] * inv[k][j];
        }
        inv[i][j] = -sum / r[i][i];
      }
    }
    double normR = 0, normInv = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        normR += r[i][j] * r[i][j];
        normInv += inv[i][j] * inv[i][j];
      }
    }
    return Math.sqrt(normR * normInv);
  }

  /** A workspace of exactly the size asked for, with canaries around it. */
  static Matrix workspace(Kernels kernels, int m, int r, int off) {
    return Matrix.filled(1, LowRankOps.orthonormalizeWorkspace(m, r), off, 0, 0f);
  }

  /** QᵀQ = I, and Qᵀ·A is upper triangular with a non-negative diagonal (so span and sign are Gram–Schmidt's). */
  static void assertOrthonormalBasisOf(String context, Matrix q, Matrix a) {
    int m = q.rows, r = q.cols;
    double orth = Subspaces.orthonormalityError(ProjectionSide.LEFT, q);
    double orthBound = 4 * (m + 2) * Tolerance.U;
    assertTrue(orth <= orthBound, context + ": max |QᵀQ − I| = " + orth + " > " + orthBound);
    double normA = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < r; j++) {
        normA += (double) a.get(i, j) * a.get(i, j);
      }
    }
    normA = Math.sqrt(normA);
    // QᵀA = R up to the backward error of Householder QR, a few m·u·‖A‖.
    double bound = 8 * (m + 2) * Tolerance.U * normA + Double.MIN_NORMAL;
    for (int s = 0; s < r; s++) {
      for (int t = 0; t <= s; t++) {
        double rst = 0;
        for (int i = 0; i < m; i++) {
          rst += (double) q.get(i, s) * a.get(i, t);
        }
        if (s > t && Math.abs(rst) > bound) {
          fail(context + ": (QᵀA)(" + s + ", " + t + ") = " + rst + " below the diagonal, > " + bound
              + ": A's column " + t + " is not in the span of Q's first " + (t + 1) + " columns");
        }
        if (s == t && rst < -bound) {
          fail(context + ": R(" + s + ", " + s + ") = " + rst + " < 0");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void matchesGramSchmidtOnShapeGrid(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(20);
    for (int[] shape : shapes()) {
      for (Layout layout : Layout.values()) {
        int m = shape[0], r = shape[1];
        Matrix a = Matrix.random(rnd, m, r, rnd.nextInt(5), rnd.nextInt(4));
        String context = kernels + " " + layout + " " + m + "x" + r + " off=" + a.off + " lda=" + a.ld;
        Matrix q = orthonormalized(kernels, layout, a, rnd, context);
        assertOrthonormalBasisOf(context, q, a);

        double[][] rOracle = new double[r][r];
        double[][] qOracle = gramSchmidt(a, rOracle);
        // Q's forward error grows with A's condition number; the bound uses an upper bound of it.
        double bound = 4 * (m + 2) * Tolerance.U * conditionBound(rOracle);
        for (int t = 0; t < r; t++) {
          for (int i = 0; i < m; i++) {
            double diff = Math.abs(q.get(i, t) - qOracle[t][i]);
            if (!(diff <= bound)) {
              fail(context + ": Q(" + i + ", " + t + ") = " + q.get(i, t) + ", Gram–Schmidt gives " + qOracle[t][i]
                  + " (|diff| = " + diff + " > " + bound + ")");
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void signMakesRsDiagonalNonNegative(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    float[] work = workspace(kernels, 3, 3, 0).data;
    // Already triangular: Q must be the identity with the signs of the diagonal (R = |diag|).
    float[] a = {-2f, 1f, 5f, 0f, 3f, -1f, 0f, 0f, -0.5f};
    LowRankOps.orthonormalize(kernels, 3, 3, a, 0, 3, work, 0);
    float[] want = {-1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, -1f};
    for (int k = 0; k < 9; k++) {
      assertEquals(want[k], a[k], 1e-7f, "Q of a triangular A, index " + k);
    }
    // The rows of B = Aᵀ: Qᵀ, which is the same diagonal.
    float[] b = {-2f, 0f, 0f, 1f, 3f, 0f, 5f, -1f, -0.5f};
    LowRankOps.orthonormalizeRows(kernels, 3, 3, b, 0, 3, new float[LowRankOps.orthonormalizeRowsWorkspace(3, 3)], 0);
    for (int k = 0; k < 9; k++) {
      assertEquals(want[k], b[k], 1e-7f, "Q^T of the rows of a triangular A^T, index " + k);
    }
    float[] single = {-4f};
    LowRankOps.orthonormalize(kernels, 1, 1, single, 0, 1, workspace(kernels, 1, 1, 0).data, 0);
    assertEquals(-1f, single[0], 0f, "1x1: Q = sign(a)");
    single[0] = -4f;
    LowRankOps.orthonormalizeRows(kernels, 1, 1, single, 0, 1, new float[LowRankOps.orthonormalizeRowsWorkspace(1, 1)],
        0);
    assertEquals(-1f, single[0], 0f, "1x1 rows: Q = sign(a)");
  }

  /**
   * orthonormalizeRows takes CholeskyQR2 (three Gram products and the blocked triangular updates, all on the
   * kernels' sgemm) for a tall random block, and Householder for one with a row in the span of the rows before it,
   * after the single Gram product that shows it; both results pass the same checks.
   */
  @org.junit.jupiter.api.Test
  void rowsOfAWellConditionedBlockGoThroughCholeskyQr2AndADependentRowThroughHouseholder() {
    int[] products = {0};
    Kernels counting = new ReferenceKernels() {
      @Override
      protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
          int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        products[0]++;
        super.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
    };
    Random rnd = new Random(23);
    int m = 300, r = 40;
    Matrix tall = Matrix.random(rnd, m, r, 0, 0);
    assertOrthonormalBasisOf("tall block", orthonormalized(counting, Layout.ROWS, tall, rnd, "tall block"), tall);
    // Two passes of a Gram product and ceil(40 / 16) = 3 block updates, then the Gram product that checks.
    assertEquals(2 * (1 + 3) + 1, products[0], "products of CholeskyQR2 on a 300x40 random block");

    products[0] = 0;
    Matrix dependent = tall.copy();
    for (int i = 0; i < m; i++) {
      dependent.set(i, 7, dependent.get(i, 2) - 0.5f * dependent.get(i, 5));
    }
    assertOrthonormalBasisOf("dependent block", orthonormalized(counting, Layout.ROWS, dependent, rnd,
        "dependent block"), dependent);
    assertEquals(1, products[0], "a refused Cholesky factorization stops after the first Gram product");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void rankDeficientInputStillGivesOrthonormalColumns(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(21);
    int[][] shapes = {{9, 4}, {40, 7}, {65, 20}, {6, 6}};
    for (int[] shape : shapes) {
      int m = shape[0], r = shape[1];
      for (int kind = 0; kind < 4; kind++) {
        Matrix a = Matrix.random(rnd, m, r, 2, 1);
        for (int i = 0; i < m; i++) {
          switch (kind) {
            case 0: // a repeated column
              a.set(i, r - 1, a.get(i, 0));
              break;
            case 1: // a zero column in the middle
              a.set(i, r / 2, 0f);
              break;
            case 2: // rank one
              for (int j = 1; j < r; j++) {
                a.set(i, j, a.get(i, 0) * (j + 1));
              }
              break;
            default: // all zero
              for (int j = 0; j < r; j++) {
                a.set(i, j, 0f);
              }
          }
        }
        for (Layout layout : Layout.values()) {
          String context = kernels + " " + layout + " rank-deficient (kind " + kind + ") " + m + "x" + r;
          assertOrthonormalBasisOf(context, orthonormalized(kernels, layout, a, rnd, context), a);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(22);
    Matrix a = Matrix.random(rnd, 8, 4, 0, 0);
    Matrix aBefore = a.copy();
    int need = LowRankOps.orthonormalizeWorkspace(8, 4);
    float[] work = new float[need];
    float[] workBefore = work.clone();
    assertMessage(IllegalArgumentException.class, "r=0",
        () -> LowRankOps.orthonormalize(kernels, 8, 0, a.data, 0, 4, work, 0));
    assertMessage(IllegalArgumentException.class, "m=3 must be >= r=4",
        () -> LowRankOps.orthonormalize(kernels, 3, 4, a.data, 0, 4, work, 0));
    assertMessage(IllegalArgumentException.class, "lda=3 < 4",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, 0, 3, work, 0));
    assertMessage(IllegalArgumentException.class, "a must not be null",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, null, 0, 4, work, 0));
    float[] exact = a.packed();
    assertMessage(IndexOutOfBoundsException.class, "a.length=32",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, exact, 1, 4, work, 0));
    assertMessage(IndexOutOfBoundsException.class, "aOff=-1",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, -1, 4, work, 0));
    assertMessage(IndexOutOfBoundsException.class, "work needs " + need + " floats",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, 0, 4, new float[need - 1], 0));
    assertMessage(IndexOutOfBoundsException.class, "work needs " + need + " floats from workOff=1",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, 0, 4, work, 1));
    assertMessage(IndexOutOfBoundsException.class, "workOff=-1",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, 0, 4, work, -1));
    assertMessage(IllegalArgumentException.class, "work must not be null",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, a.data, 0, 4, null, 0));
    float[] shared = new float[32 + need];
    System.arraycopy(a.data, 0, shared, 0, 32);
    float[] sharedBefore = shared.clone();
    assertMessage(IllegalArgumentException.class, "overlaps",
        () -> LowRankOps.orthonormalize(kernels, 8, 4, shared, 0, 4, shared, 31));
    // orthonormalizeRows: B is r×m (here 4×8, the same floats as A read as Bᵀ's storage).
    int needRows = LowRankOps.orthonormalizeRowsWorkspace(8, 4);
    assertMessage(IllegalArgumentException.class, "m=3 must be >= r=4 to orthonormalize r rows",
        () -> LowRankOps.orthonormalizeRows(kernels, 4, 3, a.data, 0, 8, work, 0));
    assertMessage(IllegalArgumentException.class, "ldb=7 < 8",
        () -> LowRankOps.orthonormalizeRows(kernels, 4, 8, a.data, 0, 7, work, 0));
    assertMessage(IllegalArgumentException.class, "b must not be null",
        () -> LowRankOps.orthonormalizeRows(kernels, 4, 8, null, 0, 8, work, 0));
    assertMessage(IndexOutOfBoundsException.class, "work needs " + needRows + " floats",
        () -> LowRankOps.orthonormalizeRows(kernels, 4, 8, a.data, 0, 8, new float[needRows - 1], 0));
    float[] sharedRows = new float[32 + needRows];
    assertMessage(IllegalArgumentException.class, "overlaps",
        () -> LowRankOps.orthonormalizeRows(kernels, 4, 8, sharedRows, 0, 8, sharedRows, 31));
    a.assertUnchanged("rejected calls", aBefore);
    for (int k = 0; k < work.length; k++) {
      assertEquals(Float.floatToRawIntBits(workBefore[k]), Float.floatToRawIntBits(work[k]), "work[" + k + "]");
    }
    for (int k = 0; k < shared.length; k++) {
      assertEquals(Float.floatToRawIntBits(sharedBefore[k]), Float.floatToRawIntBits(shared[k]),
          "shared[" + k + "]");
    }
  }
}
