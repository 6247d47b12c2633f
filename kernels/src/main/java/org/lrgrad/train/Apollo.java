package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;

/**
 * APOLLO and APOLLO-Mini (Zhu et al., arXiv 2412.05270): Adam's moments are kept only for a random projection R of
 * the gradient G, to estimate how much Adam would scale each channel (APOLLO) or the whole matrix (APOLLO-Mini); that
 * scale is applied to the raw full-rank G, whose norm may grow by at most 1% a step. Per step k on an m×n matrix:
 *
 * <ol>
 *   <li>R = G·Qᵀ (m×r, Q r×n) when m ≥ n, R = Pᵀ·G (r×n, P m×r) when m &lt; n; the projection is Gaussian with
 *       variance 1/r, drawn again every {@link #updateInterval} steps (moments are kept across draws);</li>
 *   <li>M, V: Adam's moments of R; N = M / (√V + ε), without bias correction;</li>
 *   <li>scale s = ‖N‖/(‖R‖ + 1e-8) per channel (a row of G when m ≥ n, a column otherwise; {@link
 *       ScaleType#CHANNEL}) or for the whole matrix ({@link ScaleType#TENSOR}); S = s·G;</li>
 *   <li>S is multiplied by {@link #scale} before ({@link #scaleFront}) or after the limiter;</li>
 *   <li>norm-growth limiter ({@link #normGrowthLimiter}, on by default): S ← S / (max(‖S‖/‖S_prev‖, 1.01)/1.01);</li>
 *   <li>W ← W − lr·√(1−β2ᵏ)/(1−β1ᵏ)·S (just lr without {@link #correctBias}), then W ← W − lr·wd·W.</li>
 * </ol>
 *
 * <p>Vectors (biases) get this method's plain Adam (Hugging Face's AdamW: ε on √v, bias correction in the step
 * size, decay after the step), as the reference code gives parameters without a rank. Defaults are the reference
 * code's: β = (0.9, 0.999), ε = 1e-6, update interval 200, no weight decay, bias correction on, scale applied after
 * the limiter. State per m×n matrix: 2·r·max(m, n) floats of moments and one float for the limiter, plus the r×max(m,
 * n) projection (tagged as a projector; regenerated from the seed, never saved), beside the full gradient that SGD
 * keeps as well.
 *
 * <p>Where this differs from the reference code: {@link #scale} is the factor itself (the reference takes its
 * square: its {@code scale=128} for APOLLO-Mini is {@code scale(√128)} here, the default of {@link #mini}); the
 * channel axis follows the side of the projection for both sides, as the reference's {@code std} projection does
 * (its other projection types are not offered); each parameter draws from a seed of its own (the reference seeds
 * each parameter with its position, so equal positions in different groups share projections).
 */
public final class Apollo extends LowRankFamily<Apollo> {
  /** What the scale estimate is shared by. */
  public enum ScaleType {
    /** One factor per channel: a row of G when m ≥ n, a column otherwise (APOLLO). */
    CHANNEL,
    /** One factor for the whole matrix (APOLLO-Mini). */
    TENSOR
  }

  private ScaleType scaleType;
  private int updateInterval = 200;
  private boolean scaleFront;
  private boolean normGrowthLimiter = true;
  private boolean correctBias = true;

  private Apollo(float lr, int rank, ScaleType scaleType, float scale) {
    super(lr, 1e-6f, 0f, AdamConvention.GALORE, rank, scale);
    this.scaleType = scaleType;
  }

  /** APOLLO: channel-wise scale, scale factor 1. */
  public static Apollo apollo(float lr, int rank) {
    return new Apollo(lr, rank, ScaleType.CHANNEL, 1f);
  }

  /** APOLLO-Mini: rank 1, one scale for the tensor, scale factor √128 (the authors' {@code scale=128}). */
  public static Apollo mini(float lr) {
    return new Apollo(lr, 1, ScaleType.TENSOR, (float) Math.sqrt(128.0));
  }

  /** Channel-wise (APOLLO) or tensor-wise (APOLLO-Mini) scale, whatever the rank. */
  public Apollo scaleType(ScaleType scaleType) {
    checkMutable();
    Checks.notNull("scaleType", scaleType);
    this.scaleType = scaleType;
    return this;
  }

  /** A projection is drawn when the completed-step count is a multiple of this. Default 200. */
  public Apollo updateInterval(int updateInterval) {
    checkMutable();
    Checks.positive("updateInterval", updateInterval);
    this.updateInterval = updateInterval;
    return this;
  }

  /** Apply {@link #scale} before the norm-growth limiter instead of after it (default false). */
  public Apollo scaleFront(boolean scaleFront) {
    checkMutable();
    this.scaleFront = scaleFront;
    return this;
  }

  /** The norm-growth limiter (default on): the update's norm grows by at most 1% a step. */
  public Apollo normGrowthLimiter(boolean on) {
    checkMutable();
    this.normGrowthLimiter = on;
    return this;
  }

  /** Adam's bias correction in the matrices' step size (default on); vectors' Adam always corrects. */
  public Apollo correctBias(boolean correctBias) {
    checkMutable();
    this.correctBias = correctBias;
    return this;
  }

  ScaleType scaleType() {
    return scaleType;
  }

  int updateInterval() {
    return updateInterval;
  }

  boolean scaleFront() {
    return scaleFront;
  }

  boolean normGrowthLimiter() {
    return normGrowthLimiter;
  }

  boolean correctBias() {
    return correctBias;
  }

  @Override
  public String name() {
    return scaleType == ScaleType.TENSOR ? "APOLLO-Mini" : "APOLLO";
  }

  @Override
  Slot matrixSlot(Parameter matrix, int rank) {
    return new ApolloSlot(matrix, this, rank);
  }

  @Override
  String methodSettings() {
    return ", rank=" + rank() + ", scaleType=" + scaleType + ", scale=" + scale() + ", updateInterval="
        + updateInterval + ", scaleFront=" + scaleFront + ", normGrowthLimiter=" + normGrowthLimiter
        + ", correctBias=" + correctBias;
  }
}
