package org.lrgrad.bench.run;

import java.util.List;

/**
 * What the report says about a run besides JMH's results ({@code run.json} beside {@code results.json}): when,
 * where, how it was started, and what could not be measured.
 *
 * @param loadAverage the system's one-minute load average at the start and at the end (other processes compete)
 * @param unavailable implementations that could not run here, with the reason
 * @param missing parameter combinations that were planned but gave no result (an error in the JMH output)
 * @param mca the line of {@code bridge-jni/scripts/mca.sh} (the NEON micro-kernel's llvm-mca figure) as
 *     {@code bench/run-benchmarks.sh} ran it, or why it is not available; null when the runner was started without it
 */
public record RunInfo(String date, String profile, String command, String cpu, int logicalCores,
    List<Double> loadAverage, String os, String jdk, String openBlas, String iterations, List<Unavailable> unavailable,
    List<String> missing, String mca) {

  /** An implementation that cannot run here at a thread count, and why. */
  public record Unavailable(String implementation, int threads, String reason) {}
}
