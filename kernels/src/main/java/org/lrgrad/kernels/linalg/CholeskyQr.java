package org.lrgrad.kernels.linalg;

/**
 * The scalar parts of CholeskyQR2 (Fukaya, Nakatsukasa, Yanagisawa &amp; Yamamoto 2014), whose products
 * ({@code org.lrgrad.kernels.LowRankOps#orthonormalizeRows} runs them on the kernels' sgemm) do nearly all of the
 * work: for rows B (r×m) with Gram matrix G = B·Bᵀ = L·Lᵀ, the rows of L⁻¹·B are orthonormal and row j is in the
 * span of B's rows 0..j with a positive component along it, the same basis as Householder's; a second pass on that
 * result removes the first one's loss of orthogonality (about κ(B)²·u). It is accurate only for well-conditioned B,
 * so {@link #inverseCholesky} refuses a G whose pivots show a row nearly in the span of the rows before it, and the
 * caller then falls back to Householder QR, which is accurate for any B.
 */
public final class CholeskyQr {
  /**
   * The least pivot accepted, as a fraction of its row's squared norm: the squared sine of the angle between row j
   * and the span of rows 0..j−1 (2⁻⁸: at least 1/16 rad). A Gaussian r×m block has about (m − j)/m there; a square
   * or nearly dependent block falls back to Householder.
   */
  private static final double MIN_PIVOT = 0x1p-8;

  private CholeskyQr() {}

  /**
   * Overwrites the lower triangle of the symmetric r×r G (row-major, packed at {@code gOff}) with its Cholesky
   * factor L (G = L·Lᵀ) and writes L⁻¹ (lower triangular, zeros above the diagonal) at {@code invOff}, both in
   * float with double sums. Returns false, with the inverse not written, when a pivot is not finite or below
   * {@link #MIN_PIVOT} of its diagonal entry.
   */
  public static boolean inverseCholesky(int r, float[] g, int gOff, float[] inv, int invOff) {
    for (int j = 0; j < r; j++) {
      int rowJ = gOff + j * r;
      double diagonal = g[rowJ + j];
      double pivot = diagonal;
      for (int p = 0; p < j; p++) {
        pivot -= (double) g[rowJ + p] * g[rowJ + p];
      }
      if (!(pivot >= MIN_PIVOT * diagonal) || !(diagonal > 0) || Double.isInfinite(diagonal)) {
        return false;
      }
      double ljj = Math.sqrt(pivot);
      g[rowJ + j] = (float) ljj;
      for (int i = j + 1; i < r; i++) {
        int rowI = gOff + i * r;
        double sum = g[rowI + j];
        for (int p = 0; p < j; p++) {
          sum -= (double) g[rowI + p] * g[rowJ + p];
        }
        g[rowI + j] = (float) (sum / ljj);
      }
    }
    // L⁻¹ by forward substitution, column by column: L·x = e_j.
    for (int j = 0; j < r; j++) {
      for (int i = 0; i < r; i++) {
        if (i < j) {
          inv[invOff + i * r + j] = 0f;
          continue;
        }
        double sum = i == j ? 1 : 0;
        int rowI = gOff + i * r;
        for (int p = j; p < i; p++) {
          sum -= (double) g[rowI + p] * inv[invOff + p * r + j];
        }
        inv[invOff + i * r + j] = (float) (sum / g[rowI + i]);
      }
    }
    return true;
  }

  /** max |G − I| over the r×r G packed at {@code gOff}; NaN when G holds a NaN. */
  public static double distanceFromIdentity(int r, float[] g, int gOff) {
    double worst = 0;
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < r; j++) {
        double d = Math.abs(g[gOff + i * r + j] - (i == j ? 1.0 : 0.0));
        if (!(d <= worst)) {
          worst = d; // NaN sticks
        }
      }
    }
    return worst;
  }
}
