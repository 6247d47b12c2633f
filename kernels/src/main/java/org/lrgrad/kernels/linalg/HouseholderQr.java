package org.lrgrad.kernels.linalg;

/**
 * Householder QR of a row-major m×r matrix (m ≥ r), in place, with every reflector chosen so that R's diagonal is
 * non-negative (LAPACK's {@code slarfgp} convention). {@link #orthonormalize} then replaces A by the explicit Q, which
 * for a full-rank A is exactly the Gram–Schmidt basis; a rank-deficient A still gives orthonormal columns, because Q
 * is a product of reflectors whatever A is.
 *
 * <p>A row-major A is updated along its rows, r wide; an A stored by columns ({@link #orthonormalizeRows}: the rows
 * of B = Aᵀ) along its m-long columns, the faster form when m ≫ r. Column norms, which decide each reflector, are
 * summed in double. Scratch lives in the caller's workspace: no allocation per call. Arguments are not checked
 * here: {@code org.lrgrad.kernels.LowRankOps} checks them.
 */
public final class HouseholderQr {
  /**
   * Below this fraction of |α| the part of a column under the diagonal is treated as zero: it is far below float
   * resolution (so the span does not change), and it keeps the stored reflector entries x/(α − β) finite in float.
   */
  private static final double NEGLIGIBLE = 0x1p-48;

  private HouseholderQr() {}

  /**
   * Floats of workspace for an m×r matrix, whatever m: 2·r (the reflector scalars τ, and one row of partial products
   * w = vᵀ·A for the row-oriented updates).
   */
  public static int workspace(int r) {
    return Math.multiplyExact(2, r);
  }

  /** Replaces the m×r matrix A by the explicit orthonormal Q of A = Q·R with diag(R) ≥ 0. */
  public static void orthonormalize(int m, int r, float[] a, int aOff, int lda, float[] work, int workOff) {
    factor(m, r, a, aOff, lda, 1, work, workOff);
    formQ(m, r, a, aOff, lda, 1, work, workOff);
  }

  /**
   * {@link #orthonormalize} of the m×r matrix whose columns are the rows of B (r×m, row-major, leading dimension
   * {@code ldb}): B's rows become an orthonormal basis of their span, each row j in the span of rows 0..j. The same
   * reflectors as on Bᵀ, but every loop runs along B's contiguous rows: about twice as fast as {@link #orthonormalize}
   * when m is much larger than r, whose row-oriented loops are then only r wide (1024×64: 2.9 against 5.4 ms).
   */
  public static void orthonormalizeRows(int r, int m, float[] b, int bOff, int ldb, float[] work, int workOff) {
    factor(m, r, b, bOff, 1, ldb, work, workOff);
    formQ(m, r, b, bOff, 1, ldb, work, workOff);
  }

  /** The factorization below of a row-major A (for {@link TopSubspace}). */
  static void factor(int m, int r, float[] a, int aOff, int lda, float[] work, int workOff) {
    factor(m, r, a, aOff, lda, 1, work, workOff);
  }

  /**
   * A = Q·R in place: R (r×r, diagonal ≥ 0) in the upper triangle, the reflectors' vectors v (with v_k = 1 implied)
   * under the diagonal, τ in {@code work[workOff .. workOff+r)}; {@code work[workOff+r .. workOff+2r)} is scratch.
   * A(i, j) is at {@code aOff + i·rowStep + j·colStep}: (lda, 1) for a row-major A, (1, ld) for one stored by
   * columns.
   */
  private static void factor(int m, int r, float[] a, int aOff, int rowStep, int colStep,
      float[] work, int workOff) {
    int tauOff = workOff, wOff = workOff + r;
    for (int k = 0; k < r; k++) {
      int kk = aOff + k * rowStep + k * colStep;
      double alpha = a[kk];
      double below = 0;
      for (int i = k + 1, ik = kk + rowStep; i < m; i++, ik += rowStep) {
        below += (double) a[ik] * a[ik];
      }
      double xnorm = Math.sqrt(below);
      double tau;
      if (xnorm <= NEGLIGIBLE * Math.abs(alpha) || below == 0) {
        // Nothing to eliminate: H = I, or H = I − 2·e_k·e_kᵀ when α < 0 so that R's diagonal stays ≥ 0.
        tau = alpha < 0 ? 2 : 0;
        for (int i = k + 1, ik = kk + rowStep; i < m; i++, ik += rowStep) {
          a[ik] = 0f;
        }
        a[kk] = (float) Math.abs(alpha);
      } else {
        double beta = Math.sqrt(alpha * alpha + below);
        // α − β without cancellation when α > 0 (β ≥ 0 is chosen, so α − β is never 0 here).
        double alphaMinusBeta = alpha > 0 ? -below / (alpha + beta) : alpha - beta;
        tau = -alphaMinusBeta / beta;
        double scale = 1 / alphaMinusBeta;
        for (int i = k + 1, ik = kk + rowStep; i < m; i++, ik += rowStep) {
          a[ik] = (float) (a[ik] * scale);
        }
        a[kk] = (float) beta;
      }
      work[tauOff + k] = (float) tau;
      if (tau != 0) {
        applyReflector(m, r, k, (float) tau, a, aOff, rowStep, colStep, work, wOff);
      }
    }
  }

