package org.lrgrad.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Scope;

/**
 * The flop counter of the throughput benchmarks: each call adds its GFLOP and JMH divides by the measured time, so
 * the secondary metric {@value Metrics#GFLOP} (this field's name) reads in ops/s directly as GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
  public double gflop;

  @Setup(Level.Iteration)
  public void reset() {
    gflop = 0;
  }
}
