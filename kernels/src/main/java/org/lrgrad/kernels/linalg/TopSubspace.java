package org.lrgrad.kernels.linalg;

import java.util.Arrays;

/**
 * Top-r singular subspaces of an m×n matrix G: the exact one (one-sided Jacobi SVD), and the pieces of the
 * randomized range finder that are not matrix products (the products are the caller's sgemm).
 *
 * <p>Every request is reduced to one problem: the top-r <em>right</em> singular vectors of H (a×b), where H = G for
 * Q (r×n, a = m, b = n) and H = Gᵀ for P (m×r, a = n, b = m), since the left singular vectors of G are the right ones
 * of Gᵀ. Right singular vectors come out of one-sided Jacobi directly as the normalized rows of X once its rows are
 * mutually orthogonal (X = J·Y with J orthogonal and Y's rows orthogonal is an SVD of X), so no rotation is ever
 * accumulated and no left vectors are formed. When H has at least as many rows as columns it is first reduced to its
 * triangular factor R (H = Q_H·R has the same right singular vectors as R, and Q_H is never needed); Jacobi on R's
 * rows (the columns of Rᵀ) also converges in fewer sweeps than on H (measured on 256×256: 9 sweeps instead of 16 for
 * a decaying spectrum, 10 instead of 11 for a Gaussian matrix), which is why a square H is reduced too.
 *
 * <p>Signs: in every vector the entry of largest magnitude (the first one on a tie) is made positive
 * (scikit-learn's {@code svd_flip}). Vectors of singular value 0 (G rank-deficient) are any orthonormal completion,
 * chosen deterministically, so the output always has orthonormal columns (P) or rows (Q).
 *
 * <p>All scratch is the caller's workspace ({@link #exactWorkspace}, {@link #randomizedWorkspace}); no object is made
 * per call. Nothing here checks an argument: the checked entry points are {@code org.lrgrad.kernels.LowRankOps}'s,
 * which depend on this class and not the other way round.
 */
public final class TopSubspace {
  private static final double FLOAT_EPS = 0x1p-24;
  /** LAPACK's {@code sgesvj} stops after 30 sweeps too; Jacobi on a triangular factor needs far fewer. */
  private static final int MAX_SWEEPS = 30;
  /**
   * A row of norm below this fraction of the largest is numerically zero at float precision: its direction is
   * replaced by an exact orthonormal completion.
   */
  private static final double NULL_ROW = 0x1p-48;

  private TopSubspace() {}

  /**
   * Floats of workspace for {@link #exact} on an m×n matrix: m·n + 2·min(m, n), whatever the side and r. H (G or Gᵀ)
   * is copied (m·n), and 2·min(m, n) floats hold the QR's scalars and then Jacobi's squared row norms (as
   * double-precision hi + lo float pairs).
   */
  public static int exactWorkspace(int m, int n) {
    return Math.addExact(Math.multiplyExact(m, n), 2 * Math.min(m, n));
  }

  /**
   * Floats of workspace for a randomized range finder with l probes on an m×n matrix: (m + n + 2)·l: the probes Ω
   * and then H·Y (the rows of H × l), the range basis Y (its columns × l), and 2·l floats of QR and Jacobi scratch
   * ({@link #topRightVectors} on H·Y).
   */
  public static int randomizedWorkspace(int m, int n, int probes) {
    return Math.multiplyExact(Math.addExact(Math.addExact(m, n), 2), probes);
  }

  /**
   * The top-r singular subspace of G (m×n) by an exact SVD: with {@code left}, P (m×r) whose columns are the left
   * singular vectors, otherwise Q (r×n) whose rows are the right ones, signed by {@link #fixSigns}. Uses
   * {@link #exactWorkspace} floats at {@code workOff}. The work is a QR and Jacobi rotations, both vector-level:
   * there is no matrix product here for a faster sgemm to speed up.
   */
  public static void exact(boolean left, int m, int n, int r, float[] g, int gOff, int ldg, float[] out, int outOff,
      int ldout, float[] work, int workOff) {
    int a = left ? n : m, b = left ? m : n;
    int hOff = workOff, scratchOff = workOff + a * b;
    if (left) {
      Transpose.copy(m, n, g, gOff, ldg, work, hOff);
    } else {
      for (int i = 0; i < m; i++) {
        System.arraycopy(g, gOff + i * ldg, work, hOff + i * n, n);
      }
    }
    topRightVectors(a, b, r, work, hOff, work, scratchOff);
    if (left) {
      // Vector t (row t of the workspace, m long) is column t of P.
      for (int t = 0; t < r; t++) {
        for (int i = 0; i < m; i++) {
          out[outOff + i * ldout + t] = work[hOff + t * m + i];
        }
      }
    } else {
      for (int t = 0; t < r; t++) {
        System.arraycopy(work, hOff + t * n, out, outOff + t * ldout, n);
      }
    }
    fixSigns(left, m, n, r, out, outOff, ldout);
  }