  /** Overwrites the factored A (see {@link #factor}) with Q = H_0·H_1·…·H_{r−1}·[I_r; 0], backward accumulation. */
  private static void formQ(int m, int r, float[] a, int aOff, int rowStep, int colStep, float[] work,
      int workOff) {
    int tauOff = workOff, wOff = workOff + r;
    for (int k = r - 1; k >= 0; k--) {
      float tau = work[tauOff + k];
      int kk = aOff + k * rowStep + k * colStep;
      if (tau != 0f) {
        applyReflector(m, r, k, tau, a, aOff, rowStep, colStep, work, wOff);
      }
      // Column k of Q is H_k·e_k = e_k − τ·v (rows above k are 0: the later reflectors do not touch them).
      for (int i = k + 1, ik = kk + rowStep; i < m; i++, ik += rowStep) {
        a[ik] = -tau * a[ik];
      }
      a[kk] = 1f - tau;
      for (int i = 0, ik = aOff + k * colStep; i < k; i++, ik += rowStep) {
        a[ik] = 0f;
      }
    }
  }

  /**
   * Applies H_k = I − τ·v·vᵀ (v stored in column k under the diagonal, v_k = 1) to rows k.. of columns (k, r):
   * w = vᵀ·A, then A −= τ·v·wᵀ, along whichever of A's rows or columns is contiguous.
   */
  private static void applyReflector(int m, int r, int k, float tau, float[] a, int aOff, int rowStep,
      int colStep, float[] work, int wOff) {
    if (colStep == 1) {
      applyReflectorAlongRows(m, r, k, tau, a, aOff, rowStep, work, wOff);
    } else {
      applyReflectorAlongColumns(m, r, k, tau, a, aOff, colStep);
    }
  }

  /** {@link #applyReflector} on a row-major A: w accumulates row by row, then every row takes its multiple of w. */
  private static void applyReflectorAlongRows(int m, int r, int k, float tau, float[] a, int aOff, int lda,
      float[] work, int wOff) {
    int fromCol = k + 1;
    int width = r - fromCol;
    if (width <= 0) {
      return;
    }
    int rowK = aOff + k * lda;
    System.arraycopy(a, rowK + fromCol, work, wOff, width);
    for (int i = k + 1; i < m; i++) {
      int row = aOff + i * lda;
      float vi = a[row + k];
      if (vi != 0f) {
        for (int j = 0; j < width; j++) {
          work[wOff + j] += vi * a[row + fromCol + j];
        }
      }
    }
    for (int j = 0; j < width; j++) {
      work[wOff + j] *= tau;
    }
    for (int j = 0; j < width; j++) {
      a[rowK + fromCol + j] -= work[wOff + j];
    }
    for (int i = k + 1; i < m; i++) {
      int row = aOff + i * lda;
      float vi = a[row + k];
      if (vi != 0f) {
        for (int j = 0; j < width; j++) {
          a[row + fromCol + j] -= vi * work[wOff + j];
        }
      }
    }
  }

  /**
   * {@link #applyReflector} on an A stored by columns ({@code ld} apart): per column, w_j = v·a_j, then
   * a_j −= τ·w_j·v. The dot product is summed as eight partial sums: independent chains of additions, which the
   * JIT's scalar code overlaps (it vectorizes neither loop: v and a_j are two ranges of one array, which it cannot
   * prove apart). Measured on 1024×64 at JDK 25 (a throwaway timing loop, 2026-12-06): 2.9 ms for the QR and Q
   * against 5.4 ms along the rows of the row-major form.
   */
  private static void applyReflectorAlongColumns(int m, int r, int k, float tau, float[] a, int aOff, int ld) {
    int v = aOff + k * ld + k + 1; // v_{k+1} .. v_{m−1}; v_k = 1 is implied
    int len = m - k - 1;
    for (int j = k + 1; j < r; j++) {
      int col = aOff + j * ld + k + 1;
      float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
      int i = 0;
      for (; i + 7 < len; i += 8) {
        s0 += a[v + i] * a[col + i];
        s1 += a[v + i + 1] * a[col + i + 1];
        s2 += a[v + i + 2] * a[col + i + 2];
        s3 += a[v + i + 3] * a[col + i + 3];
        s4 += a[v + i + 4] * a[col + i + 4];
        s5 += a[v + i + 5] * a[col + i + 5];
        s6 += a[v + i + 6] * a[col + i + 6];
        s7 += a[v + i + 7] * a[col + i + 7];
      }
      for (; i < len; i++) {
        s0 += a[v + i] * a[col + i];
      }
      float w = tau * (a[col - 1] + (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))));
      a[col - 1] -= w;
      for (i = 0; i < len; i++) {
        a[col + i] -= a[v + i] * w;
      }
    }
  }
}
