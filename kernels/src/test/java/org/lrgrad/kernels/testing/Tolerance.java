package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Comparison of float32 results with a float64 oracle, with a bound that grows with the reduction depth: a sum of k
 * products rounded in float32, in any order, is within about k·u·Σ|terms| of the exact value (u = 2⁻²⁴). The slack
 * factor covers FMA versus separate rounding and blocked summation orders.
 */
public final class Tolerance {
  public static final double U = Math.ulp(1.0f) / 2;

  private Tolerance() {}

  /** The bound for a value computed as a dot product of depth {@code k} whose terms sum to {@code absSum} in magnitude. */
  public static double forDot(int k, double absSum) {
    return 2.0 * (k + 2) * U * absSum + Double.MIN_NORMAL;
  }

  /**
   * The bound for an element-wise result of a few float32 operations (about a dozen roundings at most, FMA or not),
   * each rounding relative to one of the terms that enter it; {@code absSum} is the sum of their magnitudes.
   */
  public static double forTerms(double absSum) {
    return 16 * U * absSum + Double.MIN_NORMAL;
  }

  /**
   * Fails with the shape, the index and both values unless |got − want| ≤ bound at every cell of {@code got}
   * (want and bound packed row-major).
   */
  public static void assertClose(String context, Matrix got, double[] want, double[] bound) {
    for (int i = 0; i < got.rows; i++) {
      for (int j = 0; j < got.cols; j++) {
        double w = want[i * got.cols + j];
        double g = got.get(i, j);
        double b = bound[i * got.cols + j];
        if (!(Math.abs(g - w) <= b)) {
          fail(context + ": at (" + i + ", " + j + ") of " + got.rows + "x" + got.cols + " got " + g + ", want " + w
              + " (|diff|=" + Math.abs(g - w) + " > bound " + b + ")");
        }
      }
    }
  }

  /** Element-wise relative + absolute tolerance, for element-wise kernels with a few roundings per element. */
  public static void assertClose(String context, Matrix got, double[] want, double rel, double abs) {
    double[] bound = new double[want.length];
    for (int k = 0; k < want.length; k++) {
      bound[k] = abs + rel * Math.abs(want[k]);
    }
    assertClose(context, got, want, bound);
  }
}
