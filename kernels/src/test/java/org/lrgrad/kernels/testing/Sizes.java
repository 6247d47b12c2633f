package org.lrgrad.kernels.testing;

/** Size grids shared by the operation tests. */
public final class Sizes {
  private Sizes() {}

  /**
   * Lengths for element-wise kernels: every length up to 17 (tails of 4- and 8-lane loops), then each side of 24,
   * 32, 48, 64, 96, 128 and 256 (16- and 32-lane vectors, unrolled loops), and long odd ones.
   */
  public static final int[] ELEMENTWISE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 31,
      32, 33, 47, 48, 49, 63, 64, 65, 95, 96, 97, 127, 128, 129, 255, 256, 257, 1023, 1031};

  /** Matrix dimensions: small ones around register tiles, and each side of 32, 64 and 128, up to 257. */
  public static final int[] DIMS = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 63, 65, 129, 257};
}
