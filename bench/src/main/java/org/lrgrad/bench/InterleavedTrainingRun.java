package org.lrgrad.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Trainer;

/**
 * Steps per second of whole training steps ({@link TrainingStepBenchmark}'s model, batch and settings) for several
 * optimizers in one JVM, interleaved: each round runs a block of steps of every trainer in turn, so that load from
 * other processes, which comes and goes over seconds, falls on all of them alike and their ratios stay meaningful
 * on a busy machine (JMH measures one optimizer after another, minutes apart). Every trainer first trains
 * {@code warm-up} steps, outside the timing.
 *
 * <pre>
 * usage: InterleavedTrainingRun KERNELS SECONDS [WARMUP_STEPS]   (default warm-up: 500)
 * </pre>
 */
public final class InterleavedTrainingRun {
  private static final int BLOCK = 10;

  private InterleavedTrainingRun() {}

  public static void main(String[] args) throws UnavailableException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: InterleavedTrainingRun KERNELS SECONDS [WARMUP_STEPS]");
      System.exit(2);
    }
    Kernels kernels = LrgradKernels.open(args[0], 1);
    double seconds = Double.parseDouble(args[1]);
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    List<String> names = new ArrayList<>();
    List<Trainer> trainers = new ArrayList<>();
    for (String id : TrainingStepBenchmark.optimizerIds()) {
      names.add(id);
      trainers.add(TrainingStepBenchmark.trainer(kernels, id, 64, "auto"));
      if (id.equals("lrg-adam") || id.equals("galore-adam")) {
        names.add(id + " eager");
        trainers.add(TrainingStepBenchmark.trainer(kernels, id, 64, "eager"));
      }
    }
    TrainingBatches batches = new TrainingBatches();
    int[] next = new int[trainers.size()];
    for (int t = 0; t < trainers.size(); t++) {
      next[t] = run(trainers.get(t), warmup, next[t], batches);
    }
    long[] nanos = new long[trainers.size()];
    long[] steps = new long[trainers.size()];
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      for (int t = 0; t < trainers.size(); t++) {
        long start = System.nanoTime();
        next[t] = run(trainers.get(t), BLOCK, next[t], batches);
        nanos[t] += System.nanoTime() - start;
        steps[t] += BLOCK;
      }
    }
    double sgd = steps[0] / (nanos[0] / 1e9);
    double adam = steps[names.indexOf("adam")] / (nanos[names.indexOf("adam")] / 1e9);
    System.out.println(String.format(Locale.ROOT, "%-18s %10s %8s %8s   (%s, %d warm-up steps each, %.0f s"
        + " interleaved in blocks of %d)", "optimizer", "steps/s", "x SGD", "x Adam", args[0], warmup, seconds, BLOCK));
    for (int t = 0; t < trainers.size(); t++) {
      if (trainers.get(t).skippedSteps() > 0) {
        throw new IllegalStateException(names.get(t) + ": " + trainers.get(t).skippedSteps() + " steps skipped");
      }
      double rate = steps[t] / (nanos[t] / 1e9);
      System.out.println(String.format(Locale.ROOT, "%-18s %10.1f %7.2fx %7.2fx", names.get(t), rate, rate / sgd,
          rate / adam));
    }
  }

  private static int run(Trainer trainer, int count, int next, TrainingBatches batches) {
    for (int s = 0; s < count; s++) {
      batches.step(trainer, next);
      next = (next + 1) % TrainingBatches.COUNT;
    }
    return next;
  }
}
