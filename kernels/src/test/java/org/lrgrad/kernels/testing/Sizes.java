package org.lrgrad.kernels.testing;

import java.util.ArrayList;
import java.util.List;

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

  private static final int[] LAYER_DIMS = {1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33};
  private static final int[] BATCHES = {1, 2, 3, 7, 8, 9, 17, 33};
  private static final int[][] LARGE_LAYERS = {{33, 257, 129, 16}, {65, 129, 257, 8}, {1, 257, 257, 32},
      {257, 17, 33, 17}, {9, 64, 64, 64}};

  /**
   * (batch, m, n, r) for a linear layer y = x·Wᵀ with W m×n and a rank-r factor: every pair of small dimensions
   * with r = 1 and r = min(m, n), batches cycling through odd and even sizes, then large layers.
   */
  public static List<int[]> linearLayers() {
    List<int[]> shapes = new ArrayList<>();
    int k = 0;
    for (int m : LAYER_DIMS) {
      for (int n : LAYER_DIMS) {
        int batch = BATCHES[k++ % BATCHES.length];
        shapes.add(new int[] {batch, m, n, 1});
        if (Math.min(m, n) > 1) {
          shapes.add(new int[] {batch, m, n, Math.min(m, n)});
        }
      }
    }
    for (int[] s : LARGE_LAYERS) {
      shapes.add(s);
    }
    return shapes;
  }
}
