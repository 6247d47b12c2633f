package org.lrgrad.train;

import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;

/**
 * A layer of a {@link Sequential} model. Inputs and outputs are batch × width, row-major and contiguous, at offset
 * 0 of their buffers. A layer's buffers are declared for a maximum batch once, before training, so that a step
 * allocates nothing. A layer must not read its own output buffer in backward: the next layer may work in place on
 * it (as {@link Relu} does).
 */
public abstract class Layer {
  private String prefix;

  Layer() {}

  /** The input width this layer requires, or -1 when it takes any width. */
  public abstract int inputWidth();

  /** The output width for the given input width; throws when the layer cannot take that input. */
  abstract int outputWidth(int inputWidth);

  public List<Parameter> parameters() {
    return Collections.emptyList();
  }

  /** Declares this layer's weights and the activations it keeps, for batches of up to {@code maxBatch}. */
  abstract void declare(BufferAllocator allocator, int maxBatch);

  /** Draws the initial weights, in a fixed order, from {@code rng}. */
  void initialize(SeededRandom rng) {}

  /** Runs the layer on x (batch × input width) and returns the buffer that holds its output. */
  abstract float[] forward(Kernels k, int batch, float[] x);

  /**
   * Forms the gradients of this layer's parameters from the error dy at its output, and, when
   * {@code needInputError}, the error at its input, in {@code spare} or in place in dy; returns the buffer that
   * holds it (null when not needed).
   */
  abstract float[] backward(Kernels k, int batch, float[] dy, float[] spare, boolean needInputError);

  /** Whether a model already owns this layer. */
  final boolean isClaimed() {
    return prefix != null;
  }

  /** Makes this layer number {@code index} of a model, which names its parameters and buffers {@code "index.*"}. */
  final void claim(int index) {
    prefix = index + ".";
    for (Parameter p : parameters()) {
      p.prefix(prefix);
    }
  }

  /** {@code "index."} in its model. */
  final String prefix() {
    return prefix;
  }

  /** U(−1/√fanIn, 1/√fanIn), {@code torch.nn.Linear}'s default for weights and biases. */
  static void uniformFanIn(SeededRandom rng, float[] a, int fanIn) {
    double bound = 1.0 / Math.sqrt(fanIn);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((2.0 * rng.nextDouble() - 1.0) * bound);
    }
  }
}
