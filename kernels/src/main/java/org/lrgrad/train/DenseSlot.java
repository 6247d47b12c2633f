package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * A slot that keeps the full gradient G (the shape of its parameter), for the element-wise optimizers: its own
 * buffer, or with fused updates a transient one shared with the same position of the other layers (then possibly
 * longer than the parameter; only its first {@code param.size()} values are this gradient).
 */
abstract class DenseSlot extends Slot {
  float[] grad;
  private TransientGradients shared;
  private int position;

  DenseSlot(Parameter param) {
    super(param);
  }

  /** Fused updates: the gradient lives in {@code shared}'s buffer for {@code position} (call before declare). */
  final void shareGradient(TransientGradients shared, int position) {
    this.shared = shared;
    this.position = position;
  }

  /** Fused updates: takes the shared buffer, once {@code shared} has been declared. */
  final void bindSharedGradient() {
    grad = shared.buffer(position);
  }

  @Override
  void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch) {
    if (shared != null) {
      shared.require(position, param.size());
    } else {
      grad = allocator.floats(MemoryTag.GRADIENTS, param.name() + ".grad", param.size());
    }
    declareState(allocator);
  }

  abstract void declareState(BufferAllocator allocator);

  @Override
  void gradient(Kernels k, int n, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    k.sgemm(true, false, param.rows(), param.cols(), n, 1f, dy, dyOff, lddy, x, xOff, ldx, 0f, grad, 0,
        param.cols());
  }

  @Override
  void gradientColumnSums(Kernels k, int n, float[] dy, int dyOff, int lddy) {
    k.biasGradient(n, param.cols(), dy, dyOff, lddy, grad, 0);
  }

  @Override
  boolean gradientFinite(Kernels k) {
    return k.allFinite(param.size(), grad, 0);
  }

  @Override
  void visitGradients(StateVisitor visitor) {
    visitor.buffer(param.name() + ".grad", MemoryTag.GRADIENTS, grad);
  }
}
