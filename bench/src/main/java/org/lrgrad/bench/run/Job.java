package org.lrgrad.bench.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JMH run of a profile: a benchmark class (simple name, in {@code org.lrgrad.bench}) and its parameter values
 * (JMH runs their cross product).
 *
 * @param iterations warm-up and measured iteration counts that replace the profile's, for a benchmark whose single
 *     call takes seconds (each iteration is then one call); null: the profile's
 */
public record Job(String benchmark, Map<String, List<String>> params, Iterations iterations) {

  /** Iteration counts of a job whose calls are too slow for the profile's. */
  public record Iterations(int warmup, int measurement) {}

  public Job {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public Job(String benchmark, Map<String, List<String>> params) {
    this(benchmark, params, null);
  }

  /** The JMH name of the benchmark's class. */
  public String className() {
    return "org.lrgrad.bench." + benchmark;
  }

  /** The thread count this job runs at (its {@code threads} parameter; 1 when it has none). */
  public int threads() {
    List<String> threads = params.get("threads");
    if (threads == null) {
      return 1;
    }
    if (threads.size() != 1) {
      throw new IllegalStateException(benchmark + " job with several thread counts " + threads
          + ": one job, one thread count");
    }
    return Integer.parseInt(threads.get(0));
  }

  /** How many parameter combinations JMH will run. */
  public int combinations() {
    int n = 1;
    for (List<String> values : params.values()) {
      n *= values.size();
    }
    return n;
  }

  /**
   * This job with every parameter named in {@code only} cut down to the listed values, or null when a parameter
   * loses all of its values (the job then has nothing to run). Parameters the job does not have are ignored.
   */
  public Job restrictedTo(Map<String, List<String>> only) {
    Map<String, List<String>> kept = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> param : params.entrySet()) {
      List<String> allowed = only.get(param.getKey());
      List<String> values = new ArrayList<>(param.getValue());
      if (allowed != null) {
        values.retainAll(allowed);
        if (values.isEmpty()) {
          return null;
        }
      }
      kept.put(param.getKey(), values);
    }
    return new Job(benchmark, kept, iterations);
  }

  /** A small builder, so that profiles read as tables. */
  static Builder of(String benchmark) {
    return new Builder(benchmark);
  }

  static final class Builder {
    private final String benchmark;
    private final Map<String, List<String>> params = new LinkedHashMap<>();
    private Iterations iterations;

    private Builder(String benchmark) {
      this.benchmark = benchmark;
    }

    Builder param(String name, List<String> values) {
      params.put(name, List.copyOf(values));
      return this;
    }

    Builder param(String name, String... values) {
      return param(name, List.of(values));
    }

    Builder param(String name, int... values) {
      List<String> strings = new ArrayList<>();
      for (int v : values) {
        strings.add(Integer.toString(v));
      }
      return param(name, strings);
    }

    /** One call takes seconds: {@code warmup} and {@code measurement} iterations instead of the profile's. */
    Builder iterations(int warmup, int measurement) {
      iterations = new Iterations(warmup, measurement);
      return this;
    }

    /** The job, or null when a parameter has no values (e.g. no implementation is available). */
    Job build() {
      for (List<String> values : params.values()) {
        if (values.isEmpty()) {
          return null;
        }
      }
      return new Job(benchmark, params, iterations);
    }
  }
}
