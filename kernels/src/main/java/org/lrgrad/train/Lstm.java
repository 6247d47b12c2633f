package org.lrgrad.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * A one-layer LSTM as {@code torch.nn.LSTM} (gates in the order input, forget, cell, output; zero initial state)
 * that reads a sequence of {@code steps} vectors of {@code inputSize} per sample and outputs the last hidden state.
 * A sample's input row holds its steps one after the other (an image read row by row is just the image). The
 * weights are {@code weight_ih} (4h × inputSize) and {@code weight_hh} (4h × h) with one bias (4h, PyTorch's
 * {@code bias_ih + bias_hh}), initialized U(−1/√h, 1/√h). Backward runs through time.
 *
 * <p>Both weights' gradients have the form G = dYᵀ·X over all steps at once (X: the inputs, or the previous hidden
 * states; dY: the gate errors), so the low-rank optimizers and LoRA apply to them as to a dense layer. For that,
 * every per-step buffer is stored newest step first: block j holds step T − j. Then the output h_T leads its
 * buffer, and the previous hidden states of all gate blocks are the hidden-state buffer shifted by one block.
 */
public final class Lstm extends Layer {
  private final int inputSize;
  private final int hidden;
  private final int steps;
  private final Parameter weightIh;
  private final Parameter weightHh;
  private final Parameter bias;
  private final List<Parameter> parameters;
  /** The input, one block per step (newest first): T·batch × inputSize; reused for the input error. */
  private float[] inputs;
  /**
   * Per step (newest first), T·batch × 4h: the activated gates i, f, g, o after forward; backward overwrites each
   * step's gates with their errors once it has read them.
   */
  private float[] gates;
  /** h_T, ..., h_1, h_0 = 0: (T+1)·batch × h. */
  private float[] hiddenStates;
  /** c_T, ..., c_1, c_0 = 0: (T+1)·batch × h. */
  private float[] cellStates;
  /** dL/dh and dL/dc of the step being back-propagated: batch × h each. */
  private float[] hiddenError;
  private float[] cellError;

  public Lstm(int inputSize, int hiddenSize, int steps) {
    Checks.positive("inputSize", inputSize);
    Checks.positive("hiddenSize", hiddenSize);
    Checks.positive("steps", steps);
    this.inputSize = inputSize;
    this.hidden = hiddenSize;
    this.steps = steps;
    int gateRows = Math.multiplyExact(4, hiddenSize);
    if ((long) steps * inputSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("steps=" + steps + " times inputSize=" + inputSize + " is too wide a row");
    }
    this.weightIh = Parameter.matrix("weight_ih", gateRows, inputSize, steps);
    this.weightHh = Parameter.matrix("weight_hh", gateRows, hiddenSize, steps);
    this.bias = Parameter.vector("bias", gateRows);
    List<Parameter> list = new ArrayList<>();
    list.add(weightIh);
    list.add(weightHh);
    list.add(bias);
    this.parameters = Collections.unmodifiableList(list);
  }

  public Parameter weightIh() {
    return weightIh;
  }

  public Parameter weightHh() {
    return weightHh;
  }

  public Parameter bias() {
    return bias;
  }

  @Override
  public int inputWidth() {
    return steps * inputSize;
  }

  @Override
  int outputWidth(int inputWidth) {
    return hidden;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  void declare(BufferAllocator allocator, int maxBatch) {
    weightIh.declare(allocator);
    weightHh.declare(allocator);
    bias.declare(allocator);
    int rows = Math.multiplyExact(steps, maxBatch);
    int stateRows = Math.multiplyExact(steps + 1, maxBatch);
    String p = prefix();
    inputs = allocator.floats(MemoryTag.ACTIVATIONS, p + "inputs by step", Math.multiplyExact(rows, inputSize));
    gates = allocator.floats(MemoryTag.ACTIVATIONS, p + "gates", Math.multiplyExact(rows, 4 * hidden));
    hiddenStates = allocator.floats(MemoryTag.ACTIVATIONS, p + "hidden states",
        Math.multiplyExact(stateRows, hidden));
    cellStates = allocator.floats(MemoryTag.ACTIVATIONS, p + "cell states", Math.multiplyExact(stateRows, hidden));
    hiddenError = allocator.floats(MemoryTag.ACTIVATIONS, p + "hidden error", Math.multiplyExact(maxBatch, hidden));
    cellError = allocator.floats(MemoryTag.ACTIVATIONS, p + "cell error", Math.multiplyExact(maxBatch, hidden));
  }

  @Override
  void initialize(SeededRandom rng) {
    uniformFanIn(rng, weightIh.data(), hidden);
    uniformFanIn(rng, weightHh.data(), hidden);
    uniformFanIn(rng, bias.data(), hidden);
  }

  private static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }

