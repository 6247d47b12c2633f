package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import org.lrgrad.bench.implementations.Sgemm;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.lrgrad.bench.implementations.UnavailableException;
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
 * C ← op(A)·op(B) (α = 1, β = 0, dense storage) for one implementation, transpose case and thread count; a
 * subclass gives the shape. Besides calls per second, JMH reports {@value Metrics#GFLOP} in GFLOP/s (2·m·n·k flop
 * per call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public abstract class AbstractSgemmBenchmark {

  /** A name of {@link SgemmImplementations#names()}: lrgrad's kernels or a peer. */
  @Param({"reference", "vector", "vector-128", "openblas", "ejml", "netlib"})
  public String implementation;

  /** op(A) and op(B): N (as stored) or T (transposed), e.g. {@code TN} for C ← Aᵀ·B. */
  @Param({"NN"})
  public String transpose;

  /** Threads the implementation may use (lrgrad.threads for lrgrad's kernels). */
  @Param({"1"})
  public int threads;

  private Sgemm.Call call;
  private float[] c;
  private double gflopPerCall;

  protected abstract int m();

  protected abstract int n();

  protected abstract int k();

  @Setup(Level.Trial)
  public void setUp() throws UnavailableException {
    if (!transpose.matches("[NT][NT]")) {
      throw new IllegalArgumentException("transpose=" + transpose + " must be NN, NT, TN or TT");
    }
    int m = m(), n = n(), k = k();
    Sgemm sgemm = SgemmImplementations.open(implementation, threads);
    SeededRandom random = new SeededRandom(31L * m + 17L * n + k);
    float[] a = new float[Math.multiplyExact(m, k)];
    float[] b = new float[Math.multiplyExact(k, n)];
    c = new float[Math.multiplyExact(m, n)];
    random.fillGaussian(a, 0, a.length, 1f);
    random.fillGaussian(b, 0, b.length, 1f);
    call = sgemm.bind(transpose.charAt(0) == 'T', transpose.charAt(1) == 'T', m, n, k, a, b, c);
    gflopPerCall = 2e-9 * m * n * k;
  }

  @Benchmark
  public float[] sgemm(Flops flops) {
    call.run();
    flops.gflop += gflopPerCall;
    return c;
  }
}
