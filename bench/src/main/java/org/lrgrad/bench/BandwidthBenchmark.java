package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
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
 * This machine's single-core memory bandwidth, measured: STREAM's triad a ← b + s·c over three arrays of
 * {@value #FLOATS} floats (64 MiB each, far beyond the caches). Bytes per call = 3 arrays × 4 bytes × FLOATS (STREAM's
 * count: the write-allocate read of a is not counted). The report divides it into the skinny low-rank products'
 * bytes to give their bandwidth roof beside the peak's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class BandwidthBenchmark {
  public static final int FLOATS = 16 << 20;
  /** Bytes one call moves, by STREAM's count. */
  public static final double BYTES_PER_CALL = 3.0 * 4 * FLOATS;

  private final float[] a = new float[FLOATS];
  private final float[] b = new float[FLOATS];
  private final float[] c = new float[FLOATS];
  private float s = 0.5f;

  @Benchmark
  public float[] triad() {
    float[] a = this.a, b = this.b, c = this.c;
    float s = this.s;
    for (int i = 0; i < FLOATS; i++) {
      a[i] = b[i] + s * c[i];
    }
    return a;
  }
}
