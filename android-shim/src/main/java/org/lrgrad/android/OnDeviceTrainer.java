package org.lrgrad.android;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.MemoryBudgetExceededException;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.checkpoint.Checkpoint;

/**
 * Personalizes a model on the device: the facade an app calls. It is built from a {@link ModelDescription}
 * ({@code "mlp 784-128-10"}) and, usually, the model's trained weights (an npz archive); it trains with a
 * method of docs/method.md ({@link Method}, LRG-Adam by default) within a memory budget, on the {@link OnDeviceKernels}
 * (the JNI library when it loads, else pure Java). All training is the {@code kernels} module's {@link Trainer}:
 * this class only wires it up, checks the app's input, and guards its use.
 *
 * <pre>{@code
 * try (OnDeviceTrainer trainer = OnDeviceTrainer.builder("mlp 784-128-10")
 *     .weights(context.getAssets().open("model.npz"), "model.npz")
 *     .optimizer("LRG-Adam").learningRate(1e-3f).rank(16)
 *     .memoryBudget(8L << 20)          // refused, with the largest rank that fits, if the setup needs more
 *     .maxBatch(32)
 *     .build()) {
 *   TrainingRun run = trainer.fit(features, labels, count, 3, listener);   // or trainStep(...) batch by batch
 *   Evaluation result = trainer.evaluate(testFeatures, testLabels, testCount);
 *   trainer.exportWeights(new FileOutputStream(personalizedFile));
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A trainer is used from one thread at a time: a call that starts while another call on the same
 * trainer is running (on another thread, or from inside a {@link ProgressListener}) is refused with a
 * {@link ConcurrentModificationException} and changes nothing. The one exception is {@link #cancel()}, which any
 * thread may call at any time. Separate trainers share nothing mutable and may train at the same time on different
 * threads. Calls made one after another from different threads are fine (each call hands the trainer over).
 *
 * <p><b>Bad input</b> is refused with an exception that names the argument and leaves the trainer as it was: an
 * {@link IllegalArgumentException} (labels out of range, a batch over {@link #maxBatch()}, a budget too small as
 * {@link MemoryBudgetExceededException}, weights of the wrong shape) or an {@link IndexOutOfBoundsException}
 * (arrays too short). A batch whose loss or gradient is not finite is skipped as the {@link Trainer}'s non-finite
 * policy says ({@link #lastStepSkipped()}). After {@link #close()} every call but {@code close} and {@code cancel}
 * throws {@link IllegalStateException}.
 *
 * <p><b>Checkpoints.</b> {@link #saveCheckpoint(File)} and {@link #restoreCheckpoint(File)} use the training
 * code's format ({@link Checkpoint}: versioned, checksummed, written atomically); a checkpoint restores into a
 * trainer made by an identical builder (same description, method, settings and seed), and a resumed run is bit
 * for bit the uninterrupted one. {@link #visitState} walks the same state for other uses.
 */
public final class OnDeviceTrainer implements AutoCloseable {
  private final ModelDescription description;
  private final Method method;
  private final Kernels kernels;
  private final int maxBatch;
  /** The thread inside a call on this trainer, or null. */
  private final AtomicReference<Thread> user = new AtomicReference<>();
  private volatile boolean cancelRequested;
  /** Null once closed. */
  private Trainer trainer;
  /** maxBatch × classes logits for {@link #evaluate} and {@link #predict}. */
  private float[] logits;

  private OnDeviceTrainer(ModelDescription description, Method method, Kernels kernels, Trainer trainer) {
    this.description = description;
    this.method = method;
    this.kernels = kernels;
    this.maxBatch = trainer.maxBatch();
    this.trainer = trainer;
    this.logits = new float[Math.multiplyExact(maxBatch, description.classes())];
  }

  /** Starts a trainer for the model {@code description} (see {@link ModelDescription#parse}). */
  public static Builder builder(String description) {
    return new Builder(ModelDescription.parse(description));
  }

  /**
   * One optimizer step on a batch of {@code batch} ≤ {@link #maxBatch()} examples: {@code x} holds
   * batch × inputs floats (row-major), {@code labels} batch classes in [0, classes). Returns the batch's mean loss
   * before the update. Allocates nothing.
   */
  public float trainStep(float[] x, int[] labels, int batch) {
    Trainer t = enter();
    try {
      return t.step(x, 0, labels, 0, batch);
    } finally {
      exit();
    }
  }

