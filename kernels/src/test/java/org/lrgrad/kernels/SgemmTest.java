package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Tolerance;

/** sgemm on every implementation: a grid of edge shapes, both transposes, offsets, padded lds, canaries. */
class SgemmTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";

  /** Sizes around register tiles (1..17), around cache blocks (63..65, 127..129, 255..257) and odd ones. */
  private static final int[] SMALL = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17};
  private static final int[] DEPTHS = {1, 2, 7, 16, 33};

  static List<int[]> shapes() {
    List<int[]> shapes = new ArrayList<>();
    for (int m : SMALL) {
      for (int n : SMALL) {
        shapes.add(new int[] {m, n, DEPTHS[(m * 7 + n) % DEPTHS.length]});
      }
    }
    int[][] large = {{63, 65, 64}, {64, 64, 255}, {65, 63, 257}, {127, 129, 31}, {129, 127, 256}, {257, 31, 17},
        {31, 257, 129}, {257, 257, 257}, {1, 257, 257}, {257, 1, 3}, {200, 300, 150},
        // More rows than two A blocks of the widest packed micro-kernel (MC = 288 rows at 16 lanes), with a last
        // panel of A cut short, and a depth split into two blocks.
        {601, 97, 300},
        // A short op(A) with a long B: with B transposed, the vector kernels run it as Cᵀ's product (a batch of 32
        // through a layer, and the largest short side they swap at 16 lanes, with a shallow depth).
        {32, 1000, 300}, {128, 301, 40},
        // A short op(A) over a shallow B stored as is: the vector kernels read B's whole panels in place and pack a
        // last narrower one; up to their row limit (48 at 16 lanes) and past it, and past one block of B's columns
        // (NC = 4096 at 16 lanes), so that a second block starts mid-array.
        {32, 100, 64}, {48, 64, 9}, {49, 96, 33}, {5, 4200, 20}};
    for (int[] s : large) {
      shapes.add(s);
    }
    return shapes;
  }

  /** C = alpha·op(A)·op(B) + beta·C in float64 from the float32 inputs, with the error bound of each cell. */
  static void oracle(boolean ta, boolean tb, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta,
      Matrix c, double[] want, double[] bound) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0, abs = 0;
        for (int p = 0; p < k; p++) {
          double t = a.op(ta, i, p) * b.op(tb, p, j);
          sum += t;
          abs += Math.abs(t);
        }
        double cij = beta == 0f ? 0 : beta * (double) c.get(i, j);
        want[i * n + j] = alpha * sum + cij;
        bound[i * n + j] = Tolerance.forDot(k, Math.abs(alpha) * abs) + 4 * Tolerance.U * Math.abs(cij);
      }
    }
  }

  private static void check(Kernels kernels, Random rnd, boolean ta, boolean tb, int m, int n, int k, float alpha,
      float beta) {
    Matrix a = ta ? Matrix.random(rnd, k, m, rnd.nextInt(5), rnd.nextInt(4)) : Matrix.random(rnd, m, k,
        rnd.nextInt(5), rnd.nextInt(4));
    Matrix b = tb ? Matrix.random(rnd, n, k, rnd.nextInt(5), rnd.nextInt(4)) : Matrix.random(rnd, k, n,
        rnd.nextInt(5), rnd.nextInt(4));
    // With beta = 0, C's cells hold NaN: the kernel must not read them.
    Matrix c = beta == 0f ? Matrix.filled(m, n, rnd.nextInt(5), rnd.nextInt(4), Float.NaN)
        : Matrix.random(rnd, m, n, rnd.nextInt(5), rnd.nextInt(4));
    Matrix aBefore = a.copy(), bBefore = b.copy();
    double[] want = new double[m * n], bound = new double[m * n];
    oracle(ta, tb, m, n, k, alpha, a, b, beta, c, want, bound);
    kernels.sgemm(ta, tb, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld, beta, c.data, c.off, c.ld);
    String context = kernels + " sgemm " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb + " alpha="
        + alpha + " beta=" + beta + " lda=" + a.ld + " ldb=" + b.ld + " ldc=" + c.ld;
    Tolerance.assertClose(context, c, want, bound);
    c.assertCanariesIntact(context + " C");
    a.assertUnchanged(context + " A", aBefore);
    b.assertUnchanged(context + " B", bBefore);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void matchesFloat64OracleOnShapeGrid(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(42);
    float[][] alphaBeta = {{1f, 0f}, {1.5f, -0.5f}, {-0.75f, 1f}, {0.5f, 2f}};
    int cases = 0;
    for (int[] s : shapes()) {
      for (int t = 0; t < 4; t++) {
        float[] ab = alphaBeta[(cases++) % alphaBeta.length];
        check(kernels, rnd, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], ab[0], ab[1]);
      }
    }
    assertTrue(cases > 500, "the grid ran " + cases + " cases");
  }

  /**
   * Operands that end exactly where their arrays end give the same bits as the same operands followed by more
   * floats: where the vector kernels read whole vectors past an operand (a transposed A's panels, gathers, B read
   * in place), they must stay inside the array and change no result.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void operandsEndingTheirArraysGiveTheSameBitsAsPaddedOnes(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(8);
    int[][] shapes = {{24, 20, 6}, {13, 33, 70}, {48, 64, 9}, {32, 100, 40}, {300, 17, 5}};
    for (int[] s : shapes) {
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        int m = s[0], n = s[1], k = s[2];
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = random(rnd, m * n);
        float[] aPadded = java.util.Arrays.copyOf(a, a.length + 37);
        float[] bPadded = java.util.Arrays.copyOf(b, b.length + 37);
        float[] cPadded = java.util.Arrays.copyOf(c, c.length + 37);
        kernels.sgemm(ta, tb, m, n, k, 1.25f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0.5f, c, 0, n);
        kernels.sgemm(ta, tb, m, n, k, 1.25f, aPadded, 0, ta ? m : k, bPadded, 0, tb ? k : n, 0.5f, cPadded, 0, n);
        for (int i = 0; i < c.length; i++) {
          assertEquals(Float.floatToRawIntBits(cPadded[i]), Float.floatToRawIntBits(c[i]), kernels + " "
              + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + ": C[" + i + "] exact "
              + c[i] + ", padded " + cPadded[i]);
        }
      }
    }
  }

  private static float[] random(Random rnd, int length) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = rnd.nextFloat() * 2f - 1f;
    }
    return x;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void zeroDepthScalesC(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(7);
    Matrix c = Matrix.random(rnd, 5, 9, 2, 1);
    Matrix before = c.copy();
    float[] empty = new float[0];
    kernels.sgemm(false, false, 5, 9, 0, 1f, empty, 0, 1, empty, 0, 9, 2f, c.data, c.off, c.ld);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 9; j++) {
        assertEquals(2f * before.get(i, j), c.get(i, j), 0f, "k=0: C = beta*C at (" + i + ", " + j + ")");
      }
    }
    Matrix nan = Matrix.filled(5, 9, 0, 0, Float.NaN);
    kernels.sgemm(false, false, 5, 9, 0, 1f, empty, 0, 1, empty, 0, 9, 0f, nan.data, nan.off, nan.ld);
    for (float v : nan.packed()) {
      assertEquals(0f, v, 0f, "k=0, beta=0: C = 0 without reading NaN");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void emptyShapesWriteNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix c = Matrix.random(new Random(3), 4, 4, 1, 1);
    Matrix before = c.copy();
    float[] a = new float[16];
    kernels.sgemm(false, false, 0, 4, 4, 1f, a, 0, 4, a, 0, 4, 0f, c.data, c.off, c.ld);
    kernels.sgemm(false, false, 4, 0, 4, 1f, a, 0, 4, a, 0, 1, 0f, c.data, c.off, c.ld);
    c.assertUnchanged("m=0 or n=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(11);
    Matrix a = Matrix.random(rnd, 8, 8, 0, 0);
    Matrix b = Matrix.random(rnd, 8, 8, 0, 0);
    Matrix c = Matrix.random(rnd, 8, 8, 0, 0);
    Matrix before = c.copy();
    assertMessage(IllegalArgumentException.class, "lda=7 < 8",
        () -> kernels.sgemm(false, false, 8, 8, 8, 1f, a.data, 0, 7, b.data, 0, 8, 0f, c.data, 0, 8));
    assertMessage(IllegalArgumentException.class, "m=-1",
        () -> kernels.sgemm(false, false, -1, 8, 8, 1f, a.data, 0, 8, b.data, 0, 8, 0f, c.data, 0, 8));
    assertMessage(IllegalArgumentException.class, "a must not be null",
        () -> kernels.sgemm(false, false, 8, 8, 8, 1f, null, 0, 8, b.data, 0, 8, 0f, c.data, 0, 8));
    float[] exact = new float[64];
    assertMessage(IndexOutOfBoundsException.class, "b.length=64",
        () -> kernels.sgemm(false, false, 8, 8, 8, 1f, a.data, 0, 8, exact, 1, 8, 0f, c.data, 0, 8));
    assertMessage(IndexOutOfBoundsException.class, "cOff=-1",
        () -> kernels.sgemm(false, false, 8, 8, 8, 1f, a.data, 0, 8, b.data, 0, 8, 0f, c.data, -1, 8));
    assertMessage(IllegalArgumentException.class, "alpha=NaN",
        () -> kernels.sgemm(false, false, 8, 8, 8, Float.NaN, a.data, 0, 8, b.data, 0, 8, 0f, c.data, 0, 8));
    assertMessage(IllegalArgumentException.class, "overlaps",
        () -> kernels.sgemm(false, false, 8, 8, 8, 1f, c.data, 0, 8, b.data, 0, 8, 0f, c.data, 0, 8));
    // transA swaps the stored shape: A is k x m, so lda must cover m.
    assertMessage(IllegalArgumentException.class, "transA=true",
        () -> kernels.sgemm(true, false, 8, 8, 4, 1f, a.data, 0, 4, b.data, 0, 8, 0f, c.data, 0, 8));
    c.assertUnchanged("rejected calls", before);
  }

  static <T extends Throwable> void assertMessage(Class<T> type, String fragment,
      org.junit.jupiter.api.function.Executable call) {
    T e = assertThrows(type, call);
    assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
        "message should contain '" + fragment + "': " + e.getMessage());
  }
}
