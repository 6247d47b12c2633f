package org.lrgrad.train;

import org.lrgrad.kernels.AdafactorLoops;
import org.lrgrad.kernels.AdamBiasCorrection;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * {@link Apollo} on one m×n matrix. The full gradient G is kept (the update scales it); the projection is cached in a
 * projector buffer between draws but is not part of the saved state: it is projection ⌊completed/interval⌋ of the
 * slot's seed, drawn again whenever the cached one is not that (after a restore, for instance). Side as the
 * reference's: P (m×r) on the left when m &lt; n, Q (r×n) on the right otherwise.
 */
final class ApolloSlot extends DenseSlot {
  private static final float NORM_EPS = 1e-8f;
  private static final float MAX_GROWTH = 1.01f;
  private final Apollo config;
  private final int m;
  private final int n;
  private final int rank;
  private final boolean left;
  private final int projectionSize;
  private final int lowSize;
  /** Rows of G when m ≥ n, columns otherwise: the channels of {@link Apollo.ScaleType#CHANNEL}. */
  private final int channels;
  private final RandomProjections projections;
  private float[] projection;
  /** Which projection {@link #projection} holds; −1: none yet (a restored slot has none until its next step). */
  private long projectionIndex = -1;
  private float[] expAvg;
  private float[] expAvgSq;
  /** The limiter's memory: the norm of the previous step's (limited) update. */
  private float[] previousNorm;
  private SharedWorkspace workspace;

