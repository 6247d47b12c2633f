package org.lrgrad.android;

import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;

/**
 * Personalizes a linear classifier on the device: logits = W·x + b over feature vectors x (for instance the
 * embeddings a frozen model computes), trained with softmax cross-entropy and a chosen {@link Optimizer} on the
 * {@link OnDeviceKernels}.
 *
 * <p>W is {@code classes × features}, row-major (the layout of {@code torch.nn.Linear}); a batch of features is
 * {@code batch × features}, row-major. The trainer keeps W and b in one flat array so that one fused optimizer
 * call updates both (AdamW's weight decay therefore applies to b as well). Buffers grow to the largest batch seen;
 * after that a training step allocates nothing.
 *
 * <p>Not thread-safe: use a trainer from one thread at a time. Separate trainers are independent.
 */
public final class LinearClassifierTrainer {
  /** Rows evaluated per kernel call, which bounds the evaluation buffer. */
  private static final int EVALUATION_ROWS = 256;

  private final Kernels kernels;
  private final int features;
  private final int classes;
  private final int biasOffset;
  private final Optimizer optimizer;
  /** [W (classes × features) | b (classes)], and the gradient in the same layout. */
  private final float[] params;
  private final float[] grads;
  private final float[] optimizerState;
  /** batch × classes logits, overwritten in place by their gradient during a step. */
  private float[] logits = new float[0];
  private int steps;

  /**
   * Starts from the given weights (copied): {@code weights} holds exactly {@code classes × features} floats,
   * {@code bias} exactly {@code classes}. Pass all zeros to start from scratch.
   */
  public LinearClassifierTrainer(int features, int classes, float[] weights, float[] bias, Optimizer optimizer) {
    Checks.positive("features", features);
    if (classes < 2) {
      throw new IllegalArgumentException("classes=" + classes + " must be >= 2");
    }
    Checks.notNull("optimizer", optimizer);
    int weightCount = Math.multiplyExact(features, classes);
    checkExactLength("weights", weights, weightCount, "classes*features");
    checkExactLength("bias", bias, classes, "classes");
    this.kernels = OnDeviceKernels.get();
    this.features = features;
    this.classes = classes;
    this.biasOffset = weightCount;
    this.optimizer = optimizer;
    this.params = new float[weightCount + classes];
    System.arraycopy(weights, 0, params, 0, weightCount);
    System.arraycopy(bias, 0, params, biasOffset, classes);
    this.grads = new float[params.length];
    this.optimizerState = new float[optimizer.stateSize(params.length)];
  }

  private static void checkExactLength(String name, float[] values, int expected, String formula) {
    Checks.notNull(name, values);
    if (values.length != expected) {
      throw new IllegalArgumentException(name + ".length=" + values.length + " must be " + formula + "=" + expected);
    }
    for (int i = 0; i < values.length; i++) {
      Checks.finite(name + "[" + i + "]", values[i]);
    }
  }

  /**
   * One optimizer step on a batch: {@code x} holds {@code batch × features} floats, {@code labels} {@code batch}
   * labels in [0, classes). Returns the batch's mean loss before the step. Bad input (including non-finite
   * features, which would make the loss non-finite) throws before the classifier changes.
   */
  public float trainStep(float[] x, int[] labels, int batch) {
    checkBatch(x, labels, batch);
    ensureRows(batch);
    forward(x, 0, batch);
    // The logits' gradient overwrites the logits (the contract allows this exact aliasing).
    float loss = kernels.softmaxCrossEntropy(batch, classes, logits, 0, classes, labels, 0, logits, 0, classes);
    if (Float.isNaN(loss) || Float.isInfinite(loss)) {
      throw new IllegalArgumentException("the batch's loss is " + loss + ": x holds non-finite or huge features;"
          + " the classifier was not changed");
    }
    // dW = dLogitsᵀ · x, db = column sums of dLogits
    kernels.sgemm(true, false, classes, features, batch, 1f, logits, 0, classes, x, 0, features, 0f, grads, 0,
        features);
    kernels.biasGradient(batch, classes, logits, 0, classes, grads, biasOffset);
    optimizer.step(kernels, steps + 1, params.length, params, grads, optimizerState);
    steps++;
    return loss;
  }

  /** Mean loss and accuracy on {@code count} examples (x: {@code count × features}); changes nothing. */
  public Evaluation evaluate(float[] x, int[] labels, int count) {
    checkBatch(x, labels, count);
    ensureRows(Math.min(count, EVALUATION_ROWS));
    double lossSum = 0;
    int correct = 0;
    for (int first = 0; first < count; first += EVALUATION_ROWS) {
      int rows = Math.min(EVALUATION_ROWS, count - first);
      forward(x, first * features, rows);
      lossSum += (double) rows
          * kernels.softmaxCrossEntropy(rows, classes, logits, 0, classes, labels, first, null, 0, classes);
      for (int i = 0; i < rows; i++) {
        if (argMax(i) == labels[first + i]) {
          correct++;
        }
      }
    }
    return new Evaluation(count, lossSum / count, correct);
  }

  /** The most likely class of one feature vector, {@code x[offset, offset + features)}. */
  public int predict(float[] x, int offset) {
    Checks.vector("x", x, offset, features);
    ensureRows(1);
    forward(x, offset, 1);
    return argMax(0);
  }

  /** A copy of W, {@code classes × features} row-major. */
  public float[] weights() {
    float[] w = new float[biasOffset];
    System.arraycopy(params, 0, w, 0, biasOffset);
    return w;
  }

  /** A copy of b. */
  public float[] bias() {
    float[] b = new float[classes];
    System.arraycopy(params, biasOffset, b, 0, classes);
    return b;
  }

  /** Optimizer steps taken so far. */
  public int steps() {
    return steps;
  }

  public int features() {
    return features;
  }

  public int classes() {
    return classes;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** The name of the kernels this trainer runs on ({@code jni} or {@code reference}). */
  public String kernelsName() {
    return kernels.name();
  }

  private void checkBatch(float[] x, int[] labels, int rows) {
    Checks.positive("batch", rows);
    Checks.vector("x", x, 0, Math.multiplyExact(rows, features));
    Checks.vector("labels", labels, 0, rows);
  }

  private void ensureRows(int rows) {
    if (logits.length < rows * classes) {
      logits = new float[rows * classes];
    }
  }

  /** logits[0, rows × classes) = x·Wᵀ + b for the rows from xOff. */
  private void forward(float[] x, int xOff, int rows) {
    kernels.sgemm(false, true, rows, classes, features, 1f, x, xOff, features, params, 0, features, 0f, logits, 0,
        classes);
    kernels.biasAdd(rows, classes, params, biasOffset, logits, 0, classes);
  }

  private int argMax(int row) {
    int best = 0;
    for (int j = 1; j < classes; j++) {
      if (logits[row * classes + j] > logits[row * classes + best]) {
        best = j;
      }
    }
    return best;
  }
}
