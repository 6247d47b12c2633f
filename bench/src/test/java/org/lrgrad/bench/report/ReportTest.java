package org.lrgrad.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.bench.run.RunInfo;

/** The report's arithmetic on hand-made JMH results whose ratios are known in advance. */
class ReportTest {

  private static JsonObject run(String benchmark, Map<String, String> params, double score, String unit,
      double gflops, double allocatedPerCall, String iteration) {
    JsonObject run = new JsonObject();
    run.addProperty("benchmark", "org.lrgrad.bench." + benchmark);
    run.addProperty("measurementTime", iteration);
    JsonObject jsonParams = new JsonObject();
    params.forEach(jsonParams::addProperty);
    run.add("params", jsonParams);
    JsonObject primary = new JsonObject();
    primary.addProperty("score", score);
    primary.addProperty("scoreError", "NaN");
    primary.addProperty("scoreUnit", unit);
    run.add("primaryMetric", primary);
    JsonObject secondary = new JsonObject();
    if (!Double.isNaN(gflops)) {
      JsonObject metric = new JsonObject();
      metric.addProperty("score", gflops);
      metric.addProperty("scoreError", gflops / 10);
      secondary.add("gflop", metric);
    }
    JsonObject allocation = new JsonObject();
    allocation.addProperty("score", allocatedPerCall);
    secondary.add("gc.alloc.rate.norm", allocation);
    run.add("secondaryMetrics", secondary);
    return run;
  }

  private static JsonObject square(String implementation, int threads, double gflops) {
    return run("SgemmBenchmark.sgemm", Map.of("implementation", implementation, "size", "1024", "transpose", "NN",
        "threads", Integer.toString(threads)), gflops / 2.147483648, "ops/s", gflops, 0, "1 s");
  }

  private static JsonObject step(String step, double micros, double allocatedPerCall) {
    return run("OptimizerStepBenchmark.step", Map.of("implementation", "vector", "step", step, "layer", "1024x1024",
        "rank", "16", "threads", "1"), micros, "us/op", Double.NaN, allocatedPerCall, "1 s");
  }

  private static JsonObject call(String call, String implementation, double nanos) {
    return run("CallOverheadBenchmark.call", Map.of("implementation", implementation, "call", call), nanos, "ns/op",
        Double.NaN, 0, "1 s");
  }

  private static JsonObject refresh(String method, double millis) {
    return run("ProjectorRefreshBenchmark.refresh", Map.of("implementation", "vector", "method", method, "layer",
        "1024x1024", "rank", "16", "threads", "1"), millis, "ms/op", Double.NaN, 0, "1 s");
  }

  private static JsonObject training(String optimizer, String accumulation, double stepsPerSecond) {
    return run("TrainingStepBenchmark.step", Map.of("implementation", "vector", "optimizer", optimizer, "rank", "64",
        "accumulation", accumulation, "threads", "1"), stepsPerSecond, "ops/s", Double.NaN, 0, "1 s");
  }

  /**
   * Bytes per call are the steady state: the least measured iteration (JMH's 0th percentile), not the mean, which an
   * iteration still running code the JIT has not compiled inflates; without percentiles in the JSON, the score.
   */
  @Test
  void allocationIsTheLeastMeasuredIteration() {
    JsonObject withPercentiles = step("lowrank-adam", 700, 22346);
    JsonObject percentiles = new JsonObject();
    percentiles.addProperty("0.0", 16.2);
    percentiles.addProperty("50.0", 16.7);
    percentiles.addProperty("100.0", 178647);
    withPercentiles.getAsJsonObject("secondaryMetrics").getAsJsonObject("gc.alloc.rate.norm")
        .add("scorePercentiles", percentiles);
    JsonArray results = new JsonArray();
    results.add(withPercentiles);
    results.add(step("adam", 1000, 10));
    List<Results.Result> parsed = Results.parse(results);
    assertEquals(16.2, parsed.get(0).allocatedBytesPerCall());
    assertEquals(10, parsed.get(1).allocatedBytesPerCall());
  }