  ApolloSlot(Parameter param, Apollo config, int rank) {
    super(param);
    this.config = config;
    this.m = param.rows();
    this.n = param.cols();
    this.rank = rank;
    this.left = m < n;
    this.projectionSize = rank * (left ? m : n);
    this.lowSize = rank * (left ? n : m);
    this.channels = left ? n : m;
    this.projections = new RandomProjections(rank);
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {
    super.declare(k, allocator, workspace, maxBatch);
    this.workspace = workspace;
    // The projected gradient (then Adam's direction in its place) and one norm per channel.
    workspace.require(lowSize + channels);
  }

  @Override
  void declareState(BufferAllocator allocator) {
    String name = param.name();
    projection = allocator.floats(MemoryTag.PROJECTORS, name + ".projection", projectionSize);
    expAvg = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg", lowSize);
    expAvgSq = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".exp_avg_sq", lowSize);
    previousNorm = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".previous_update_norm", 1);
  }

  @Override
  void initialize(long seed) {
    projections.seed(seed);
  }

  /** Test hook: the reference code's projections, by index, in this slot's orientation. */
  void useProjections(float[][] given) {
    projections.useGiven(given);
    projectionIndex = -1;
  }

  /** The projection in use (for tests: a restored run must draw the same one). */
  float[] projection() {
    return projection;
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    long index = completed / config.updateInterval();
    if (index != projectionIndex) {
      projections.draw(index, projection, 0, projectionSize);
      projectionIndex = index;
    }
    float[] work = workspace.array();
    int norms = lowSize;
    if (left) {
      k.sgemm(true, false, rank, n, m, 1f, projection, 0, rank, grad, 0, n, 0f, work, 0, n);
    } else {
      k.sgemm(false, true, m, rank, n, 1f, grad, 0, n, projection, 0, n, 0f, work, 0, rank);
    }
    boolean channelWise = config.scaleType() == Apollo.ScaleType.CHANNEL;
    double lowNorm = 0.0;
    if (channelWise) {
      channelNorms(work, norms);
    } else {
      lowNorm = norm(work, 0, lowSize);
    }
    float beta1 = config.beta1();
    float beta2 = config.beta2();
    // Adam's direction in GaLore's convention carries √bc2/bc1; APOLLO's scale is taken without it.
    k.adamDirection(lowSize, step, beta1, beta2, config.eps(), AdamConvention.GALORE, work, 0, expAvg, 0, expAvgSq,
        0, work, 0);
    double correction = AdamBiasCorrection.stepScale(AdamConvention.GALORE, 1f, beta1, beta2, step);
    double updateNorm;
    float tensorScale = 0f;
    if (channelWise) {
      channelScales(work, norms, correction);
      updateNorm = scaledNorm(work, norms);
    } else {
      tensorScale = (float) (norm(work, 0, lowSize) / correction / (lowNorm + NORM_EPS));
      updateNorm = tensorScale * norm(grad, 0, param.size());
    }
    float factor = config.scale();
    if (config.scaleFront()) {
      updateNorm *= factor;
    }
    float limiter = 1f;
    if (config.normGrowthLimiter()) {
      if (completed == 0) {
        previousNorm[0] = (float) updateNorm;
      } else {
        float ratio = (float) (updateNorm / (previousNorm[0] + NORM_EPS));
        limiter = Math.max(ratio, MAX_GROWTH) / MAX_GROWTH;
        previousNorm[0] = (float) (updateNorm / limiter);
      }
    }
    double lr = config.lr() * learningRateFactor;
    double stepSize = config.correctBias()
        ? lr * Math.sqrt(1.0 - Math.pow(beta2, step)) / (1.0 - Math.pow(beta1, step)) : lr;
    float alpha = (float) (stepSize * factor / limiter);
    if (channelWise) {
      updateByChannel(work, norms, alpha);
    } else {
      float tensorAlpha = alpha * tensorScale;
      float[] w = param.data();
      for (int i = 0; i < w.length; i++) {
        w[i] -= tensorAlpha * grad[i];
      }
    }
    float decay = (float) (lr * config.weightDecay());
    if (decay != 0f) {
      float[] w = param.data();
      for (int i = 0; i < w.length; i++) {
        w[i] -= decay * w[i];
      }
    }
    completed = step;
  }

  /** ‖R‖ of every channel into {@code work[norms ..]}. */
  private void channelNorms(float[] work, int norms) {
    for (int c = 0; c < channels; c++) {
      work[norms + c] = (float) channelNorm(work, c);
    }
  }

  /** The norm of channel c of the low-rank matrix in {@code low[0 ..]}: a row of m×r, or a column of r×n. */
  private double channelNorm(float[] low, int c) {
    double sum = 0.0;
    for (int i = 0; i < rank; i++) {
      float x = left ? low[i * n + c] : low[c * rank + i];
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  /** Replaces each channel's ‖R‖ by its scale ‖N‖/(‖R‖ + 1e-8), N being Adam's direction without correction. */
  private void channelScales(float[] work, int norms, double correction) {
    for (int c = 0; c < channels; c++) {
      double directionNorm = channelNorm(work, c) / correction;
      work[norms + c] = (float) (directionNorm / (work[norms + c] + NORM_EPS));
    }
  }

  /** ‖S‖ for S = s_c·G with the channel scales in {@code work[norms ..]}. */
  private double scaledNorm(float[] work, int norms) {
    double sum = 0.0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = (double) work[norms + (left ? j : i)] * grad[i * n + j];
        sum += s * s;
      }
    }
    return Math.sqrt(sum);
  }

  /** W ← W − alpha·s_c·G with the channel scales in {@code work[norms ..]}. */
  private void updateByChannel(float[] work, int norms, float alpha) {
    float[] w = param.data();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        w[i * n + j] -= alpha * work[norms + (left ? j : i)] * grad[i * n + j];
      }
    }
  }

  private static double norm(float[] x, int off, int len) {
    return Math.sqrt(AdafactorLoops.sumOfSquares(x, off, len));
  }

  @Override
  void visitState(StateVisitor visitor) {
    String name = param.name();
    visitor.buffer(name + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    visitor.buffer(name + ".exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSq);
    visitor.buffer(name + ".previous_update_norm", MemoryTag.OPTIMIZER_STATE, previousNorm);
    // No projection: the next step draws the one its step count calls for if the cache holds another.
    visitStep(visitor);
  }
}
