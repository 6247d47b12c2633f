package org.lrgrad.bench.implementations;

import java.util.Locale;

/**
 * Whether the OpenBLAS this JVM loads computes sgemm correctly with the kernel its environment selects
 * ({@code OPENBLAS_CORETYPE}): some OpenBLAS builds compute wrong results or crash on some processors with the
 * kernel they detect, which is why environments force an older one. Checks products of several shapes, every
 * transpose case, against a float64 product of the same operands; prints the kernel and the worst error, exits 0
 * when every element is within the float32 rounding bound and 1 otherwise. {@code bench/run-benchmarks.sh} runs it
 * before it lets OpenBLAS use the processor's best kernel.
 *
 * <pre>
 * usage: OpenBlasCheck
 * </pre>
 */
public final class OpenBlasCheck {
  private static final int[][] SHAPES = {{512, 512, 512}, {257, 129, 300}, {64, 1000, 17}, {33, 7, 513}};

  private OpenBlasCheck() {}

  public static void main(String[] args) throws UnavailableException {
    Sgemm openBlas = SgemmImplementations.open(OpenBlasSgemm.NAME, 1);
    java.util.Random random = new java.util.Random(1);
    double worst = 0;
    boolean ok = true;
    for (int[] shape : SHAPES) {
      int m = shape[0], n = shape[1], k = shape[2];
      for (int t = 0; t < 4; t++) {
        boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
          b[i] = (float) random.nextGaussian();
        }
        openBlas.bind(transA, transB, m, n, k, a, b, c).run();
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double sum = 0, magnitude = 0;
            for (int p = 0; p < k; p++) {
              double x = transA ? a[p * m + i] : a[i * k + p];
              double y = transB ? b[j * k + p] : b[p * n + j];
              sum += x * y;
              magnitude += Math.abs(x * y);
            }
            // k roundings of float32 products and sums at most, each relative 2^-24 of the running magnitude
            double bound = 2.0 * k * Math.ulp(1f) * magnitude + 1e-30;
            double error = Math.abs(c[i * n + j] - sum);
            worst = Math.max(worst, error / bound);
            if (!(error <= bound)) {
              ok = false;
            }
          }
        }
      }
    }
    System.out.println(String.format(Locale.ROOT, "%s: %s (worst error %.3f of the bound)",
        SgemmImplementations.openBlasConfig(), ok ? "correct" : "WRONG", worst));
    System.exit(ok ? 0 : 1);
  }
}
