package org.lrgrad.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.lrgrad.bench.Metrics;
import org.lrgrad.bench.OptimizerStep;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.lrgrad.bench.report.Report;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * CI's run of the benchmarks: the smoke profile (every benchmark once, one short unwarmed iteration, in this JVM
 * but for the two-thread sgemm, which forks) through the runner and the report, as
 * {@code bench/run-benchmarks.sh smoke} does. It checks that everything ran and was reported, not how fast.
 */
class BenchmarkSmokeTest {

  @Test
  void theSmokeProfileRunsEveryBenchmarkAndReportsEveryImplementation() throws Exception {
    Path out = Path.of("target", "bench-smoke");
    deleteRecursively(out);
    Path markdown = BenchmarkRunner.run(new BenchmarkRunner.Settings(Profile.SMOKE, null, Map.of(), out,
        "BenchmarkSmokeTest"), System.out, VerboseMode.SILENT);

    List<JsonObject> results = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(Files.readString(out.resolve(Report.RESULTS))).getAsJsonArray()) {
      results.add(e.getAsJsonObject());
    }
    Set<String> ran = new TreeSet<>();
    results.forEach(r -> ran.add(r.get("benchmark").getAsString()));
    assertEquals(listedBenchmarks(), ran);

    for (int threads : new int[] {1, 2}) {
      for (String name : SgemmImplementations.names()) {
        boolean expected = SgemmImplementations.unavailableReason(name, threads) == null
            && !(threads == 2 && name.equals("reference"));
        assertEquals(expected, hasResult(results, "SgemmBenchmark", name, threads), name + " at " + threads);
      }
    }
    for (JsonObject r : results) {
      if (r.get("benchmark").getAsString().endsWith(".sgemm")) {
        double gflops = r.getAsJsonObject("secondaryMetrics").getAsJsonObject(Metrics.GFLOP).get("score")
            .getAsDouble();
        assertTrue(gflops > 0, r.get("params").toString());
      }
    }
    for (String kernels : SgemmImplementations.kernelNames()) {
      if (SgemmImplementations.unavailableReason(kernels, 1) == null) {
        for (OptimizerStep step : OptimizerStep.values()) {
          assertTrue(results.stream().anyMatch(r -> r.get("benchmark").getAsString().endsWith(".step")
              && param(r, "implementation").equals(kernels) && param(r, "step").equals(step.id())),
              step.id() + " on " + kernels);
        }
      }
    }

    RunInfo info = new Gson().fromJson(Files.readString(out.resolve(Report.RUN_INFO)), RunInfo.class);
    assertEquals(List.of(), info.missing());
    String md = Files.readString(markdown, StandardCharsets.UTF_8);
    assertTrue(md.contains("**A smoke run**"), md);
    for (RunInfo.Unavailable u : info.unavailable()) {
      assertFalse(u.reason().isBlank(), u.toString());
      assertTrue(Pattern.compile("- `" + Pattern.quote(u.implementation()) + "` at [0-9, ]*" + u.threads()
          + "[0-9, ]* thread\\(s\\): " + Pattern.quote(u.reason())).matcher(md).find(), u + " in\n" + md);
    }
    Matcher chart = Pattern.compile("!\\[([^]]+\\.png)]").matcher(md);
    int charts = 0;
    while (chart.find()) {
      BufferedImage image = ImageIO.read(out.resolve(chart.group(1)).toFile());
      assertNotNull(image, chart.group(1) + " is not a PNG");
      charts++;
    }
    // Square at 1 and 2 threads in four transpose cases and one low-rank shape, one time chart per kernels, state.
    long kernels = SgemmImplementations.kernelNames().stream()
        .filter(k -> SgemmImplementations.unavailableReason(k, 1) == null).count();
    assertEquals(4 + 1 + 1 + kernels + 1, charts, md);
  }

  private static boolean hasResult(List<JsonObject> results, String benchmark, String implementation, int threads) {
    return results.stream().anyMatch(r -> r.get("benchmark").getAsString().equals("org.lrgrad.bench." + benchmark
        + ".sgemm") && param(r, "implementation").equals(implementation)
        && param(r, "threads").equals(Integer.toString(threads)));
  }

  private static String param(JsonObject result, String name) {
    return result.getAsJsonObject("params").get(name).getAsString();
  }

  private static Set<String> listedBenchmarks() throws IOException {
    Set<String> names = new TreeSet<>();
    try (InputStream in = BenchmarkList.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
      for (BenchmarkListEntry entry : BenchmarkList.readBenchmarkList(in)) {
        names.add(entry.getUsername());
      }
    }
    return names;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
