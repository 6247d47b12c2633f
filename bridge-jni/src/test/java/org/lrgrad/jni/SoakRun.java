package org.lrgrad.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.TrainTesting.Method;
import org.lrgrad.train.TrainTesting.Model;
import org.lrgrad.train.Trainer;

/**
 * The soak run ({@code ./run-soak.sh}, the bridge-jni profile {@code soak}; not part of the normal test run): many
 * thousand training steps on one implementation, every optimizer on both models of the training tests, with the Java
 * heap after a full GC and the process's resident set size (VmRSS) sampled as it goes. After a warm-up (the first
 * quarter of the samples: JIT compilation, class loading, the native library's first allocations), the last quarter
 * of the samples may not exceed the first by more than {@link #HEAP_BOUND} (heap) or {@link #RSS_BOUND} (RSS): a
 * leak in the JNI layer (native memory, global references, pinned arrays) or in the training code shows as growth.
 * The heap is fixed in size and touched up front ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}), so that its
 * growth does not count as the process's.
 */
class SoakRun {
  /** Rounds of one step of every trainer; {@code -Dlrgrad.soak.rounds} overrides. */
  private static final int ROUNDS = Integer.getInteger("lrgrad.soak.rounds", 25000);
  private static final int SAMPLES = 40;
  private static final int BATCH = 16;
  static final long HEAP_BOUND = 1L << 20;
  static final long RSS_BOUND = 8L << 20;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"jni", "vector"})
  void memoryStaysFlatOverManyThousandSteps(String implementation) throws IOException {
    KernelProvider.Candidate candidate = null;
    for (KernelProvider.Candidate c : KernelProvider.candidates()) {
      if (c.name().equals(implementation)) {
        candidate = c;
      }
    }
    assertTrue(candidate != null && candidate.isAvailable(), () -> implementation + " must run in the soak: "
        + KernelProvider.candidates());
    Kernels kernels = candidate.kernels();
    List<Trainer> trainers = new ArrayList<>();
    for (Model model : TrainTesting.models()) {
      for (Method method : TrainTesting.methods()) {
        trainers.add(TrainTesting.trainer(kernels, model.make.get(), method.make.get(), BATCH, 7));
      }
    }
    int samples = TrainTesting.PROBLEM.count;
    long[] steps = new long[SAMPLES];
    long[] heap = new long[SAMPLES];
    long[] rss = new long[SAMPLES];
    long start = System.nanoTime();
    long step = 0;
    for (int s = 0; s < SAMPLES; s++) {
      for (int r = 0; r < ROUNDS / SAMPLES; r++) {
        int first = (int) (step / trainers.size() * BATCH % (samples - BATCH + 1));
        for (Trainer t : trainers) {
          float loss = TrainTesting.step(t, first, BATCH);
          if (!Float.isFinite(loss)) {
            throw new AssertionError(implementation + ": loss " + loss + " at step " + step);
          }
          step++;
        }
      }
      steps[s] = step;
      heap[s] = heapAfterGc();
      rss[s] = residentSetSize();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    int quarter = SAMPLES / 4;
    // Samples [quarter, 2·quarter) are the first quarter after the warm-up; the last quarter is the run's end.
    double heapGrowth = mean(heap, SAMPLES - quarter, SAMPLES) - mean(heap, quarter, 2 * quarter);
    double rssGrowth = mean(rss, SAMPLES - quarter, SAMPLES) - mean(rss, quarter, 2 * quarter);
    String result = String.format(Locale.ROOT, "%s: %d steps (%d trainers: %d optimizers x %d models, batch %d) in"
        + " %.1f s; after the warm-up (steps %d to %d): Java heap after GC %.2f -> %.2f MiB (growth %+.3f MiB, bound"
        + " %d MiB; slope %+.2f KiB per 1000 steps), VmRSS %.1f -> %.1f MiB (growth %+.2f MiB, bound %d MiB; slope"
        + " %+.2f KiB per 1000 steps)", implementation, step, trainers.size(), TrainTesting.methods().size(),
        TrainTesting.models().size(), BATCH, seconds, steps[quarter - 1], step,
        mean(heap, quarter, 2 * quarter) / MIB, mean(heap, SAMPLES - quarter, SAMPLES) / MIB, heapGrowth / MIB,
        HEAP_BOUND >> 20, slope(steps, heap, quarter) * 1000 / 1024, mean(rss, quarter, 2 * quarter) / MIB,
        mean(rss, SAMPLES - quarter, SAMPLES) / MIB, rssGrowth / MIB, RSS_BOUND >> 20,
        slope(steps, rss, quarter) * 1000 / 1024);
    StringBuilder table = new StringBuilder(result).append("\n  samples (steps, heap MiB, VmRSS MiB):");
    for (int s = 0; s < SAMPLES; s++) {
      table.append(String.format(Locale.ROOT, " (%d, %.2f, %.1f)", steps[s], heap[s] / MIB, rss[s] / MIB));
    }
    System.out.println(table);
    Path out = Paths.get(System.getProperty("lrgrad.soak.result", "target/soak-result.txt"));
    Files.write(out, (table + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertTrue(heapGrowth <= HEAP_BOUND, result);
    assertTrue(rssGrowth <= RSS_BOUND, result);
  }

  private static final double MIB = 1 << 20;

  private static long heapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** VmRSS of /proc/self/status, in bytes. */
  private static long residentSetSize() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS line in /proc/self/status");
  }

  private static double mean(long[] values, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += values[i];
    }
    return sum / (to - from);
  }

  /** The least-squares slope of {@code values} over {@code steps} from sample {@code from} on, per step. */
  private static double slope(long[] steps, long[] values, int from) {
    int n = steps.length - from;
    double mx = mean(steps, from, steps.length), my = mean(values, from, values.length);
    double sxy = 0, sxx = 0;
    for (int i = from; i < steps.length; i++) {
      sxy += (steps[i] - mx) * (values[i] - my);
      sxx += (steps[i] - mx) * (steps[i] - mx);
    }
    return n < 2 || sxx == 0 ? 0 : sxy / sxx;
  }
}
