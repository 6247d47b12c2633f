package org.lrgrad.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * A dense layer as {@code torch.nn.Linear}: y = x·Wᵀ + b with W out×in, initialized U(−1/√in, 1/√in). Its
 * weight's gradient G = dYᵀ·X is formed by the weight's optimizer (full, projected, or through LoRA factors).
 */
public final class Linear extends Layer {
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private final List<Parameter> parameters;
  private float[] output;
  private float[] input;

  public Linear(int in, int out) {
    this(in, out, true);
  }

  public Linear(int in, int out, boolean withBias) {
    Checks.positive("in", in);
    Checks.positive("out", out);
    this.in = in;
    this.out = out;
    this.weight = Parameter.matrix("weight", out, in, 1);
    this.bias = withBias ? Parameter.vector("bias", out) : null;
    List<Parameter> list = new ArrayList<>();
    list.add(weight);
    if (bias != null) {
      list.add(bias);
    }
    this.parameters = Collections.unmodifiableList(list);
  }

  public Parameter weight() {
    return weight;
  }

  /** The bias, or null for a layer built without one. */
  public Parameter bias() {
    return bias;
  }

  @Override
  public int inputWidth() {
    return in;
  }

  @Override
  int outputWidth(int inputWidth) {
    return out;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  void declare(BufferAllocator allocator, int maxBatch) {
    weight.declare(allocator);
    if (bias != null) {
      bias.declare(allocator);
    }
    output = allocator.floats(MemoryTag.ACTIVATIONS, prefix() + "output",
        Math.multiplyExact(maxBatch, out));
  }

  @Override
  void initialize(SeededRandom rng) {
    uniformFanIn(rng, weight.data(), in);
    if (bias != null) {
      uniformFanIn(rng, bias.data(), in);
    }
  }

  @Override
  float[] forward(Kernels k, int batch, float[] x) {
    input = x;
    weight.forward(k, batch, x, 0, in, output, 0, out, false);
    if (bias != null) {
      k.biasAdd(batch, out, bias.data(), 0, output, 0, out);
    }
    return output;
  }

  @Override
  float[] backward(Kernels k, int batch, float[] dy, float[] spare, boolean needInputError) {
    weight.gradient(k, batch, input, 0, in, dy, 0, out);
    if (bias != null) {
      bias.gradientColumnSums(k, batch, dy, 0, out);
    }
    if (!needInputError) {
      return null;
    }
    weight.backwardInput(k, batch, dy, 0, out, spare, 0, in);
    return spare;
  }

  @Override
  public String toString() {
    return "Linear(" + in + " -> " + out + (bias == null ? ", no bias)" : ")");
  }
}