  /** The bandwidth roof of the skinny products, both forms, from a known triad rate. */
  @Test
  void lowRankProductsShowTheirBandwidthRoof() {
    JsonArray results = new JsonArray();
    results.add(run("PeakBenchmark.fma", Map.of(), 1000, "ops/s", 80, 0.01, "1 s"));
    // 100 triads per second over 3 arrays of 16 Mi floats: 20.13 GB/s.
    results.add(run("BandwidthBenchmark.triad", Map.of(), 100, "ops/s", Double.NaN, 0, "1 s"));
    for (String form : List.of("expand", "project")) {
      results.add(run("LowRankSgemmBenchmark.sgemm", Map.of("implementation", "vector", "form", form, "m", "1024",
          "r", "16", "n", "1024", "transpose", "NN", "threads", "1"), 1, "ops/s", 40, 0, "1 s"));
    }
    String md = new Report(info(), Results.parse(results)).markdown(List.of());
    assertTrue(md.contains("Measured single-core memory bandwidth: **20.1 GB/s**"), md);
    // 2·1024·1024·16 FLOPs over 4·(2·16·1024 + 1024²) bytes = 7.76 FLOP/byte: a roof of 156 GFLOP/s, above the
    // 80 GFLOP/s peak, so 40 GFLOP/s is 50% of the lower roof. The project form (16×1024·1024×1024) moves as much.
    assertTrue(md.contains("| 1024×16×1024 | vector | 40.0 ± 4.00 | 50.0% | — | 0 | 156 | 50.0% |"), md);
    assertTrue(md.contains("| 16×1024×1024 | vector | 40.0 ± 4.00 | 50.0% | — | 0 | 156 | 50.0% |"), md);
  }

  private static JsonObject square(String implementation, int size, int threads, double gflops) {
    return run("SgemmBenchmark.sgemm", Map.of("implementation", implementation, "size", Integer.toString(size),
        "transpose", "NN", "threads", Integer.toString(threads)), 1, "ops/s", gflops, 0, "1 s");
  }

  private static JsonObject lowRank(String implementation, String form, double gflops) {
    return lowRank(implementation, form, 1024, gflops);
  }

  /** A product m×16·16×m (expand) or 16×m·m×m (project), one thread. */
  private static JsonObject lowRank(String implementation, String form, int m, double gflops) {
    return run("LowRankSgemmBenchmark.sgemm", Map.of("implementation", implementation, "form", form, "m",
        String.valueOf(m), "r", "16", "n", String.valueOf(m), "transpose", "NN", "threads", "1"), 1, "ops/s", gflops,
        0, "1 s");
  }

