package org.lrgrad.bench.implementations;

import dev.ludovic.netlib.blas.JavaBLAS;

/**
 * The peer {@code netlib}: dev.ludovic.netlib's {@code VectorBLAS} (pure Java on the Vector API), column-major
 * like Fortran BLAS, so a row-major C = op(A)·op(B) is computed as the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ on the same
 * arrays. It runs on the calling thread only.
 */
final class NetlibSgemm implements Sgemm {
  static final String NAME = "netlib";
  private static final String VECTOR_BLAS = "dev.ludovic.netlib.blas.VectorBLAS";

  private final JavaBLAS blas;

  private NetlibSgemm(JavaBLAS blas) {
    this.blas = blas;
  }

  static Sgemm open(int threads) throws UnavailableException {
    if (threads != 1) {
      throw new UnavailableException("netlib's VectorBLAS runs on the calling thread only (threads=" + threads
          + ")");
    }
    JavaBLAS blas = JavaBLAS.getInstance();
    if (!blas.getClass().getName().equals(VECTOR_BLAS)) {
      throw new UnavailableException("netlib chose " + blas.getClass().getName() + ", not VectorBLAS; fix: run"
          + " on JDK 16 or newer with --add-modules jdk.incubator.vector");
    }
    return new NetlibSgemm(blas);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Call bind(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    String opB = transB ? "T" : "N", opA = transA ? "T" : "N";
    int lda = transA ? m : k, ldb = transB ? k : n;
    return () -> blas.sgemm(opB, opA, n, m, k, 1f, b, ldb, a, lda, 0f, c, n);
  }
}
