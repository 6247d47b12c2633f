package org.lrgrad.kernels.linalg;

/** The transposing copy of the linear algebra on raw arrays (a top-r subspace's Gᵀ, LRG's Gaussian projector). */
public final class Transpose {
  /** Side of the square tiles of {@link #copy}. */
  private static final int TILE = 32;

  private Transpose() {}

  /**
   * dst[dstOff + j·rows + i] = src[srcOff + i·lds + j] for i &lt; rows, j &lt; cols: the transpose, cols×rows and
   * packed, of a rows×cols matrix, in square tiles so that both sides stay in cache. Arguments are not checked.
   */
  public static void copy(int rows, int cols, float[] src, int srcOff, int lds, float[] dst, int dstOff) {
    for (int i0 = 0; i0 < rows; i0 += TILE) {
      int i1 = Math.min(rows, i0 + TILE);
      for (int j0 = 0; j0 < cols; j0 += TILE) {
        int j1 = Math.min(cols, j0 + TILE);
        for (int i = i0; i < i1; i++) {
          int si = srcOff + i * lds;
          for (int j = j0; j < j1; j++) {
            dst[dstOff + j * rows + i] = src[si + j];
          }
        }
      }
    }
  }
}