  /**
   * Overwrites rows 0..r−1 of H (a×b, packed at {@code hOff}) with H's top-r right singular vectors, orthonormal,
   * sorted by decreasing singular value (signs not yet fixed). Uses 2·min(a, b) floats at {@code scratchOff}.
   */
  public static void topRightVectors(int a, int b, int r, float[] h, int hOff, float[] work, int scratchOff) {
    int rows = a;
    if (a >= b) {
      HouseholderQr.factor(a, b, h, hOff, b, work, scratchOff);
      for (int i = 1; i < b; i++) {
        Arrays.fill(h, hOff + i * b, hOff + i * b + i, 0f);
      }
      rows = b;
    }
    int hiOff = scratchOff, loOff = scratchOff + rows;
    jacobi(rows, b, h, hOff, work, hiOff, loOff);
    sortTopRows(rows, b, r, h, hOff, work, hiOff, loOff);
    normalizeOrComplete(r, b, h, hOff, work, hiOff, loOff);
  }

  // -------------------------------------------------------------------------------------------------------------
  // One-sided (Hestenes) Jacobi on the rows of X (k×b, k ≤ b): rotate pairs of rows until every pair is orthogonal
  // to cos ≤ √b·ε (LAPACK sgesvj's threshold). Dot products are summed in double; squared row norms are tracked in
  // double, stored as hi + lo float pairs in the workspace, updated by the rotation formulas within a sweep and
  // recomputed exactly at the start of each.

