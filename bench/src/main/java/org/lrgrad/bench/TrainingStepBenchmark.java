package org.lrgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Layer;
import org.lrgrad.train.Linear;
import org.lrgrad.train.LoraAdam;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Sgd;
import org.lrgrad.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole training step ({@link Trainer#step}: forward, loss, backward, update) of the study's MLP
 * 784-1024-1024-10 at batch 32, in steps per second, per optimizer with the study's settings (rank 64, T = 50,
 * GaLore's randomized SVD, scale 0.25), so that projector refreshes are in the average as often as in training.
 * Run it with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes per step, which should be JMH's share only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class TrainingStepBenchmark {
  /** The study's model and batch. */
  public static final int[] WIDTHS = {784, 1024, 1024, 10};
  public static final int BATCH = 32;
  /**
   * A small model on the same data, 784-256-10: a step is a few times shorter, so a short run is mostly the JIT's
   * first second (WarmupRun's {@code small}).
   */
  public static final int[] SMALL_WIDTHS = {784, 256, 10};

  @Param({"vector", "jni", "ffm"})
  public String implementation;

  /** An {@link #optimizerIds() optimizer id}. */
  @Param({"sgd", "momentum", "adam", "lrg-adam", "galore-adam", "lora-adam"})
  public String optimizer;

  /** The rank of the low-rank methods (ignored by the others). */
  @Param({"64"})
  public int rank;

  /** LRG's and GaLore's accumulation: auto (the cost model), factored or eager (ignored by the others). */
  @Param({"auto"})
  public String accumulation;

  @Param({"1"})
  public int threads;

  private Trainer trainer;
  private TrainingBatches batches;
  private int next;

  public static String[] optimizerIds() {
    return new String[] {"sgd", "momentum", "adam", "lrg-adam", "galore-adam", "lora-adam"};
  }

  /** The study's optimizer for {@code id} with its default MLP learning rate (bench/README's sweep). */
  public static Optimizer optimizer(String id, int rank, String accumulation) {
    LowRankAdam.Accumulation form = LowRankAdam.Accumulation.valueOf(accumulation.toUpperCase(Locale.ROOT));
    switch (id) {
      case "sgd":
        return new Sgd(0.3f);
      case "momentum":
        return new Sgd(0.01f).momentum(0.9f);
      case "adam":
        return Adam.adam(3e-4f);
      case "lrg-adam":
        return LowRankAdam.lrg(3e-3f, rank).updateInterval(50).scale(0.25f).accumulation(form);
      case "galore-adam":
        return LowRankAdam.galore(3e-3f, rank).updateInterval(50).scale(0.25f).randomizedSvd(10, 2)
            .accumulation(form);
      case "lora-adam":
        return new LoraAdam(1e-3f, rank).scale(1f);
      default:
        throw new IllegalArgumentException("optimizer=" + id + " is not one of " + String.join(", ",
            optimizerIds()));
    }
  }

  /** The study's MLP. */
  public static Sequential mlp() {
    return mlp(WIDTHS);
  }

  /** An MLP of these widths, a ReLU between layers. */
  static Sequential mlp(int[] widths) {
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i + 1 < widths.length; i++) {
      if (i > 0) {
        layers.add(new Relu());
      }
      layers.add(new Linear(widths[i], widths[i + 1]));
    }
    return new Sequential(layers.toArray(new Layer[0]));
  }

  /** A trainer of the study's MLP on {@code kernels} with its own random batches. */
  public static Trainer trainer(Kernels kernels, String optimizer, int rank, String accumulation) {
    return trainer(kernels, optimizer, rank, accumulation, WIDTHS);
  }

  /**
   * A trainer of the MLP of these widths (784 inputs and 10 classes, as {@link TrainingBatches} draws them) on
   * {@code kernels}.
   */
  static Trainer trainer(Kernels kernels, String optimizer, int rank, String accumulation, int[] widths) {
    Sequential model = mlp(widths);
    return Trainer.builder(model, BATCH).kernels(kernels).seed(1)
        .group(optimizer(optimizer, rank, accumulation), model.parameters()).build();
  }

  @Setup(Level.Trial)
  public void setUp() throws UnavailableException {
    Kernels kernels = LrgradKernels.open(implementation, threads);
    trainer = trainer(kernels, optimizer, rank, accumulation);
    batches = new TrainingBatches();
  }

  @Benchmark
  public float step() {
    int b = next;
    next = (b + 1) % TrainingBatches.COUNT;
    return batches.step(trainer, b);
  }

  /** A skipped step costs less than a real one: a run with any is no measurement of training. */
  @TearDown(Level.Trial)
  public void checkNoStepWasSkipped() {
    if (trainer.skippedSteps() > 0) {
      throw new IllegalStateException(optimizer + " on " + implementation + ": " + trainer.skippedSteps() + " of "
          + (trainer.completedSteps() + trainer.skippedSteps()) + " steps were skipped (non-finite loss)");
    }
  }
}
