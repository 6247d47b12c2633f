package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/** Adam on one full parameter: {@link Kernels#adamStep} with the method's convention. */
final class AdamSlot extends DenseSlot {
  private final AdamFamily<?> config;
  private float[] expAvg;
  private float[] expAvgSq;

  AdamSlot(Parameter param, AdamFamily<?> config) {
    super(param);
    this.config = config;
  }

  @Override
  void declareState(BufferAllocator allocator) {
    expAvg = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".exp_avg", param.size());
    expAvgSq = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".exp_avg_sq", param.size());
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    config.adamStep(k, step, config.lr() * learningRateFactor, param.data(), grad, expAvg, expAvgSq);
    completed = step;
  }

  @Override
  void visitState(StateVisitor visitor) {
    visitor.buffer(param.name() + ".exp_avg", MemoryTag.OPTIMIZER_STATE, expAvg);
    visitor.buffer(param.name() + ".exp_avg_sq", MemoryTag.OPTIMIZER_STATE, expAvgSq);
    visitStep(visitor);
  }
}
