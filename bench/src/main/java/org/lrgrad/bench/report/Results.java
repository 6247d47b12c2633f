package org.lrgrad.bench.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lrgrad.bench.Metrics;

/** JMH's JSON results ({@code -rf json}), each benchmark and parameter combination as one {@link Result}. */
final class Results {
  private static final Pattern TIME = Pattern.compile("([0-9.]+) (ns|us|ms|s|min)");

  private Results() {}

  /**
   * One measured combination.
   *
   * @param benchmark the benchmark class's simple name, e.g. {@code SgemmBenchmark}
   * @param score the primary score in {@code unit} (calls/s for throughput, time per call for average time)
   * @param error the 99.9% confidence half-width, NaN when JMH had too few samples to give one
   * @param gflops GFLOP/s ({@link Metrics#GFLOP}), NaN when the benchmark does not count flop
   * @param gflopsError its half-width, NaN when unknown
   * @param allocatedBytesPerCall {@link Metrics#ALLOCATED_BYTES_PER_CALL} in the steady state: the least over the
   *     measured iterations (JMH's 0th percentile; its mean when the JSON has no percentiles), NaN without {@code
   *     -prof gc}. An iteration during which the JIT is still compiling a Vector API method allocates (the code that
   *     runs until then boxes every vector): the quick profile's one second of warm-up leaves some of the first
   *     measured iterations so, and their mean would count it. The tests' allocation checks take the least of
   *     repeated windows too.
   * @param iterationSeconds the length of one measured iteration
   */
  record Result(String benchmark, Map<String, String> params, double score, double error, String unit, double gflops,
      double gflopsError, double allocatedBytesPerCall, double iterationSeconds) {

    String param(String name) {
      String value = params.get(name);
      if (value == null) {
        throw new IllegalStateException(benchmark + " result has no parameter '" + name + "': " + params);
      }
      return value;
    }

    int intParam(String name) {
      return Integer.parseInt(param(name));
    }
  }

  static List<Result> read(Path json) throws IOException {
    try (Reader in = Files.newBufferedReader(json, StandardCharsets.UTF_8)) {
      return parse(JsonParser.parseReader(in));
    }
  }

  static List<Result> parse(JsonElement root) {
    List<Result> results = new ArrayList<>();
    for (JsonElement element : root.getAsJsonArray()) {
      JsonObject run = element.getAsJsonObject();
      String method = run.get("benchmark").getAsString();
      String className = method.substring(0, method.lastIndexOf('.'));
      Map<String, String> params = new LinkedHashMap<>();
      if (run.has("params")) {
        for (Map.Entry<String, JsonElement> param : run.getAsJsonObject("params").entrySet()) {
          params.put(param.getKey(), param.getValue().getAsString());
        }
      }
      JsonObject primary = run.getAsJsonObject("primaryMetric");
      JsonObject secondary = run.has("secondaryMetrics") ? run.getAsJsonObject("secondaryMetrics") : new JsonObject();
      results.add(new Result(className.substring(className.lastIndexOf('.') + 1), Collections.unmodifiableMap(params),
          number(primary, "score"), number(primary, "scoreError"), primary.get("scoreUnit").getAsString(),
          secondary.has(Metrics.GFLOP) ? number(secondary.getAsJsonObject(Metrics.GFLOP), "score") : Double.NaN,
          secondary.has(Metrics.GFLOP) ? number(secondary.getAsJsonObject(Metrics.GFLOP), "scoreError") : Double.NaN,
          secondary.has(Metrics.ALLOCATED_BYTES_PER_CALL)
              ? least(secondary.getAsJsonObject(Metrics.ALLOCATED_BYTES_PER_CALL)) : Double.NaN,
          seconds(run.get("measurementTime").getAsString())));
    }
    return results;
  }

  /** JMH's text for a time, such as "500 ms" or "1 s". */
  static double seconds(String time) {
    Matcher matcher = TIME.matcher(time);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("not a JMH time: '" + time + "'");
    }
    double value = Double.parseDouble(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ns" -> value * 1e-9;
      case "us" -> value * 1e-6;
      case "ms" -> value * 1e-3;
      case "s" -> value;
      case "min" -> value * 60;
      default -> throw new IllegalArgumentException("unknown unit in '" + time + "'");
    };
  }

  /** A metric's least measured value: JMH's 0th percentile, or its score when the JSON has no percentiles. */
  private static double least(JsonObject metric) {
    JsonElement percentiles = metric.get("scorePercentiles");
    if (percentiles != null && percentiles.isJsonObject() && percentiles.getAsJsonObject().has("0.0")) {
      return number(percentiles.getAsJsonObject(), "0.0");
    }
    return number(metric, "score");
  }

  /** JMH writes an undefined error as the string "NaN". */
  private static double number(JsonObject metric, String field) {
    JsonElement value = metric.get(field);
    if (value == null || value.isJsonNull()) {
      return Double.NaN;
    }
    return value.getAsJsonPrimitive().isString() ? Double.parseDouble(value.getAsString()) : value.getAsDouble();
  }
}
