package org.lrgrad.kernels;

import org.lrgrad.kernels.linalg.CholeskyQr;
import org.lrgrad.kernels.linalg.HouseholderQr;
import org.lrgrad.kernels.linalg.TopSubspace;

/**
 * The operations of the low-rank methods, composed of a {@link Kernels}' primitives: projections onto and back from
 * a rank-r subspace, the low-rank gradient of a linear layer, LoRA's factor gradients, orthonormalization and the
 * top-r singular subspaces. One code for every implementation: none of them has a faster way to do these than its
 * own sgemm (the exact subspace has no product at all).
 *
 * <p>Each method checks all of its arguments once, before any write, with the contract's messages, and then runs
 * the kernels' unchecked sgemm: this class lives beside {@link Kernels} so that the inner products are not checked a
 * second time. The numerical algorithms ({@code linalg}: Householder QR, Jacobi SVD) know nothing of {@code
 * Kernels}, so the dependency goes one way. Every workspace size is a static method named after its operation with
 * {@code Workspace} appended, in floats; it depends only on the shapes, not on the implementation.
 *
 * <p>No call allocates: scratch is the caller's workspace.
 */
public final class LowRankOps {
  private LowRankOps() {}

  // ---------------------------------------------------------------------------------------------------------------
  // Projections