  @Override
  float[] forward(Kernels k, int batch, float[] x) {
    int g4 = 4 * hidden;
    int rows = steps * batch;
    // Sample-major (b, t) input to step blocks, newest first.
    for (int t = 0; t < steps; t++) {
      int block = steps - 1 - t;
      for (int b = 0; b < batch; b++) {
        System.arraycopy(x, (b * steps + t) * inputSize, inputs, (block * batch + b) * inputSize, inputSize);
      }
    }
    // The input part of every step at once, then the recurrent part step by step.
    weightIh.forward(k, rows, inputs, 0, inputSize, gates, 0, g4, false);
    k.biasAdd(rows, g4, bias.data(), 0, gates, 0, g4);
    int initial = steps * batch * hidden;
    Arrays.fill(hiddenStates, initial, initial + batch * hidden, 0f);
    Arrays.fill(cellStates, initial, initial + batch * hidden, 0f);
    for (int block = steps - 1; block >= 0; block--) {
      int gateOff = block * batch * g4;
      int stateOff = block * batch * hidden;
      int previousOff = stateOff + batch * hidden;
      weightHh.forward(k, batch, hiddenStates, previousOff, hidden, gates, gateOff, g4, true);
      for (int b = 0; b < batch; b++) {
        int row = gateOff + b * g4;
        for (int j = 0; j < hidden; j++) {
          float in = sigmoid(gates[row + j]);
          float forget = sigmoid(gates[row + hidden + j]);
          float cand = (float) Math.tanh(gates[row + 2 * hidden + j]);
          float out = sigmoid(gates[row + 3 * hidden + j]);
          gates[row + j] = in;
          gates[row + hidden + j] = forget;
          gates[row + 2 * hidden + j] = cand;
          gates[row + 3 * hidden + j] = out;
          int s = b * hidden + j;
          float c = forget * cellStates[previousOff + s] + in * cand;
          cellStates[stateOff + s] = c;
          hiddenStates[stateOff + s] = out * (float) Math.tanh(c);
        }
      }
    }
    return hiddenStates;
  }

  @Override
  float[] backward(Kernels k, int batch, float[] dy, float[] spare, boolean needInputError) {
    int g4 = 4 * hidden;
    int rows = steps * batch;
    System.arraycopy(dy, 0, hiddenError, 0, batch * hidden);
    Arrays.fill(cellError, 0, batch * hidden, 0f);
    for (int block = 0; block < steps; block++) {
      int gateOff = block * batch * g4;
      int stateOff = block * batch * hidden;
      int previousOff = stateOff + batch * hidden;
      for (int b = 0; b < batch; b++) {
        int row = gateOff + b * g4;
        for (int j = 0; j < hidden; j++) {
          int s = b * hidden + j;
          float in = gates[row + j];
          float forget = gates[row + hidden + j];
          float cand = gates[row + 2 * hidden + j];
          float out = gates[row + 3 * hidden + j];
          float tanhC = (float) Math.tanh(cellStates[stateOff + s]);
          float dh = hiddenError[s];
          float dc = cellError[s] + dh * out * (1f - tanhC * tanhC);
          gates[row + j] = dc * cand * in * (1f - in);
          gates[row + hidden + j] = dc * cellStates[previousOff + s] * forget * (1f - forget);
          gates[row + 2 * hidden + j] = dc * in * (1f - cand * cand);
          gates[row + 3 * hidden + j] = dh * tanhC * out * (1f - out);
          cellError[s] = dc * forget;
        }
      }
      if (block < steps - 1) {
        weightHh.backwardInput(k, batch, gates, gateOff, g4, hiddenError, 0, hidden);
      }
    }
    // Every step at once: G_ih = dGatesᵀ·inputs, G_hh = dGatesᵀ·(previous hidden states), bias: column sums.
    weightIh.gradient(k, rows, inputs, 0, inputSize, gates, 0, g4);
    weightHh.gradient(k, rows, hiddenStates, batch * hidden, hidden, gates, 0, g4);
    bias.gradientColumnSums(k, rows, gates, 0, g4);
    if (!needInputError) {
      return null;
    }
    // The inputs were read for the last time above: their buffer takes the input error, then back to (b, t).
    weightIh.backwardInput(k, rows, gates, 0, g4, inputs, 0, inputSize);
    for (int t = 0; t < steps; t++) {
      int block = steps - 1 - t;
      for (int b = 0; b < batch; b++) {
        System.arraycopy(inputs, (block * batch + b) * inputSize, spare, (b * steps + t) * inputSize, inputSize);
      }
    }
    return spare;
  }

  @Override
  public String toString() {
    return "LSTM(" + inputSize + " -> " + hidden + ", " + steps + " steps)";
  }
}
