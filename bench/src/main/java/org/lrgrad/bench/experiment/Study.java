package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.lrgrad.bench.data.Batch;
import org.lrgrad.bench.data.Dataset;
import org.lrgrad.bench.data.LabeledImages;
import org.lrgrad.bench.data.PersonalizationSplit;
import org.lrgrad.bench.data.ShuffledBatches;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Examples;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryPlan;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The study for one model: pretrain a base model on the population's images once, choose every arm's learning rate
 * on development users (the same grid size for every method), then personalize a copy of the base model for each
 * evaluated user with every {@link Arm}, all copies of a user starting from the same weights and seeing the same
 * batches for the same number of steps. Personalizations run on {@link Settings#threads()} threads; every result
 * depends on the seeds only, not on the order the threads finish in.
 */
final class Study implements AutoCloseable {
  /** The base model: its weights (in parameter order) and how good it is on the population's test images. */
  record Pretrained(ModelKind model, String description, int parameters, Map<String, float[]> weights, int steps,
      double seconds, float[] losses, Evaluation population) {}

  /**
   * One user: the split, its test images and the population's as the library's examples, and the base model's
   * score on the user's test images.
   */
  record User(int index, boolean development, PersonalizationSplit split, Examples test, Examples population,
      Evaluation before) {}

  /** One personalization of one user. */
  record UserRun(Evaluation after, double populationAfter, long skippedSteps, double trainSeconds) {}

  /**
   * One arm over every evaluated user, with its ledger memory (the same for every user): the peak and the bytes by
   * kind with fused updates, as the arm trains, and the peak of the same arm unfused.
   */
  record ArmResult(Arm arm, float learningRate, long peakBytes, Map<MemoryTag, Long> bytesByTag,
      long unfusedPeakBytes, List<UserRun> users) {

    double meanAccuracy() {
      double sum = 0;
      for (UserRun u : users) {
        sum += u.after().accuracy();
      }
      return sum / users.size();
    }
  }

  /** How a tuned arm's learning rate was chosen: each rate's mean loss and accuracy over the development users. */
  record Tuning(Arm arm, float[] grid, double[] meanLoss, double[] meanAccuracy, float chosen) {}

  record ModelResult(Pretrained base, OperatingPoints points, List<User> users, int tuningUsers,
      List<Tuning> tuning, List<ArmResult> arms) {
    ArmResult arm(String label) {
      for (ArmResult r : arms) {
        if (r.arm().label().equals(label)) {
          return r;
        }
      }
      throw new IllegalArgumentException(label + " was not run for " + base.model());
    }

    double meanBefore() {
      double sum = 0;
      for (User u : users) {
        sum += u.before().accuracy();
      }
      return sum / users.size();
    }
  }

  private final Settings settings;
  private final Kernels kernels;
  private final Progress progress;
  private final ExecutorService pool;

  Study(Settings settings, Kernels kernels, Progress progress) {
    this.settings = settings;
    this.kernels = kernels;
    this.progress = progress;
    this.pool = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "study");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** Training steps of a whole run, for the progress display. */
  static long totalSteps(Settings s, int armsPerModel, int tunedArmsPerModel) {
    long perModel = s.pretrainSteps() + (long) s.steps() * ((long) armsPerModel * s.users()
        + (long) tunedArmsPerModel * Method.GRID_SIZE * s.devUsers());
    return perModel * s.models().size();
  }

  /** The users of a run, evaluated ({@code development} false) or development ones. */
  List<User> users(Dataset data, boolean development, Pretrained base) {
    int count = development ? settings.devUsers() : settings.users();
    List<User> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PersonalizationSplit split = PersonalizationSplit.create(data, settings.userSeed(i, development),
          PersonalizationSplit.DEFAULT_USER_TRAIN, PersonalizationSplit.DEFAULT_USER_TEST,
          PersonalizationSplit.DEFAULT_CLASS_DECAY, settings.shift());
      Examples test = Evaluation.examples(split.userTest());
      users.add(new User(i, development, split, test,
          development ? null : Evaluation.examples(split.populationTest()),
          base == null ? null : evaluateBase(base, test)));
    }
    return users;
  }

  /** Pretrains {@code model}, tunes, then personalizes it with every arm for every evaluated user. */
  ModelResult run(ModelKind model, Dataset data) throws InterruptedException {
    Pretrained base = pretrain(model, data);
    OperatingPoints points = OperatingPoints.find(this, base, settings);
    List<Arm> arms = Arm.list(settings, points.ranks(), settings.extended(), points.maxRank());
    List<User> dev = users(data, true, null);
    List<User> users = users(data, false, base);
    List<Tuning> tuning = new ArrayList<>();
    int tuned = 0;
    for (Arm arm : arms) {
      tuned += arm.tuned() && !settings.learningRates().containsKey(arm.method()) ? 1 : 0;
    }
    progress.begin(String.format(java.util.Locale.ROOT, "%s learning rates on %d development users", model,
        dev.size()), tuned * Method.GRID_SIZE * dev.size() * settings.steps());
    Map<Method, Float> chosen = new EnumMap<>(Method.class);
    for (Arm arm : arms) {
      if (arm.tuned()) {
        Float set = settings.learningRates().get(arm.method());
        if (set != null) {
          chosen.put(arm.method(), set);
        } else {
          Tuning t = tune(base, arm, dev);
          tuning.add(t);
          chosen.put(arm.method(), t.chosen());
        }
      }
    }
    progress.begin(String.format(java.util.Locale.ROOT, "%s: %d arms x %d users, %d threads", model, arms.size(),
        users.size(), settings.threads()), arms.size() * users.size() * settings.steps());
    // Every (arm, user) personalization is one task.
    List<Future<UserRun>> futures = new ArrayList<>();
    for (Arm arm : arms) {
      float lr = chosen.get(arm.method());
      for (User user : users) {
        futures.add(submit(() -> personalize(base, arm, lr, user.split().userTrain(), user.test(),
            user.population()).run()));
      }
    }
    List<ArmResult> results = new ArrayList<>();
    int k = 0;
    for (Arm arm : arms) {
      List<UserRun> runs = new ArrayList<>();
      for (int u = 0; u < users.size(); u++) {
        runs.add(get(futures.get(k++)));
      }
      MemoryPlan fused = builder(base, arm, chosen.get(arm.method()), true).plan();
      Map<MemoryTag, Long> byTag = new EnumMap<>(MemoryTag.class);
      for (MemoryTag tag : MemoryTag.values()) {
        byTag.put(tag, fused.liveBytes(tag));
      }
      long unfused = builder(base, arm, chosen.get(arm.method()), false).plan().peakBytes();
      results.add(new ArmResult(arm, chosen.get(arm.method()), fused.peakBytes(), byTag, unfused, runs));
    }
    return new ModelResult(base, points, users, dev.size(), tuning, results);
  }

  private <T> Future<T> submit(Callable<T> task) {
    return pool.submit(task);
  }

  private static <T> T get(Future<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Each rate of the method's grid on every development user; the lowest mean test loss there wins. */
  private Tuning tune(Pretrained base, Arm arm, List<User> dev) throws InterruptedException {
    float[] grid = arm.method().grid(base.model());
    List<Future<UserRun>> futures = new ArrayList<>();
    for (float lr : grid) {
      for (User user : dev) {
        futures.add(submit(() -> personalize(base, arm, lr, user.split().userTrain(), user.test(), null).run()));
      }
    }
    double[] loss = new double[grid.length];
    double[] accuracy = new double[grid.length];
    int k = 0;
    int best = 0;
    for (int i = 0; i < grid.length; i++) {
      for (int u = 0; u < dev.size(); u++) {
        UserRun run = get(futures.get(k++));
        // A diverged run's loss is not finite: it counts as the worst possible.
        double l = run.after().meanLoss();
        loss[i] += (Double.isFinite(l) ? l : Double.MAX_VALUE / dev.size()) / dev.size();
        accuracy[i] += run.after().accuracy() / dev.size();
      }
      if (loss[i] < loss[best]) {
        best = i;
      }
    }
    return new Tuning(arm, grid, loss, accuracy, grid[best]);
  }

  Sequential newModel(ModelKind model) {
    return model.build(28, 28, settings.hidden(model), 10);
  }

  /**
   * A builder for {@code arm}'s trainer on a new model: its method's optimizer on the parameters it trains, the
   * others frozen; with {@code fused}, each layer's update runs inside backward (see {@link Trainer}).
   */
  Trainer.Builder builder(Pretrained base, Arm arm, float lr, boolean fused) {
    Sequential net = newModel(base.model());
    List<Parameter> all = net.parameters();
    List<Parameter> trained = arm.method().trained(all);
    Trainer.Builder builder = Trainer.builder(net, settings.batch()).kernels(kernels).seed(settings.seed())
        .fusedUpdates(fused).group(arm.method().optimizer(lr, arm, settings), trained);
    if (trained.size() < all.size()) {
      List<Parameter> frozen = new ArrayList<>(all);
      frozen.removeAll(trained);
      builder.freeze(frozen);
    }
    return builder;
  }

  /** {@code arm}'s trainer, with fused updates, holding the base weights. */
  Trainer trainer(Pretrained base, Arm arm, float lr) {
    Trainer trainer = builder(base, arm, lr, true).build();
    for (Parameter p : trainer.model().parameters()) {
      trainer.setWeights(p.name(), p.isMatrix() ? new int[] {p.rows(), p.cols()} : new int[] {p.cols()},
          base.weights().get(p.name()));
    }
    return trainer;
  }

  /** Adam on the population's training images, from the initial weights of --seed. */
  Pretrained pretrain(ModelKind model, Dataset data) {
    LabeledImages images = data.train();
    Sequential net = newModel(model);
    Trainer trainer = Trainer.builder(net, settings.batch()).kernels(kernels).seed(settings.seed())
        .group(Adam.adam(Settings.PRETRAIN_LEARNING_RATE), net.parameters()).build();
    int steps = settings.pretrainSteps();
    progress.begin(model + " pretraining (Adam)", steps);
    long start = System.nanoTime();
    float[] losses = train(trainer, images, steps);
    double seconds = (System.nanoTime() - start) * 1e-9;
    Map<String, float[]> weights = new LinkedHashMap<>();
    int count = 0;
    for (Parameter p : net.parameters()) {
      weights.put(p.name(), trainer.weights(p.name()));
      count += p.size();
    }
    return new Pretrained(model, model.describe(images.rows(), images.cols(), settings.hidden(model),
        images.classes()), count, weights, steps, seconds, losses,
        Evaluation.of(trainer, Evaluation.examples(data.test())));
  }

  private Evaluation evaluateBase(Pretrained base, Examples images) {
    return Evaluation.of(trainer(base, new Arm("base", Method.SGD, "", 0, null, null, 0, false), 1f), images);
  }

  /** A personalization, ready to run on any thread. */
  interface Job {
    UserRun run();
  }

  Job personalize(Pretrained base, Arm arm, float lr, LabeledImages train, Examples test, Examples population) {
    return () -> {
      Trainer trainer = trainer(base, arm, lr);
      long start = System.nanoTime();
      train(trainer, train, settings.steps());
      double seconds = (System.nanoTime() - start) * 1e-9;
      return new UserRun(Evaluation.of(trainer, test),
          population == null ? Double.NaN : Evaluation.of(trainer, population).accuracy(), trainer.skippedSteps(),
          seconds);
    };
  }

  /** {@code steps} steps on batches drawn from {@code images} in the order of --seed; returns each step's loss. */
  private float[] train(Trainer trainer, LabeledImages images, int steps) {
    ShuffledBatches batches = new ShuffledBatches(images, settings.seed());
    Batch batch = new Batch(settings.batch(), images.featureSize());
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      batches.next(batch);
      losses[s] = trainer.step(batch.features(), 0, batch.labels(), 0, batch.size());
      synchronized (progress) {
        progress.step();
      }
    }
    return losses;
  }
}