  /**
   * Trains for {@code epochs} passes over {@code count} examples, in order, in batches of {@link #maxBatch()} (the
   * last one smaller when {@code count} is not a multiple), calling {@code listener} (may be null) after each step.
   * Every label is checked before the first step. {@link #cancel()} stops the run after the step in progress; a
   * cancel made before this call started does not affect it.
   */
  public TrainingRun fit(float[] x, int[] labels, int count, int epochs, ProgressListener listener) {
    Trainer t = enter();
    try {
      Checks.positive("count", count);
      Checks.positive("epochs", epochs);
      Checks.vector("x", x, 0, Math.multiplyExact(count, description.inputs()));
      Checks.vector("labels", labels, 0, count);
      for (int i = 0; i < count; i++) {
        if (labels[i] < 0 || labels[i] >= description.classes()) {
          throw new IllegalArgumentException("labels[" + i + "]=" + labels[i] + " must be in [0, classes="
              + description.classes() + ")");
        }
      }
      int batchesPerEpoch = (count + maxBatch - 1) / maxBatch;
      int planned = Math.multiplyExact(batchesPerEpoch, epochs);
      cancelRequested = false;
      int done = 0;
      float loss = Float.NaN;
      for (int epoch = 0; epoch < epochs; epoch++) {
        for (int first = 0; first < count; first += maxBatch) {
          if (cancelRequested) {
            return new TrainingRun(done, planned, loss, true);
          }
          int rows = Math.min(maxBatch, count - first);
          loss = t.step(x, first * description.inputs(), labels, first, rows);
          done++;
          if (listener != null) {
            listener.onStep(done, planned, loss);
          }
        }
      }
      return new TrainingRun(done, planned, loss, false);
    } finally {
      exit();
    }
  }

  /** Asks the {@link #fit} in progress to stop after its current step. Any thread may call it, at any time. */
  public void cancel() {
    cancelRequested = true;
  }

  /** Mean loss and accuracy on {@code count} examples ({@code x}: count × inputs); changes nothing. */
  public Evaluation evaluate(float[] x, int[] labels, int count) {
    Trainer t = enter();
    try {
      Checks.positive("count", count);
      Checks.vector("x", x, 0, Math.multiplyExact(count, description.inputs()));
      Checks.vector("labels", labels, 0, count);
      int classes = description.classes();
      double lossSum = 0;
      int correct = 0;
      for (int first = 0; first < count; first += maxBatch) {
        int rows = Math.min(maxBatch, count - first);
        t.predict(x, first * description.inputs(), rows, logits, 0);
        lossSum += (double) rows
            * kernels.softmaxCrossEntropy(rows, classes, logits, 0, classes, labels, first, null, 0, classes);
        for (int i = 0; i < rows; i++) {
          if (argMax(i) == labels[first + i]) {
            correct++;
          }
        }
      }
      return new Evaluation(count, lossSum / count, correct);
    } finally {
      exit();
    }
  }

  /** The most likely class of one example, {@code x[offset, offset + inputs)}. */
  public int predict(float[] x, int offset) {
    Trainer t = enter();
    try {
      t.predict(x, offset, 1, logits, 0);
      return argMax(0);
    } finally {
      exit();
    }
  }

  private int argMax(int row) {
    int classes = description.classes();
    int best = 0;
    for (int j = 1; j < classes; j++) {
      if (logits[row * classes + j] > logits[row * classes + best]) {
        best = j;
      }
    }
    return best;
  }

  /**
   * Writes the current weights as an npz archive (the format {@link Builder#weights(InputStream, String)} reads);
   * does not close {@code out}. With LoRA-Adam the adapters are first merged into the weights
   * ({@link Trainer#mergeLora()}: the model's outputs do not change, the adapters restart from zero).
   */
  public void exportWeights(OutputStream out) throws IOException {
    Trainer t = enter();
    try {
      Checks.notNull("out", out);
      WeightsNpz.write(out, description, currentWeights(t));
    } finally {
      exit();
    }
  }

  /** A copy of the parameter {@code name} ({@link ModelDescription#parameterNames()}); merges LoRA adapters first. */
  public float[] weights(String name) {
    Trainer t = enter();
    try {
      int index = description.parameterNames().indexOf(name);
      if (index < 0) {
        throw new IllegalArgumentException("no parameter '" + name + "' in '" + description + "'; it has "
            + description.parameterNames());
      }
      return currentWeights(t)[index];
    } finally {
      exit();
    }
  }

