package org.lrgrad.bench.implementations;

/**
 * One sgemm under measurement, lrgrad's or a peer's: C ← op(A)·op(B) in float32, row-major, every matrix stored
 * densely (its leading dimension is its stored row length: A is m×k, or k×m when transposed; B k×n, or n×k; C m×n).
 */
public interface Sgemm {

  /** The name the benchmarks take as their {@code implementation} parameter. */
  String name();

  /**
   * Binds the operands once, so that a call measures the multiplication alone (no wrapping or argument objects
   * built per call).
   */
  Call bind(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c);

  /** One bound multiplication; each run overwrites C. */
  interface Call {
    void run();
  }
}
