package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/** Adafactor on one parameter through {@link Kernels#adafactorStep}; a vector is a 1×n matrix. */
final class AdafactorSlot extends DenseSlot {
  private final Adafactor config;
  private float[] row;
  private float[] col;
  private float[] expAvg;

  AdafactorSlot(Parameter param, Adafactor config) {
    super(param);
    this.config = config;
  }

  @Override
  void declareState(BufferAllocator allocator) {
    row = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".exp_avg_sq_row", param.rows());
    col = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".exp_avg_sq_col", param.cols());
    if (config.beta1() != 0f) {
      expAvg = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".exp_avg", param.size());
    }
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float lr = config.stepSize(step) * learningRateFactor;
    float beta2t = config.beta2t(step);
    k.adafactorStep(param.rows(), param.cols(), lr, config.scaleParameter(), config.eps1(), config.eps2(), beta2t,
        config.clipThreshold(), config.beta1(), config.weightDecay(), param.data(), 0, grad, 0, row, 0, col, 0,
        expAvg, 0);
    completed = step;
  }

  @Override
  void visitState(StateVisitor visitor) {
    visitor.buffer(param.name() + ".exp_avg_sq_row", MemoryTag.OPTIMIZER_STATE, row);
    visitor.buffer(param.name() + ".exp_avg_sq_col", MemoryTag.OPTIMIZER_STATE, col);
    if (expAvg != null) {
      visitor.buffer(param.name() + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    }
    visitStep(visitor);
  }
}
