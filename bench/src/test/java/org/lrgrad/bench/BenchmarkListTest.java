package org.lrgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

class BenchmarkListTest {

  private static Map<String, BenchmarkListEntry> benchmarkList() throws IOException {
    Map<String, BenchmarkListEntry> entries = new TreeMap<>();
    try (InputStream in = BenchmarkList.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
      assertNotNull(in, BenchmarkList.BENCHMARK_LIST + " is missing: jmh-generator-annprocess did not run");
      for (BenchmarkListEntry entry : BenchmarkList.readBenchmarkList(in)) {
        entries.put(entry.getUsername(), entry);
      }
    }
    return entries;
  }

  /**
   * JMH's annotation processor writes this list; without it (JDK 23+ runs no processor found on the class path)
   * the benchmarks jar would run nothing, silently. The runner's profiles name these benchmarks.
   */
  @Test
  void theAnnotationProcessorListedEveryBenchmarkWithTheForkFlags() throws IOException {
    Map<String, BenchmarkListEntry> entries = benchmarkList();
    assertEquals(List.of("org.lrgrad.bench.BandwidthBenchmark.triad", "org.lrgrad.bench.CallOverheadBenchmark.call",
        "org.lrgrad.bench.LowRankSgemmBenchmark.sgemm",
        "org.lrgrad.bench.OptimizerStepBenchmark.step", "org.lrgrad.bench.PeakBenchmark.fma",
        "org.lrgrad.bench.ProjectorRefreshBenchmark.refresh", "org.lrgrad.bench.SgemmBenchmark.sgemm",
        "org.lrgrad.bench.TrainingStepBenchmark.step"),
        List.copyOf(entries.keySet()));
    for (BenchmarkListEntry entry : entries.values()) {
      Collection<String> forkArgs = entry.getJvmArgsAppend().orElse(List.of());
      assertTrue(forkArgs.containsAll(List.of("--add-modules", "jdk.incubator.vector",
          "--enable-native-access=ALL-UNNAMED")), entry.getUsername() + " fork args " + forkArgs);
    }
  }

  /** The default parameter values (what a bare {@code java -jar lrgrad-bench.jar} runs) are all known names. */
  @Test
  void defaultParametersNameKnownImplementationsAndSteps() throws IOException {
    Map<String, BenchmarkListEntry> entries = benchmarkList();
    for (String sgemm : List.of("org.lrgrad.bench.SgemmBenchmark.sgemm",
        "org.lrgrad.bench.LowRankSgemmBenchmark.sgemm")) {
      for (String implementation : entries.get(sgemm).getParams().get().get("implementation")) {
        assertTrue(SgemmImplementations.names().contains(implementation),
            sgemm + ": " + implementation + " is not one of " + SgemmImplementations.names());
      }
    }
    Map<String, String[]> stepParams = entries.get("org.lrgrad.bench.OptimizerStepBenchmark.step")
        .getParams().get();
    for (String kernels : List.of("org.lrgrad.bench.OptimizerStepBenchmark.step",
        "org.lrgrad.bench.CallOverheadBenchmark.call", "org.lrgrad.bench.ProjectorRefreshBenchmark.refresh",
        "org.lrgrad.bench.TrainingStepBenchmark.step")) {
      for (String implementation : entries.get(kernels).getParams().get().get("implementation")) {
        assertTrue(SgemmImplementations.kernelNames().contains(implementation), kernels + ": " + implementation);
      }
    }
    assertEquals(Arrays.stream(OptimizerStep.values()).map(OptimizerStep::id).toList(),
        List.of(stepParams.get("step")));
    assertEquals(List.of(TrainingStepBenchmark.optimizerIds()),
        List.of(entries.get("org.lrgrad.bench.TrainingStepBenchmark.step").getParams().get().get("optimizer")));
  }

  /** One short in-process iteration: the two rates JMH reports for one sgemm must agree. */
  @Test
  void theFlopCounterAgreesWithTheCallRate() throws RunnerException {
    Options options = new OptionsBuilder()
        .include(SgemmBenchmark.class.getName() + ".sgemm")
        .param("implementation", "reference")
        .param("size", "16")
        .param("transpose", "NN")
        .param("threads", "1")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertEquals(1, results.size());
    RunResult result = results.iterator().next();
    double gflopPerSecond = result.getSecondaryResults().get(Metrics.GFLOP).getScore();
    double callsPerSecond = result.getPrimaryResult().getScore();
    // Each call does 2·16³ flop, so the two rates must agree.
    assertEquals(callsPerSecond * 2 * 16 * 16 * 16 * 1e-9, gflopPerSecond, 1e-6 * gflopPerSecond);
    assertTrue(gflopPerSecond > 0);
  }
}
