package org.lrgrad.kernels.vector;

/**
 * The packing buffers of one thread's sgemm, kept for the thread's life and grown to the largest call seen, so that
 * a call in steady state allocates nothing. A thread runs one sgemm block at a time, so one set per thread is
 * enough, whatever the species.
 */
final class GemmWorkspace {
  private static final ThreadLocal<GemmWorkspace> CURRENT = new ThreadLocal<>();

  /** op(A) block, as consecutive panels of MR rows, each k-major (VectorLoops.packA). */
  float[] a = new float[0];
  /** op(B) block, or a group of its panels, as consecutive kc×NR panels. */
  float[] b = new float[0];
  /** One MR×NR tile of accumulators, for tiles at the edge of C. */
  float[] tile = new float[0];
  /** Cᵀ of a product run as its transpose (VectorKernels.sgemmAsTranspose), a block of C's columns at a time. */
  float[] transposed = new float[0];

  /** Offsets of one gather: L rows of a matrix, one per lane (VectorLoops.gatherIndex). */
  final int[] gatherIndex = new int[VectorWidth.SPECIES.length()];

  private GemmWorkspace() {}

  static GemmWorkspace current() {
    GemmWorkspace ws = CURRENT.get();
    if (ws == null) {
      ws = new GemmWorkspace();
      CURRENT.set(ws);
    }
    return ws;
  }

  static float[] atLeast(float[] buffer, int size) {
    return buffer.length >= size ? buffer : new float[size];
  }
}
