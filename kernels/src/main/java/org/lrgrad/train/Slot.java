package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;

/**
 * What one optimizer keeps for one parameter, and how that parameter's gradient is formed: the base serves the
 * plain linear map y = x·Wᵀ; LoRA overrides it. A step is two phases: gradients are formed during backward
 * ({@link #gradient} / {@link #gradientColumnSums}), then, only if every slot's gradient is finite, {@link #apply}
 * updates the parameter and the state. So a non-finite gradient anywhere leaves every parameter and every state as
 * it was.
 */
abstract class Slot {
  final Parameter param;
  /** Steps this slot has applied: 0 before the first. */
  int completed;
  /**
   * The factor of the group's learning-rate schedule for the next {@link #apply}, set by the trainer before each
   * update; 1 leaves the rate exactly as set.
   */
  float learningRateFactor = 1f;

  Slot(Parameter param) {
    this.param = param;
  }

  /**
   * Declares this slot's buffers and its workspace need; {@code maxBatch} bounds the rows of the (X, dY) pairs it
   * will see (times the parameter's rows per sample). {@code k} sizes the kernels' workspaces.
   */
  abstract void declare(Kernels k, BufferAllocator allocator, SharedWorkspace workspace, int maxBatch);

  /** Sets the initial state after allocation; {@code seed} is this slot's own stream. */
  void initialize(long seed) {}

  void forward(Kernels k, int n, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean accumulate) {
    k.sgemm(false, true, n, param.rows(), param.cols(), 1f, x, xOff, ldx, param.values(), 0, param.cols(),
        accumulate ? 1f : 0f, y, yOff, ldy);
  }

  void backwardInput(Kernels k, int n, float[] dy, int dyOff, int lddy, float[] dx, int dxOff, int lddx) {
    k.sgemm(false, false, n, param.cols(), param.rows(), 1f, dy, dyOff, lddy, param.values(), 0, param.cols(), 0f,
        dx, dxOff, lddx);
  }

  /**
   * Makes the parameter's own array hold the whole weights, for a slot that keeps part of them elsewhere (the
   * factored form of {@link LowRankSlot}); the model computes the same before and after, up to float rounding. A
   * merge point, never called by a training step; nothing for other slots.
   */
  void materialize() {}

  /** What the trainer's configuration adds to this parameter's line for a form chosen at build time; "" for none. */
  String formSettings() {
    return "";
  }

  /** Forms the gradient G = dYᵀ·X of a matrix parameter in whatever form this slot keeps. */
  abstract void gradient(Kernels k, int n, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy);

  /** Forms the gradient of a vector parameter: the column sums of dY. Only dense slots hold vectors. */
  void gradientColumnSums(Kernels k, int n, float[] dy, int dyOff, int lddy) {
    throw new IllegalStateException(param.name() + " is kept in a low-rank form, which only matrices have");
  }

  /**
   * Writes the parameter's values as the layer uses them into {@code dst[off ..]}. This is where a slot that keeps
   * its weight in another form forms the plain matrix first: LoRA adds s·B·A. A slot that keeps W factored (the
   * factored fast path) needs no override: {@link Parameter#data()} merges its factors before returning the array.
   */
  void effectiveWeights(Kernels k, float[] dst, int off) {
    System.arraycopy(param.data(), 0, dst, off, param.size());
  }

  /** Whether the gradient formed in this step is finite everywhere ({@link Kernels#allFinite}). */
  abstract boolean gradientFinite(Kernels k);

  /** Applies one step (the {@code completed + 1}-th) to the parameter and the state. */
  abstract void apply(Kernels k);

  /** The slot's persistent state, parameter values excluded (the trainer visits those). */
  abstract void visitState(StateVisitor visitor);

  /** The gradient buffers of the last backward pass, as this slot keeps them. */
  abstract void visitGradients(StateVisitor visitor);

  /** The step counter, for {@link #visitState}. */
  final void visitStep(StateVisitor visitor) {
    completed = counterValue(visitor, param.name() + ".step", completed);
  }

  static int counterValue(StateVisitor visitor, String name, int value) {
    long restored = visitor.counter(name, value);
    if (restored < 0 || restored > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + "=" + restored + " must be in [0, " + Integer.MAX_VALUE + "]");
    }
    return (int) restored;
  }
}
