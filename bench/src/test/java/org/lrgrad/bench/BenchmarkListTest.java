package org.lrgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.KernelProvider;
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

  /**
   * JMH's annotation processor writes this list; without it (JDK 23+ runs no processor found on the class path)
   * the benchmarks jar would run nothing, silently.
   */
  @Test
  void theAnnotationProcessorListedTheSgemmBenchmark() throws IOException {
    BenchmarkListEntry sgemm = null;
    try (InputStream in = BenchmarkList.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
      assertNotNull(in, BenchmarkList.BENCHMARK_LIST + " is missing: jmh-generator-annprocess did not run");
      for (BenchmarkListEntry entry : BenchmarkList.readBenchmarkList(in)) {
        if (entry.getUsername().equals(SgemmBenchmark.class.getName() + ".sgemm")) {
          sgemm = entry;
        }
      }
    }
    assertNotNull(sgemm, "SgemmBenchmark.sgemm is not in " + BenchmarkList.BENCHMARK_LIST);
    Collection<String> forkArgs = sgemm.getJvmArgsAppend().orElse(List.of());
    assertTrue(forkArgs.containsAll(List.of("--add-modules", "jdk.incubator.vector")), "fork args " + forkArgs);
    List<String> known = KernelProvider.candidates().stream().map(KernelProvider.Candidate::name).toList();
    for (String implementation : sgemm.getParams().get().get("implementation")) {
      assertTrue(known.contains(implementation), implementation + " is not a kernels name; known: " + known);
    }
  }

  /** One short in-process iteration: the benchmark runs and reports the gflop counter. */
  @Test
  void sgemmBenchmarkRunsAndCountsFlops() throws RunnerException {
    Options options = new OptionsBuilder()
        .include(SgemmBenchmark.class.getName() + ".sgemm")
        .param("implementation", "reference")
        .param("size", "16")
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
    double gflopPerSecond = result.getSecondaryResults().get("gflop").getScore();
    double callsPerSecond = result.getPrimaryResult().getScore();
    // Each call does 2·16³ flop, so the two rates must agree.
    assertEquals(callsPerSecond * 2 * 16 * 16 * 16 * 1e-9, gflopPerSecond, 1e-6 * gflopPerSecond);
    assertTrue(gflopPerSecond > 0);
  }
}
