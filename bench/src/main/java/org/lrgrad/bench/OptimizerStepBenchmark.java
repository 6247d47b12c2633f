package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
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
 * One optimizer step ({@link OptimizerStep}) on one layer, average time per step. Run it with JMH's {@code -prof gc}
 * (the runner does): {@code gc.alloc.rate.norm} is then the bytes allocated per step, which should be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class OptimizerStepBenchmark {

  /** lrgrad's kernels by name (the peers have no optimizer steps). */
  @Param({"reference", "vector", "vector-128"})
  public String implementation;

  /** An {@link OptimizerStep#id()}. */
  @Param({"sgd", "momentum", "adam", "adamw", "adafactor", "lowrank-adam"})
  public String step;

  /** The layer, m×n (rows = outputs). */
  @Param({"1024x1024", "2048x512", "4096x1024"})
  public String layer;

  /** The rank of the low-rank step (ignored by the others). */
  @Param({"16"})
  public int rank;

  /** lrgrad.threads for the kernels (the low-rank step's products may use them). */
  @Param({"1"})
  public int threads;

  private OptimizerStep.Call call;
  private float[] p;

  /** m and n of a layer parameter such as {@code 2048x512}. */
  public static int[] parseLayer(String layer) {
    String[] parts = layer.split("x");
    if (parts.length != 2) {
      throw new IllegalArgumentException("layer=" + layer + " must be MxN, e.g. 2048x512");
    }
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  @Setup(Level.Trial)
  public void setUp() throws UnavailableException {
    Kernels kernels = LrgradKernels.open(implementation, threads);
    OptimizerStep optimizer = OptimizerStep.byId(step);
    int[] mn = parseLayer(layer);
    int m = mn[0], n = mn[1];
    int len = Math.multiplyExact(m, n);
    SeededRandom random = new SeededRandom(len);
    p = new float[len];
    float[] g = new float[len];
    float[] state = new float[Math.toIntExact(optimizer.stateFloats(m, n, rank))];
    random.fillGaussian(p, 0, len, 0.02f);
    random.fillGaussian(g, 0, len, 1f);
    call = optimizer.bind(kernels, m, n, rank, p, g, state);
  }

  @Benchmark
  public float[] step() {
    call.run();
    return p;
  }
}
