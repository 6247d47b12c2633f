package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.List;
import java.util.Random;
import org.lrgrad.kernels.Kernels;

/**
 * The body of the kernel-argument fuzz targets (kernels' {@code KernelArgumentsFuzzTest} on the Java
 * implementations, bridge-jni's {@code NativeKernelArgumentsFuzzTest} on jni, jni-scalar and ffm): one call with
 * fuzzed sizes, offsets, leading dimensions and array lengths, on every implementation given.
 *
 * <p>Whether the call is valid is decided here from the contract's documented rules (sizes ≥ 0, offsets ≥ 0,
 * ld ≥ max(1, cols), the last element inside the array), not by asking {@code Checks}. A valid call must succeed and
 * match the reference within the float32 rounding bound, leaving every cell outside its output untouched; an
 * invalid one must throw exactly {@link IllegalArgumentException} or {@link IndexOutOfBoundsException} (an
 * {@link ArrayIndexOutOfBoundsException} means a kernel ran off an array) and change no bit of any array. The
 * exception is what keeps a native implementation safe: a wrong length that reached native code could write past the
 * end of a Java array, into the Java heap, which neither these checks nor AddressSanitizer would see.
 */
public final class KernelArgumentFuzzing {
  private static final float[] SCALARS = {0f, 1f, -0.5f, 2f, Float.NaN, Float.POSITIVE_INFINITY, -1e-3f};
  private static final int MAX_LENGTH = 96;

  private KernelArgumentFuzzing() {}

  /** One fuzzed call of one of the checked operations, on each of {@code implementations}. */
  public static void fuzzOneCall(List<Kernels> implementations, FuzzedDataProvider data) {
    FuzzedCall call;
    switch (data.consumeInt(0, 4)) {
      case 0:
        call = new Sgemm(data);
        break;
      case 1:
        call = new SgdStep(data);
        break;
      case 2:
        call = new Relu(data);
        break;
      case 3:
        call = new AllFinite(data);
        break;
      default:
        call = new BiasAdd(data);
        break;
    }
    for (Kernels impl : implementations) {
      call.check(impl);
    }
  }

  /** A size: mostly small, sometimes any int (negative, huge, overflowing products). */
  private static int size(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.consumeInt(-1, 6) : data.consumeInt();
  }

  /** An offset or leading dimension: mostly small, sometimes any int. */
  private static int index(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.consumeInt(-2, 12) : data.consumeInt();
  }

  private static float[] array(FuzzedDataProvider data, Random rnd) {
    if (data.consumeInt(0, 31) == 0) {
      return null;
    }
    return BadInput.array(rnd, data.consumeInt(0, MAX_LENGTH));
  }

  /** The contract's rule for a rows×cols matrix at (offset, ld) in an array; a vector is 1×len with ld max(1, len). */
  static boolean fits(float[] array, int offset, int rows, int cols, int ld) {
    if (array == null || rows < 0 || cols < 0 || offset < 0 || ld < Math.max(1, cols)) {
      return false;
    }
    if (rows == 0 || cols == 0) {
      return offset <= array.length;
    }
    return (long) offset + (long) (rows - 1) * ld + cols <= array.length;
  }

  static boolean fitsVector(float[] array, int offset, int len) {
    return fits(array, offset, 1, len, Math.max(1, len));
  }

  /** A call drawn from fuzz data, its validity by the contract's rules, and the run that checks one implementation. */
  private abstract static class FuzzedCall {
    final Random rnd;

    FuzzedCall(FuzzedDataProvider data) {
      rnd = new Random(data.consumeLong());
    }

    abstract float[][] arrays();

    abstract boolean valid();

    abstract void run(Kernels impl, float[][] arrays);

    /** |impl − reference| bound at {@code index} of output array {@code which}, or -1 for a cell that must not change. */
    abstract double bound(float[][] before, int which, int index);

