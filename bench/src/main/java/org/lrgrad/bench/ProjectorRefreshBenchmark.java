package org.lrgrad.bench;

import java.util.concurrent.TimeUnit;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.LowRankOps;
import org.lrgrad.kernels.ProjectionSide;
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
 * One projector refresh of a low-rank optimizer on one layer, timed alone (ms per refresh): what GaLore-Adam and
 * LRG-Adam do every T steps besides the per-step work that {@link OptimizerStep#LOW_RANK_ADAM} times. The report
 * adds refresh / T to that step to show the amortized step.
 *
 * <ul>
 *   <li>{@code exact}: GaLore's projector by {@link LowRankOps#topSubspaceExact} (QR, then one-sided Jacobi);
 *   <li>{@code randomized}: GaLore's projector by {@link LowRankOps#topSubspaceRandomized} with the experiment's
 *       settings (r + {@value #OVERSAMPLE} probes, {@value #POWER_ITERATIONS} power iterations);
 *   <li>{@code random}: LRG's projector, a seeded Gaussian m×r orthonormalized (as the rows of its transpose,
 *       {@link LowRankOps#orthonormalizeRows}).
 * </ul>
 *
 * GaLore's projector is on GaLore's side ({@link ProjectionSide#galoreDefault}), LRG's on the left, as the
 * optimizers of {@code org.lrgrad.train} put them. The gradient is Gaussian: a flat spectrum, the slow case for
 * Jacobi (a real gradient's decaying spectrum converges in fewer sweeps).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.ADD_MODULES, ForkFlags.VECTOR_MODULE, ForkFlags.NATIVE_ACCESS,
    ForkFlags.UNSAFE_ACCESS})
public class ProjectorRefreshBenchmark {
  /** The experiment's randomized SVD (bench/README.md): r + 10 probes and 2 power iterations. */
  static final int OVERSAMPLE = 10;
  static final int POWER_ITERATIONS = 2;

  /** lrgrad's kernels by name (the randomized refresh's products run on their sgemm). */
  @Param({"vector", "reference"})
  public String implementation;

  /** {@code exact}, {@code randomized} (GaLore) or {@code random} (LRG). */
  @Param({"exact", "randomized", "random"})
  public String method;

  /** The layer, m×n (rows = outputs). */
  @Param({"1024x1024", "2048x512", "4096x1024"})
  public String layer;

  @Param({"16"})
  public int rank;

  /** lrgrad.threads for the kernels. */
  @Param({"1"})
  public int threads;

  private Runnable refresh;
  private float[] projector;

  @Setup(Level.Trial)
  public void setUp() throws UnavailableException {
    Kernels kernels = LrgradKernels.open(implementation, threads);
    int[] mn = OptimizerStepBenchmark.parseLayer(layer);
    int m = mn[0], n = mn[1], r = rank;
    switch (method) {
      case "exact", "randomized" -> {
        ProjectionSide side = ProjectionSide.galoreDefault(m, n);
        int ldout = side.projectorCols(m, n, r);
        projector = new float[side.projectorRows(m, n, r) * ldout];
        float[] g = new float[Math.multiplyExact(m, n)];
        new SeededRandom(g.length).fillGaussian(g, 0, g.length, 1f);
        if (method.equals("exact")) {
          float[] work = new float[LowRankOps.topSubspaceExactWorkspace(side, m, n, r)];
          refresh = () -> LowRankOps.topSubspaceExact(kernels, side, m, n, r, g, 0, n, projector, 0, ldout, work, 0);
        } else {
          float[] work = new float[LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, r, OVERSAMPLE)];
          long[] seed = {0};
          refresh = () -> LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, OVERSAMPLE, POWER_ITERATIONS,
              ++seed[0], g, 0, n, projector, 0, ldout, work, 0);
        }
      }
      case "random" -> {
        // P's transpose (r×m), whose rows the optimizer orthonormalizes (its two m×r transposes are not timed).
        projector = new float[Math.multiplyExact(m, r)];
        float[] work = new float[LowRankOps.orthonormalizeRowsWorkspace(m, r)];
        SeededRandom random = new SeededRandom(m);
        refresh = () -> {
          random.fillGaussian(projector, 0, projector.length, 1f);
          LowRankOps.orthonormalizeRows(kernels, r, m, projector, 0, m, work, 0);
        };
      }
      default -> throw new IllegalArgumentException("method=" + method + " must be exact, randomized or random");
    }
  }

  @Benchmark
  public float[] refresh() {
    refresh.run();
    return projector;
  }
}
