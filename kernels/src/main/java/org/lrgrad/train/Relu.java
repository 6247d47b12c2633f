package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;

/**
 * max(x, 0), in place on its input buffer: the layer before it does not read its own output in backward, so the
 * pre-activation need not be kept, and the mask comes from the output (x &gt; 0 exactly where relu(x) &gt; 0). Its
 * derivative at 0 is 0, as PyTorch's.
 */
public final class Relu extends Layer {
  private int width = -1;
  private float[] output;

  @Override
  public int inputWidth() {
    return -1;
  }

  @Override
  int outputWidth(int inputWidth) {
    width = inputWidth;
    return inputWidth;
  }

  @Override
  void declare(BufferAllocator allocator, int maxBatch) {}

  @Override
  float[] forward(Kernels k, int batch, float[] x) {
    k.relu(batch * width, x, 0, x, 0);
    output = x;
    return x;
  }

  @Override
  float[] backward(Kernels k, int batch, float[] dy, float[] spare, boolean needInputError) {
    if (!needInputError) {
      return null;
    }
    k.reluBackward(batch * width, output, 0, dy, 0, dy, 0);
    return dy;
  }

  @Override
  public String toString() {
    return "ReLU";
  }
}
