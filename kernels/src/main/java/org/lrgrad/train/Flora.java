package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * Flora (Hao, Cao &amp; Mou, ICML 2024): Adafactor whose first moment is kept in a random projection that is drawn
 * again every κ steps. Per step k, with g the gradient:
 *
 * <ol>
 *   <li>Adafactor's normalized gradient U = g / √v̂, v̂ the factored (row and column) or full running mean of
 *       g² + ε1 with decay β2ₖ = 1 − k^decayRate;</li>
 *   <li>momentum on U, before clipping and before the step size, without bias correction:
 *       U ← (1−β1)·U + β1·M, kept in full (M is m×n, {@link #momentum}) or compressed ({@link
 *       #compressedMomentum}): M = up(C) with C = L·M (r×n, L r×m) when m &lt; n, C = M·R (m×r, R n×r) when
 *       m ≥ n. C is updated with the gradient compressed by the projection of this step; when k is a multiple of κ
 *       the projection changes and C is carried over, C ← down_new(up_old(C));</li>
 *   <li>U is clipped to an RMS of at most clipThreshold, times the step size lr·max(ε2, rms(W)) (or lr without
 *       parameter scaling; lr = min(1e-2, 1/√k) with the relative step, the default);</li>
 *   <li>W ← W − wd·step size·W − U.</li>
 * </ol>
 *
 * <p>Defaults are the reference code's: relative step, parameter scaling, ε = (1e-30, 1e-3), clip threshold 1,
 * decay rate −0.8, no momentum, κ = 1000, a factored second moment, no weight decay. State for an m×n matrix:
 * m + n floats (factored; m·n otherwise), plus m·n for full momentum or r·max(m, n) for compressed momentum. The
 * projections are never stored: they are regenerated from the seed and the step count into the workspace when
 * needed, so they cost no memory between steps and nothing in a checkpoint. Vectors (biases) get the unfactored
 * second moment and, with any momentum, full momentum: compression applies to matrices, whose rank is capped at
 * min(m, n).
 *
 * <p>Where this differs from the reference code: it compresses the momentum of every matrix when asked to, whatever
 * its aspect ratio (the reference silently keeps full momentum when max/min &gt; 4 or the rank exceeds min(m, n));
 * compressed momentum without the factored second moment is refused when the trainer is built (the reference falls
 * back to full momentum); each parameter's projections come from its own seed.
 */
public final class Flora extends AdafactorFamily<Flora> {
  private float beta1;
  /** The rank of compressed momentum; 0 keeps momentum (if any) in full. */
  private int rank;
  private int kappa = 1000;
  private boolean factoredSecondMoment = true;

  /** The reference code's defaults: relative step, no momentum. */
  public Flora() {}

  /** Momentum kept in full (m·n floats per matrix); β1 in (0, 1). */
  public Flora momentum(float beta1) {
    checkMutable();
    checkBeta1(beta1);
    this.beta1 = beta1;
    this.rank = 0;
    return this;
  }

  /** Momentum kept compressed at rank r (Flora proper); β1 in (0, 1), r ≥ 1. */
  public Flora compressedMomentum(float beta1, int rank) {
    checkMutable();
    checkBeta1(beta1);
    Checks.positive("rank", rank);
    this.beta1 = beta1;
    this.rank = rank;
    return this;
  }

  private static void checkBeta1(float beta1) {
    Checks.unitInterval("beta1", beta1);
    if (beta1 == 0f) {
      throw new IllegalArgumentException("beta1=0.0 must be > 0 for momentum; a Flora without momentum is the"
          + " default");
    }
  }

  /** κ: the projection changes when the step number (1-based) is a multiple of κ. Default 1000. */
  public Flora kappa(int kappa) {
    checkMutable();
    Checks.positive("kappa", kappa);
    this.kappa = kappa;
    return this;
  }

  /** Adafactor's factored second moment (rows and columns, the default) or the full one (m·n floats). */
  public Flora factoredSecondMoment(boolean factored) {
    checkMutable();
    this.factoredSecondMoment = factored;
    return this;
  }

  float beta1() {
    return beta1;
  }

  int kappa() {
    return kappa;
  }

  boolean factoredSecondMoment() {
    return factoredSecondMoment;
  }

  @Override
  public String name() {
    return "Flora";
  }

  @Override
  int rank() {
    return rank;
  }

  @Override
  void validate() {
    super.validate();
    if (rank > 0 && !factoredSecondMoment) {
      throw new IllegalArgumentException("compressedMomentum(rank=" + rank + ") needs the factored second moment,"
          + " but factoredSecondMoment is false; use momentum(beta1) for full momentum with the full second"
          + " moment");
    }
  }

  @Override
  Slot slotFor(Parameter parameter, int rankCap) {
    int r = rank > 0 && parameter.isMatrix()
        ? Math.min(Math.min(rank, rankCap), Math.min(parameter.rows(), parameter.cols())) : 0;
    return new FloraSlot(parameter, this, r);
  }

  @Override
  public String toString() {
    return name() + "(" + adafactorSettings() + ", factoredSecondMoment=" + factoredSecondMoment + ", momentum="
        + (beta1 == 0f ? "none" : (rank > 0 ? "compressed(beta1=" + beta1 + ", rank=" + rank + ")"
            : "full(beta1=" + beta1 + ")"))
        + ", kappa=" + kappa + ", weightDecay=" + weightDecay() + scheduleSettings() + ")";
  }
}
