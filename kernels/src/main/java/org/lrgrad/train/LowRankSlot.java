package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.LowRankOps;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.kernels.linalg.Transpose;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * LRG-Adam or GaLore-Adam on one m×n matrix (see {@link LowRankAdam}), in one of two accumulation forms.
 *
 * <p><b>Eager:</b> every step writes its update into W: W ← W − η·α·P·N (left side; N·Q on the right), 2·m·n·r
 * multiply-add FLOPs per step, then decoupled decay over all m·n weights.
 *
 * <p><b>Factored</b> ({@code docs/method.md §5}): between two refreshes every update lies in the projector's
 * subspace, so W is kept as c·W₀ + P·A (left; A r×n) or c·W₀ + B·Q (right; B m×r), W₀ being the parameter's own
 * array. A step updates only the factor (F += −η·α·N, then c and F decay by (1 − η·λ): GaLore's order). The layer
 * adds the factor's term where it uses W, for a batch of b rows: forward y = c·x·W₀ᵀ + (x·Aᵀ)·Pᵀ, input gradient
 * dX = c·dY·W₀ + (dY·P)·A, where dY·P is the product the projected gradient (dY·P)ᵀ·X has just formed (kept and
 * reused when the input gradient follows on the same rows, as in a linear layer); on the right, x·Qᵀ from the
 * forward is kept likewise for the projected gradient R = dYᵀ·(x·Qᵀ). The full G is never formed. W₀
 * absorbs the factor (W₀ ← c·W₀ + P·A, A ← 0, c ← 1: 2·m·n·r FLOPs) after the step that precedes a refresh (a new
 * projector needs W in the old one's basis merged first), and whenever a caller reads the weights through
 * {@link Parameter#data()} or {@link Trainer#mergeFactoredUpdates()}.
 *
 * <p><b>Cost model</b> (FLOPs per step beyond what both forms share: the product with W₀ forward and backward and
 * the projected gradient), with rows = maxBatch × rows per sample:
 * <ul>
 *   <li>eager: 2·m·n·r (back-projection);</li>
 *   <li>factored: at most 4·rows·r·(m+n) (forward 2·rows·r·(m+n), input gradient 2·rows·r·n, or 2·rows·r·(m+n)
 *       when dY·P cannot be reused), plus the merge amortized over the update interval T, 2·m·n·r / T.</li>
 * </ul>
 * {@link LowRankAdam.Accumulation#AUTO} takes the factored form when its bound is below the eager cost, that is
 * when the rows are few against m·n/(m+n): at batch 32, rank 64 and T = 200 a 1024×1024 layer costs 134 MFLOP eager
 * and at most 17.4 MFLOP factored; the MLP's 10×1024 output layer (rank 10) and the LSTM's gates (28 time steps of
 * rows) stay eager. The factor costs r·n (left) or m·r (right) floats, counted as weights in the ledger with c.
 *
 * <p><b>Checkpoints:</b> the state holds W₀, the factor and c as they are, so saving never changes a bit of
 * training and a resumed run equals the uninterrupted one bit for bit. Since the factor exists only in the
 * factored form, the form is part of the trainer's configuration, and a checkpoint is restored only into a trainer
 * that uses the same form.
 */
final class LowRankSlot extends Slot {
  private final LowRankAdam config;
  private final ProjectionSide side;
  private final int m;
  private final int n;
  private final int rank;
  private final int ldProjector;
  private final int ldLow;
  private final SeededRandom rng = new SeededRandom(0);
  private float[] projector;
  private float[] lowGrad;
  private float[] expAvg;
  private float[] expAvgSq;
  private SharedWorkspace workspace;
  private long seed;
  /** The full gradient of this step's refresh was not finite: no projector was computed from it. */
  private boolean refreshSkipped;
  // --- the factored form (null / unused in the eager form)
  private boolean factored;
  private Kernels kernels;
  /** A (LEFT, r×n) or B (RIGHT, m×r): the updates since the last merge, in the low-rank gradient's shape. */
  private float[] factor;
  /** c, the decay of W₀ since the last merge, in a one-float buffer so that the ledger and the state see it. */
  private float[] weightScale;
  /** Whether the factor or c changed since the last merge (a merge of an empty factor would still round W₀). */
  private boolean pending;
  /** rows×r products of this slot's factored terms: x·Aᵀ / x·Qᵀ forward, dY·P / dY·B backward. */
  private float[] rankRows;
  /** The dY whose dY·P {@link #rankRows} holds after {@link #gradient}, for the input gradient to reuse. */
  private float[] projectedDy;
  private int projectedDyOff;
  private int projectedDyLd;
  private int projectedRows;
  /**
   * The x whose x·Qᵀ {@link #rankRows} holds after a right-side {@link #forward}, for the projected gradient
   * R = dYᵀ·(x·Qᵀ) to reuse; null once anything else has written rankRows or Q has changed.
   */
  private float[] forwardX;
  private int forwardXOff;
  private int forwardXLd;
  private int forwardRows;

  LowRankSlot(Parameter param, LowRankAdam config, int rank) {
    super(param);
    this.config = config;
    this.m = param.rows();
    this.n = param.cols();
    this.rank = rank;
    this.side = config.sideFor(m, n);
    this.ldProjector = side.projectorCols(m, n, rank);
    this.ldLow = side.lowRankCols(m, n, rank);
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {
    String name = param.name();
    int projectorSize = side.projectorRows(m, n, rank) * ldProjector;
    int lowSize = side.lowRankRows(m, n, rank) * ldLow;
    projector = allocator.floats(MemoryTag.PROJECTORS, name + ".projector", projectorSize);
    lowGrad = allocator.floats(MemoryTag.GRADIENTS, name + ".lowrank_grad", lowSize);
    expAvg = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg", lowSize);
    expAvgSq = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_sq", lowSize);
    this.workspace = workspace;
    int maxRows = Math.multiplyExact(maxBatch, param.rowsPerSample());
    workspace.require(LowRankOps.projectLinearGradientWorkspace(maxRows, rank));
    workspace.require(refreshWorkspace());
    factored = chooseFactored(maxRows);
    if (factored) {
      kernels = k;
      factor = allocator.floats(MemoryTag.WEIGHTS, name + ".update_factor", lowSize);
      weightScale = allocator.floats(MemoryTag.WEIGHTS, name + ".weight_scale", 1);
      rankRows = allocator.floats(MemoryTag.WORKSPACE, name + ".factored_rows", Math.multiplyExact(maxRows, rank));
    }
  }

  /** The cost model of the class comment, or the group's forced choice. */
  private boolean chooseFactored(int maxRows) {
    switch (config.accumulation()) {
      case FACTORED:
        return true;
      case EAGER:
        return false;
      default:
        double eager = 2.0 * m * n * rank;
        double factoredBound = 4.0 * maxRows * rank * ((double) m + n) + eager / config.updateInterval();
        return factoredBound < eager;
    }
  }

  /** The accumulation form as the trainer's configuration names it, or "" for the eager form. */
  @Override
  String formSettings() {
    return factored ? ", factored accumulation" : "";
  }

  private int refreshWorkspace() {
    switch (config.source()) {
      case RANDOM:
        // The Gaussian matrix's transpose (left) or the Gaussian matrix itself (right), then the QR's scratch.
        int length = side == ProjectionSide.LEFT ? m : n;
        return Math.addExact(Math.multiplyExact(length, rank), LowRankOps.orthonormalizeRowsWorkspace(length, rank));
      case SVD_EXACT:
        return Math.addExact(Math.multiplyExact(m, n), LowRankOps.topSubspaceExactWorkspace(side, m, n, rank));
      default:
        return Math.addExact(Math.multiplyExact(m, n),
            LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, rank, config.oversample()));
    }
  }

  @Override
  void initialize(long seed) {
    this.seed = seed;
    if (factored) {
      weightScale[0] = 1f;
    }
  }

  @Override
  void forward(Kernels k, int n, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean accumulate) {
    if (!factored) {
      super.forward(k, n, x, xOff, ldx, y, yOff, ldy, accumulate);
      return;
    }
    projectedDy = null; // a new pass: whatever rankRows holds is not this pass's dY·P
    forwardX = null;
    int cols = this.n;
    k.sgemm(false, true, n, m, cols, weightScale[0], x, xOff, ldx, param.values(), 0, cols, accumulate ? 1f : 0f,
        y, yOff, ldy);
    if (!pending) {
      return;
    }
    if (side == ProjectionSide.LEFT) {
      // y += (x·Aᵀ)·Pᵀ
      k.sgemm(false, true, n, rank, cols, 1f, x, xOff, ldx, factor, 0, ldLow, 0f, rankRows, 0, rank);
      k.sgemm(false, true, n, m, rank, 1f, rankRows, 0, rank, projector, 0, ldProjector, 1f, y, yOff, ldy);
    } else {
      // y += (x·Qᵀ)·Bᵀ
      k.sgemm(false, true, n, rank, cols, 1f, x, xOff, ldx, projector, 0, ldProjector, 0f, rankRows, 0, rank);
      k.sgemm(false, true, n, m, rank, 1f, rankRows, 0, rank, factor, 0, ldLow, 1f, y, yOff, ldy);
      forwardX = x;
      forwardXOff = xOff;
      forwardXLd = ldx;
      forwardRows = n;
    }
  }

  @Override
  void backwardInput(Kernels k, int n, float[] dy, int dyOff, int lddy, float[] dx, int dxOff, int lddx) {
    if (!factored) {
      super.backwardInput(k, n, dy, dyOff, lddy, dx, dxOff, lddx);
      return;
    }
    int cols = this.n;
    k.sgemm(false, false, n, cols, m, weightScale[0], dy, dyOff, lddy, param.values(), 0, cols, 0f, dx, dxOff,
        lddx);
    if (!pending) {
      return;
    }
    if (side == ProjectionSide.LEFT) {
      // dX += (dY·P)·A, with dY·P from the projected gradient when it was formed from these very rows
      if (projectedDy != dy || projectedDyOff != dyOff || projectedDyLd != lddy || projectedRows != n) {
        k.sgemm(false, false, n, rank, m, 1f, dy, dyOff, lddy, projector, 0, ldProjector, 0f, rankRows, 0, rank);
      }
      k.sgemm(false, false, n, cols, rank, 1f, rankRows, 0, rank, factor, 0, ldLow, 1f, dx, dxOff, lddx);
    } else {
      // dX += (dY·B)·Q
      k.sgemm(false, false, n, rank, m, 1f, dy, dyOff, lddy, factor, 0, ldLow, 0f, rankRows, 0, rank);
      k.sgemm(false, false, n, cols, rank, 1f, rankRows, 0, rank, projector, 0, ldProjector, 1f, dx, dxOff, lddx);
    }
    projectedDy = null;
    forwardX = null;
  }

  /**
   * Folds the factor into W₀ (W₀ ← c·W₀ + P·A or c·W₀ + B·Q, then A ← 0, c ← 1); nothing when nothing is pending,
   * so that merging twice changes no bit.
   */
  @Override
  void materialize() {
    if (!pending) {
      return;
    }
    float[] w = param.values();
    float c = weightScale[0];
    if (c != 1f) {
      for (int i = 0; i < w.length; i++) {
        w[i] *= c;
      }
    }
    LowRankOps.projectBackAccumulate(kernels, side, m, n, rank, 1f, projector, 0, ldProjector, factor, 0, ldLow, w,
        0, n);
    java.util.Arrays.fill(factor, 0f);
    weightScale[0] = 1f;
    pending = false;
    projectedDy = null;
    forwardX = null;
  }

  @Override
  void gradient(Kernels k, int rows, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    refreshSkipped = false;
    float[] work = workspace.array();
    projectedDy = null;
    // x·Qᵀ from this pass's forward, if it was formed from these very rows with this Q (a refresh draws a new Q).
    boolean forwardRowsKept = forwardX == x && forwardXOff == xOff && forwardXLd == ldx && forwardRows == rows;
    forwardX = null;
    if (completed % config.updateInterval() == 0) {
      forwardRowsKept = false;
      // The step before a refresh merged already (see apply); this only matters for a state set from outside.
      materialize();
      long refreshIndex = completed / config.updateInterval();
      if (config.source() == LowRankAdam.Source.RANDOM) {
        refreshRandom(k, refreshIndex, work);
      } else {
        refreshFromGradient(k, refreshIndex, rows, x, xOff, ldx, dy, dyOff, lddy, work);
        return;
      }
    }
    if (factored && side == ProjectionSide.LEFT) {
      // The contract's two products, with dY·P kept in rankRows for the input gradient: R = (dY·P)ᵀ·X.
      k.sgemm(false, false, rows, rank, m, 1f, dy, dyOff, lddy, projector, 0, ldProjector, 0f, rankRows, 0, rank);
      k.sgemm(true, false, rank, n, rows, 1f, rankRows, 0, rank, x, xOff, ldx, 0f, lowGrad, 0, ldLow);
      projectedDy = dy;
      projectedDyOff = dyOff;
      projectedDyLd = lddy;
      projectedRows = rows;
      return;
    }
    if (forwardRowsKept) {
      // R = dYᵀ·(x·Qᵀ): the second of projectLinearGradient's two products (the same call, so the same bits), the
      // first being the forward's.
      k.sgemm(true, false, m, rank, rows, 1f, dy, dyOff, lddy, rankRows, 0, rank, 0f, lowGrad, 0, ldLow);
      return;
    }
    LowRankOps.projectLinearGradient(k, side, rows, m, n, rank, x, xOff, ldx, dy, dyOff, lddy, projector, 0,
        ldProjector,
        lowGrad, 0, ldLow, work, 0);
  }

  /**
   * LRG: a Gaussian matrix from stream {@code refreshIndex}, orthonormalized: P (m×r) on the left, Qᵀ (n×r) on the
   * right, drawn in that row-major order. Its r columns are orthonormalized as the rows of its transpose (r×length,
   * contiguous rows: {@link LowRankOps#orthonormalizeRows}, CholeskyQR2 on the kernels' sgemm, on {@code vector}
   * 6× faster than Householder along the r-wide rows of P or Qᵀ at 1024×64), which on the right is Q itself.
   */
  private void refreshRandom(Kernels k, long refreshIndex, float[] work) {
    Seeds.reseed(rng, seed, refreshIndex);
    if (side == ProjectionSide.LEFT) {
      int mr = m * rank;
      rng.fillGaussian(projector, 0, mr, 1f);
      Transpose.copy(m, rank, projector, 0, rank, work, 0);
      LowRankOps.orthonormalizeRows(k, rank, m, work, 0, m, work, mr);
      Transpose.copy(rank, m, work, 0, m, projector, 0);
    } else {
      rng.fillGaussian(work, 0, n * rank, 1f);
      Transpose.copy(n, rank, work, 0, rank, projector, 0);
      LowRankOps.orthonormalizeRows(k, rank, n, projector, 0, ldProjector, work, 0);
    }
  }

  /** GaLore: the full G in the workspace, its top-r subspace, then R from G. */
  private void refreshFromGradient(Kernels k, long refreshIndex, int rows, float[] x, int xOff, int ldx,
      float[] dy, int dyOff, int lddy, float[] work) {
    int mn = m * n;
    k.sgemm(true, false, m, n, rows, 1f, dy, dyOff, lddy, x, xOff, ldx, 0f, work, 0, n);
    if (!k.allFinite(mn, work, 0)) {
      refreshSkipped = true; // an SVD of a non-finite G would replace a good projector with garbage
      return;
    }
    if (config.source() == LowRankAdam.Source.SVD_EXACT) {
      LowRankOps.topSubspaceExact(k, side, m, n, rank, work, 0, n, projector, 0, ldProjector, work, mn);
    } else {
      LowRankOps.topSubspaceRandomized(k, side, m, n, rank, config.oversample(), config.powerIterations(),
          Seeds.derive(rng, seed, refreshIndex), work, 0, n, projector, 0, ldProjector, work, mn);
    }
    LowRankOps.project(k, side, m, n, rank, projector, 0, ldProjector, work, 0, n, lowGrad, 0, ldLow);
  }

  @Override
  boolean gradientFinite(Kernels k) {
    return !refreshSkipped && k.allFinite(lowGrad.length, lowGrad, 0);
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float lr = config.lr() * learningRateFactor;
    int adamStep = step;
    if (config.resetMomentsOnRefresh()) {
      // Moments restart at each refresh, and so does the bias correction: Adam counts steps since the refresh.
      int sinceRefresh = completed % config.updateInterval();
      if (sinceRefresh == 0) {
        java.util.Arrays.fill(expAvg, 0f);
        java.util.Arrays.fill(expAvgSq, 0f);
      }
      adamStep = sinceRefresh + 1;
    }
    // N overwrites R: the low-rank gradient is not needed after Adam has read it.
    k.adamDirection(lowGrad.length, adamStep, config.beta1(), config.beta2(), config.eps(), AdamConvention.GALORE,
        lowGrad, 0, expAvg, 0, expAvgSq, 0, lowGrad, 0);
    float weightDecay = config.weightDecay();
    if (factored) {
      applyFactored(lr, weightDecay);
    } else {
      float[] w = param.values();
      LowRankOps.projectBackAccumulate(k, side, m, n, rank, -lr * config.scale(), projector, 0, ldProjector, lowGrad, 0,
          ldLow, w, 0, n);
      if (weightDecay != 0f) {
        // GaLore's AdamW: decoupled decay after the update, with the uncorrected learning rate.
        for (int i = 0; i < w.length; i++) {
          w[i] -= lr * weightDecay * w[i];
        }
      }
    }
    completed = step;
    if (factored && completed % config.updateInterval() == 0) {
      // The next step refreshes the projector: W must be whole before the factor's basis changes. Merging here,
      // in a step that is applied, keeps a skipped step at the refresh from moving W₀.
      materialize();
    }
  }

  /** F += −η·α·N, then the decoupled decay on c and F together (the same order as the eager form). */
  private void applyFactored(float lr, float weightDecay) {
    float alpha = -lr * config.scale();
    for (int i = 0; i < factor.length; i++) {
      factor[i] += alpha * lowGrad[i];
    }
    if (weightDecay != 0f) {
      float c = weightScale[0];
      weightScale[0] = c - lr * weightDecay * c;
      for (int i = 0; i < factor.length; i++) {
        factor[i] -= lr * weightDecay * factor[i];
      }
    }
    pending = true;
  }

  @Override
  void visitState(StateVisitor visitor) {
    visitor.buffer(param.name() + ".projector", MemoryTag.PROJECTORS, projector);
    visitor.buffer(param.name() + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    visitor.buffer(param.name() + ".exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSq);
    if (factored) {
      visitor.buffer(param.name() + ".update_factor", MemoryTag.WEIGHTS, factor);
      visitor.buffer(param.name() + ".weight_scale", MemoryTag.WEIGHTS, weightScale);
      // A restored factor may be anything: treat it as pending (merging a zero factor would round W₀).
      pending = weightScale[0] != 1f || !allZero(factor);
      projectedDy = null;
    }
    visitStep(visitor);
  }

  private static boolean allZero(float[] a) {
    for (float v : a) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }

  @Override
  void visitGradients(StateVisitor visitor) {
    visitor.buffer(param.name() + ".lowrank_grad", MemoryTag.GRADIENTS, lowGrad);
  }
}
