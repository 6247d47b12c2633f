package org.lrgrad.bench.demo;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;

/**
 * A multilayer perceptron with ReLU between its linear layers and softmax cross-entropy on top, trained with Adam
 * (PyTorch semantics), computed through the kernel contract only.
 *
 * <p>All parameters live in one flat array (per layer: the weight, {@code out × in} row-major as
 * {@code torch.nn.Linear}, then the bias), and so do their gradients and Adam's moments: one fused optimizer call
 * updates the whole network. Activation buffers are sized for {@code maxBatch} rows up front, so a training step
 * allocates nothing. Not thread-safe.
 */
final class Mlp {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final Kernels kernels;
  private final int[] widths;
  private final int maxBatch;
  private final float learningRate;
  private final int[] weightOffset;
  private final int[] biasOffset;
  private final float[] params;
  private final float[] grads;
  private final float[] moment1;
  private final float[] moment2;
  /** activations[l]: the output of layer l (after ReLU, except the last layer's logits), maxBatch × widths[l+1]. */
  private final float[][] activations;
  /** errors[l]: the loss gradient with respect to layer l's output (before its ReLU), same shape. */
  private final float[][] errors;
  private int step;

  /**
   * @param widths the input width, the hidden widths and the number of classes, e.g. {2, 64, 64, 3}
   */
  Mlp(Kernels kernels, int[] widths, int maxBatch, float learningRate, SeededRandom random) {
    Checks.notNull("kernels", kernels);
    if (widths.length < 2) {
      throw new IllegalArgumentException("widths.length=" + widths.length + " must be >= 2 (inputs and classes)");
    }
    for (int l = 0; l < widths.length; l++) {
      Checks.positive("widths[" + l + "]", widths[l]);
    }
    Checks.positive("maxBatch", maxBatch);
    Checks.finitePositive("learningRate", learningRate);
    this.kernels = kernels;
    this.widths = widths.clone();
    this.maxBatch = maxBatch;
    this.learningRate = learningRate;
    int layers = widths.length - 1;
    weightOffset = new int[layers];
    biasOffset = new int[layers];
    activations = new float[layers][];
    errors = new float[layers][];
    int total = 0;
    for (int l = 0; l < layers; l++) {
      weightOffset[l] = total;
      total += widths[l + 1] * widths[l];
      biasOffset[l] = total;
      total += widths[l + 1];
      activations[l] = new float[maxBatch * widths[l + 1]];
      errors[l] = new float[maxBatch * widths[l + 1]];
    }
    params = new float[total];
    grads = new float[total];
    moment1 = new float[total];
    moment2 = new float[total];
    for (int l = 0; l < layers; l++) {
      // He initialization for ReLU layers; biases start at zero.
      random.fillGaussian(params, weightOffset[l], widths[l + 1] * widths[l], (float) Math.sqrt(2.0 / widths[l]));
    }
  }

  int parameterCount() {
    return params.length;
  }

  int classes() {
    return widths[widths.length - 1];
  }

  /** One Adam step on a batch; returns the batch's mean loss before the step. */
  float trainStep(float[] x, int xOff, int[] labels, int labelsOff, int rows) {
    forward(x, xOff, rows);
    int last = widths.length - 2;
    float loss = kernels.softmaxCrossEntropy(rows, classes(), activations[last], 0, classes(), labels, labelsOff,
        errors[last], 0, classes());
    backward(x, xOff, rows);
    step++;
    kernels.adamStep(params.length, step, learningRate, BETA1, BETA2, EPS, 0f, false, AdamConvention.TORCH, params,
        0, grads, 0, moment1, 0, moment2, 0);
    return loss;
  }

  /**
   * Adds the rows' summed loss to {@code lossAndCorrect[0]} and their count of correct predictions (arg-max of the
   * logits) to {@code lossAndCorrect[1]}.
   */
  void evaluate(float[] x, int xOff, int[] labels, int labelsOff, int rows, double[] lossAndCorrect) {
    forward(x, xOff, rows);
    float[] logits = activations[widths.length - 2];
    int classes = classes();
    lossAndCorrect[0] += (double) rows
        * kernels.softmaxCrossEntropy(rows, classes, logits, 0, classes, labels, labelsOff, null, 0, classes);
    for (int i = 0; i < rows; i++) {
      int best = 0;
      for (int j = 1; j < classes; j++) {
        if (logits[i * classes + j] > logits[i * classes + best]) {
          best = j;
        }
      }
      if (best == labels[labelsOff + i]) {
        lossAndCorrect[1]++;
      }
    }
  }

  private void forward(float[] x, int xOff, int rows) {
    if (rows > maxBatch) {
      throw new IllegalArgumentException("rows=" + rows + " must be <= maxBatch=" + maxBatch);
    }
    float[] in = x;
    int inOff = xOff;
    for (int l = 0; l < widths.length - 1; l++) {
      int fanIn = widths[l], fanOut = widths[l + 1];
      float[] out = activations[l];
      // out = in · Wᵀ + b
      kernels.sgemm(false, true, rows, fanOut, fanIn, 1f, in, inOff, fanIn, params, weightOffset[l], fanIn, 0f,
          out, 0, fanOut);
      kernels.biasAdd(rows, fanOut, params, biasOffset[l], out, 0, fanOut);
      if (l < widths.length - 2) {
        kernels.relu(rows * fanOut, out, 0, out, 0);
      }
      in = out;
      inOff = 0;
    }
  }

  /** From errors[last] (the logits' gradient) down to the input, writing every layer's weight and bias gradient. */
  private void backward(float[] x, int xOff, int rows) {
    for (int l = widths.length - 2; l >= 0; l--) {
      int fanIn = widths[l], fanOut = widths[l + 1];
      float[] in = l == 0 ? x : activations[l - 1];
      int inOff = l == 0 ? xOff : 0;
      // dW = dYᵀ · in, db = column sums of dY
      kernels.sgemm(true, false, fanOut, fanIn, rows, 1f, errors[l], 0, fanOut, in, inOff, fanIn, 0f, grads,
          weightOffset[l], fanIn);
      kernels.biasGradient(rows, fanOut, errors[l], 0, fanOut, grads, biasOffset[l]);
      if (l > 0) {
        // d(in) = dY · W, then through the ReLU that produced `in` (its output carries the same mask).
        kernels.sgemm(false, false, rows, fanIn, fanOut, 1f, errors[l], 0, fanOut, params, weightOffset[l], fanIn,
            0f, errors[l - 1], 0, fanIn);
        kernels.reluBackward(rows * fanIn, activations[l - 1], 0, errors[l - 1], 0, errors[l - 1], 0);
      }
    }
  }
}
