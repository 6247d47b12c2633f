package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square sgemm C ← A·B (no transposes, β = 0) per implementation of the contract. Besides calls per second, JMH
 * reports the secondary metric {@code gflop} in ops/s, which reads directly as GFLOP/s (2·n³ flop per call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37 reads field offsets through sun.misc.Unsafe, which JDK 25 warns about unless allowed.
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
public class SgemmBenchmark {

  /** A name {@link KernelProvider#get(String)} knows. */
  @Param({"reference", "vector", "vector-128"})
  public String implementation;

  /** m = n = k. */
  @Param({"64", "256", "1024"})
  public int size;

  private Kernels kernels;
  private float[] a;
  private float[] b;
  private float[] c;
  private double gflopPerCall;

  @Setup(Level.Trial)
  public void setUp() {
    kernels = KernelProvider.get(implementation);
    int elements = Math.multiplyExact(size, size);
    SeededRandom random = new SeededRandom(size);
    a = new float[elements];
    b = new float[elements];
    c = new float[elements];
    random.fillGaussian(a, 0, elements, 1f);
    random.fillGaussian(b, 0, elements, 1f);
    gflopPerCall = 2.0 * size * size * size * 1e-9;
  }

  /** The flop counter: JMH divides it by the measured time, so its ops/s are GFLOP/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
      gflop = 0;
    }
  }

  @Benchmark
  public float[] sgemm(Flops flops) {
    kernels.sgemm(false, false, size, size, size, 1f, a, 0, size, b, 0, size, 0f, c, 0, size);
    flops.gflop += gflopPerCall;
    return c;
  }
}
