package org.lrgrad.kernels.linalg;

/**
 * Householder QR of a row-major m×r matrix (m ≥ r), in place, with every reflector chosen so that R's diagonal is
 * non-negative (LAPACK's {@code slarfgp} convention). {@link #orthonormalize} then replaces A by the explicit Q, which
 * for a full-rank A is exactly the Gram–Schmidt basis; a rank-deficient A still gives orthonormal columns, because Q
 * is a product of reflectors whatever A is.
 *
 * <p>The updates run along rows (A is row-major, so a row is contiguous and the JIT can vectorize the inner loops);
 * column norms, which decide each reflector, are summed in double. Scratch lives in the caller's workspace: no
 * allocation per call. Arguments are not checked here: {@code org.lrgrad.kernels.LowRankOps} checks them.
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
    factor(m, r, a, aOff, lda, work, workOff);
    formQ(m, r, a, aOff, lda, work, workOff);
  }

  /**
   * A = Q·R in place: R (r×r, diagonal ≥ 0) in the upper triangle, the reflectors' vectors v (with v_k = 1 implied)
   * under the diagonal, τ in {@code work[workOff .. workOff+r)}; {@code work[workOff+r .. workOff+2r)} is scratch.
   */
  static void factor(int m, int r, float[] a, int aOff, int lda, float[] work, int workOff) {
    int tauOff = workOff, wOff = workOff + r;
    for (int k = 0; k < r; k++) {
      int kk = aOff + k * lda + k;
      double alpha = a[kk];
      double below = 0;
      for (int i = k + 1, ik = kk + lda; i < m; i++, ik += lda) {
        below += (double) a[ik] * a[ik];
      }
      double xnorm = Math.sqrt(below);
      double tau;
      if (xnorm <= NEGLIGIBLE * Math.abs(alpha) || below == 0) {
        // Nothing to eliminate: H = I, or H = I − 2·e_k·e_kᵀ when α < 0 so that R's diagonal stays ≥ 0.
        tau = alpha < 0 ? 2 : 0;
        for (int i = k + 1, ik = kk + lda; i < m; i++, ik += lda) {
          a[ik] = 0f;
        }
        a[kk] = (float) Math.abs(alpha);
      } else {
        double beta = Math.sqrt(alpha * alpha + below);
        // α − β without cancellation when α > 0 (β ≥ 0 is chosen, so α − β is never 0 here).
        double alphaMinusBeta = alpha > 0 ? -below / (alpha + beta) : alpha - beta;
        tau = -alphaMinusBeta / beta;
        double scale = 1 / alphaMinusBeta;
        for (int i = k + 1, ik = kk + lda; i < m; i++, ik += lda) {
          a[ik] = (float) (a[ik] * scale);
        }
        a[kk] = (float) beta;
      }
      work[tauOff + k] = (float) tau;
      if (tau != 0) {
        applyReflector(m, r, k, k + 1, (float) tau, a, aOff, lda, work, wOff);
      }
    }
  }

  /** Overwrites the factored A (see {@link #factor}) with Q = H_0·H_1·…·H_{r−1}·[I_r; 0], backward accumulation. */
  private static void formQ(int m, int r, float[] a, int aOff, int lda, float[] work, int workOff) {
    int tauOff = workOff, wOff = workOff + r;
    for (int k = r - 1; k >= 0; k--) {
      float tau = work[tauOff + k];
      int kk = aOff + k * lda + k;
      if (tau != 0f) {
        applyReflector(m, r, k, k + 1, tau, a, aOff, lda, work, wOff);
      }
      // Column k of Q is H_k·e_k = e_k − τ·v (rows above k are 0: the later reflectors do not touch them).
      for (int i = k + 1, ik = kk + lda; i < m; i++, ik += lda) {
        a[ik] = -tau * a[ik];
      }
      a[kk] = 1f - tau;
      for (int i = 0, ik = aOff + k; i < k; i++, ik += lda) {
        a[ik] = 0f;
      }
    }
  }

  /**
   * Applies H_k = I − τ·v·vᵀ (v stored in column k under the diagonal, v_k = 1) to rows k.. of columns
   * [fromCol, r): w = vᵀ·A, then A −= τ·v·wᵀ, both along rows.
   */
  private static void applyReflector(int m, int r, int k, int fromCol, float tau, float[] a, int aOff, int lda,
      float[] work, int wOff) {
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
}