  private float[][] currentWeights(Trainer t) {
    if (method == Method.LORA_ADAM) {
      t.mergeLora();
    }
    List<Parameter> params = t.model().parameters();
    float[][] weights = new float[params.size()][];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = new float[params.get(i).size()];
      params.get(i).copyTo(weights[i], 0);
    }
    return weights;
  }

  /**
   * Walks the whole training state (weights, optimizer state, projectors, step counters) for a checkpoint: the
   * {@link Trainer#visitState} contract, under this trainer's thread rule.
   */
  public void visitState(StateVisitor visitor) {
    Trainer t = enter();
    try {
      Checks.notNull("visitor", visitor);
      t.visitState(visitor);
    } finally {
      exit();
    }
  }

  /**
   * Saves the whole training state (weights, optimizer state, projectors, counters) to {@code file}, atomically:
   * if anything fails, the previous file is intact.
   */
  public void saveCheckpoint(File file) throws IOException {
    Trainer t = enter();
    try {
      Checkpoint.save(t, file);
    } finally {
      exit();
    }
  }

  /** {@link #saveCheckpoint(File)} to a stream (flushed, not closed). */
  public void saveCheckpoint(OutputStream out) throws IOException {
    Trainer t = enter();
    try {
      Checkpoint.save(t, out);
    } finally {
      exit();
    }
  }

  /**
   * Restores a checkpoint saved by a trainer built the same way. A truncated, corrupt, newer-format or
   * other-setup checkpoint throws {@link org.lrgrad.train.checkpoint.CheckpointException} naming the file and the
   * problem, and changes nothing: the trainer stays as it was and usable.
   */
  public void restoreCheckpoint(File file) throws IOException {
    Trainer t = enter();
    try {
      Checkpoint.restore(t, file);
    } finally {
      exit();
    }
  }

  /** {@link #restoreCheckpoint(File)} from a stream; {@code source} names it in error messages. */
  public void restoreCheckpoint(InputStream in, String source) throws IOException {
    Trainer t = enter();
    try {
      Checkpoint.restore(t, in, source);
    } finally {
      exit();
    }
  }

  /** Steps that updated the model. */
  public long completedSteps() {
    Trainer t = enter();
    try {
      return t.completedSteps();
    } finally {
      exit();
    }
  }

  /** Steps skipped by the non-finite policy. */
  public long skippedSteps() {
    Trainer t = enter();
    try {
      return t.skippedSteps();
    } finally {
      exit();
    }
  }

  public boolean lastStepSkipped() {
    Trainer t = enter();
    try {
      return t.lastStepSkipped();
    } finally {
      exit();
    }
  }

  /** The bytes the training setup holds, as the memory ledger counts them (what the budget limits). */
  public long memoryBytes() {
    Trainer t = enter();
    try {
      return t.ledger().liveBytes();
    } finally {
      exit();
    }
  }

  public ModelDescription description() {
    return description;
  }

  public Method method() {
    return method;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** The kernels this trainer runs on: {@code jni} or {@code reference}. */
  public String kernelsName() {
    return kernels.name();
  }

  public boolean isClosed() {
    Trainer t = enter(false);
    exit();
    return t == null;
  }

  /** Releases the training state; later calls (but {@code close} and {@code cancel}) throw. Idempotent. */
  @Override
  public void close() {
    enter(false);
    try {
      trainer = null;
      logits = null;
    } finally {
      exit();
    }
  }

  private Trainer enter() {
    return enter(true);
  }

  /** Claims this trainer for the calling thread; returns the Trainer (null when closed and that is allowed). */
  private Trainer enter(boolean mustBeOpen) {
    Thread me = Thread.currentThread();
    if (!user.compareAndSet(null, me)) {
      Thread other = user.get();
      throw new ConcurrentModificationException("this trainer is in use by "
          + (other == me ? "this same thread (a call from inside a progress listener?)" : "thread '"
          + (other == null ? "?" : other.getName()) + "'") + "; use one trainer from one thread at a time (only"
          + " cancel() may be called concurrently); separate trainers may run at once");
    }
    Trainer t = trainer;
    if (t == null && mustBeOpen) {
      user.set(null);
      throw new IllegalStateException("this trainer of '" + description + "' is closed");
    }
    return t;
  }

  private void exit() {
    user.set(null);
  }

  /**
   * Configures a trainer. Defaults: LRG-Adam at its method's learning rate ({@link Method}) and rank 8, batches of up
   * to 32, seed 0, no budget, weights drawn from the seed as {@code torch.nn.Linear} does (pass trained weights to
   * personalize a model).
   */
  public static final class Builder {
    private final ModelDescription description;
    private float[][] weights;
    private Method method = Method.LRG_ADAM;
    private float learningRate = Float.NaN;
    private int rank = 8;
    private int maxBatch = 32;
    private long seed;
    private long budgetBytes = -1;
    private Kernels kernels;

    private Builder(ModelDescription description) {
      this.description = description;
    }

    /** The model's weights from an npz file (see {@link #weights(InputStream, String)}). */
    public Builder weights(File file) throws IOException {
      Checks.notNull("file", file);
      try (InputStream in = new FileInputStream(file)) {
        return weights(in, file.getPath());
      }
    }

    /**
     * The model's weights from an npz archive: one float32 array per parameter, named and shaped as
     * {@link ModelDescription} says, nothing else. Read at once (the stream is read to its end, not closed);
     * {@code source} names it in errors. Throws {@link IOException} when it is not an npz archive,
     * {@link IllegalArgumentException} when its arrays do not fit the model.
     */
    public Builder weights(InputStream in, String source) throws IOException {
      Checks.notNull("in", in);
      this.weights = WeightsNpz.read(in, source == null ? "weights" : source, description);
      return this;
    }

    /** The model's weights from an npz archive in {@code buffer}'s remaining bytes (its position is not moved). */
    public Builder weights(ByteBuffer buffer) throws IOException {
      Checks.notNull("buffer", buffer);
      return weights(WeightsNpz.stream(buffer), "weights buffer");
    }

    /** The method by its docs/method.md name ({@link Method#named}); LRG-Adam by default. */
    public Builder optimizer(String methodName) {
      this.method = Method.named(methodName);
      return this;
    }

    public Builder learningRate(float learningRate) {
      Checks.finitePositive("learningRate", learningRate);
      this.learningRate = learningRate;
      return this;
    }

    /** The rank of LRG-Adam, GaLore-Adam and LoRA-Adam (at most min(out, in) is used per matrix); default 8. */
    public Builder rank(int rank) {
      Checks.positive("rank", rank);
      this.rank = rank;
      return this;
    }

    /** The largest batch {@code trainStep} takes and the batch {@code fit} uses; default 32. */
    public Builder maxBatch(int maxBatch) {
      Checks.positive("maxBatch", maxBatch);
      this.maxBatch = maxBatch;
      return this;
    }

    /** The seed of every random draw (initial weights when none are given, LRG's projectors, LoRA's factors). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The most bytes the training setup may hold: weights, gradients, optimizer state, projectors, activations and
     * the copy of a batch for {@code maxBatch} examples, and workspace, as the training code's memory ledger counts
     * them. {@link #build()} refuses a setup over it before allocating anything.
     */
    public Builder memoryBudget(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryBudget=" + bytes + " bytes must be > 0");
      }
      this.budgetBytes = bytes;
      return this;
    }

    /** Other kernels than the {@link OnDeviceKernels} (tests compare implementations with it). */
    Builder kernels(Kernels kernels) {
      Checks.notNull("kernels", kernels);
      this.kernels = kernels;
      return this;
    }

    /**
     * Allocates the setup and copies the weights in. Throws {@link MemoryBudgetExceededException} (naming the bytes
     * needed and, for a low-rank method, the largest rank that fits) when the budget is too small.
     */
    public OnDeviceTrainer build() {
      Kernels k = kernels != null ? kernels : OnDeviceKernels.get();
      Sequential model = description.newModel();
      Trainer.Builder setup = Trainer.builder(model, maxBatch).kernels(k).seed(seed)
          .group(method.create(learningRate, rank), model.parameters());
      if (budgetBytes > 0) {
        setup.memoryBudget(budgetBytes);
      }
      Trainer trainer = setup.build();
      if (weights != null) {
        List<Parameter> params = model.parameters();
        for (int i = 0; i < params.size(); i++) {
          params.get(i).copyFrom(weights[i], 0);
        }
      }
      return new OnDeviceTrainer(description, method, k, trainer);
    }
  }
}
