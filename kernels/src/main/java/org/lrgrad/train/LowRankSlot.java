package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/** LRG-Adam or GaLore-Adam on one m×n matrix (see {@link LowRankAdam}). */
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
    workspace.require(Kernels.projectLinearGradientWorkspace(maxRows, rank));
    workspace.require(refreshWorkspace(k));
  }

  private int refreshWorkspace(Kernels k) {
    switch (config.source()) {
      case RANDOM:
        return side == ProjectionSide.LEFT ? k.orthonormalizeWorkspace(m, rank)
            : Math.addExact(Math.multiplyExact(n, rank), k.orthonormalizeWorkspace(n, rank));
      case SVD_EXACT:
        return Math.addExact(Math.multiplyExact(m, n), k.topSubspaceExactWorkspace(side, m, n, rank));
      default:
        return Math.addExact(Math.multiplyExact(m, n),
            k.topSubspaceRandomizedWorkspace(side, m, n, rank, config.oversample()));
    }
  }

  @Override
  void initialize(long seed) {
    this.seed = seed;
  }

  @Override
  void gradient(Kernels k, int rows, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    refreshSkipped = false;
    float[] work = workspace.array();
    if (completed % config.updateInterval() == 0) {
      long refreshIndex = completed / config.updateInterval();
      if (config.source() == LowRankAdam.Source.RANDOM) {
        refreshRandom(k, refreshIndex, work);
      } else {
        refreshFromGradient(k, refreshIndex, rows, x, xOff, ldx, dy, dyOff, lddy, work);
        return;
      }
    }
    k.projectLinearGradient(side, rows, m, n, rank, x, xOff, ldx, dy, dyOff, lddy, projector, 0, ldProjector,
        lowGrad, 0, ldLow, work, 0);
  }

  /** LRG: a Gaussian matrix from stream {@code refreshIndex}, orthonormalized. */
  private void refreshRandom(Kernels k, long refreshIndex, float[] work) {
    Seeds.reseed(rng, seed, refreshIndex);
    if (side == ProjectionSide.LEFT) {
      rng.fillGaussian(projector, 0, m * rank, 1f);
      k.orthonormalize(m, rank, projector, 0, rank, work, 0);
    } else {
      // Q (r×n) has orthonormal rows: orthonormalize the columns of Qᵀ (n×r) in the workspace, then transpose.
      int nr = n * rank;
      rng.fillGaussian(work, 0, nr, 1f);
      k.orthonormalize(n, rank, work, 0, rank, work, nr);
      for (int i = 0; i < rank; i++) {
        for (int j = 0; j < n; j++) {
          projector[i * n + j] = work[j * rank + i];
        }
      }
    }
  }

  /** GaLore: the full G in the workspace, its top-r subspace, then R from G. */
  private void refreshFromGradient(Kernels k, long refreshIndex, int rows, float[] x, int xOff, int ldx,
      float[] dy, int dyOff, int lddy, float[] work) {
    int mn = m * n;
    k.sgemm(true, false, m, n, rows, 1f, dy, dyOff, lddy, x, xOff, ldx, 0f, work, 0, n);
    if (!Finite.all(work, 0, mn)) {
      refreshSkipped = true; // an SVD of a non-finite G would replace a good projector with garbage
      return;
    }
    if (config.source() == LowRankAdam.Source.SVD_EXACT) {
      k.topSubspaceExact(side, m, n, rank, work, 0, n, projector, 0, ldProjector, work, mn);
    } else {
      k.topSubspaceRandomized(side, m, n, rank, config.oversample(), config.powerIterations(),
          Seeds.derive(rng, seed, refreshIndex), work, 0, n, projector, 0, ldProjector, work, mn);
    }
    k.project(side, m, n, rank, projector, 0, ldProjector, work, 0, n, lowGrad, 0, ldLow);
  }

  @Override
  boolean gradientFinite() {
    return !refreshSkipped && Finite.all(lowGrad, 0, lowGrad.length);
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float lr = config.lr();
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
    float[] w = param.data();
    k.projectBackAccumulate(side, m, n, rank, -lr * config.scale(), projector, 0, ldProjector, lowGrad, 0, ldLow,
        w, 0, n);
    float weightDecay = config.weightDecay();
    if (weightDecay != 0f) {
      // GaLore's AdamW: decoupled decay after the update, with the uncorrected learning rate.
      for (int i = 0; i < w.length; i++) {
        w[i] -= lr * weightDecay * w[i];
      }
    }
    completed = step;
  }

  @Override
  void visitState(StateVisitor visitor) {
    visitor.buffer(param.name() + ".projector", MemoryTag.PROJECTORS, projector);
    visitor.buffer(param.name() + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    visitor.buffer(param.name() + ".exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSq);
    visitStep(visitor);
  }

  @Override
  void visitGradients(StateVisitor visitor) {
    visitor.buffer(param.name() + ".lowrank_grad", MemoryTag.GRADIENTS, lowGrad);
  }
}