  /**
   * The sgemm targets against OpenBLAS, and a low-rank target that the bandwidth roof puts out of reach: only by the
   * roof of a shape too large for the caches (4096×16×4096), not by those of the 1024-wide ones.
   */
  @Test
  void sgemmTargetsAgainstOpenBlasAndTheBandwidthRoof() {
    JsonArray results = new JsonArray();
    results.add(run("PeakBenchmark.fma", Map.of(), 1000, "ops/s", 400, 0.01, "1 s"));
    results.add(run("BandwidthBenchmark.triad", Map.of(), 100, "ops/s", Double.NaN, 0, "1 s"));
    results.add(square("vector", 256, 1, 48));
    results.add(square("openblas", 256, 1, 60));
    results.add(square("vector", 1024, 1, 344));
    results.add(square("openblas", 1024, 1, 300));
    results.add(square("vector", 1024, 2, 700));
    results.add(square("openblas", 1024, 2, 600));
    results.add(lowRank("vector", "expand", 40));
    results.add(lowRank("openblas", "expand", 32));
    results.add(lowRank("vector", "project", 32));
    results.add(lowRank("openblas", "project", 31));
    results.add(lowRank("vector", "expand", 4096, 80));
    results.add(lowRank("openblas", "expand", 4096, 70));
    String md = new Report(info(), Results.parse(results)).markdown(List.of());
    // Squares: 48 / 60 = 0.80× at 256 (missed, 20% below, needs 1.25×), 344 / 300 = 1.15× at 1024.
    assertTrue(md.contains("| `vector` ≥ 1.0 × OpenBLAS, every square size 256…2048 (NN, 1 thread) | 256: 0.80×,"
        + " 1024: 1.15× | **no** | 20% below (needs 1.25× more) |"), md);
    // 344 / 400 = 86.0% of the peak: 1% above 85%.
    assertTrue(md.contains("| `vector` sgemm 1024³, 1 thread ≥ 85% of the measured peak | 86.0% of 400 GFLOP/s"
        + " | yes | 1% above |"), md);
    // 40 / 32 = 1.25×, 32 / 31 = 1.03×, 80 / 70 = 1.14×: the worst misses 1.2 by 14% and needs 1.2 / 1.032 = 1.16×
    // more.
    assertTrue(md.contains("(both forms, 1 thread) | project 16×1024×1024: 1.03×, expand 1024×16×1024: 1.25×,"
        + " expand 4096×16×4096: 1.14× | **no** | 14% below (needs 1.16× more) |"), md);
    // Both 1024-wide forms move 4·(2·16·1024 + 1024²) bytes (4.1 MiB) for 2·16·1024² FLOPs: at 20.13 GB/s a roof
    // of 156.2 GFLOP/s, 39.0% of the 400 GFLOP/s peak, but their operands fit in cache, so that roof judges
    // nothing. 4096×16×4096 moves 4·(2·16·4096 + 4096²) bytes = 64.5 MiB, at least a 64 MiB triad array: a roof of
    // 159.8 GFLOP/s, 40.0% of peak, so 60% is out of reach; at 80 GFLOP/s (20.0% of peak) it reached 50.1% of it.
    // The worst shape (project, 32 GFLOP/s = 8.0%) sets the margin: 87% below.
    assertTrue(md.contains("| project 16×1024×1024: 8.0% (bandwidth roof 39.0% of peak), expand 1024×16×1024: 10.0%"
        + " (bandwidth roof 39.0% of peak), expand 4096×16×4096: 20.0% (bandwidth roof 40.0% of peak) | **no** |"
        + " 87% below (needs 7.50× more); out of reach here: expand 4096×16×4096, whose operands outgrow the caches"
        + " as the bandwidth benchmark's arrays do, has a bandwidth roof of 40.0% of peak, and this run reached 50.1%"
        + " of it |"), md);
    // 700 / 600 = 1.17× on two threads.
    assertTrue(md.contains("| `vector` 2 threads ≥ 1.0 × OpenBLAS 2 threads (square, NN) | 1024: 1.17× | yes |"
        + " 17% above |"), md);
  }

  /** Whole training steps: × SGD and × Adam, and the two LRG-Adam targets, from known rates. */
  @Test
  void trainingStepRatiosAndTargets() {
    JsonArray results = new JsonArray();
    results.add(training("sgd", "auto", 100));
    results.add(training("adam", "auto", 80));
    results.add(training("lrg-adam", "auto", 160));
    results.add(training("lrg-adam", "eager", 60));
    String md = new Report(info(), Results.parse(results)).markdown(List.of());
    // 160 / 100 = 1.60 × SGD (≥ 1.5: met, 7% above); 160 / 80 = 2.00 × Adam (≥ 1.75: met, 14% above).
    assertTrue(md.contains("| lrg-adam (r = 64) | vector | 160 | 1.60× | 2.00× | 0 |"), md);
    assertTrue(md.contains("| lrg-adam (r = 64, eager) | vector | 60.0 | 0.60× | 0.75× | 0 |"), md);
    assertTrue(md.contains("LRG-Adam (r = 64) ≥ 1.5 × SGD's steps/s | 1.60× SGD's | yes | 7% above |"), md);
    assertTrue(md.contains("LRG-Adam (r = 64) ≥ 1.75 × Adam's steps/s | 2.00× Adam's | yes | 14% above |"), md);
  }

  private static JsonArray results() {
    JsonArray results = new JsonArray();
    // 80 GFLOP/s; 1000 calls in a 1 s iteration at 0.01 B each: JMH's own 10 B per iteration.
    results.add(run("PeakBenchmark.fma", Map.of(), 1000, "ops/s", 80, 0.01, "1 s"));
    results.add(square("openblas", 1, 60));
    results.add(square("vector", 1, 48));
    results.add(square("netlib", 1, 12));
    results.add(square("vector", 2, 86.4));
    results.add(step("adam", 1000, 0.01));
    results.add(step("lowrank-adam", 700, 500));
    return results;
  }

