package org.lrgrad.android;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ConcurrentModificationException;
import java.util.List;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Evaluation;
import org.lrgrad.train.Examples;
import org.lrgrad.train.MemoryBudgetExceededException;
import org.lrgrad.train.Methods;
import org.lrgrad.train.ProgressListener;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainingRun;
import org.lrgrad.train.checkpoint.Checkpoint;

/**
 * Personalizes a model on the device: the facade an app calls. It is built from a {@link ModelDescription}
 * ({@code "mlp 784-128-10"}) and, usually, the model's trained weights (an npz archive); it trains with a
 * method of the catalog ({@link Methods}, LRG-Adam by default) within a memory budget, on the {@link OnDeviceKernels}
 * (the JNI library when it loads, else pure Java). All training, fitting, evaluation and weight copying is the
 * {@code kernels} module's {@link Trainer}: this class only wires it up, reads and writes files, and guards its use
 * ({@link ThreadGuard}).
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
 *   try (OutputStream out = new FileOutputStream(personalizedFile)) {
 *     trainer.exportWeights(out);                                       // flushed, not closed
 *   }
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A trainer is used from one thread at a time: a call that starts while another call on the same
 * trainer is running (on another thread, or from inside a {@link ProgressListener}) is refused with a
 * {@link ConcurrentModificationException} and changes nothing. The exceptions are {@link #cancel()}, which any
 * thread may call at any time, and the reads of what was fixed at build ({@link #description()}, {@link #method()},
 * {@link #maxBatch()}, {@link #kernelsName()}) and {@link #isClosed()}, which never conflict. Separate trainers share nothing mutable and may train at the same time on different
 * threads. Calls made one after another from different threads are fine (each call hands the trainer over).
 *
 * <p><b>Bad input</b> is refused with an exception that names the argument and leaves the trainer as it was: an
 * {@link IllegalArgumentException} (labels out of range, a batch over {@link #maxBatch()}, a budget too small as
 * {@link MemoryBudgetExceededException}, weights of the wrong shape) or an {@link IndexOutOfBoundsException}
 * (arrays too short). A batch whose loss or gradient is not finite is skipped as the {@link Trainer}'s non-finite
 * policy says ({@link #lastStepSkipped()}). After {@link #close()} every call but {@code close}, {@code cancel} and
 * {@code isClosed} throws {@link IllegalStateException}.
 *
 * <p><b>Checkpoints.</b> {@link #saveCheckpoint(File)} and {@link #restoreCheckpoint(File)} use the training
 * code's format ({@link Checkpoint}: versioned, checksummed, written atomically); a checkpoint restores into a
 * trainer made by an identical builder (same description, method, settings and seed), and a resumed run is bit
 * for bit the uninterrupted one. {@link #visitState} walks the same state for other uses.
 */
public final class OnDeviceTrainer implements AutoCloseable {
  private final ModelDescription description;
  private final Methods.Method method;
  private final Kernels kernels;
  private final int maxBatch;
  private final ThreadGuard guard;
  /** Null once closed, which frees the training state. Volatile for {@link #cancel()}, which any thread calls. */
  private volatile Trainer trainer;
  /** One example's class for {@link #predict}. */
  private final int[] predicted = new int[1];

  private OnDeviceTrainer(ModelDescription description, Methods.Method method, Kernels kernels, Trainer trainer) {
    this.description = description;
    this.method = method;
    this.kernels = kernels;
    this.trainer = trainer;
    this.maxBatch = trainer.maxBatch();
    this.guard = new ThreadGuard(description.toString());
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
    // No lambda here: this call must not allocate.
    guard.enter(true);
    try {
      return trainer.step(x, 0, labels, 0, batch);
    } finally {
      guard.exit();
    }
  }

  /**
   * Trains for {@code epochs} passes over {@code count} examples, in order, in batches of {@link #maxBatch()} (the
   * last one smaller when {@code count} is not a multiple), calling {@code listener} (may be null) after each step:
   * {@link Trainer#fit}. Every label is checked before the first step. {@link #cancel()} stops the run before its
   * next step; a cancel made before this call started does not affect it.
   */
  public TrainingRun fit(float[] x, int[] labels, int count, int epochs, ProgressListener listener) {
    return guard.call(() -> trainer.fit(new Examples(x, labels, count), epochs, listener));
  }

  /** Asks the {@link #fit} in progress to stop before its next step. Any thread may call it, at any time. */
  public void cancel() {
    Trainer t = trainer;
    if (t != null) {
      t.cancel();
    }
  }

  /** Mean loss and accuracy on {@code count} examples ({@code x}: count × inputs): {@link Trainer#evaluate}. */
  public Evaluation evaluate(float[] x, int[] labels, int count) {
    return guard.call(() -> trainer.evaluate(new Examples(x, labels, count)));
  }

  /** The most likely class of one example, {@code x[offset, offset + inputs)}. */
  public int predict(float[] x, int offset) {
    return guard.call(() -> {
      trainer.predictClasses(x, offset, 1, predicted, 0);
      return predicted[0];
    });
  }

