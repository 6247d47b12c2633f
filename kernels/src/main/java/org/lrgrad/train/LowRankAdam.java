package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.ProjectionSide;

/**
 * Adam on a projected gradient (docs/method.md §2): every 2-D weight W (m×n) keeps a rank-r projector, refreshed when
 * its completed-step count is 0, T, 2T, ...; its gradient is kept only as R = PᵀG (r×n, side LEFT) or R = G·Qᵀ
 * (m×r, side RIGHT); Adam runs on R and W −= lr·α·full(N). LRG resets the moments at each refresh, GaLore keeps
 * them ({@link #resetMomentsOnRefresh} sets either way). Adam is GaLore's
 * ({@link AdamConvention#GALORE}: ε added to √v, bias correction folded into the step size), with GaLore's
 * defaults: ε = 1e-6, T = 200, α = 0.25 ({@link #scale}), and decoupled weight decay applied after the update. The
 * group's vectors (biases) get that same Adam, unprojected. A rank larger than min(m, n) is used as min(m, n) for
 * that matrix.
 *
 * <ul>
 *   <li>{@link #lrg}: the low-rank gradient method (our variant of the seed's idea): P is a seeded random Gaussian
 *       matrix made orthonormal by QR, no SVD. It does not depend on G, so the gradient is always formed in the
 *       fused form from the layer's input and output error and a full G never exists. By default the projector
 *       sits on the matrix's smaller side ({@link ProjectionSide#galoreDefault}, state min(m,n)·r + 2·max(m,n)·r
 *       floats) and the moments restart from zero at every refresh: the study's ablation found this pair better
 *       than side LEFT with kept moments on both of its models, and either change alone no better.
 *       {@code side(ProjectionSide.LEFT).resetMomentsOnRefresh(false)} asks for the earlier defaults (state
 *       m·r + 2·r·n floats).</li>
 *   <li>{@link #galore}: GaLore: P from the top-r singular vectors of G, by an exact SVD or, with
 *       {@link #randomizedSvd}, a randomized range finder. The refresh step needs the full G once (counted as
 *       workspace); other steps use the fused form. Side: {@link ProjectionSide#galoreDefault} unless set. State
 *       min(m,n)·r + 2·max(m,n)·r floats.</li>
 * </ul>
 */
public final class LowRankAdam extends LowRankFamily<LowRankAdam> {
  /** Where a projector comes from. */
  public enum Source {
    /** Seeded Gaussian, orthonormalized (LRG). */
    RANDOM,
    /** Top-r singular vectors by an exact SVD (GaLore). */
    SVD_EXACT,
    /** Top-r singular vectors by a randomized range finder (GaLore). */
    SVD_RANDOMIZED
  }

  private Source source;
  private int updateInterval = 200;
  private ProjectionSide side;
  private int oversample;
  private int powerIterations;
  private Accumulation accumulation = Accumulation.AUTO;

  /**
   * How a matrix accumulates its low-rank updates between two projector refreshes (see {@code docs/method.md §5}).
   * Both forms train the same model up to float rounding.
   */
  public enum Accumulation {
    /** Per matrix, whichever of the two forms the cost model of {@code LowRankSlot} finds cheaper. */
    AUTO,
    /** Every step writes its update into W: W ← W − η·α·P·N, 2·m·n·r multiply-adds per step. */
    EAGER,
    /**
     * W is kept as c·W₀ + P·A (left side) or c·W₀ + B·Q (right side): a step updates only the r-row factor, and
     * forward and backward add its term; merged into W₀ at refreshes and whenever the weights are read.
     */
    FACTORED
  }
  private boolean resetMomentsOnRefresh;

  private LowRankAdam(float lr, int rank, Source source, ProjectionSide side) {
    super(lr, 1e-6f, 0f, AdamConvention.GALORE, rank, 0.25f);
    this.source = source;
    this.side = side;
  }

  /** LRG-Adam: random orthonormal projector on each matrix's smaller side, moments reset at every refresh. */
  public static LowRankAdam lrg(float lr, int rank) {
    LowRankAdam lrg = new LowRankAdam(lr, rank, Source.RANDOM, null);
    lrg.resetMomentsOnRefresh = true;
    return lrg;
  }