  private static RunInfo info() {
    return new RunInfo("2026-01-02T03:04:05Z", "quick", "bench/run-benchmarks.sh quick", "Test CPU", 2,
        List.of(0.5, 1.5), "Linux", "JDK 25", "OpenBLAS test", "1 fork", List.of(new RunInfo.Unavailable("jni", 1,
            "liblrgrad.so not built")), List.of("SgemmBenchmark {implementation=ejml}"), "mca: 2.00 cycles per k step");
  }

  @Test
  void percentagesRatiosAndTargetsFollowFromTheScores() {
    String md = new Report(info(), Results.parse(results())).markdown(List.of());

    assertTrue(md.contains("Measured single-core peak: **80.0 GFLOP/s**"), md);
    // 48 / 80 = 60% of one core; 48 / 60 = 0.80 × OpenBLAS.
    assertTrue(md.contains("| 1024 | vector | 48.0 ± 4.80 | 60.0% | 0.80× | 0 |"), md);
    assertTrue(md.contains("| 1024 | openblas | 60.0 ± 6.00 | 75.0% | 1.00× | 0 |"), md);
    // Two threads: 86.4 / (2 × 80) = 54%; no OpenBLAS at two threads in this run.
    assertTrue(md.contains("| 1024 | vector | 86.4 ± 8.64 | 54.0% | — | 0 |"), md);

    // 0.80 / 0.75 = 1.067; 1.80 / 1.8 = 1; 4 / 3 = 1.33; 0.70 / 0.8 = 0.875.
    assertTrue(md.contains("| `vector` sgemm 1024³, 1 thread ≥ 75% of OpenBLAS 1 thread | 80.0% of OpenBLAS | yes"
        + " | 7% above |"), md);
    assertTrue(md.contains("| `vector` 2 threads ≥ 1.8 × 1 thread, square ≥ 1024 | 1024³: 1.80× | yes | 0% above |"),
        md);
    assertTrue(md.contains("every square size ≥ 256 (NN, 1 thread) | 1024: 4.00× | yes | 33% above |"), md);
    assertTrue(md.contains("r = 16 ≤ 0.8 × Adam's time | 0.70× | yes | 13% under |"), md);
    // Adam's 0.01 B/step is JMH's share (10 B over 1000 steps); the low-rank step's 500 B is its own.
    assertTrue(md.contains("| 1024×1024 | adam | vector | 1000 | 1.00× | 8.00 MiB | 0 | 0 |"), md);
    assertTrue(md.contains("| 1024×1024 | lowrank-adam (r = 16) | vector | 700 | 0.70× | 192.0 KiB | 500 | 0 |"),
        md);
    assertTrue(md.contains("allocates 0 bytes (steady state, `-prof gc`) | lowrank-adam 1024×1024 vector: 500 B"
        + " | **no** | up to 500 B per step beyond JMH's share |"), md);
    assertTrue(md.contains("| training throughput ≥ PyTorch CPU, same MLP and threads | measured by"
        + " `bench/compare-pytorch.sh`"), md);
    assertTrue(md.contains("## NEON micro-kernel (llvm-mca)\n\nmca: 2.00 cycles per k step\n"), md);

    assertTrue(md.contains("- `jni` at 1 thread(s): liblrgrad.so not built"), md);
    assertTrue(md.contains("no result (an error; see the run's console output): SgemmBenchmark {implementation=ejml}"),
        md);
    assertTrue(md.contains("| command | `bench/run-benchmarks.sh quick` |"), md);
    assertFalse(md.contains("smoke run"), md);
    // Load 1.5 on 2 cores: busy, but not saturated.
    assertFalse(md.contains("A busy machine"), md);
  }

  @Test
  void missedTargetsSayByHowMuch() {
    assertEquals("20% below (needs 1.25× more)", Report.atLeast(0.6, 0.75));
    assertEquals("25% over (needs 1.25× less)", Report.atMost(1.0, 0.8));
    assertEquals("", Report.atLeast(Double.NaN, 3));
  }

