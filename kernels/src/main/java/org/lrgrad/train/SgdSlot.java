package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/** SGD / Momentum / Nesterov on one parameter: {@link Kernels#sgdStep} or {@link Kernels#momentumStep}. */
final class SgdSlot extends DenseSlot {
  private final Sgd config;
  private float[] momentumBuffer;

  SgdSlot(Parameter param, Sgd config) {
    super(param);
    this.config = config;
  }

  @Override
  void declareState(BufferAllocator allocator) {
    if (config.momentum() != 0f) {
      momentumBuffer = allocator.floats(MemoryTag.OPTIMIZER_STATE, param.name() + ".momentum_buffer", param.size());
    }
  }

  @Override
  void apply(Kernels k) {
    int step = completed + 1;
    float lr = config.lr() * learningRateFactor;
    if (config.momentum() == 0f) {
      k.sgdStep(param.size(), lr, config.weightDecay(), param.data(), 0, grad, 0);
    } else {
      k.momentumStep(param.size(), step, lr, config.momentum(), 0f, config.isNesterov(),
          config.weightDecay(), param.data(), 0, grad, 0, momentumBuffer, 0);
    }
    completed = step;
  }

  @Override
  void visitState(StateVisitor visitor) {
    if (momentumBuffer != null) {
      visitor.buffer(param.name() + ".momentum_buffer", MemoryTag.OPTIMIZER_STATE, momentumBuffer);
    }
    visitStep(visitor);
  }
}