  /**
   * The low-rank gradient: R ← PᵀG (r×n) for {@link ProjectionSide#LEFT} with P m×r, or R ← G·Qᵀ (m×r) for
   * {@link ProjectionSide#RIGHT} with Q r×n. G is m×n.
   */
  public static void project(Kernels kernels, ProjectionSide side, int m, int n, int r, float[] proj, int projOff,
      int ldproj, float[] g, int gOff, int ldg, float[] out, int outOff, int ldout) {
    Checks.notNull("kernels", kernels);
    checkProjector(side, m, n, r, proj, projOff, ldproj);
    Checks.matrix("G (m x n)", "g", g, gOff, m, n, "ldg", ldg);
    int outRows = side.lowRankRows(m, n, r), outCols = side.lowRankCols(m, n, r);
    Checks.matrix("R (low-rank gradient)", "out", out, outOff, outRows, outCols, "ldout", ldout);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "g", g, gOff, m, n, ldg, false);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "proj", proj, projOff,
        side.projectorRows(m, n, r), side.projectorCols(m, n, r), ldproj, false);
    if (side == ProjectionSide.LEFT) {
      kernels.sgemmUnchecked(true, false, r, n, m, 1f, proj, projOff, ldproj, g, gOff, ldg, 0f, out, outOff, ldout);
    } else {
      kernels.sgemmUnchecked(false, true, m, r, n, 1f, g, gOff, ldg, proj, projOff, ldproj, 0f, out, outOff, ldout);
    }
  }

  /**
   * Project back, scale and accumulate in one pass: W ← W + α·P·N (LEFT, N r×n) or W ← W + α·N·Q (RIGHT, N m×r).
   * A low-rank step W −= η·s·full(N) is {@code alpha = -η·s}.
   */
  public static void projectBackAccumulate(Kernels kernels, ProjectionSide side, int m, int n, int r, float alpha,
      float[] proj, int projOff, int ldproj, float[] low, int lowOff, int ldlow, float[] w, int wOff, int ldw) {
    Checks.notNull("kernels", kernels);
    checkProjector(side, m, n, r, proj, projOff, ldproj);
    Checks.finite("alpha", alpha);
    int lowRows = side.lowRankRows(m, n, r), lowCols = side.lowRankCols(m, n, r);
    Checks.matrix("N (low-rank update)", "low", low, lowOff, lowRows, lowCols, "ldlow", ldlow);
    Checks.matrix("W (m x n)", "w", w, wOff, m, n, "ldw", ldw);
    Checks.noOverlap("w", w, wOff, m, n, ldw, "low", low, lowOff, lowRows, lowCols, ldlow, false);
    Checks.noOverlap("w", w, wOff, m, n, ldw, "proj", proj, projOff, side.projectorRows(m, n, r),
        side.projectorCols(m, n, r), ldproj, false);
    if (side == ProjectionSide.LEFT) {
      kernels.sgemmUnchecked(false, false, m, n, r, alpha, proj, projOff, ldproj, low, lowOff, ldlow, 1f, w, wOff,
          ldw);
    } else {
      kernels.sgemmUnchecked(false, false, m, n, r, alpha, low, lowOff, ldlow, proj, projOff, ldproj, 1f, w, wOff,
          ldw);
    }
  }

  /** Floats of workspace that {@link #projectLinearGradient} needs: batch·r. */
  public static int projectLinearGradientWorkspace(int batch, int r) {
    Checks.positive("batch", batch);
    Checks.positive("r", r);
    return Math.multiplyExact(batch, r);
  }

  /**
   * The low-rank gradient of a linear layer y = x·Wᵀ (W m×n) without building G = dYᵀ·X (m×n): X is batch×n (the
   * layer's input), dY batch×m (the error at its output). LEFT: R ← (dY·P)ᵀ·X (r×n); RIGHT: R ← dYᵀ·(X·Qᵀ) (m×r).
   * Costs O(batch·r·(m+n)) instead of O(batch·m·n). {@code work} holds {@link #projectLinearGradientWorkspace}
   * floats.
   */
  public static void projectLinearGradient(Kernels kernels, ProjectionSide side, int batch, int m, int n, int r,
      float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy, float[] proj, int projOff, int ldproj,
      float[] out, int outOff, int ldout, float[] work, int workOff) {
    Checks.notNull("kernels", kernels);
    checkProjector(side, m, n, r, proj, projOff, ldproj);
    Checks.positive("batch", batch);
    Checks.matrix("X (batch x n)", "x", x, xOff, batch, n, "ldx", ldx);
    Checks.matrix("dY (batch x m)", "dy", dy, dyOff, batch, m, "lddy", lddy);
    int outRows = side.lowRankRows(m, n, r), outCols = side.lowRankCols(m, n, r);
    Checks.matrix("R (low-rank gradient)", "out", out, outOff, outRows, outCols, "ldout", ldout);
    int need = projectLinearGradientWorkspace(batch, r);
    Checks.workspace("work", work, workOff, need);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "x", x, xOff, batch, n, ldx, false);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "dy", dy, dyOff, batch, m, lddy, false);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "proj", proj, projOff,
        side.projectorRows(m, n, r), side.projectorCols(m, n, r), ldproj, false);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "work", work, workOff, 1, need, need, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "x", x, xOff, batch, n, ldx, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "dy", dy, dyOff, batch, m, lddy, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "proj", proj, projOff, side.projectorRows(m, n, r),
        side.projectorCols(m, n, r), ldproj, false);
    if (side == ProjectionSide.LEFT) {
      // t = dY·P (batch×r); R = tᵀ·X (r×n)
      kernels.sgemmUnchecked(false, false, batch, r, m, 1f, dy, dyOff, lddy, proj, projOff, ldproj, 0f, work,
          workOff, r);
      kernels.sgemmUnchecked(true, false, r, n, batch, 1f, work, workOff, r, x, xOff, ldx, 0f, out, outOff, ldout);
    } else {
      // t = X·Qᵀ (batch×r); R = dYᵀ·t (m×r)
      kernels.sgemmUnchecked(false, true, batch, r, n, 1f, x, xOff, ldx, proj, projOff, ldproj, 0f, work, workOff,
          r);
      kernels.sgemmUnchecked(true, false, m, r, batch, 1f, dy, dyOff, lddy, work, workOff, r, 0f, out, outOff,
          ldout);
    }
  }

  private static void checkProjector(ProjectionSide side, int m, int n, int r, float[] proj, int projOff,
      int ldproj) {
    Checks.lowRankShape(side, m, n, r);
    checkProjectorMatrix(side, m, n, r, "proj", proj, projOff, "ldproj", ldproj);
  }

  /** P (m×r) for side LEFT or Q (r×n) for side RIGHT, passed as {@code arrayName} with {@code ldName}. */
  private static void checkProjectorMatrix(ProjectionSide side, int m, int n, int r, String arrayName, float[] proj,
      int projOff, String ldName, int ldproj) {
    Checks.matrix(side == ProjectionSide.LEFT ? "P (m x r, side=LEFT)" : "Q (r x n, side=RIGHT)", arrayName, proj,
        projOff, side.projectorRows(m, n, r), side.projectorCols(m, n, r), ldName, ldproj);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // LoRA

  /** Floats of workspace that {@link #loraGradients} needs: batch·r. */
  public static int loraGradientsWorkspace(int batch, int r) {
    Checks.positive("batch", batch);
    Checks.positive("r", r);
    return Math.multiplyExact(batch, r);
  }

  /**
   * LoRA factor gradients for W_eff = W0 + s·B·A (B m×r, A r×n) of a linear layer with input X (batch×n) and output
   * error dY (batch×m), without building G: dA ← s·(dY·B)ᵀ·X (r×n) and dB ← s·dYᵀ·(X·Aᵀ) (m×r). {@code work} holds
   * {@link #loraGradientsWorkspace} floats.
   */
  public static void loraGradients(Kernels kernels, int batch, int m, int n, int r, float scale, float[] x, int xOff,
      int ldx, float[] dy, int dyOff, int lddy, float[] factorA, int aOff, int lda, float[] factorB, int bOff,
      int ldb, float[] gradA, int gradAOff, int ldgA, float[] gradB, int gradBOff, int ldgB, float[] work,
      int workOff) {
    Checks.notNull("kernels", kernels);
    Checks.positive("batch", batch);
    Checks.positive("m", m);
    Checks.positive("n", n);
    Checks.rank(r, m, n);
    Checks.finite("scale", scale);
    Checks.matrix("X (batch x n)", "x", x, xOff, batch, n, "ldx", ldx);
    Checks.matrix("dY (batch x m)", "dy", dy, dyOff, batch, m, "lddy", lddy);
    Checks.matrix("A (r x n)", "factorA", factorA, aOff, r, n, "lda", lda);
    Checks.matrix("B (m x r)", "factorB", factorB, bOff, m, r, "ldb", ldb);
    Checks.matrix("dA (r x n)", "gradA", gradA, gradAOff, r, n, "ldgA", ldgA);
    Checks.matrix("dB (m x r)", "gradB", gradB, gradBOff, m, r, "ldgB", ldgB);
    int need = loraGradientsWorkspace(batch, r);
    Checks.workspace("work", work, workOff, need);
    // Outputs dA, dB and the workspace against every other argument (no allocation: this runs every step).
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "x", x, xOff, batch, n, ldx, false);
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "dy", dy, dyOff, batch, m, lddy, false);
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "factorA", factorA, aOff, r, n, lda, false);
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "factorB", factorB, bOff, m, r, ldb, false);
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "gradB", gradB, gradBOff, m, r, ldgB, false);
    Checks.noOverlap("gradA", gradA, gradAOff, r, n, ldgA, "work", work, workOff, 1, need, need, false);
    Checks.noOverlap("gradB", gradB, gradBOff, m, r, ldgB, "x", x, xOff, batch, n, ldx, false);
    Checks.noOverlap("gradB", gradB, gradBOff, m, r, ldgB, "dy", dy, dyOff, batch, m, lddy, false);
    Checks.noOverlap("gradB", gradB, gradBOff, m, r, ldgB, "factorA", factorA, aOff, r, n, lda, false);
    Checks.noOverlap("gradB", gradB, gradBOff, m, r, ldgB, "factorB", factorB, bOff, m, r, ldb, false);
    Checks.noOverlap("gradB", gradB, gradBOff, m, r, ldgB, "work", work, workOff, 1, need, need, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "x", x, xOff, batch, n, ldx, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "dy", dy, dyOff, batch, m, lddy, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "factorA", factorA, aOff, r, n, lda, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "factorB", factorB, bOff, m, r, ldb, false);
    // u = dY·B (batch×r); dA = s·uᵀ·X
    kernels.sgemmUnchecked(false, false, batch, r, m, 1f, dy, dyOff, lddy, factorB, bOff, ldb, 0f, work, workOff, r);
    kernels.sgemmUnchecked(true, false, r, n, batch, scale, work, workOff, r, x, xOff, ldx, 0f, gradA, gradAOff,
        ldgA);
    // v = X·Aᵀ (batch×r); dB = s·dYᵀ·v
    kernels.sgemmUnchecked(false, true, batch, r, n, 1f, x, xOff, ldx, factorA, aOff, lda, 0f, work, workOff, r);
    kernels.sgemmUnchecked(true, false, m, r, batch, scale, dy, dyOff, lddy, work, workOff, r, 0f, gradB, gradBOff,
        ldgB);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Orthonormalization and top-r subspaces

  /** Floats of workspace that {@link #orthonormalize} needs for an m×r matrix: 2·r. */
  public static int orthonormalizeWorkspace(int m, int r) {
    checkOrthonormalizeShape(m, r, "columns");
    return HouseholderQr.workspace(r);
  }

  private static void checkOrthonormalizeShape(int m, int r, String vectors) {
    Checks.positive("r", r);
    if (m < r) {
      throw new IllegalArgumentException("m=" + m + " must be >= r=" + r + " to orthonormalize r " + vectors);
    }
  }

  /**
   * Replaces the columns of A (m×r, m ≥ r) by an orthonormal basis Q of the same span (Householder QR), signed so
   * that R's diagonal is non-negative: for a full-rank A this is the Gram–Schmidt result, unique. The kernels are
   * not used (there is no matrix product in it) but taken for the same form as every other operation here.
   */
  public static void orthonormalize(Kernels kernels, int m, int r, float[] a, int aOff, int lda, float[] work,
      int workOff) {
    Checks.notNull("kernels", kernels);
    checkInPlaceWithWorkspace("A (m x r)", "a", a, aOff, m, r, "lda", lda, work, workOff,
        orthonormalizeWorkspace(m, r));
    HouseholderQr.orthonormalize(m, r, a, aOff, lda, work, workOff);
  }

  /** The checks of an operation in place on one matrix with {@code need} floats of workspace beside it. */
  private static void checkInPlaceWithWorkspace(String what, String name, float[] x, int off, int rows, int cols,
      String ldName, int ld, float[] work, int workOff, int need) {
    Checks.matrix(what, name, x, off, rows, cols, ldName, ld);
    Checks.workspace("work", work, workOff, need);
    Checks.noOverlap("work", work, workOff, 1, need, need, name, x, off, rows, cols, ld, false);
  }

  /** Rows of B per product of {@link #orthonormalizeRows}' triangular update. */
  private static final int ORTHONORMALIZE_ROWS_BLOCK = 16;

  /**
   * Floats of workspace that {@link #orthonormalizeRows} needs for r rows of length m: 2·r² + min(r, 16)·m, and at
   * least Householder's 2·r.
   */
  public static int orthonormalizeRowsWorkspace(int m, int r) {
    checkOrthonormalizeShape(m, r, "rows");
    long need = 2L * r * r + (long) Math.min(r, ORTHONORMALIZE_ROWS_BLOCK) * m;
    return Math.toIntExact(Math.max(need, HouseholderQr.workspace(r)));
  }

  /**
   * {@link #orthonormalize} of Bᵀ, in place in B: replaces the rows of B (r×m, m ≥ r) by an orthonormal basis of
   * the same row space, row j in the span of B's rows 0..j and with a positive component along row j (R's diagonal
   * non-negative): the transpose of what {@link #orthonormalize} makes of the m×r matrix Bᵀ. A well-conditioned B
   * (every row at least 1/16 rad out of the span of the rows before it, as a random Gaussian block's are) is
   * orthonormalized by CholeskyQR2 on the kernels' sgemm, any other B, or one whose result is not orthonormal to
   * 2·(m + 2)·u, by Householder QR along B's contiguous rows; both give the same basis up to rounding. Needs
   * {@link #orthonormalizeRowsWorkspace}(m, r) floats of workspace.
   */
  public static void orthonormalizeRows(Kernels kernels, int r, int m, float[] b, int bOff, int ldb, float[] work,
      int workOff) {
    Checks.notNull("kernels", kernels);
    checkInPlaceWithWorkspace("B (r x m)", "b", b, bOff, r, m, "ldb", ldb, work, workOff,
        orthonormalizeRowsWorkspace(m, r));
    if (!orthonormalizeRowsByCholesky(kernels, r, m, b, bOff, ldb, work, workOff)) {
      // B is as given, or after one or two triangular updates, which keep each row's span and sign.
      HouseholderQr.orthonormalizeRows(r, m, b, bOff, ldb, work, workOff);
    }
  }

  /**
   * CholeskyQR2 (see {@link CholeskyQr}): twice G = B·Bᵀ = L·Lᵀ and B ← L⁻¹·B, then a check that B·Bᵀ = I. The
   * triangular update runs a block of rows at a time from the last, each block's product into the workspace and
   * copied back, because rows i0..i1 of the result need rows 0..i1 of B, which the earlier (lower) blocks left
   * intact. Returns false when a Cholesky factorization is refused or the result is not orthonormal.
   */
  private static boolean orthonormalizeRowsByCholesky(Kernels k, int r, int m, float[] b, int bOff, int ldb,
      float[] work, int workOff) {
    int gOff = workOff, invOff = gOff + r * r, blockOff = invOff + r * r;
    for (int pass = 0; pass < 2; pass++) {
      k.sgemmUnchecked(false, true, r, r, m, 1f, b, bOff, ldb, b, bOff, ldb, 0f, work, gOff, r);
      if (!CholeskyQr.inverseCholesky(r, work, gOff, work, invOff)) {
        return false;
      }
      for (int i1 = r; i1 > 0; i1 -= ORTHONORMALIZE_ROWS_BLOCK) {
        int i0 = Math.max(0, i1 - ORTHONORMALIZE_ROWS_BLOCK);
        k.sgemmUnchecked(false, false, i1 - i0, m, i1, 1f, work, invOff + i0 * r, r, b, bOff, ldb, 0f, work,
            blockOff, m);
        for (int i = i0; i < i1; i++) {
          System.arraycopy(work, blockOff + (i - i0) * m, b, bOff + i * ldb, m);
        }
      }
    }
    k.sgemmUnchecked(false, true, r, r, m, 1f, b, bOff, ldb, b, bOff, ldb, 0f, work, gOff, r);
    return CholeskyQr.distanceFromIdentity(r, work, gOff) <= 2.0 * (m + 2) * 0x1p-24;
  }

  /** Floats of workspace that {@link #topSubspaceExact} needs: m·n + 2·min(m, n), whatever the side and r. */
  public static int topSubspaceExactWorkspace(ProjectionSide side, int m, int n, int r) {
    Checks.lowRankShape(side, m, n, r);
    return TopSubspace.exactWorkspace(m, n);
  }

  /**
   * Floats of workspace that {@link #topSubspaceRandomized} needs: (m + n + 2)·l with l = min(r + oversample,
   * min(m, n)) probes.
   */
  public static int topSubspaceRandomizedWorkspace(ProjectionSide side, int m, int n, int r, int oversample) {
    Checks.lowRankShape(side, m, n, r);
    Checks.nonNegative("oversample", oversample);
    return TopSubspace.randomizedWorkspace(m, n, probes(m, n, r, oversample));
  }

  private static int probes(int m, int n, int r, int oversample) {
    return (int) Math.min((long) r + oversample, Math.min(m, n));
  }

  /**
   * The top-r singular subspace of G (m×n) by an exact SVD: LEFT writes P (m×r), whose columns are the left
   * singular vectors of the r largest singular values; RIGHT writes Q (r×n), whose rows are the right ones. Every
   * vector is signed so that its entry of largest magnitude is positive. G is not modified. The kernels are not used
   * (a QR and Jacobi rotations, no matrix product) but taken for the same form as every other operation here.
   */
  public static void topSubspaceExact(Kernels kernels, ProjectionSide side, int m, int n, int r, float[] g, int gOff,
      int ldg, float[] out, int outOff, int ldout, float[] work, int workOff) {
    Checks.notNull("kernels", kernels);
    checkSubspace(side, m, n, r, g, gOff, ldg, out, outOff, ldout, work, workOff,
        topSubspaceExactWorkspace(side, m, n, r));
    TopSubspace.exact(side == ProjectionSide.LEFT, m, n, r, g, gOff, ldg, out, outOff, ldout, work, workOff);
  }

  /**
   * The top-r singular subspace of G by a seeded randomized range finder (Halko, Martinsson &amp; Tropp 2011):
   * r + {@code oversample} Gaussian probes, {@code powerIterations} re-orthonormalized power iterations, then an
   * exact SVD of the small projected matrix. Output and signs as {@link #topSubspaceExact}. The same seed gives the
   * same probes on every implementation.
   */
  public static void topSubspaceRandomized(Kernels kernels, ProjectionSide side, int m, int n, int r, int oversample,
      int powerIterations, long seed, float[] g, int gOff, int ldg, float[] out, int outOff, int ldout,
      float[] work, int workOff) {
    Checks.notNull("kernels", kernels);
    Checks.nonNegative("powerIterations", powerIterations);
    checkSubspace(side, m, n, r, g, gOff, ldg, out, outOff, ldout, work, workOff,
        topSubspaceRandomizedWorkspace(side, m, n, r, oversample));
    // The problem is the top right singular vectors of H = G (RIGHT, a×b = m×n) or H = Gᵀ (LEFT, n×m); H is never
    // formed: sgemm's transpose flag on G stands for it.
    boolean left = side == ProjectionSide.LEFT;
    int a = left ? n : m, b = left ? m : n;
    int l = probes(m, n, r, oversample);
    // zOff: Ω (a×l), then H·Y (a×l); yOff: Y (b×l), the basis of the range of Hᵀ; the last 2·l floats: scratch.
    int zOff = workOff, yOff = zOff + a * l, scratchOff = yOff + b * l;
    SeededRandom.fillGaussian(seed, work, zOff, a * l, 1f);
    // Y = Hᵀ·Z and Z = H·Y.
    kernels.sgemmUnchecked(!left, false, b, l, a, 1f, g, gOff, ldg, work, zOff, l, 0f, work, yOff, l);
    HouseholderQr.orthonormalize(b, l, work, yOff, l, work, scratchOff);
    for (int it = 0; it < powerIterations; it++) {
      kernels.sgemmUnchecked(left, false, a, l, b, 1f, g, gOff, ldg, work, yOff, l, 0f, work, zOff, l);
      HouseholderQr.orthonormalize(a, l, work, zOff, l, work, scratchOff);
      kernels.sgemmUnchecked(!left, false, b, l, a, 1f, g, gOff, ldg, work, zOff, l, 0f, work, yOff, l);
      HouseholderQr.orthonormalize(b, l, work, yOff, l, work, scratchOff);
    }
    // H ≈ (H·Y)·Yᵀ, so the top right singular vectors of H are Y·w for the top right vectors w of C = H·Y (a×l).
    kernels.sgemmUnchecked(left, false, a, l, b, 1f, g, gOff, ldg, work, yOff, l, 0f, work, zOff, l);
    TopSubspace.topRightVectors(a, l, r, work, zOff, work, scratchOff);
    if (left) {
      kernels.sgemmUnchecked(false, true, m, r, l, 1f, work, yOff, l, work, zOff, l, 0f, out, outOff, ldout);
    } else {
      kernels.sgemmUnchecked(false, true, r, n, l, 1f, work, zOff, l, work, yOff, l, 0f, out, outOff, ldout);
    }
    TopSubspace.fixSigns(left, m, n, r, out, outOff, ldout);
  }

  /** The shapes of a subspace call, then its workspace of {@code need} floats, against every other argument. */
  private static void checkSubspace(ProjectionSide side, int m, int n, int r, float[] g, int gOff, int ldg,
      float[] out, int outOff, int ldout, float[] work, int workOff, int need) {
    Checks.matrix("G (m x n)", "g", g, gOff, m, n, "ldg", ldg);
    checkProjectorMatrix(side, m, n, r, "out", out, outOff, "ldout", ldout);
    int outRows = side.projectorRows(m, n, r), outCols = side.projectorCols(m, n, r);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "g", g, gOff, m, n, ldg, false);
    Checks.workspace("work", work, workOff, need);
    Checks.noOverlap("out", out, outOff, outRows, outCols, ldout, "work", work, workOff, 1, need, need, false);
    Checks.noOverlap("work", work, workOff, 1, need, need, "g", g, gOff, m, n, ldg, false);
  }
}
