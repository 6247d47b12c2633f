package org.lrgrad.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.Trainer;

/**
 * Time to the first N training steps from a fresh JVM: trains the study's MLP (784-1024-1024-10, batch 32, one
 * thread; {@link TrainingStepBenchmark}'s model and settings), or with MODEL {@code small} a 784-256-10 MLP on the
 * same batches, on the named kernels and prints, for each N, the time of steps 1..N and their steps/s, then the
 * steady rate over the last {@code steady} steps of the run. One JVM per run is the point: start it once per
 * measurement ({@code bench/scripts/warmup.sh} does).
 *
 * <pre>
 * usage: WarmupRun KERNELS [OPTIMIZER] [N1,N2,...] [MODEL]   (default: sgd, 50,300,3000, study)
 * </pre>
 *
 * Output, one line per N and one for the steady state, e.g.
 * {@code vector sgd first 50 steps: 1.02 s, 49.0 steps/s (JVM up 0.31 s before step 1)}.
 */
public final class WarmupRun {
  /** Steps after the last N whose rate is the steady state. */
  static final int STEADY_STEPS = 1000;

  private WarmupRun() {}

  public static void main(String[] args) throws UnavailableException {
    if (args.length < 1 || args.length > 4) {
      System.err.println("usage: WarmupRun KERNELS [OPTIMIZER] [N1,N2,...] [MODEL: study or small]");
      System.exit(2);
    }
    String kernelsName = args[0];
    String optimizer = args.length > 1 ? args[1] : "sgd";
    int[] marks = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).sorted().toArray()
        : new int[] {50, 300, 3000};
    for (int n : marks) {
      if (n < 1) {
        throw new IllegalArgumentException("N=" + n + " must be >= 1");
      }
    }
    String model = args.length > 3 ? args[3] : "study";
    int[] widths;
    if (model.equals("study")) {
      widths = TrainingStepBenchmark.WIDTHS;
    } else if (model.equals("small")) {
      widths = TrainingStepBenchmark.SMALL_WIDTHS;
    } else {
      throw new IllegalArgumentException("MODEL=" + model + " must be study (784-1024-1024-10) or small (784-256-10)");
    }
    double jvmUpSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    Kernels kernels = LrgradKernels.open(kernelsName, 1);
    Trainer trainer = TrainingStepBenchmark.trainer(kernels, optimizer, 64, "auto", widths);
    TrainingBatches batches = new TrainingBatches();
    int last = marks[marks.length - 1];
    int total = last + STEADY_STEPS;
    long[] at = new long[total + 1];
    double setupSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    at[0] = System.nanoTime();
    for (int s = 0; s < total; s++) {
      batches.step(trainer, s % TrainingBatches.COUNT);
      at[s + 1] = System.nanoTime();
    }
    if (trainer.skippedSteps() > 0) {
      throw new IllegalStateException(trainer.skippedSteps() + " steps were skipped (non-finite loss): not a"
          + " measurement of training");
    }
    String run = kernelsName + " " + optimizer + (model.equals("study") ? "" : " " + model);
    for (int n : marks) {
      double seconds = (at[n] - at[0]) / 1e9;
      System.out.println(String.format(Locale.ROOT, "%s first %d steps: %.3f s, %.1f steps/s (JVM up %.2f s,"
          + " trainer built at %.2f s)", run, n, seconds, n / seconds, jvmUpSeconds, setupSeconds));
    }
    double steadySeconds = (at[total] - at[last]) / 1e9;
    System.out.println(String.format(Locale.ROOT, "%s steady (steps %d..%d): %.1f steps/s", run, last + 1, total,
        STEADY_STEPS / steadySeconds));
  }
}
