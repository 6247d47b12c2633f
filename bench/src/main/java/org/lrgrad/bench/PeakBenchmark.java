package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * This machine's single-core float32 peak, measured: {@value #CHAINS} independent chains of fused multiply-adds on
 * the JVM's widest float vector, from registers only. An FMA unit takes a new FMA every cycle but its result only
 * some cycles later (4 on Zen 3 and recent Intel cores), so two units need at least 8 chains in flight to stay busy;
 * 12 leave a margin and still fit the 16 vector registers of AVX2 with the two operands. GFLOP/s =
 * 2·lanes·chains·rounds per call. The report takes this figure as 100% for one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class PeakBenchmark {
  static final int CHAINS = 12;
  static final int ROUNDS = 4096;
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final double GFLOP_PER_CALL = 2e-9 * SPECIES.length() * CHAINS * ROUNDS;

  // a ← a·x + y converges to y / (1 − x) = 1: no overflow and no subnormals however long it runs.
  private float x = 0.999f;
  private float y = 0.001f;

  @Benchmark
  public float fma(Flops flops) {
    FloatVector vx = FloatVector.broadcast(SPECIES, x), vy = FloatVector.broadcast(SPECIES, y);
    // Distinct starting values: identical chains would be one chain to the JIT's common-subexpression elimination.
    FloatVector a0 = start(0), a1 = start(1), a2 = start(2), a3 = start(3), a4 = start(4), a5 = start(5);
    FloatVector a6 = start(6), a7 = start(7), a8 = start(8), a9 = start(9), a10 = start(10), a11 = start(11);
    for (int i = 0; i < ROUNDS; i++) {
      a0 = a0.fma(vx, vy);
      a1 = a1.fma(vx, vy);
      a2 = a2.fma(vx, vy);
      a3 = a3.fma(vx, vy);
      a4 = a4.fma(vx, vy);
      a5 = a5.fma(vx, vy);
      a6 = a6.fma(vx, vy);
      a7 = a7.fma(vx, vy);
      a8 = a8.fma(vx, vy);
      a9 = a9.fma(vx, vy);
      a10 = a10.fma(vx, vy);
      a11 = a11.fma(vx, vy);
    }
    flops.gflop += GFLOP_PER_CALL;
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }

  private static FloatVector start(int chain) {
    return FloatVector.broadcast(SPECIES, chain / (float) CHAINS);
  }
}
