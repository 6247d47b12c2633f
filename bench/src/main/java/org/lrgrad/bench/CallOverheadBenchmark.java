package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.Sgemm;
import org.lrgrad.bench.implementations.SgemmImplementations;
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
 * The cost of one contract call on shapes so small that the arithmetic is a few nanoseconds: what is left is the
 * call itself (the contract's argument checks, then for {@code jni} the JNI transition and the pinning of the
 * arrays, for {@code ffm} the downcall and the arrays' addresses, for the Java kernels their own dispatch). ns per
 * call, one thread. Comparing {@code jni} with {@code ffm}, which run the same native code, isolates the bridge.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class CallOverheadBenchmark {

  /** lrgrad's kernels by name. */
  @Param({"jni", "ffm", "vector", "reference"})
  public String implementation;

  /**
   * {@code sgemm-S}: C ← A·B with m = n = k = S (NN); {@code adam-MxN}: one Adam step ({@link OptimizerStep#ADAM})
   * on an M×N parameter.
   */
  @Param({"sgemm-1", "sgemm-4", "sgemm-16", "adam-4x4"})
  public String call;

  private Runnable bound;
  private float[] out;

  @Setup(Level.Trial)
  public void setUp() throws UnavailableException {
    if (call.startsWith("sgemm-")) {
      int s = Integer.parseInt(call.substring("sgemm-".length()));
      SeededRandom random = new SeededRandom(s);
      float[] a = new float[s * s];
      float[] b = new float[s * s];
      out = new float[s * s];
      random.fillGaussian(a, 0, a.length, 1f);
      random.fillGaussian(b, 0, b.length, 1f);
      Sgemm.Call sgemm = SgemmImplementations.open(implementation, 1).bind(false, false, s, s, s, a, b, out);
      bound = sgemm::run;
    } else if (call.startsWith("adam-")) {
      int[] mn = OptimizerStepBenchmark.parseLayer(call.substring("adam-".length()));
      int len = mn[0] * mn[1];
      out = new float[len];
      float[] g = new float[len];
      SeededRandom random = new SeededRandom(len);
      random.fillGaussian(out, 0, len, 0.02f);
      random.fillGaussian(g, 0, len, 1f);
      float[] state = new float[Math.toIntExact(OptimizerStep.ADAM.stateFloats(mn[0], mn[1], 0))];
      Kernels kernels = LrgradKernels.open(implementation, 1);
      OptimizerStep.Call step = OptimizerStep.ADAM.bind(kernels, mn[0], mn[1], 0, out, g, state);
      bound = step::run;
    } else {
      throw new IllegalArgumentException("call=" + call + " must be sgemm-S or adam-MxN");
    }
  }

  @Benchmark
  public float[] call() {
    bound.run();
    return out;
  }
}