  /** GaLore-Adam: exact-SVD projector, GaLore's side rule. */
  public static LowRankAdam galore(float lr, int rank) {
    return new LowRankAdam(lr, rank, Source.SVD_EXACT, null);
  }

  /** T: the projector is recomputed when the completed-step count is a multiple of T. */
  public LowRankAdam updateInterval(int updateInterval) {
    checkMutable();
    Checks.positive("updateInterval", updateInterval);
    this.updateInterval = updateInterval;
    return this;
  }

  /** Projects every matrix of the group on this side (instead of the method's default). */
  public LowRankAdam side(ProjectionSide side) {
    checkMutable();
    Checks.notNull("side", side);
    this.side = side;
    return this;
  }

  /**
   * Projects every matrix on its smaller side, GaLore's rule ({@link ProjectionSide#galoreDefault}), instead of a
   * fixed side: the projector is then min(m, n)·r floats, never the size of the matrix. The default of both methods;
   * this undoes an earlier {@link #side}.
   */
  public LowRankAdam sideBySize() {
    checkMutable();
    this.side = null;
    return this;
  }

  /**
   * Whether Adam's moments start again from zero (with a fresh bias correction) whenever the projector is renewed.
   * LRG resets them by default: a new random basis shares nothing with the old one, so moments measured in the old
   * coordinates point in unrelated directions after a refresh. GaLore keeps them by default, as its authors do.
   */
  public LowRankAdam resetMomentsOnRefresh(boolean reset) {
    checkMutable();
    this.resetMomentsOnRefresh = reset;
    return this;
  }

  boolean resetMomentsOnRefresh() {
    return resetMomentsOnRefresh;
  }

  /** GaLore with a randomized range finder: r + oversample probes and that many power iterations. */
  public LowRankAdam randomizedSvd(int oversample, int powerIterations) {
    checkMutable();
    if (source == Source.RANDOM) {
      throw new IllegalStateException("randomizedSvd applies to GaLore; LRG's projector is random and needs no SVD");
    }
    Checks.nonNegative("oversample", oversample);
    Checks.nonNegative("powerIterations", powerIterations);
    this.source = Source.SVD_RANDOMIZED;
    this.oversample = oversample;
    this.powerIterations = powerIterations;
    return this;
  }

  /**
   * Forces the eager or the factored accumulation for every matrix of the group; {@link Accumulation#AUTO} (the
   * default) lets a cost model pick per matrix from its shape, the rank, the maximum batch and the update interval.
   */
  public LowRankAdam accumulation(Accumulation accumulation) {
    checkMutable();
    Checks.notNull("accumulation", accumulation);
    this.accumulation = accumulation;
    return this;
  }

  Accumulation accumulation() {
    return accumulation;
  }

  Source source() {
    return source;
  }

  int updateInterval() {
    return updateInterval;
  }

  int oversample() {
    return oversample;
  }

  int powerIterations() {
    return powerIterations;
  }

  /** The side for an m×n matrix. */
  ProjectionSide sideFor(int m, int n) {
    return side != null ? side : ProjectionSide.galoreDefault(m, n);
  }

  @Override
  public String name() {
    return source == Source.RANDOM ? "LRG-Adam" : "GaLore-Adam";
  }

  @Override
  Slot matrixSlot(Parameter matrix, int rank) {
    return new LowRankSlot(matrix, this, rank);
  }

  @Override
  String methodSettings() {
    return ", rank=" + rank() + ", updateInterval=" + updateInterval + ", scale=" + scale() + ", side="
        + (side != null ? side : "GaLore's rule") + ", projector=" + source
        + ", resetMomentsOnRefresh=" + resetMomentsOnRefresh
        + (source == Source.SVD_RANDOMIZED ? "(oversample=" + oversample + ", powerIterations=" + powerIterations
        + ")" : "") + (accumulation != Accumulation.AUTO ? ", accumulation=" + accumulation : "");
  }
}
