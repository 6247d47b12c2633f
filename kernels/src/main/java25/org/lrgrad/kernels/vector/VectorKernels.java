package org.lrgrad.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.reference.ReferenceKernels;

/**
 * The contract on the Vector API: a blocked, packed sgemm with a register-tiled micro-kernel (see {@code
 * SpeciesOpsTemplate}); every operation built on sgemm (the low-rank family, the linear algebra) runs on it. The
 * element-wise operations run the inherited reference loops, which C2 auto-vectorizes: Vector API versions of them
 * were written, but allocated boxed vectors when two widths shared a JVM (as the tests do), so they were left out
 * until they pass the no-allocation tests.
 *
 * <p>An sgemm of at least {@value #PARALLEL_MIN_MULTIPLY_ADDS} multiply-adds is split into blocks of whole tiles of
 * C, run on the calling thread and on a shared pool of daemon threads; {@value #THREADS_PROPERTY} sets how many
 * threads one call uses (default: the available processors). Every element of C is computed by the same code in the
 * same order whatever the thread count, so results do not depend on it.
 *
 */
public class VectorKernels extends ReferenceKernels {
  /** The system property that sets how many threads a large sgemm uses (default: available processors). */
  public static final String THREADS_PROPERTY = "lrgrad.threads";

  /** Below this many multiply-adds (m·n·k), an sgemm runs on the calling thread alone. */
  static final long PARALLEL_MIN_MULTIPLY_ADDS = 1L << 22;

  private final VectorSpecies<Float> species;
  private final SpeciesOps ops;
  private final int threads;

  /** @param bits the vector width in bits, or 0 for the JVM's preferred width */
  public VectorKernels(int bits) throws KernelUnavailableException {
    this(bits, threadsFromProperty());
  }

  /** @param threads the most threads one sgemm uses (≥ 1) */
  VectorKernels(int bits, int threads) throws KernelUnavailableException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + " must be >= 1");
    }
    int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    if (bits != 0 && (bits < 128 || bits > preferred || Integer.bitCount(bits) != 1)) {
      throw new KernelUnavailableException("a " + bits + "-bit float vector is not native here (this JVM's"
          + " preferred width is " + preferred + " bits); fix: ask for a power of two from 128 to " + preferred
          + " bits, or 0");
    }
    this.species = bits == 0 ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_PREFERRED.withShape(
        VectorShape.forBitSize(bits));
    this.ops = SpeciesOps.forSpecies(species);
    this.threads = threads;
  }

  private static int threadsFromProperty() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int threads = Integer.parseInt(value.trim());
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + value + " must be an integer >= 1");
  }

  @Override
  public String name() {
    return species == FloatVector.SPECIES_PREFERRED ? "vector" : "vector-" + species.vectorBitSize();
  }

  /** Floats per vector. */
  public int lanes() {
    return ops.lanes();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // sgemm

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    if (k == 0) {
      // C ← β·C: no products to vectorize.
      super.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    int parts = sgemmParts(m, n, k);
    if (parts == 1) {
      ops.gemmBlock(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    // Disjoint blocks of whole tiles: each element is computed by the same code in the same order as on one thread.
    boolean byRows = splitsRows(m, n);
    int unit = byRows ? ops.tileRows() : ops.tileCols();
    int extent = byRows ? m : n;
    int tiles = tilesAlong(byRows, m, n);
    WorkerPool.run(parts, q -> {
      int from = Math.min(extent, tiles * q / parts * unit);
      int to = Math.min(extent, tiles * (q + 1) / parts * unit);
      if (byRows) {
        ops.gemmBlock(transA, transB, from, to, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      } else {
        ops.gemmBlock(transA, transB, 0, m, from, to, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
    });
  }

  /** Into how many blocks an m×n×k sgemm is split (1: it runs on the calling thread). */
  int sgemmParts(int m, int n, int k) {
    if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MULTIPLY_ADDS) {
      return 1;
    }
    return Math.max(1, Math.min(threads, tilesAlong(splitsRows(m, n), m, n) / 2));
  }

  /** Splits along the dimension with more tiles, so that each block keeps many. */
  private boolean splitsRows(int m, int n) {
    return (long) m * ops.tileCols() >= (long) n * ops.tileRows();
  }

  private int tilesAlong(boolean rows, int m, int n) {
    int unit = rows ? ops.tileRows() : ops.tileCols();
    return ((rows ? m : n) + unit - 1) / unit;
  }
}