    final void check(Kernels impl) {
      float[][] arrays = arrays();
      float[][] before = copy(arrays);
      if (!valid()) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> run(impl, arrays),
            () -> impl + ": an invalid call was accepted: " + this);
        if (e.getClass() != IllegalArgumentException.class && e.getClass() != IndexOutOfBoundsException.class) {
          fail(impl + ": an invalid call threw " + e + " instead of IllegalArgumentException or "
              + "IndexOutOfBoundsException: " + this, e);
        }
        assertBitsEqual(impl + " rejected " + this + " (" + e.getMessage() + ")", before, arrays);
        return;
      }
      float[][] want = copy(arrays);
      run(Implementations.reference(), want);
      run(impl, arrays);
      for (int k = 0; k < arrays.length; k++) {
        if (arrays[k] == null) {
          continue;
        }
        for (int i = 0; i < arrays[k].length; i++) {
          double bound = bound(before, k, i);
          float got = arrays[k][i];
          boolean ok = bound < 0 ? Float.floatToRawIntBits(got) == Float.floatToRawIntBits(before[k][i])
              : Math.abs((double) got - want[k][i]) <= bound;
          if (!ok) {
            fail(impl + " " + this + ": array #" + k + "[" + i + "] is " + got + ", reference " + want[k][i]
                + ", before " + before[k][i] + (bound < 0 ? " (outside the output: must not change)"
                : " (bound " + bound + ")"));
          }
        }
      }
    }

    static float[][] copy(float[][] arrays) {
      float[][] c = new float[arrays.length][];
      for (int k = 0; k < arrays.length; k++) {
        c[k] = arrays[k] == null ? null : arrays[k].clone();
      }
      return c;
    }

    static void assertBitsEqual(String context, float[][] before, float[][] after) {
      for (int k = 0; k < before.length; k++) {
        if (before[k] == null) {
          continue;
        }
        for (int i = 0; i < before[k].length; i++) {
          if (Float.floatToRawIntBits(before[k][i]) != Float.floatToRawIntBits(after[k][i])) {
            fail(context + ": array #" + k + "[" + i + "] changed from " + before[k][i] + " to " + after[k][i]);
          }
        }
      }
    }
  }

  private static final class Sgemm extends FuzzedCall {
    final boolean ta, tb;
    final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
    final float alpha, beta;
    final float[] a, b, c;

    Sgemm(FuzzedDataProvider data) {
      super(data);
      ta = data.consumeBoolean();
      tb = data.consumeBoolean();
      m = size(data);
      n = size(data);
      k = size(data);
      alpha = data.pickValue(box(SCALARS));
      beta = data.pickValue(box(SCALARS));
      aOff = index(data);
      lda = index(data);
      bOff = index(data);
      ldb = index(data);
      cOff = index(data);
      ldc = index(data);
      a = array(data, rnd);
      b = array(data, rnd);
      c = array(data, rnd);
    }

    @Override
    float[][] arrays() {
      return new float[][] {a == null ? null : a.clone(), b == null ? null : b.clone(), c == null ? null : c.clone()};
    }

    @Override
    boolean valid() {
      return m >= 0 && n >= 0 && k >= 0 && Float.isFinite(alpha) && Float.isFinite(beta)
          && fits(a, aOff, ta ? k : m, ta ? m : k, lda) && fits(b, bOff, tb ? n : k, tb ? k : n, ldb)
          && fits(c, cOff, m, n, ldc);
    }

    @Override
    void run(Kernels impl, float[][] x) {
      impl.sgemm(ta, tb, m, n, k, alpha, x[0], aOff, lda, x[1], bOff, ldb, beta, x[2], cOff, ldc);
    }

    @Override
    double bound(float[][] before, int which, int index) {
      if (which != 2 || m == 0 || n == 0 || index < cOff || (index - cOff) / ldc >= m || (index - cOff) % ldc >= n) {
        return -1;
      }
      int i = (index - cOff) / ldc, j = (index - cOff) % ldc;
      double abs = 0;
      for (int p = 0; p < k; p++) {
        double av = ta ? before[0][aOff + p * lda + i] : before[0][aOff + i * lda + p];
        double bv = tb ? before[1][bOff + j * ldb + p] : before[1][bOff + p * ldb + j];
        abs += Math.abs(av * bv);
      }
      double cTerm = beta == 0f ? 0 : Math.abs(beta * (double) before[2][index]);
      // Both results are within this of the exact value, so of each other within twice it.
      return 2 * (Tolerance.forDot(k, Math.abs(alpha) * abs) + 4 * Tolerance.U * cTerm);
    }

    @Override
    public String toString() {
      return "sgemm(transA=" + ta + ", transB=" + tb + ", m=" + m + ", n=" + n + ", k=" + k + ", alpha=" + alpha
          + ", a[" + length(a) + "], aOff=" + aOff + ", lda=" + lda + ", b[" + length(b) + "], bOff=" + bOff
          + ", ldb=" + ldb + ", beta=" + beta + ", c[" + length(c) + "], cOff=" + cOff + ", ldc=" + ldc + ")";
    }
  }

  private static final class SgdStep extends FuzzedCall {
    final int len, pOff, gOff;
    final float lr, weightDecay;
    final float[] p, g;

    SgdStep(FuzzedDataProvider data) {
      super(data);
      len = size(data) * (data.consumeBoolean() ? 1 : 7);
      lr = Math.abs(data.pickValue(box(SCALARS))) * (data.consumeBoolean() ? 1 : -1);
      weightDecay = data.pickValue(box(SCALARS));
      pOff = index(data);
      gOff = index(data);
      p = array(data, rnd);
      g = array(data, rnd);
    }

    @Override
    float[][] arrays() {
      return new float[][] {p == null ? null : p.clone(), g == null ? null : g.clone()};
    }

    @Override
    boolean valid() {
      return len >= 0 && Float.isFinite(lr) && lr >= 0 && Float.isFinite(weightDecay) && weightDecay >= 0
          && fitsVector(p, pOff, len) && fitsVector(g, gOff, len);
    }

    @Override
    void run(Kernels impl, float[][] x) {
      impl.sgdStep(len, lr, weightDecay, x[0], pOff, x[1], gOff);
    }

    @Override
    double bound(float[][] before, int which, int index) {
      if (which != 0 || index < pOff || index >= pOff + len) {
        return -1;
      }
      double pv = Math.abs(before[0][index]), gv = Math.abs(before[1][gOff + index - pOff]);
      return 2 * Tolerance.forTerms(pv + lr * gv + lr * weightDecay * pv);
    }

    @Override
    public String toString() {
      return "sgdStep(len=" + len + ", lr=" + lr + ", weightDecay=" + weightDecay + ", p[" + length(p) + "], pOff="
          + pOff + ", g[" + length(g) + "], gOff=" + gOff + ")";
    }
  }

  /** ReLU out of place, or in place (y is x at the same offset, which the contract allows). */
  private static final class Relu extends FuzzedCall {
    final int len, xOff, yOff;
    final boolean inPlace;
    final float[] x, y;

    Relu(FuzzedDataProvider data) {
      super(data);
      len = size(data) * (data.consumeBoolean() ? 1 : 7);
      inPlace = data.consumeBoolean();
      xOff = index(data);
      yOff = inPlace ? xOff : index(data);
      x = array(data, rnd);
      y = inPlace ? null : array(data, rnd);
    }

    @Override
    float[][] arrays() {
      return new float[][] {x == null ? null : x.clone(), y == null ? null : y.clone()};
    }

    @Override
    boolean valid() {
      return len >= 0 && fitsVector(x, xOff, len) && (inPlace || fitsVector(y, yOff, len));
    }

    @Override
    void run(Kernels impl, float[][] arrays) {
      impl.relu(len, arrays[0], xOff, inPlace ? arrays[0] : arrays[1], yOff);
    }

    @Override
    double bound(float[][] before, int which, int index) {
      int outArray = inPlace ? 0 : 1;
      return which == outArray && index >= yOff && index < yOff + len ? 0 : -1;
    }

    @Override
    public String toString() {
      return "relu(len=" + len + ", x[" + length(x) + "], xOff=" + xOff + ", y=" + (inPlace ? "x" : "[" + length(y)
          + "]") + ", yOff=" + yOff + ")";
    }
  }

  /**
   * The finiteness check, its answer stored as 1 or 0 in a one-float second array (compared exactly with the
   * reference's); x sometimes gets an infinity or a NaN at a fuzzed position, inside the range or outside it.
   */
  private static final class AllFinite extends FuzzedCall {
    private static final float[] NOT_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.intBitsToFloat(0xff800001)};
    final int len, xOff;
    final float[] x;

    AllFinite(FuzzedDataProvider data) {
      super(data);
      len = size(data) * (data.consumeBoolean() ? 1 : 7);
      xOff = index(data);
      x = array(data, rnd);
      if (x != null && x.length > 0 && data.consumeBoolean()) {
        x[data.consumeInt(0, x.length - 1)] = NOT_FINITE[data.consumeInt(0, NOT_FINITE.length - 1)];
      }
    }

    @Override
    float[][] arrays() {
      return new float[][] {x == null ? null : x.clone(), {-1f}};
    }

    @Override
    boolean valid() {
      return len >= 0 && fitsVector(x, xOff, len);
    }

    @Override
    void run(Kernels impl, float[][] arrays) {
      boolean finite = impl.allFinite(len, arrays[0], xOff);
      arrays[1][0] = finite ? 1f : 0f;
    }

    @Override
    double bound(float[][] before, int which, int index) {
      return which == 1 ? 0 : -1;
    }

    @Override
    public String toString() {
      return "allFinite(len=" + len + ", x[" + length(x) + "], xOff=" + xOff + ")";
    }
  }

  private static final class BiasAdd extends FuzzedCall {
    final int rows, cols, biasOff, yOff, ldy;
    final float[] bias, y;

    BiasAdd(FuzzedDataProvider data) {
      super(data);
      rows = size(data);
      cols = size(data);
      biasOff = index(data);
      yOff = index(data);
      ldy = index(data);
      bias = array(data, rnd);
      y = array(data, rnd);
    }

    @Override
    float[][] arrays() {
      return new float[][] {bias == null ? null : bias.clone(), y == null ? null : y.clone()};
    }

    @Override
    boolean valid() {
      return rows >= 0 && cols >= 0 && fitsVector(bias, biasOff, cols) && fits(y, yOff, rows, cols, ldy);
    }

    @Override
    void run(Kernels impl, float[][] x) {
      impl.biasAdd(rows, cols, x[0], biasOff, x[1], yOff, ldy);
    }

    @Override
    double bound(float[][] before, int which, int index) {
      if (which != 1 || rows == 0 || cols == 0 || index < yOff || (index - yOff) / ldy >= rows
          || (index - yOff) % ldy >= cols) {
        return -1;
      }
      // One rounded addition: the results agree exactly.
      return 0;
    }

    @Override
    public String toString() {
      return "biasAdd(rows=" + rows + ", cols=" + cols + ", bias[" + length(bias) + "], biasOff=" + biasOff + ", y["
          + length(y) + "], yOff=" + yOff + ", ldy=" + ldy + ")";
    }
  }

  private static String length(float[] a) {
    return a == null ? "null" : String.valueOf(a.length);
  }

  private static Float[] box(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }
}