  /**
   * Writes the current weights as an npz archive (the format {@link Builder#weights(InputStream, String)} reads);
   * flushes {@code out} but does not close it. With LoRA-Adam, each weight is W0 + s·B·A, the adapters left as they are.
   */
  public void exportWeights(OutputStream out) throws IOException {
    guard.io(() -> {
      Checks.notNull("out", out);
      List<String> names = description.parameterNames();
      float[][] weights = new float[names.size()][];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = trainer.weights(names.get(i));
      }
      WeightsNpz.write(out, description, weights);
      return null;
    });
  }

  /**
   * A copy of the parameter {@code name} ({@link ModelDescription#parameterNames()}) as the model uses it:
   * {@link Trainer#weights}.
   */
  public float[] weights(String name) {
    return guard.call(() -> trainer.weights(name));
  }

  /**
   * Walks the whole training state (weights, optimizer state, projectors, step counters) for a checkpoint: the
   * {@link Trainer#visitState} contract, under this trainer's thread rule.
   */
  public void visitState(StateVisitor visitor) {
    guard.call(() -> {
      Checks.notNull("visitor", visitor);
      trainer.visitState(visitor);
      return null;
    });
  }

  /**
   * Saves the whole training state (weights, optimizer state, projectors, counters) to {@code file}, atomically:
   * if anything fails, the previous file is intact.
   */
  public void saveCheckpoint(File file) throws IOException {
    guard.io(() -> {
      Checkpoint.save(trainer, file);
      return null;
    });
  }

  /** {@link #saveCheckpoint(File)} to a stream (flushed, not closed). */
  public void saveCheckpoint(OutputStream out) throws IOException {
    guard.io(() -> {
      Checkpoint.save(trainer, out);
      return null;
    });
  }

  /**
   * Restores a checkpoint saved by a trainer built the same way. A truncated, corrupt, newer-format or
   * other-setup checkpoint throws {@link org.lrgrad.train.checkpoint.CheckpointException} naming the file and the
   * problem, and changes nothing: the trainer stays as it was and usable.
   */
  public void restoreCheckpoint(File file) throws IOException {
    guard.io(() -> {
      Checkpoint.restore(trainer, file);
      return null;
    });
  }

  /** {@link #restoreCheckpoint(File)} from a stream; {@code source} names it in error messages. */
  public void restoreCheckpoint(InputStream in, String source) throws IOException {
    guard.io(() -> {
      Checkpoint.restore(trainer, in, source);
      return null;
    });
  }

  /** Steps that updated the model. */
  public long completedSteps() {
    return guard.call(() -> trainer.completedSteps());
  }

  /** Steps skipped by the non-finite policy. */
  public long skippedSteps() {
    return guard.call(() -> trainer.skippedSteps());
  }

  public boolean lastStepSkipped() {
    return guard.call(() -> trainer.lastStepSkipped());
  }

  /** The bytes the training setup holds, as the memory ledger counts them (what the budget limits). */
  public long memoryBytes() {
    return guard.call(() -> trainer.ledger().liveBytes());
  }

  public ModelDescription description() {
    guard.checkOpen();
    return description;
  }

  /** The training method, from the catalog {@link Methods}. */
  public Methods.Method method() {
    guard.checkOpen();
    return method;
  }

  public int maxBatch() {
    guard.checkOpen();
    return maxBatch;
  }

  /** The kernels this trainer runs on: {@code jni} or {@code reference}. */
  public String kernelsName() {
    guard.checkOpen();
    return kernels.name();
  }

  public boolean isClosed() {
    return guard.isClosed();
  }

  /**
   * Releases the training state; later calls (but {@code close}, {@code cancel} and {@code isClosed}) throw.
   * Idempotent.
   */
  @Override
  public void close() {
    guard.enter(false);
    try {
      guard.close();
      trainer = null;
    } finally {
      guard.exit();
    }
  }

  /**
   * Configures a trainer. Defaults: LRG-Adam at its method's learning rate ({@link Methods}) and rank 8, batches of
   * up to 32, seed 0, a memory budget of half the JVM's heap limit ({@link #DEFAULT_BUDGET_DIVISOR}), weights drawn
   * from the seed as {@code torch.nn.Linear} does (pass trained weights to personalize a model).
   */
  public static final class Builder {
    private final ModelDescription description;
    private float[][] weights;
    private Methods.Method method = Methods.named("LRG-Adam");
    private float learningRate = Float.NaN;
    private int rank = 8;
    private int maxBatch = 32;
    private long seed;
    private long budgetBytes = -1;
    private Kernels kernels;

    /**
     * Without {@link #memoryBudget}, the budget is {@link Runtime#maxMemory()} divided by this: a setup that would
     * take more than half the heap (and fail with {@link OutOfMemoryError} part-way, or leave the app none) is
     * refused before anything is allocated.
     */
    public static final int DEFAULT_BUDGET_DIVISOR = 2;

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

    /** The method by its name in the catalog ({@link Methods#named}, any case); LRG-Adam by default. */
    public Builder optimizer(String methodName) {
      this.method = Methods.named(methodName);
      return this;
    }

    public Builder learningRate(float learningRate) {
      Checks.finitePositive("learningRate", learningRate);
      this.learningRate = learningRate;
      return this;
    }

    /**
     * The rank of the low-rank methods, LRG-Adam, GaLore-Adam, LoRA-Adam, Flora and APOLLO (at most min(out, in) is
     * used per matrix; APOLLO-Mini's is 1 whatever this says); default 8.
     */
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
     * them. {@link #build()} refuses a setup over it before allocating anything. Without this call the budget is
     * {@link Runtime#maxMemory()} / {@link #DEFAULT_BUDGET_DIVISOR}.
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
      setup.memoryBudget(budgetBytes > 0 ? budgetBytes : Runtime.getRuntime().maxMemory() / DEFAULT_BUDGET_DIVISOR);
      Trainer trainer = setup.build();
      if (weights != null) {
        List<String> names = description.parameterNames();
        for (int i = 0; i < names.size(); i++) {
          trainer.setWeights(names.get(i), description.shapeOf(i), weights[i]);
        }
      }
      return new OnDeviceTrainer(description, method, k, trainer);
    }
  }
}
