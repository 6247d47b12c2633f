package org.lrgrad.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryLedger;
import org.lrgrad.train.memory.MemoryPlan;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Trains a {@link Sequential} classifier with softmax cross-entropy (mean over the batch), each parameter group
 * with its own {@link Optimizer}. Every buffer a step uses (weights, gradients, optimizer state, projectors,
 * activations for the largest batch, the input batch itself, workspace) is allocated once, at build time, through
 * a {@link MemoryLedger}: a step allocates nothing on the Java heap. With a memory budget the builder first plans
 * the setup exactly and refuses it, allocating nothing, when it does not fit.
 *
 * <p><b>Non-finite policy.</b> A step whose loss or any gradient is NaN or infinite is skipped and counted
 * ({@link #skippedSteps()}, {@link #lastStepSkipped()}): the gradients of every parameter are formed first, checked,
 * and only when all are finite does any update run. A skipped step changes no weight, no optimizer state and no
 * step counter. One thing may move: a low-rank projector due for refresh at this step count may already have been
 * recomputed from this batch (GaLore never computes one from a non-finite gradient); the next step, at the same
 * count, recomputes it before using it. So training resumes exactly as if the bad batch had never been seen. Loss
 * and gradients that are finite but so large that an update overflows are not covered: choose the learning rate
 * accordingly.
 *
 * <p><b>Fused updates</b> ({@link Builder#fusedUpdates}): each layer's parameters are updated as soon as backward
 * has formed their gradients, as PyTorch's optimizer-in-backward hooks and GaLore's per-layer updates do, so the full
 * gradients of the element-wise optimizers need not exist all at once: they share transient buffers, one per
 * position within a layer (weight, bias, ...), each the size of the largest parameter in that position. The results
 * are bit for bit those of the unfused step (a layer's input error is formed before its weights change). Non-finite
 * policy then: a non-finite loss skips the whole step as above; otherwise each layer's gradients are checked before
 * that layer's update, and the first layer (from the output) with a non-finite gradient ends the step there: it and
 * every layer before it stay untouched, but <em>the layers after it have already been updated</em>. Such a step
 * counts as skipped ({@link #skippedSteps()}) and does not advance {@link #completedSteps()}; the updated layers'
 * own step counters ({@code "<parameter>.step"} in the state) did advance.
 *
 * <p><b>Learning-rate schedules</b> ({@link ChainingOptimizer#schedule}) take their position from
 * {@link #completedSteps()}.
 *
 * <p>Not thread-safe, except {@link #cancel()}. The model belongs to this trainer for its whole life.
 */
public final class Trainer {
  private final Kernels kernels;
  private final Sequential model;
  private final int maxBatch;
  private final long seed;
  private final String configuration;
  private final MemoryLedger ledger;
  private final Slot[] slots;
  /** Each slot's group schedule; null for a frozen parameter. */
  private final LearningRateSchedule[] schedules;
  /** Layer i's parameters are slots [layerSlots[i], layerSlots[i + 1]). */
  private final int[] layerSlots;
  private final boolean fusedUpdates;
  private final Sequential.AfterLayer applyLayer = this::applyLayer;
  private final float[] input;
  private final int[] labels;
  private long completedSteps;
  private long skippedSteps;
  private boolean lastStepSkipped;
  private volatile boolean cancelRequested;

  private Trainer(Kernels kernels, Sequential model, int maxBatch, long seed, String configuration,
      MemoryLedger ledger, Setup setup) {
    this.kernels = kernels;
    this.model = model;
    this.maxBatch = maxBatch;
    this.seed = seed;
    this.configuration = configuration;
    this.ledger = ledger;
    this.slots = setup.slots;
    this.schedules = setup.schedules;
    this.fusedUpdates = setup.fusedUpdates;
    this.layerSlots = new int[model.layers().size() + 1];
    for (int i = 0; i < model.layers().size(); i++) {
      layerSlots[i + 1] = layerSlots[i] + model.layers().get(i).parameters().size();
    }
    this.input = setup.input;
    this.labels = setup.labels;
    SeededRandom rng = new SeededRandom(0);
    model.initialize(new SeededRandom(Seeds.derive(rng, seed, 0)));
    for (int i = 0; i < slots.length; i++) {
      Parameter p = slots[i].param;
      p.bind(slots[i]);
      slots[i].initialize(Seeds.derive(rng, seed, 1 + i));
    }
  }

  /** Starts a trainer for {@code model} with batches of up to {@code maxBatch} samples. */
  public static Builder builder(Sequential model, int maxBatch) {
    return new Builder(model, maxBatch);
  }

  /**
   * One training step on a batch: x is batch × inputWidth (row-major, from {@code xOff}), labels batch class
   * indices in [0, classes). Returns the loss before the update. Follows the non-finite policy of this class.
   * Throws {@link IllegalStateException}, changing nothing, when a step counter is at its limit (a parameter's at
   * 2³¹ − 1, the trainer's at 2⁶³ − 1: only a crafted checkpoint gets there).
   */
  public float step(float[] x, int xOff, int[] labels, int labelsOff, int batch) {
    // Before anything changes: a counter at its limit (from a checkpoint, or 2^31 − 1 steps) cannot count one more.
    for (Slot slot : slots) {
      if (slot.completed == Integer.MAX_VALUE) {
        throw counterAtLimit(slot.param.name() + ".step", slot.completed);
      }
    }
    if (completedSteps == Long.MAX_VALUE || skippedSteps == Long.MAX_VALUE) {
      throw counterAtLimit(completedSteps == Long.MAX_VALUE ? "trainer.completed_steps" : "trainer.skipped_steps",
          Long.MAX_VALUE);
    }
    boolean applied;
    float loss;
    if (fusedUpdates) {
      loss = forwardLoss(x, xOff, labels, labelsOff, batch, true);
      setLearningRateFactors();
      applied = Finite.is(loss) && model.backward(kernels, batch, applyLayer);
    } else {
      loss = computeGradients(x, xOff, labels, labelsOff, batch);
      applied = Finite.is(loss) && gradientsFinite();
      if (applied) {
        setLearningRateFactors();
        for (Slot slot : slots) {
          slot.apply(kernels);
        }
      }
    }
    if (applied) {
      completedSteps++;
    } else {
      skippedSteps++;
    }
    lastStepSkipped = !applied;
    return loss;
  }

  private static IllegalStateException counterAtLimit(String counter, long value) {
    return new IllegalStateException(counter + "=" + value + " is the step counter's limit: this trainer cannot take"
        + " another step (nothing was changed)");
  }

  private void setLearningRateFactors() {
    for (int i = 0; i < slots.length; i++) {
      if (schedules[i] != null) {
        slots[i].learningRateFactor = schedules[i].factor(completedSteps);
      }
    }
  }

  /** Fused updates: layer {@code layer}'s gradients are complete; updates it unless one is not finite. */
  private boolean applyLayer(int layer) {
    for (int i = layerSlots[layer]; i < layerSlots[layer + 1]; i++) {
      if (!slots[i].gradientFinite(kernels)) {
        return false;
      }
    }
    for (int i = layerSlots[layer]; i < layerSlots[layer + 1]; i++) {
      slots[i].apply(kernels);
    }
    return true;
  }

  private boolean gradientsFinite() {
    for (Slot slot : slots) {
      if (!slot.gradientFinite(kernels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Forward and backward without an update: returns the loss and leaves every gradient in the form its optimizer
   * keeps it ({@link #visitGradients}); when the loss is not finite, no gradient is formed. A low-rank projector
   * due for refresh is refreshed, as the next step would do.
   */
  public float computeGradients(float[] x, int xOff, int[] labels, int labelsOff, int batch) {
    checkNotFused("computeGradients");
    float loss = forwardLoss(x, xOff, labels, labelsOff, batch, true);
    if (Finite.is(loss)) {
      model.backward(kernels, batch);
    }
    return loss;
  }

  private void checkNotFused(String what) {
    if (fusedUpdates) {
      throw new IllegalStateException(what + " needs every gradient at once, but this trainer was built with fused"
          + " updates, whose gradients are transient; build it without fusedUpdates");
    }
  }

  /**
   * Trains for {@code epochs} passes over {@code examples}, in order, in batches of {@link #maxBatch()} (the last
   * one of a pass smaller when the count is not a multiple), calling {@code listener} (may be null) after each step.
   * Every example is checked before the first step. {@link #cancel()} stops the run before its next step; a cancel
   * made before this call started does not affect it. Steps follow {@link #step}'s non-finite policy.
   */
  public TrainingRun fit(Examples examples, int epochs, ProgressListener listener) {
    checkExamples(examples);
    Checks.positive("epochs", epochs);
    int count = examples.count();
    int batchesPerEpoch = (count + maxBatch - 1) / maxBatch;
    if ((long) batchesPerEpoch * epochs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("epochs=" + epochs + " x " + batchesPerEpoch + " batches per epoch exceeds "
          + Integer.MAX_VALUE + " steps");
    }
    int planned = batchesPerEpoch * epochs;
    int width = model.inputWidth();
    cancelRequested = false;
    int done = 0;
    float loss = Float.NaN;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int first = 0; first < count; first += maxBatch) {
        if (cancelRequested) {
          return new TrainingRun(done, planned, loss, true);
        }
        loss = step(examples.features(), first * width, examples.labels(), first, Math.min(maxBatch, count - first));
        done++;
        if (listener != null) {
          listener.onStep(done, planned, loss);
        }
      }
    }
    return new TrainingRun(done, planned, loss, false);
  }

  /** Asks the {@link #fit} in progress to stop before its next step. Any thread may call it, at any time. */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * The mean loss and the accuracy (arg-max of the logits) over {@code examples}, in batches of
   * {@link #maxBatch()}; changes nothing, and allocates nothing per batch.
   */
  public Evaluation evaluate(Examples examples) {
    return evaluate(examples, null);
  }

  /**
   * {@link #evaluate(Examples)}, also writing into {@code correct[i]} whether example i is labelled right, so that
   * two models can be compared example by example (a paired test); {@code correct} may be null, else it needs at
   * least {@code examples.count()} elements.
   */
  public Evaluation evaluate(Examples examples, boolean[] correct) {
    checkExamples(examples);
    if (correct != null && correct.length < examples.count()) {
      throw new IllegalArgumentException("correct.length=" + correct.length + " must be >= examples.count()="
          + examples.count());
    }
    int count = examples.count();
    int width = model.inputWidth();
    int classes = model.outputWidth();
    double lossSum = 0;
    int right = 0;
    for (int first = 0; first < count; first += maxBatch) {
      int rows = Math.min(maxBatch, count - first);
      stage(examples.features(), first * width, rows);
      float[] logits = model.forward(kernels, rows, input);
      lossSum += (double) rows * kernels.softmaxCrossEntropy(rows, classes, logits, 0, classes, examples.labels(),
          first, null, 0, classes);
      for (int i = 0; i < rows; i++) {
        boolean isRight = argMax(logits, i * classes, classes) == examples.labels()[first + i];
        right += isRight ? 1 : 0;
        if (correct != null) {
          correct[first + i] = isRight;
        }
      }
    }
    return new Evaluation(count, lossSum / count, right);
  }

  /** The index of the largest of {@code a[off, off + n)}, the first on ties. */
  static int argMax(float[] a, int off, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (a[off + j] > a[off + best]) {
        best = j;
      }
    }
    return best;
  }

  /** The examples fit this model: feature width and every label. */
  private void checkExamples(Examples examples) {
    Checks.notNull("examples", examples);
    int count = examples.count();
    int width = model.inputWidth();
    if ((long) count * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("count=" + count + " examples of " + width + " features exceed "
          + Integer.MAX_VALUE + " floats, more than one array holds");
    }
    Checks.vector("features", examples.features(), 0, count * width);
    if (examples.wholeArrays() && examples.features().length != count * width) {
      throw new IllegalArgumentException("features.length=" + examples.features().length + " must be labels.length="
          + count + " × the model's input width " + width + " = " + count * width + " (features of another width?"
          + " new Examples(features, labels, count) takes the first count rows of longer arrays)");
    }
    int classes = model.outputWidth();
    int[] labels = examples.labels();
    for (int i = 0; i < count; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("labels[" + i + "]=" + labels[i] + " must be in [0, classes=" + classes
            + ")");
      }
    }
  }

  /** The loss on a batch with the current weights; nothing changes. */
  public float loss(float[] x, int xOff, int[] labels, int labelsOff, int batch) {
    return forwardLoss(x, xOff, labels, labelsOff, batch, false);
  }

  /** Writes the logits of a batch (batch × classes) into {@code out} from {@code outOff}; nothing changes. */
  public void predict(float[] x, int xOff, int batch, float[] out, int outOff) {
    stage(x, xOff, batch);
    int classes = model.outputWidth();
    Checks.vector("out", out, outOff, batch * classes);
    float[] logits = model.forward(kernels, batch, input);
    System.arraycopy(logits, 0, out, outOff, batch * classes);
  }

  /**
   * Writes the most likely class of each example of a batch (the first on ties) into {@code out} from
   * {@code outOff}; nothing changes.
   */
  public void predictClasses(float[] x, int xOff, int batch, int[] out, int outOff) {
    stage(x, xOff, batch);
    Checks.vector("out", out, outOff, batch);
    int classes = model.outputWidth();
    float[] logits = model.forward(kernels, batch, input);
    for (int i = 0; i < batch; i++) {
      out[outOff + i] = argMax(logits, i * classes, classes);
    }
  }

  private void stage(float[] x, int xOff, int batch) {
    Checks.positive("batch", batch);
    if (batch > maxBatch) {
      throw new IllegalArgumentException("batch=" + batch + " > maxBatch=" + maxBatch
          + " this trainer was built for");
    }
    Checks.vector("x", x, xOff, batch * model.inputWidth());
    System.arraycopy(x, xOff, input, 0, batch * model.inputWidth());
  }

  private float forwardLoss(float[] x, int xOff, int[] labels, int labelsOff, int batch, boolean withError) {
    stage(x, xOff, batch);
    Checks.vector("labels", labels, labelsOff, batch);
    System.arraycopy(labels, labelsOff, this.labels, 0, batch);
    int classes = model.outputWidth();
    float[] logits = model.forward(kernels, batch, input);
    return kernels.softmaxCrossEntropy(batch, classes, logits, 0, classes, this.labels, 0,
        withError ? model.outputError() : null, 0, classes);
  }

  /**
   * Folds every LoRA adapter into its frozen weight (W0 ← W0 + s·B·A) and restarts the adapters (B = 0, a fresh A,
   * zero moments, step 0), so the model's outputs do not change. Does nothing for other optimizers.
   */
  public void mergeLora() {
    for (Slot slot : slots) {
      if (slot instanceof LoraSlot) {
        ((LoraSlot) slot).merge(kernels);
      }
    }
  }

  /**
   * Folds every factored low-rank update into its weight array (W₀ ← c·W₀ + P·A; see
   * {@link LowRankAdam.Accumulation#FACTORED}), so that each {@link Parameter}'s array holds its whole weights.
   * {@link Parameter#data()} does this for its own parameter; a weights getter or an export that reads the arrays
   * otherwise calls this first. The model computes the same up to float rounding; nothing for other optimizers.
   */
  public void mergeFactoredUpdates() {
    for (Slot slot : slots) {
      slot.materialize();
    }
  }

  /** Steps that updated the model. */
  public long completedSteps() {
    return completedSteps;
  }

  /** Steps skipped by the non-finite policy. */
  public long skippedSteps() {
    return skippedSteps;
  }

  public boolean lastStepSkipped() {
    return lastStepSkipped;
  }

  public MemoryLedger ledger() {
    return ledger;
  }

  public Kernels kernels() {
    return kernels;
  }

  public Sequential model() {
    return model;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * What this trainer trains and how, as text: the model and the seed on the first line, then one line per parameter
   * with its shape and its group's optimizer with every setting. Trainers with equal configurations have states of
   * the same layout and meaning ({@link #visitState}); a checkpoint records the configuration and is restored only
   * into a trainer with an equal one. The kernels and the maximum batch are not part of it: the state does not
   * depend on them, except through the accumulation form of a low-rank group left to choose it
   * ({@link LowRankAdam.Accumulation#AUTO}), which the maximum batch can change: a trainer that restores checkpoints
   * of trainers with another maximum batch forces the form.
   */
  public String configuration() {
    return configuration;
  }

  /**
   * Walks the whole training state (see {@link StateVisitor}): the seed (which must not change), every parameter,
   * every optimizer's buffers and step counter, and the trainer's step counts. Restoring means visiting with new
   * values into a trainer built with the same model, groups and seed.
   */
  public void visitState(StateVisitor visitor) {
    long visitedSeed = visitor.counter("trainer.seed", seed);
    if (visitedSeed != seed) {
      throw new IllegalArgumentException("the state has seed " + visitedSeed + ", this trainer seed " + seed
          + ": build the trainer with the seed the state was saved with");
    }
    for (Slot slot : slots) {
      // The array as training keeps it (W₀ beside a factored slot's factor): visiting, and so saving, merges nothing.
      visitor.buffer(slot.param.name(), MemoryTag.WEIGHTS, slot.param.values());
      slot.visitState(visitor);
    }
    completedSteps = nonNegative("trainer.completed_steps", visitor.counter("trainer.completed_steps",
        completedSteps));
    skippedSteps = nonNegative("trainer.skipped_steps", visitor.counter("trainer.skipped_steps", skippedSteps));
  }

  private static long nonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + "=" + value + " must be >= 0");
    }
    return value;
  }

  /**
   * A copy of parameter {@code name}'s values as the model uses them (with LoRA, W0 + s·B·A, the adapters left
   * as they are), row-major in {@code torch.nn.Linear}'s layout.
   */
  public float[] weights(String name) {
    Slot slot = slotOf(name);
    float[] copy = new float[slot.param.size()];
    slot.effectiveWeights(kernels, copy, 0);
    return copy;
  }

  /**
   * Sets parameter {@code name} from {@code values} of shape {@code shape} ({@code {rows, cols}} for a matrix,
   * {@code {length}} for a vector), checked against the parameter's; with LoRA, this is the frozen W0 (the
   * adapters stay). Throws {@link IllegalArgumentException}, changing nothing, when the name or shape is wrong or a
   * value is not finite (a NaN weight would make every later step's loss NaN, so every step would be skipped).
   */
  public void setWeights(String name, int[] shape, float[] values) {
    Slot slot = slotOf(name);
    Checks.notNull("shape", shape);
    Checks.notNull("values", values);
    Parameter p = slot.param;
    int[] expected = p.isMatrix() ? new int[] {p.rows(), p.cols()} : new int[] {p.cols()};
    if (!java.util.Arrays.equals(shape, expected)) {
      throw new IllegalArgumentException("shape of " + name + "=" + java.util.Arrays.toString(shape)
          + ", expected " + java.util.Arrays.toString(expected));
    }
    if (values.length != p.size()) {
      throw new IllegalArgumentException("values for " + name + " have " + values.length + " floats, expected "
          + p.size());
    }
    Checks.allFinite("values for " + name, values, "weights must be finite");
    p.copyFrom(values, 0);
  }

  private Slot slotOf(String name) {
    Checks.notNull("name", name);
    for (Slot slot : slots) {
      if (slot.param.name().equals(name)) {
        return slot;
      }
    }
    StringBuilder names = new StringBuilder();
    for (Slot slot : slots) {
      names.append(names.length() == 0 ? "" : ", ").append(slot.param.name());
    }
    throw new IllegalArgumentException("no parameter '" + name + "' in " + model + "; its parameters: " + names);
  }

  /** The gradient buffers of the last backward pass, each in the form its optimizer keeps. */
  public void visitGradients(StateVisitor visitor) {
    checkNotFused("visitGradients");
    for (Slot slot : slots) {
      slot.visitGradients(visitor);
    }
  }

  /** What a plan or a ledger gets from one declaration pass. */
  private static final class Setup {
    Slot[] slots;
    LearningRateSchedule[] schedules;
    boolean fusedUpdates;
    float[] input;
    int[] labels;
  }

  /** Groups parameters with their optimizers, plans the memory, and builds the {@link Trainer}. */
  public static final class Builder {
    private final Sequential model;
    private final int maxBatch;
    private final Map<Parameter, Optimizer> optimizers = new IdentityHashMap<>();
    private final Map<Parameter, Boolean> frozen = new IdentityHashMap<>();
    private final List<Optimizer> groups = new ArrayList<>();
    private Kernels kernels;
    private long seed;
    private long budgetBytes = -1;
    private boolean fusedUpdates;

    private Builder(Sequential model, int maxBatch) {
      Checks.notNull("model", model);
      Checks.positive("maxBatch", maxBatch);
      if (model.isDeclared()) {
        throw new IllegalArgumentException("the model already belongs to a trainer; build a new model (and copy"
            + " its parameters) to train it again");
      }
      this.model = model;
      this.maxBatch = maxBatch;
    }

    /** The kernels to run on; {@link KernelProvider#get()} by default. */
    public Builder kernels(Kernels kernels) {
      Checks.notNull("kernels", kernels);
      this.kernels = kernels;
      return this;
    }

    /** The seed of every random draw: initial weights, LoRA factors, random projectors (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The most bytes the setup may take (every ledger-tagged buffer), at least 1; checked before anything is
     * allocated (by default there is no budget).
     */
    public Builder memoryBudget(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("memoryBudget=" + bytes + " bytes must be > 0");
      }
      this.budgetBytes = bytes;
      return this;
    }

    /**
     * Whether each layer's parameters are updated during backward, as soon as their gradients are complete (see
     * {@link Trainer}); default false. The element-wise optimizers' full gradients then share transient buffers.
     */
    public Builder fusedUpdates(boolean fused) {
      this.fusedUpdates = fused;
      return this;
    }

    /** A parameter group: these parameters of the model are trained by {@code optimizer}. */
    public Builder group(Optimizer optimizer, List<Parameter> parameters) {
      Checks.notNull("optimizer", optimizer);
      checkAssignable(parameters);
      if (parameters.isEmpty()) {
        throw new IllegalArgumentException("a group needs at least one parameter");
      }
      for (Parameter p : parameters) {
        optimizers.put(p, optimizer);
      }
      groups.add(optimizer);
      return this;
    }

    public Builder group(Optimizer optimizer, Parameter... parameters) {
      Checks.notNull("parameters", parameters);
      return group(optimizer, java.util.Arrays.asList(parameters));
    }

    /**
     * Parameters that are not trained: they keep their values, and cost no gradient and no optimizer state (the
     * ledger holds only their weights), e.g. every layer but the last to train the head only. The error still flows
     * through them to the layers before.
     */
    public Builder freeze(List<Parameter> parameters) {
      checkAssignable(parameters);
      for (Parameter p : parameters) {
        frozen.put(p, Boolean.TRUE);
      }
      return this;
    }

    public Builder freeze(Parameter... parameters) {
      Checks.notNull("parameters", parameters);
      return freeze(java.util.Arrays.asList(parameters));
    }

    /**
     * Checks, before {@link #group} or {@link #freeze} records anything, that every one of {@code parameters} is a
     * parameter of the model and in no group and not frozen yet.
     */
    private void checkAssignable(List<Parameter> parameters) {
      Checks.notNull("parameters", parameters);
      for (Parameter p : parameters) {
        Checks.notNull("parameter", p);
        if (!containsIdentity(model.parameters(), p)) {
          throw new IllegalArgumentException(p + " is not a parameter of " + model);
        }
        checkUnassigned(p);
      }
    }

    private void checkUnassigned(Parameter p) {
      Optimizer before = optimizers.get(p);
      if (before != null) {
        throw new IllegalArgumentException(p + " is already in a group (" + before.name()
            + "); a parameter belongs to exactly one group or is frozen");
      }
      if (frozen.containsKey(p)) {
        throw new IllegalArgumentException(p + " is already frozen; a parameter belongs to exactly one group or is"
            + " frozen");
      }
    }

    private static boolean containsIdentity(List<Parameter> list, Parameter p) {
      for (Parameter q : list) {
        if (q == p) {
          return true;
        }
      }
      return false;
    }

    private Kernels kernelsOrDefault() {
      return kernels != null ? kernels : KernelProvider.get();
    }

    private void checkGroups() {
      for (Parameter p : model.parameters()) {
        if (!optimizers.containsKey(p) && !frozen.containsKey(p)) {
          throw new IllegalArgumentException(p + " is in no group and not frozen; every parameter of the model"
              + " needs a group, or freeze() to leave it untrained");
        }
      }
      for (Optimizer o : groups) {
        o.validate();
      }
    }

    /** The exact memory the setup will take, buffer by buffer; allocates nothing. */
    public MemoryPlan plan() {
      checkGroups();
      return planWithRankCap(Integer.MAX_VALUE);
    }

    private MemoryPlan planWithRankCap(int rankCap) {
      MemoryPlan plan = new MemoryPlan();
      declare(kernelsOrDefault(), plan, rankCap);
      return plan;
    }

    private Setup declare(Kernels k, BufferAllocator allocator, int rankCap) {
      try {
        return declareBuffers(k, allocator, rankCap);
      } catch (ArithmeticException e) {
        // Every size is computed with Math.*Exact: an overflow means some buffer for maxBatch cannot be one array.
        throw new IllegalArgumentException("maxBatch=" + maxBatch + " is too large for " + model + ": a buffer"
            + " sized for it would hold more than " + Integer.MAX_VALUE + " values (" + e.getMessage() + ")", e);
      }
    }

    private Setup declareBuffers(Kernels k, BufferAllocator allocator, int rankCap) {
      Setup setup = new Setup();
      model.declare(allocator, maxBatch);
      setup.input = allocator.floats(MemoryTag.ACTIVATIONS, "input batch",
          Math.multiplyExact(maxBatch, model.inputWidth()));
      setup.labels = allocator.ints(MemoryTag.ACTIVATIONS, "labels", maxBatch);
      SharedWorkspace workspace = new SharedWorkspace();
      TransientGradients transientGradients = fusedUpdates ? new TransientGradients() : null;
      setup.fusedUpdates = fusedUpdates;
      List<Parameter> params = model.parameters();
      setup.slots = new Slot[params.size()];
      setup.schedules = new LearningRateSchedule[params.size()];
      int i = 0;
      for (Layer layer : model.layers()) {
        for (int position = 0; position < layer.parameters().size(); position++, i++) {
          Parameter p = params.get(i);
          Optimizer optimizer = optimizers.get(p);
          Slot slot = frozen.containsKey(p) ? new FrozenSlot(p) : optimizer.slotFor(p, rankCap);
          setup.schedules[i] = optimizer == null ? null : optimizer.learningRateSchedule();
          if (transientGradients != null && slot instanceof DenseSlot) {
            ((DenseSlot) slot).shareGradient(transientGradients, position);
          }
          slot.declare(k, allocator, workspace, maxBatch);
          setup.slots[i] = slot;
        }
      }
      workspace.declare(allocator);
      if (transientGradients != null) {
        transientGradients.declare(allocator);
        for (Slot slot : setup.slots) {
          if (slot instanceof DenseSlot) {
            ((DenseSlot) slot).bindSharedGradient();
          }
        }
      }
      return setup;
    }

    /**
     * Checks the groups and the budget, allocates every buffer and initializes the weights (U(−1/√fanIn, 1/√fanIn)
     * from the seed). Throws {@link MemoryBudgetExceededException}, having allocated nothing, when a budget is set
     * and the plan exceeds it.
     */
    public Trainer build() {
      checkGroups();
      Kernels k = kernelsOrDefault();
      if (budgetBytes >= 0) {
        MemoryPlan plan = planWithRankCap(Integer.MAX_VALUE);
        if (plan.liveBytes() > budgetBytes) {
          throw overBudget(plan);
        }
      }
      for (Optimizer o : groups) {
        o.freeze();
      }
      MemoryLedger ledger = new MemoryLedger();
      Setup setup = declare(k, ledger, Integer.MAX_VALUE);
      return new Trainer(k, model, maxBatch, seed, configuration(setup.slots), ledger, setup);
    }

    /** See {@link Trainer#configuration()}; a slot adds the form it chose at build time (its state depends on it). */
    private String configuration(Slot[] slots) {
      StringBuilder text = new StringBuilder().append(model).append(", seed ").append(seed);
      List<Parameter> params = model.parameters();
      for (int i = 0; i < params.size(); i++) {
        Parameter p = params.get(i);
        text.append('\n').append(p).append(": ")
            .append(frozen.containsKey(p) ? "frozen" : optimizers.get(p).describe(p))
            .append(slots[i].formSettings());
      }
      return text.toString();
    }

    private MemoryBudgetExceededException overBudget(MemoryPlan plan) {
      String needs = String.format(Locale.ROOT, "the setup needs %,d bytes but the memory budget is %,d bytes"
          + " (weights %,d, gradients %,d, optimizer state %,d, projectors %,d, activations %,d, workspace %,d)",
          plan.liveBytes(), budgetBytes, plan.liveBytes(MemoryTag.WEIGHTS), plan.liveBytes(MemoryTag.GRADIENTS),
          plan.liveBytes(MemoryTag.OPTIMIZER_STATE), plan.liveBytes(MemoryTag.PROJECTORS),
          plan.liveBytes(MemoryTag.ACTIVATIONS), plan.liveBytes(MemoryTag.WORKSPACE));
      int maxRank = 0;
      for (Optimizer o : groups) {
        maxRank = Math.max(maxRank, o.rank());
      }
      if (maxRank == 0) {
        return new MemoryBudgetExceededException(needs + "; no group is low-rank, so no rank could shrink it:"
            + " use a smaller model or batch, or a low-rank optimizer", plan, budgetBytes, 0);
      }
      // The plan grows with the rank: find the largest rank below the requested one that fits.
      int lo = 0;
      long loBytes = 0;
      int hi = maxRank;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        long bytes = planWithRankCap(mid).liveBytes();
        if (bytes <= budgetBytes) {
          lo = mid;
          loBytes = bytes;
        } else {
          hi = mid;
        }
      }
      if (lo == 0) {
        long atOne = planWithRankCap(1).liveBytes();
        return new MemoryBudgetExceededException(String.format(Locale.ROOT, "%s; no rank fits: even rank 1 needs"
            + " %,d bytes", needs, atOne), plan, budgetBytes, 0);
      }
      return new MemoryBudgetExceededException(String.format(Locale.ROOT, "%s; rank %d would fit (%,d bytes)",
          needs, lo, loBytes), plan, budgetBytes, lo);
    }
  }
}