  @Test
  void theBridgesPerCallCostAndTheRefreshAmortizedBesideTheStep() {
    JsonArray results = results();
    results.add(call("sgemm-1", "jni", 500));
    results.add(call("sgemm-1", "ffm", 800));
    results.add(call("sgemm-1", "vector", 300));
    results.add(call("adam-4x4", "jni", 600));
    results.add(refresh("exact", 2000));
    results.add(refresh("random", 20));
    String md = new Report(info(), Results.parse(results)).markdown(List.of());

    assertTrue(md.contains("| call | vector | jni | ffm | ffm − jni |"), md);
    assertTrue(md.contains("| sgemm-1 | 300 | 500 | 800 | +300 |"), md);
    assertTrue(md.contains("| adam-4x4 | — | 600 | — | — |"), md);
    // Step 700 µs; + 2000 ms / 200 = 10,700 µs = 10.7 × Adam's 1000 µs; + 20 ms / 200 = 800 µs.
    assertTrue(md.contains("| 1024×1024 | 16 | GaLore, exact SVD | vector | 2000 | 700 | 10700 | 10.70× |"), md);
    assertTrue(md.contains("| 1024×1024 | 16 | LRG, random | vector | 20.0 | 700 | 800 | 0.80× |"), md);
    assertTrue(md.contains("| 0.70× per step; 0.80× with LRG's refresh amortized over T = 200 | yes |"), md);
  }

  @Test
  void withoutAnMcaLineTheReportSaysItIsNotAvailable() {
    RunInfo i = info();
    RunInfo without = new RunInfo(i.date(), i.profile(), i.command(), i.cpu(), 2, i.loadAverage(), i.os(), i.jdk(),
        i.openBlas(), i.iterations(), i.unavailable(), i.missing(), null);
    String md = new Report(without, Results.parse(results())).markdown(List.of());
    assertTrue(md.contains("## NEON micro-kernel (llvm-mca)\n\nnot available:"), md);
  }

  @Test
  void aLoadAverageAtOrAboveTheCoreCountIsFlagged() {
    RunInfo calm = info();
    RunInfo busy = new RunInfo(calm.date(), calm.profile(), calm.command(), calm.cpu(), 2, List.of(1.0, 2.5),
        calm.os(), calm.jdk(), calm.openBlas(), calm.iterations(), calm.unavailable(), calm.missing(), calm.mca());
    String md = new Report(busy, Results.parse(results())).markdown(List.of());
    assertTrue(md.contains("**A busy machine**: the load average reached 2.5 on 2 cores"), md);
  }

  @Test
  void targetsWithoutTheirResultsSayNotMeasured() {
    JsonArray onlyPeak = new JsonArray();
    onlyPeak.add(results().get(0));
    String md = new Report(info(), Results.parse(onlyPeak)).markdown(List.of());
    // Five kernel and step targets, the two training-step targets and the five sgemm targets against OpenBLAS.
    assertEquals(12, md.split("not measured in this run", -1).length - 1, md);
  }

  @Test
  void writesTheMarkdownAndDecodablePngChartsIntoTheRunsFolder(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(Report.RESULTS), results().toString(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(Report.RUN_INFO), new Gson().toJson(info()), StandardCharsets.UTF_8);
    Path markdown = Report.write(dir);

    String md = Files.readString(markdown);
    for (String chart : List.of("sgemm-square-1t-NN.png", "sgemm-square-2t-NN.png", "optimizer-time-vector.png",
        "optimizer-state.png")) {
      assertTrue(md.contains("![" + chart + "](" + chart + ")"), chart + " not linked:\n" + md);
      BufferedImage image = ImageIO.read(dir.resolve(chart).toFile());
      assertEquals(900, image.getWidth(), chart);
      assertEquals(560, image.getHeight(), chart);
    }
  }

  @Test
  void jmhTimesAreReadInSeconds() {
    assertEquals(0.5, Results.seconds("500 ms"), 1e-12);
    assertEquals(1, Results.seconds("1 s"), 1e-12);
    assertEquals(2e-5, Results.seconds("20 us"), 1e-15);
  }
}
