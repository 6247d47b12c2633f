package org.lrgrad.kernels;

/**
 * The element-wise pieces of an Adafactor step that more than one optimizer runs: the reference kernel's {@link
 * Kernels#adafactorStep} and Flora, which is Adafactor with a momentum of its own between normalization and
 * clipping and so cannot call the kernel. Kept in one place so that both compute the same floats in the same order.
 * Not part of the kernel contract; nothing here checks its arguments (the callers have).
 */
public final class AdafactorLoops {
  private AdafactorLoops() {}

  /**
   * The factored second moment's update: row i ← β2ₖ·row i + (1−β2ₖ)·mean over j of (g_ij² + ε1), column j likewise
   * over i, for the row-major m×n gradient g.
   *
   * @return the mean of the updated row factors, which {@link #rowFactor} divides by
   */
  public static float updateFactoredSecondMoment(int m, int n, float eps1, float beta2t, float[] g, int gOff,
      float[] row, int rowOff, float[] col, int colOff) {
    for (int i = 0; i < m; i++) {
      float sum = 0f;
      for (int j = 0; j < n; j++) {
        float gij = g[gOff + i * n + j];
        sum += gij * gij + eps1;
      }
      row[rowOff + i] = beta2t * row[rowOff + i] + (1f - beta2t) * (sum / n);
    }
    for (int j = 0; j < n; j++) {
      float sum = 0f;
      for (int i = 0; i < m; i++) {
        float gij = g[gOff + i * n + j];
        sum += gij * gij + eps1;
      }
      col[colOff + j] = beta2t * col[colOff + j] + (1f - beta2t) * (sum / m);
    }
    float rowSum = 0f;
    for (int i = 0; i < m; i++) {
      rowSum += row[rowOff + i];
    }
    return rowSum / m;
  }

  /** √(row i / mean of the rows): the part of an element's normalization that its row fixes, once per row. */
  public static float rowFactor(float row, float rowMean) {
    return (float) Math.sqrt(row / rowMean);
  }

  /** The normalized gradient g / √(row/mean(row)) / √col, with {@code rowFactor} from {@link #rowFactor}. */
  public static float normalized(float g, float rowFactor, float col) {
    return g / rowFactor / (float) Math.sqrt(col);
  }

  /** The root mean square of {@code len} floats from {@code off}, summed in double. */
  public static float rms(float[] x, int off, int len) {
    return (float) Math.sqrt(sumOfSquares(x, off, len) / len);
  }

  /** The sum of the squares of {@code len} floats from {@code off}, in double, in index order. */
  public static double sumOfSquares(float[] x, int off, int len) {
    double squares = 0.0;
    for (int i = 0; i < len; i++) {
      squares += (double) x[off + i] * x[off + i];
    }
    return squares;
  }
}
