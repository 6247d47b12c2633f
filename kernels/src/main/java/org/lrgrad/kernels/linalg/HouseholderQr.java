package org.lrgrad.kernels.linalg;

/** Householder QR that leaves an explicit orthonormal Q in place of A. */
public final class HouseholderQr {
  private HouseholderQr() {}

  public static int workspace(int m, int r) {
    throw new UnsupportedOperationException("TODO");
  }

  public static void orthonormalize(int m, int r, float[] a, int aOff, int lda, float[] work, int workOff) {
    throw new UnsupportedOperationException("TODO");
  }
}
