package org.lrgrad.bench.implementations;

import org.lrgrad.kernels.Kernels;

/** lrgrad's kernels through the contract's checked sgemm. */
final class ContractSgemm implements Sgemm {

  private final Kernels kernels;

  ContractSgemm(Kernels kernels) {
    this.kernels = kernels;
  }

  @Override
  public String name() {
    return kernels.name();
  }

  @Override
  public Call bind(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    return () -> kernels.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
  }
}
