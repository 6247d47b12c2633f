package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;

/**
 * A parameter that is not trained ({@link Trainer.Builder#freeze}): it takes part in forward and backward as a
 * constant, so no gradient is formed and no buffer beyond its weights exists.
 */
final class FrozenSlot extends Slot {
  FrozenSlot(Parameter param) {
    super(param);
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {}

  @Override
  void gradient(Kernels k, int n, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {}

  @Override
  void gradientColumnSums(Kernels k, int n, float[] dy, int dyOff, int lddy) {}

  @Override
  boolean gradientFinite(Kernels k) {
    return true;
  }

  @Override
  void apply(Kernels k) {}

  @Override
  void visitState(StateVisitor visitor) {}

  @Override
  void visitGradients(StateVisitor visitor) {}
}
