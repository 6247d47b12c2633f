package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.lrgrad.data.Batch;
import org.lrgrad.data.LabeledImages;
import org.lrgrad.data.PersonalizationSplit;
import org.lrgrad.data.ShuffledBatches;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryLedger;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The study for one model (docs/method.md §1, the shape of the seed's): pretrain a base model on the population's
 * images, then personalize a copy of it for the user with each {@link Method}, every copy starting from the same
 * weights and seeing the same batches, for the same number of steps.
 */
final class Study {
  /** The base model: its weights (in parameter order) and how good it is. */
  record Pretrained(ModelKind model, String description, int parameters, float[][] weights, int steps,
      double seconds, float[] losses, Evaluation population, Evaluation user) {}

  /**
   * One personalization: the ledger's peak and its bytes by tag, the user's test set before and after, the
   * population's test set after, and the training loop's time (evaluation excluded).
   */
  record Run(Method method, String optimizer, float learningRate, long peakBytes, Map<MemoryTag, Long> bytesByTag,
      Evaluation userBefore, Evaluation userAfter, Evaluation populationAfter, int steps, long skippedSteps,
      double trainSeconds, float[] losses) {

    double stepsPerSecond() {
      return steps / trainSeconds;
    }
  }

  record ModelResult(Pretrained base, List<Run> runs) {
    Run run(Method method) {
      for (Run r : runs) {
        if (r.method() == method) {
          return r;
        }
      }
      throw new IllegalArgumentException(method.label + " was not run for " + base.model());
    }
  }

  private final Settings settings;
  private final Kernels kernels;
  private final Progress progress;

  Study(Settings settings, Kernels kernels, Progress progress) {
    this.settings = settings;
    this.kernels = kernels;
    this.progress = progress;
  }

  /** Pretrains {@code model}, then personalizes it with every method on the split's user. */
  ModelResult run(ModelKind model, PersonalizationSplit split) {
    Pretrained base = pretrain(model, split);
    List<Run> runs = new ArrayList<>();
    for (Method method : Method.values()) {
      runs.add(personalize(base, method, settings.learningRate(method, model), split.userTrain(), split.userTest(),
          split.populationTest()));
    }
    return new ModelResult(base, runs);
  }

  private Sequential newModel(ModelKind model, LabeledImages images) {
    return model.build(images.rows(), images.cols(), settings.hidden(model), images.classes());
  }

  private Trainer.Builder trainer(Sequential model) {
    return Trainer.builder(model, settings.batch()).kernels(kernels).seed(settings.seed());
  }

  /** Adam on the population's training images, from the seed's initial weights. */
  Pretrained pretrain(ModelKind model, PersonalizationSplit split) {
    LabeledImages images = split.populationTrain();
    Sequential net = newModel(model, images);
    Trainer trainer = trainer(net).group(Adam.adam(Settings.PRETRAIN_LEARNING_RATE), net.parameters()).build();
    int steps = settings.pretrainSteps();
    progress.begin(model + " pretraining (Adam)", steps);
    long start = System.nanoTime();
    float[] losses = train(trainer, images, steps);
    double seconds = (System.nanoTime() - start) * 1e-9;
    List<Parameter> params = net.parameters();
    float[][] weights = new float[params.size()][];
    int count = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = new float[params.get(i).size()];
      params.get(i).copyTo(weights[i], 0);
      count += weights[i].length;
    }
    return new Pretrained(model, model.describe(images.rows(), images.cols(), settings.hidden(model),
        images.classes()), count, weights, steps, seconds, losses, Evaluation.of(trainer, split.populationTest()),
        Evaluation.of(trainer, split.userTest()));
  }

  /**
   * A copy of the base model trained on {@code train} with {@code method}; {@code test} scores it before and after,
   * {@code population} (may be null) after.
   */
  Run personalize(Pretrained base, Method method, float learningRate, LabeledImages train, LabeledImages test,
      LabeledImages population) {
    Sequential net = newModel(base.model(), train);
    Optimizer optimizer = method.optimizer(learningRate, settings);
    Trainer trainer = trainer(net).group(optimizer, net.parameters()).build();
    List<Parameter> params = net.parameters();
    for (int i = 0; i < params.size(); i++) {
      params.get(i).copyFrom(base.weights()[i], 0);
    }
    Evaluation before = Evaluation.of(trainer, test);
    int steps = settings.steps();
    progress.begin(base.model() + " " + method.label, steps);
    long start = System.nanoTime();
    float[] losses = train(trainer, train, steps);
    double seconds = (System.nanoTime() - start) * 1e-9;
    MemoryLedger ledger = trainer.ledger();
    Map<MemoryTag, Long> byTag = new EnumMap<>(MemoryTag.class);
    for (MemoryTag tag : MemoryTag.values()) {
      byTag.put(tag, ledger.liveBytes(tag));
    }
    return new Run(method, optimizer.toString(), learningRate, ledger.peakBytes(), byTag, before,
        Evaluation.of(trainer, test), population == null ? null : Evaluation.of(trainer, population), steps,
        trainer.skippedSteps(), seconds, losses);
  }

  /** {@code steps} steps on batches drawn from {@code images} in the seed's order; returns each step's loss. */
  private float[] train(Trainer trainer, LabeledImages images, int steps) {
    ShuffledBatches batches = new ShuffledBatches(images, settings.seed());
    Batch batch = new Batch(settings.batch(), images.featureSize());
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      batches.next(batch);
      losses[s] = trainer.step(batch.features(), 0, batch.labels(), 0, batch.size());
      progress.step();
    }
    return losses;
  }
}
