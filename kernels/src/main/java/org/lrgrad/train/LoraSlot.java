package org.lrgrad.train;

import java.util.Arrays;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.LowRankOps;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/** A LoRA adapter on one frozen m×n matrix (see {@link LoraAdam}). */
final class LoraSlot extends Slot {
  private final LoraAdam config;
  private final int m;
  private final int n;
  private final int rank;
  private final SeededRandom rng = new SeededRandom(0);
  private float[] factorA;
  private float[] factorB;
  private float[] gradA;
  private float[] gradB;
  private float[] expAvgA;
  private float[] expAvgSqA;
  private float[] expAvgB;
  private float[] expAvgSqB;
  private SharedWorkspace workspace;
  private long seed;
  /** Merges so far: the adapter after merge k starts from stream k of this slot's seed. */
  private int merges;

  LoraSlot(Parameter param, LoraAdam config, int rank) {
    super(param);
    this.config = config;
    this.m = param.rows();
    this.n = param.cols();
    this.rank = rank;
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {
    String name = param.name();
    int sizeA = rank * n;
    int sizeB = m * rank;
    factorA = allocator.floats(MemoryTag.WEIGHTS, name + ".lora_A", sizeA);
    factorB = allocator.floats(MemoryTag.WEIGHTS, name + ".lora_B", sizeB);
    gradA = allocator.floats(MemoryTag.GRADIENTS, name + ".lora_A.grad", sizeA);
    gradB = allocator.floats(MemoryTag.GRADIENTS, name + ".lora_B.grad", sizeB);
    expAvgA = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".lora_A.exp_avg", sizeA);
    expAvgSqA = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".lora_A.exp_avg_sq", sizeA);
    expAvgB = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".lora_B.exp_avg", sizeB);
    expAvgSqB = allocator.floats(MemoryTag.OPTIMIZER_STATE, name + ".lora_B.exp_avg_sq", sizeB);
    this.workspace = workspace;
    int maxRows = Math.multiplyExact(maxBatch, param.rowsPerSample());
    // The forward and backward keep an n_rows×r product there; loraGradients needs as much.
    workspace.require(LowRankOps.loraGradientsWorkspace(maxRows, rank));
  }

  @Override
  void initialize(long seed) {
    this.seed = seed;
    restartAdapter();
  }

  /** B = 0, A Gaussian from stream {@code merges}, moments 0, step 0: the adapter as LoRA starts it. */
  private void restartAdapter() {
    Seeds.reseed(rng, seed, merges);
    rng.fillGaussian(factorA, 0, factorA.length, (float) (1.0 / Math.sqrt(n)));
    Arrays.fill(factorB, 0f);
    Arrays.fill(expAvgA, 0f);
    Arrays.fill(expAvgSqA, 0f);
    Arrays.fill(expAvgB, 0f);
    Arrays.fill(expAvgSqB, 0f);
    completed = 0;
  }

  @Override
  void forward(Kernels k, int rows, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean accumulate) {
    super.forward(k, rows, x, xOff, ldx, y, yOff, ldy, accumulate);
    float[] t = workspace.array();
    // y += s·(x·Aᵀ)·Bᵀ, as PEFT computes it: W0 + s·B·A is never formed.
    k.sgemm(false, true, rows, rank, n, 1f, x, xOff, ldx, factorA, 0, n, 0f, t, 0, rank);
    k.sgemm(false, true, rows, m, rank, config.scale(), t, 0, rank, factorB, 0, rank, 1f, y, yOff, ldy);
  }

  @Override
  void backwardInput(Kernels k, int rows, float[] dy, int dyOff, int lddy, float[] dx, int dxOff, int lddx) {
    super.backwardInput(k, rows, dy, dyOff, lddy, dx, dxOff, lddx);
    float[] u = workspace.array();
    // dx += s·(dY·B)·A
    k.sgemm(false, false, rows, rank, m, 1f, dy, dyOff, lddy, factorB, 0, rank, 0f, u, 0, rank);
    k.sgemm(false, false, rows, n, rank, config.scale(), u, 0, rank, factorA, 0, n, 1f, dx, dxOff, lddx);
  }

  @Override
  void gradient(Kernels k, int rows, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    LowRankOps.loraGradients(k, rows, m, n, rank, config.scale(), x, xOff, ldx, dy, dyOff, lddy, factorA, 0, n, factorB,
        0, rank, gradA, 0, n, gradB, 0, rank, workspace.array(), 0);
  }

  @Override
  boolean gradientFinite(Kernels k) {
    return k.allFinite(gradA.length, gradA, 0) && k.allFinite(gradB.length, gradB, 0);
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float lr = config.lr() * learningRateFactor;
    config.adamStep(k, step, lr, factorA, gradA, expAvgA, expAvgSqA);
    config.adamStep(k, step, lr, factorB, gradB, expAvgB, expAvgSqB);
    completed = step;
  }

  /** W0 + s·B·A, the same sum {@link #merge} forms, without changing the adapter. */
  @Override
  void effectiveWeights(Kernels k, float[] dst, int off) {
    super.effectiveWeights(k, dst, off);
    k.sgemm(false, false, m, n, rank, config.scale(), factorB, 0, rank, factorA, 0, n, 1f, dst, off, n);
  }

  /** W0 ← W0 + s·B·A, then the adapter restarts (so the layer's outputs do not change). */
  void merge(Kernels k) {
    k.sgemm(false, false, m, n, rank, config.scale(), factorB, 0, rank, factorA, 0, n, 1f, param.data(), 0, n);
    merges++;
    restartAdapter();
  }

  @Override
  void visitState(StateVisitor visitor) {
    String name = param.name();
    visitor.buffer(name + ".lora_A", MemoryTag.WEIGHTS, factorA);
    visitor.buffer(name + ".lora_B", MemoryTag.WEIGHTS, factorB);
    visitor.buffer(name + ".lora_A.exp_avg", MemoryTag.OPTIMIZER_STATE, expAvgA);
    visitor.buffer(name + ".lora_A.exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSqA);
    visitor.buffer(name + ".lora_B.exp_avg", MemoryTag.OPTIMIZER_STATE, expAvgB);
    visitor.buffer(name + ".lora_B.exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSqB);
    visitStep(visitor);
    merges = counterValue(visitor, name + ".lora_merges", merges);
  }

  @Override
  void visitGradients(StateVisitor visitor) {
    visitor.buffer(param.name() + ".lora_A.grad", MemoryTag.GRADIENTS, gradA);
    visitor.buffer(param.name() + ".lora_B.grad", MemoryTag.GRADIENTS, gradB);
  }
}
