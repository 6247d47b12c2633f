package org.lrgrad.bench.implementations;

import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * The peer {@code ejml}: EJML's row-major float matrices ({@code FMatrixRMaj} wrapping the arrays), with
 * {@code CommonOps_FDRM} on one thread and {@code CommonOps_MT_FDRM} on more.
 */
final class EjmlSgemm implements Sgemm {
  static final String NAME = "ejml";

  private final int threads;

  private EjmlSgemm(int threads) {
    this.threads = threads;
  }

  static Sgemm open(int threads) {
    if (threads > 1) {
      EjmlConcurrency.setMaxThreads(threads);
    }
    return new EjmlSgemm(threads);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Call bind(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    FMatrixRMaj am = transA ? FMatrixRMaj.wrap(k, m, a) : FMatrixRMaj.wrap(m, k, a);
    FMatrixRMaj bm = transB ? FMatrixRMaj.wrap(n, k, b) : FMatrixRMaj.wrap(k, n, b);
    FMatrixRMaj cm = FMatrixRMaj.wrap(m, n, c);
    if (threads > 1) {
      if (transA && transB) {
        return () -> CommonOps_MT_FDRM.multTransAB(am, bm, cm);
      } else if (transA) {
        return () -> CommonOps_MT_FDRM.multTransA(am, bm, cm);
      } else if (transB) {
        return () -> CommonOps_MT_FDRM.multTransB(am, bm, cm);
      }
      return () -> CommonOps_MT_FDRM.mult(am, bm, cm);
    }
    if (transA && transB) {
      return () -> CommonOps_FDRM.multTransAB(am, bm, cm);
    } else if (transA) {
      return () -> CommonOps_FDRM.multTransA(am, bm, cm);
    } else if (transB) {
      return () -> CommonOps_FDRM.multTransB(am, bm, cm);
    }
    return () -> CommonOps_FDRM.mult(am, bm, cm);
  }
}
