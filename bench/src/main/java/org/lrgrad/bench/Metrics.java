package org.lrgrad.bench;

/** The names under which JMH reports the secondary metrics the report reads. */
public final class Metrics {
  /** {@link Flops}'s counter: GFLOP/s. */
  public static final String GFLOP = "gflop";
  /** JMH's GC profiler ({@code -prof gc}): bytes allocated per benchmark call. */
  public static final String ALLOCATED_BYTES_PER_CALL = "gc.alloc.rate.norm";

  private Metrics() {}
}
