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
            "liblrgrad.so not built")), List.of("SgemmBenchmark {implementation=ejml}"));
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

    assertTrue(md.contains("| `vector` sgemm 1024³, 1 thread ≥ 0.75 × OpenBLAS 1 thread | 0.80× | yes |"), md);
    assertTrue(md.contains("| `vector` 2 threads ≥ 1.8 × 1 thread, square ≥ 1024 | 1024³: 1.80× | yes |"), md);
    assertTrue(md.contains("every square size ≥ 256 (NN, 1 thread) | 1024: 4.00× | yes |"), md);
    assertTrue(md.contains("r = 16 ≤ 0.8 × Adam's time | 0.70× | yes |"), md);
    // Adam's 0.01 B/step is JMH's share (10 B over 1000 steps); the low-rank step's 500 B is its own.
    assertTrue(md.contains("| 1024×1024 | adam | vector | 1000 | 1.00× | 8.00 MiB | 0 | 0 |"), md);
    assertTrue(md.contains("| 1024×1024 | lowrank-adam (r = 16) | vector | 700 | 0.70× | 192.0 KiB | 500 | 0 |"),
        md);
    assertTrue(md.contains("allocates 0 bytes (steady state) | lowrank-adam 1024×1024 vector: 500 B | **no** |"), md);

    assertTrue(md.contains("- `jni` at 1 thread(s): liblrgrad.so not built"), md);
    assertTrue(md.contains("no result (an error; see the run's console output): SgemmBenchmark {implementation=ejml}"),
        md);
    assertTrue(md.contains("| command | `bench/run-benchmarks.sh quick` |"), md);
    assertFalse(md.contains("smoke run"), md);
    // Load 1.5 on 2 cores: busy, but not saturated.
    assertFalse(md.contains("A busy machine"), md);
  }

  @Test
  void aLoadAverageAtOrAboveTheCoreCountIsFlagged() {
    RunInfo calm = info();
    RunInfo busy = new RunInfo(calm.date(), calm.profile(), calm.command(), calm.cpu(), 2, List.of(1.0, 2.5),
        calm.os(), calm.jdk(), calm.openBlas(), calm.iterations(), calm.unavailable(), calm.missing());
    String md = new Report(busy, Results.parse(results())).markdown(List.of());
    assertTrue(md.contains("**A busy machine**: the load average reached 2.5 on 2 cores"), md);
  }

  @Test
  void targetsWithoutTheirResultsSayNotMeasured() {
    JsonArray onlyPeak = new JsonArray();
    onlyPeak.add(results().get(0));
    String md = new Report(info(), Results.parse(onlyPeak)).markdown(List.of());
    assertEquals(5, md.split("not measured in this run", -1).length - 1, md);
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
