package org.lrgrad.train;

import org.lrgrad.kernels.AdafactorLoops;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * {@link Flora} on one parameter. The full gradient is kept (as Adafactor's is) and becomes the normalized update U
 * in place during {@link #apply}. With compressed momentum the projection in use during step k is number ⌊k/κ⌋ and
 * the one that reconstructs the momentum of step k − 1 is ⌊(k−1)/κ⌋, so both follow from the step count and only
 * the compressed momentum C is state. Orientation: L (r×m) and C = L·M (r×n) when m &lt; n; R (n×r) and C = M·R
 * (m×r) when m ≥ n, as the reference code keeps them.
 */
final class FloraSlot extends DenseSlot {
  private final Flora config;
  private final int m;
  private final int n;
  /** Rank of the compressed momentum; 0 when momentum (if any) is full. */
  private final int rank;
  private final boolean factored;
  /** Compressed on the left (L r×m) when m &lt; n, on the right (R n×r) otherwise. */
  private final boolean left;
  private final int projectionSize;
  private final int compressedSize;
  private final RandomProjections projections;
  private float[] row;
  private float[] col;
  private float[] expAvgSq;
  private float[] expAvg;
  private float[] compressed;
  private SharedWorkspace workspace;

  FloraSlot(Parameter param, Flora config, int rank) {
    super(param);
    this.config = config;
    this.m = param.rows();
    this.n = param.cols();
    this.rank = rank;
    this.factored = param.isMatrix() && config.factoredSecondMoment();
    this.left = m < n;
    this.projectionSize = rank * (left ? m : n);
    this.compressedSize = rank * (left ? n : m);
    this.projections = rank > 0 ? new RandomProjections(rank) : null;
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {
    super.declare(k, allocator, workspace, maxBatch);
    this.workspace = workspace;
    if (rank > 0) {
      // Old and new projection, the compressed gradient, and the r×r change of basis at a re-draw.
      workspace.require(2 * projectionSize + compressedSize + rank * rank);
    }
  }

  @Override
  void declareState(BufferAllocator allocator) {
    String name = param.name();
    if (factored) {
      row = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_sq_row", m);
      col = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_sq_col", n);
    } else {
      expAvgSq = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_sq", param.size());
    }
    if (rank > 0) {
      compressed = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_compressed", compressedSize);
    } else if (config.beta1() != 0f) {
      expAvg = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg", param.size());
    }
  }

  @Override
  void initialize(long seed) {
    if (projections != null) {
      projections.seed(seed);
    }
  }

  /** Test hook: the reference code's projections, by index, in this slot's orientation. */
  void useProjections(float[][] given) {
    projections.useGiven(given);
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float[] w = param.data();
    int len = w.length;
    float rel = config.stepSize(step) * learningRateFactor;
    float stepSize = config.scaleParameter() ? rel * Math.max(config.eps2(), AdafactorLoops.rms(w, 0, len)) : rel;
    float beta2t = config.beta2t(step);
    if (factored) {
      normalizeFactored(beta2t);
    } else {
      normalizeFull(beta2t);
    }
    if (rank > 0) {
      compressedMomentum(k, step);
    } else if (expAvg != null) {
      float beta1 = config.beta1();
      for (int i = 0; i < len; i++) {
        float u = (1f - beta1) * grad[i] + beta1 * expAvg[i];
        expAvg[i] = u;
        grad[i] = u;
      }
    }
    float scale = stepSize / Math.max(1f, AdafactorLoops.rms(grad, 0, len) / config.clipThreshold());
    float decay = config.weightDecay() * stepSize;
    for (int i = 0; i < len; i++) {
      float wi = w[i];
      if (decay != 0f) {
        wi -= decay * wi;
      }
      w[i] = wi - scale * grad[i];
    }
    completed = step;
  }

  /** Factored second moment: running means of g² + ε1 over rows and columns; U = g / √(row/mean(row)) / √col. */
  private void normalizeFactored(float beta2t) {
    float rowMean = AdafactorLoops.updateFactoredSecondMoment(m, n, config.eps1(), beta2t, grad, 0, row, 0, col, 0);
    for (int i = 0; i < m; i++) {
      float rowFactor = AdafactorLoops.rowFactor(row[i], rowMean);
      for (int j = 0; j < n; j++) {
        grad[i * n + j] = AdafactorLoops.normalized(grad[i * n + j], rowFactor, col[j]);
      }
    }
  }

  /** Full second moment: v ← β2ₖ·v + (1−β2ₖ)(g² + ε1); U = g / √v. */
  private void normalizeFull(float beta2t) {
    float eps1 = config.eps1();
    for (int i = 0; i < param.size(); i++) {
      float g = grad[i];
      float v = beta2t * expAvgSq[i] + (1f - beta2t) * (g * g + eps1);
      expAvgSq[i] = v;
      grad[i] = g / (float) Math.sqrt(v);
    }
  }

  /**
   * U ← (1−β1)·U + β1·up_old(C), then C ← β1·C' + (1−β1)·down_new(U) where C' is C carried over to the new
   * projection (C itself when the projection does not change). The carry-over goes through the r×r matrix
   * L_new·L_oldᵀ (or R_oldᵀ·R_new) rather than through an m×n reconstruction.
   */
  private void compressedMomentum(Kernels k, int step) {
    float beta1 = config.beta1();
    int kappa = config.kappa();
    long oldIndex = (step - 1) / kappa;
    long newIndex = step / kappa;
    boolean redraw = newIndex != oldIndex;
    float[] work = workspace.array();
    int oldOff = 0;
    int newOff = redraw ? projectionSize : 0;
    int downOff = 2 * projectionSize;
    int basisOff = downOff + compressedSize;
    projections.draw(oldIndex, work, oldOff, projectionSize);
    if (redraw) {
      projections.draw(newIndex, work, newOff, projectionSize);
    }
    // D = down_new(U): L·U (r×n) or U·R (m×r).
    if (left) {
      k.sgemm(false, false, rank, n, m, 1f, work, newOff, m, grad, 0, n, 0f, work, downOff, n);
      // U ← (1−β1)·U + β1·Lᵀ·C
      k.sgemm(true, false, m, n, rank, beta1, work, oldOff, m, compressed, 0, n, 1f - beta1, grad, 0, n);
    } else {
      k.sgemm(false, false, m, rank, n, 1f, grad, 0, n, work, newOff, rank, 0f, work, downOff, rank);
      // U ← (1−β1)·U + β1·C·Rᵀ
      k.sgemm(false, true, m, n, rank, beta1, compressed, 0, rank, work, oldOff, rank, 1f - beta1, grad, 0, n);
    }
    if (redraw) {
      // D ← β1·(C carried to the new projection) + (1−β1)·D, then C ← D.
      if (left) {
        k.sgemm(false, true, rank, rank, m, 1f, work, newOff, m, work, oldOff, m, 0f, work, basisOff, rank);
        k.sgemm(false, false, rank, n, rank, beta1, work, basisOff, rank, compressed, 0, n, 1f - beta1, work,
            downOff, n);
      } else {
        k.sgemm(true, false, rank, rank, n, 1f, work, oldOff, rank, work, newOff, rank, 0f, work, basisOff, rank);
        k.sgemm(false, false, m, rank, rank, beta1, compressed, 0, rank, work, basisOff, rank, 1f - beta1, work,
            downOff, rank);
      }
      System.arraycopy(work, downOff, compressed, 0, compressedSize);
    } else {
      for (int i = 0; i < compressedSize; i++) {
        compressed[i] = beta1 * compressed[i] + (1f - beta1) * work[downOff + i];
      }
    }
  }

  @Override
  void visitState(StateVisitor visitor) {
    String name = param.name();
    if (factored) {
      visitor.buffer(name + ".exp_avg_sq_row", MemoryTag.OPTIMIZER_STATE, row);
      visitor.buffer(name + ".exp_avg_sq_col", MemoryTag.OPTIMIZER_STATE, col);
    } else {
      visitor.buffer(name + ".exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSq);
    }
    if (compressed != null) {
      visitor.buffer(name + ".exp_avg_compressed", MemoryTag.OPTIMIZER_STATE, compressed);
    } else if (expAvg != null) {
      visitor.buffer(name + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    }
    visitStep(visitor);
  }
}