  private static void jacobi(int k, int b, float[] x, int xOff, float[] work, int hiOff, int loOff) {
    double tol = Math.sqrt(b) * FLOAT_EPS;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      for (int i = 0; i < k; i++) {
        storeNorm(work, hiOff, loOff, i, dot(x, xOff + i * b, x, xOff + i * b, b));
      }
      boolean rotated = false;
      for (int i = 0; i < k - 1; i++) {
        int xi = xOff + i * b;
        for (int j = i + 1; j < k; j++) {
          double alpha = loadNorm(work, hiOff, loOff, i);
          double beta = loadNorm(work, hiOff, loOff, j);
          if (alpha == 0 || beta == 0) {
            continue;
          }
          int xj = xOff + j * b;
          double gamma = dot(x, xi, x, xj, b);
          if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) {
            continue;
          }
          rotated = true;
          // The rotation that diagonalizes [[α, γ], [γ, β]]: t = tan θ, the smaller root of t² + 2ζt − 1 = 0.
          double zeta = (beta - alpha) / (2 * gamma);
          double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
          double c = 1 / Math.sqrt(1 + t * t);
          double s = c * t;
          rotate(x, xi, xj, b, (float) c, (float) s);
          double newAlpha = alpha - t * gamma, newBeta = beta + t * gamma;
          // A norm that shrank a lot lost its digits to cancellation: measure it instead.
          storeNorm(work, hiOff, loOff, i, newAlpha < 0.25 * alpha ? dot(x, xi, x, xi, b) : newAlpha);
          storeNorm(work, hiOff, loOff, j, newBeta < 0.25 * beta ? dot(x, xj, x, xj, b) : newBeta);
        }
      }
      if (!rotated) {
        return;
      }
    }
  }

  /** x_i ← c·x_i − s·x_j, x_j ← s·x_i + c·x_j. */
  private static void rotate(float[] x, int xi, int xj, int b, float c, float s) {
    for (int p = 0; p < b; p++) {
      float u = x[xi + p], v = x[xj + p];
      x[xi + p] = c * u - s * v;
      x[xj + p] = s * u + c * v;
    }
  }

  /** Σ x[xo+p]·y[yo+p] in double, four independent sums (the products of two floats are exact in double). */
  private static double dot(float[] x, int xo, float[] y, int yo, int len) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 3 < len; p += 4) {
      s0 += (double) x[xo + p] * y[yo + p];
      s1 += (double) x[xo + p + 1] * y[yo + p + 1];
      s2 += (double) x[xo + p + 2] * y[yo + p + 2];
      s3 += (double) x[xo + p + 3] * y[yo + p + 3];
    }
    for (; p < len; p++) {
      s0 += (double) x[xo + p] * y[yo + p];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static void storeNorm(float[] work, int hiOff, int loOff, int i, double value) {
    float hi = (float) value;
    work[hiOff + i] = hi;
    work[loOff + i] = (float) (value - hi);
  }

  private static double loadNorm(float[] work, int hiOff, int loOff, int i) {
    return (double) work[hiOff + i] + work[loOff + i];
  }

  /**
   * Moves the r rows of largest norm to rows 0..r−1 in decreasing order (ties keep the lower index first, so the
   * result is deterministic), with their norms.
   */
  private static void sortTopRows(int k, int b, int r, float[] x, int xOff, float[] work, int hiOff, int loOff) {
    for (int t = 0; t < r; t++) {
      int best = t;
      double bestNorm = loadNorm(work, hiOff, loOff, t);
      for (int i = t + 1; i < k; i++) {
        double norm = loadNorm(work, hiOff, loOff, i);
        if (norm > bestNorm) {
          best = i;
          bestNorm = norm;
        }
      }
      if (best != t) {
        for (int p = 0; p < b; p++) {
          float tmp = x[xOff + t * b + p];
          x[xOff + t * b + p] = x[xOff + best * b + p];
          x[xOff + best * b + p] = tmp;
        }
        swap(work, hiOff + t, hiOff + best);
        swap(work, loOff + t, loOff + best);
      }
    }
  }

  private static void swap(float[] a, int i, int j) {
    float tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  }

  /**
   * Normalizes rows 0..r−1 (sorted by decreasing norm). Rows that are numerically zero come last; each is replaced
   * by the unit vector e_j whose residual against the rows before it is largest, orthogonalized twice against them.
   */
  private static void normalizeOrComplete(int r, int b, float[] x, int xOff, float[] work, int hiOff, int loOff) {
    double largest = Math.sqrt(loadNorm(work, hiOff, loOff, 0));
    for (int t = 0; t < r; t++) {
      int xt = xOff + t * b;
      double norm = Math.sqrt(dot(x, xt, x, xt, b));
      if (norm == 0 || norm < NULL_ROW * largest) {
        completeRow(t, b, x, xOff);
        norm = Math.sqrt(dot(x, xt, x, xt, b));
      }
      double scale = 1 / norm;
      for (int p = 0; p < b; p++) {
        x[xt + p] = (float) (x[xt + p] * scale);
      }
    }
  }

  /** Row t ← e_j − Σ_{s<t} (x_s·e_j)·x_s, twice, for the j whose residual 1 − Σ_{s<t} x_s[j]² is largest. */
  private static void completeRow(int t, int b, float[] x, int xOff) {
    int best = 0;
    double bestResidual = -1;
    for (int j = 0; j < b; j++) {
      double covered = 0;
      for (int s = 0; s < t; s++) {
        double v = x[xOff + s * b + j];
        covered += v * v;
      }
      if (1 - covered > bestResidual) {
        bestResidual = 1 - covered;
        best = j;
      }
    }
    int xt = xOff + t * b;
    Arrays.fill(x, xt, xt + b, 0f);
    x[xt + best] = 1f;
    for (int pass = 0; pass < 2; pass++) {
      for (int s = 0; s < t; s++) {
        int xs = xOff + s * b;
        float proj = (float) dot(x, xs, x, xt, b);
        for (int p = 0; p < b; p++) {
          x[xt + p] -= proj * x[xs + p];
        }
      }
    }
  }

  /**
   * In every output vector (with {@code left} a column of P, m×r, otherwise a row of Q, r×n) the entry of largest
   * magnitude (the first one on a tie) becomes positive.
   */
  public static void fixSigns(boolean left, int m, int n, int r, float[] out, int outOff, int ldout) {
    int len = left ? m : n;
    int stride = left ? ldout : 1;
    for (int t = 0; t < r; t++) {
      int first = left ? outOff + t : outOff + t * ldout;
      int argmax = first;
      float max = -1f;
      for (int p = 0, idx = first; p < len; p++, idx += stride) {
        float v = Math.abs(out[idx]);
        if (v > max) {
          max = v;
          argmax = idx;
        }
      }
      if (out[argmax] < 0f) {
        for (int p = 0, idx = first; p < len; p++, idx += stride) {
          out[idx] = -out[idx];
        }
      }
    }
  }
}
