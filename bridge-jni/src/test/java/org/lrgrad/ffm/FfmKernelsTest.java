package org.lrgrad.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.BadInput;

/**
 * What the contract's own tests (run here on ffm too) do not reach: the registration with the provider; that
 * {@code ffm} and {@code jni} run the same native code (bit-identical results); and bad sizes, offsets and nulls
 * through every entry point of {@code ffm}, each an exception with nothing written, never a crash of the JVM.
 */
class FfmKernelsTest {
  private static final int N = 12;

  private static Kernels ffm() {
    return KernelProvider.get("ffm");
  }

  @Test
  void registeredBetweenJniAndVector128() {
    List<String> names = new ArrayList<>();
    for (Candidate c : KernelProvider.candidates()) {
      names.add(c.name());
      if (c.name().equals("ffm")) {
        assertTrue(c.isAvailable(), "ffm: " + c.unavailableReason());
        assertEquals(40, c.priority());
      }
    }
    int ffm = names.indexOf("ffm");
    assertTrue(names.indexOf("jni") < ffm && ffm < names.indexOf("vector-128"), names.toString());
    assertEquals("ffm", ffm().name());
    assertEquals(FfmKernelFactory.IMPLEMENTATION, ffm().getClass().getName());
  }

  private static float[] random(Random rnd, int length) {
    return BadInput.array(rnd, length);
  }

  @Test
  void sameBitsAsJniOnSgemmAdamAndSoftmaxAtOffsets() {
    Kernels jni = KernelProvider.get("jni");
    Random rnd = new Random(7);
    int m = 37, n = 29, k = 301, off = 5;
    float[] a = random(rnd, off + k * m), b = random(rnd, off + n * k), c0 = random(rnd, off + m * n);
    float[] c1 = c0.clone(), c2 = c0.clone();
    jni.sgemm(true, true, m, n, k, 0.75f, a, off, m, b, off, k, -0.5f, c1, off, n);
    ffm().sgemm(true, true, m, n, k, 0.75f, a, off, m, b, off, k, -0.5f, c2, off, n);
    assertTrue(Arrays.equals(c1, c2), "sgemm through ffm differs from jni");
    assertTrue(!Arrays.equals(c0, c1), "sgemm wrote nothing");

    int len = 19;
    float[] g = random(rnd, off + len), p1 = random(rnd, off + len), m1 = random(rnd, off + len);
    float[] v1 = random(rnd, off + len);
    for (int i = 0; i < v1.length; i++) {
      v1[i] = Math.abs(v1[i]);
    }
    float[] p2 = p1.clone(), m2 = m1.clone(), v2 = v1.clone();
    jni.adamStep(len, 3, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, true, AdamConvention.GALORE, p1, off, g, off, m1, off, v1,
        off);
    ffm().adamStep(len, 3, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, true, AdamConvention.GALORE, p2, off, g, off, m2, off,
        v2, off);
    assertTrue(Arrays.equals(p1, p2) && Arrays.equals(m1, m2) && Arrays.equals(v1, v2), "adamStep differs");

    int batch = 6, classes = 11;
    float[] logits = random(rnd, off + batch * classes);
    int[] labels = {99, 3, 0, 10, 7, 7, 1};
    float[] d1 = new float[off + batch * classes], d2 = new float[off + batch * classes];
    float l1 = jni.softmaxCrossEntropy(batch, classes, logits, off, classes, labels, 1, d1, off, classes);
    float l2 = ffm().softmaxCrossEntropy(batch, classes, logits, off, classes, labels, 1, d2, off, classes);
    assertEquals(Float.floatToRawIntBits(l1), Float.floatToRawIntBits(l2), "loss " + l1 + " vs " + l2);
    assertTrue(l1 > 0f, "loss " + l1);
    assertTrue(Arrays.equals(d1, d2), "softmax gradient differs");
    assertEquals(l1, ffm().softmaxCrossEntropy(batch, classes, logits, off, classes, labels, 1, null, 0, 1));
  }

  /** FfmKernels' package-private constants and linkage choice (the Java 25 layer: reached by reflection). */
  private static Object ffmStatic(String name, Object... arguments) throws Exception {
    Class<?> type = Class.forName("org.lrgrad.ffm.FfmKernels");
    if (arguments.length == 0) {
      java.lang.reflect.Field field = type.getDeclaredField(name);
      field.setAccessible(true);
      return field.get(null);
    }
    java.lang.reflect.Method method = type.getDeclaredMethod(name, int.class, int.class, int.class);
    method.setAccessible(true);
    return method.invoke(null, arguments);
  }

  /**
   * A critical downcall holds every safepoint until it returns (measured: a 1536³ sgemm kept time to safepoint at
   * 989 ms), so only bounded calls are critical: an sgemm of up to CRITICAL_SGEMM_MULTIPLY_ADDS multiply-adds, and
   * larger ones the off-heap linkage, whatever the shape.
   */
  @Test
  void onlyBoundedSgemmCallsAreCritical() throws Exception {
    long limit = (long) ffmStatic("CRITICAL_SGEMM_MULTIPLY_ADDS");
    assertTrue(limit > 0 && limit <= 1L << 24, "limit " + limit);
    assertEquals("CRITICAL", ffmStatic("sgemmLinkage", 8, 8, 8).toString());
    assertEquals("CRITICAL", ffmStatic("sgemmLinkage", 1, 1, (int) limit).toString());
    assertEquals("OFF_HEAP", ffmStatic("sgemmLinkage", 1, 1, (int) limit + 1).toString());
    assertEquals("OFF_HEAP", ffmStatic("sgemmLinkage", 1536, 1536, 1536).toString());
    assertEquals("OFF_HEAP", ffmStatic("sgemmLinkage", 4096, 4096, 1).toString());
    assertEquals("OFF_HEAP", ffmStatic("sgemmLinkage", 65536, 65536, 65536).toString(), "no int overflow");
  }

  /**
   * The off-heap linkage (copies, a plain downcall, C's rows copied back) gives jni's bits, transposed or not, at
   * offsets with padded leading dimensions, and leaves every cell outside C, the padding between its rows included,
   * as it was.
   */
  @Test
  void anSgemmPastTheCriticalLimitEqualsJniAndWritesOnlyC() throws Exception {
    long limit = (long) ffmStatic("CRITICAL_SGEMM_MULTIPLY_ADDS");
    Kernels jni = KernelProvider.get("jni");
    Random rnd = new Random(8);
    int m = 67, n = 131, k = (int) (limit / ((long) m * n)) + 3, off = 3;
    assertEquals("OFF_HEAP", ffmStatic("sgemmLinkage", m, n, k).toString());
    for (int t = 0; t < 4; t++) {
      boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
      int lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1, ldc = n + 3;
      float[] a = random(rnd, off + (transA ? k : m) * lda), b = random(rnd, off + (transB ? n : k) * ldb);
      float[] c0 = random(rnd, off + m * ldc + 2);
      float[] c1 = c0.clone(), c2 = c0.clone();
      float beta = t == 0 ? 0f : -0.5f;
      jni.sgemm(transA, transB, m, n, k, 1.25f, a, off, lda, b, off, ldb, beta, c1, off, ldc);
      ffm().sgemm(transA, transB, m, n, k, 1.25f, a, off, lda, b, off, ldb, beta, c2, off, ldc);
      assertTrue(Arrays.equals(c1, c2), "off-heap sgemm through ffm differs from jni, transA=" + transA + " transB="
          + transB);
      assertEquals(c0[off + n], c2[off + n], "the padding after C's first row");
      assertTrue(!Arrays.equals(c0, c2), "sgemm wrote nothing");
    }
  }

  /** Element-wise calls longer than one critical piece run in pieces: jni's bits (jni makes one call). */
  @Test
  void elementWiseCallsInCriticalPiecesEqualJni() throws Exception {
    int piece = (int) ffmStatic("CRITICAL_ELEMENTS");
    Kernels jni = KernelProvider.get("jni");
    Random rnd = new Random(9);
    int len = 2 * piece + 7, off = 2;
    float[] g = random(rnd, off + len), p1 = random(rnd, off + len), m1 = random(rnd, off + len);
    float[] v1 = random(rnd, off + len);
    for (int i = 0; i < v1.length; i++) {
      v1[i] = Math.abs(v1[i]);
    }
    float[] p2 = p1.clone(), m2 = m1.clone(), v2 = v1.clone();
    jni.adamStep(len, 2, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, false, AdamConvention.TORCH, p1, off, g, off, m1, off, v1,
        off);
    ffm().adamStep(len, 2, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, false, AdamConvention.TORCH, p2, off, g, off, m2, off,
        v2, off);
    assertTrue(Arrays.equals(p1, p2) && Arrays.equals(m1, m2) && Arrays.equals(v1, v2), "adamStep in pieces differs");
    float[] y1 = new float[off + len], y2 = new float[off + len];
    jni.relu(len, g, off, y1, off);
    ffm().relu(len, g, off, y2, off);
    assertTrue(Arrays.equals(y1, y2), "relu in pieces differs");
    // The finiteness check in pieces: one NaN or infinity in any piece, the last and partial one included, is
    // found; the floats before the range are not read.
    float[] f = random(rnd, off + len);
    f[off - 1] = Float.NaN;
    assertTrue(ffm().allFinite(len, f, off), "finite floats in pieces");
    for (int at : new int[] {0, piece - 1, piece, 2 * piece, len - 1}) {
      float kept = f[off + at];
      f[off + at] = at % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
      assertFalse(ffm().allFinite(len, f, off), f[off + at] + " at " + at + " of " + len);
      f[off + at] = kept;
    }
    // Bias over more cells than a piece: rows in pieces for the add, columns in pieces for the gradient.
    int rows = 3, cols = piece / 2 + 5;
    float[] bias = random(rnd, cols), out1 = random(rnd, rows * cols), out2 = out1.clone();
    jni.biasAdd(rows, cols, bias, 0, out1, 0, cols);
    ffm().biasAdd(rows, cols, bias, 0, out2, 0, cols);
    assertTrue(Arrays.equals(out1, out2), "biasAdd in pieces differs");
    float[] db1 = new float[cols], db2 = new float[cols];
    jni.biasGradient(rows, cols, out1, 0, cols, db1, 0);
    ffm().biasGradient(rows, cols, out1, 0, cols, db2, 0);
    assertTrue(Arrays.equals(db1, db2), "biasGradient in pieces differs");
  }

  /** One bad call through ffm: its name, the exception the contract promises, and the call on the watched arrays. */
  private interface BadCall {
    void call(Kernels k, float[] x, float[] y, float[] z, float[] w);
  }

  private static Arguments bad(String name, Class<? extends RuntimeException> type, String fragment, BadCall call) {
    return Arguments.of(name, type, fragment, call);
  }

  private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
  private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

  /** Arrays x, y, z, w hold N = 12 floats each (w holds non-negative values, usable as Adam's v). */
  static Stream<Arguments> badCalls() {
    return Stream.of(
        bad("sgemm m < 0", IAE, "m=-1",
            (k, x, y, z, w) -> k.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, y, 0, 2, 0f, z, 0, 2)),
        bad("sgemm lda below k", IAE, "lda=1",
            (k, x, y, z, w) -> k.sgemm(false, false, 2, 2, 2, 1f, x, 0, 1, y, 0, 2, 0f, z, 0, 2)),
        bad("sgemm A past its end", IOOBE, "a.length",
            (k, x, y, z, w) -> k.sgemm(false, false, 3, 3, 4, 1f, x, 1, 4, y, 0, 3, 0f, z, 0, 3)),
        bad("sgemm negative offset", IOOBE, "cOff=-1",
            (k, x, y, z, w) -> k.sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, y, 0, 2, 0f, z, -1, 2)),
        bad("sgemm null C", IAE, "c must not be null",
            (k, x, y, z, w) -> k.sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, y, 0, 2, 0f, null, 0, 2)),
        bad("sgd length past the end", IOOBE, "p.length",
            (k, x, y, z, w) -> k.sgdStep(N + 1, 0.1f, 0f, x, 0, y, 0)),
        bad("sgd null gradient", IAE, "g must not be null",
            (k, x, y, z, w) -> k.sgdStep(4, 0.1f, 0f, x, 0, null, 0)),
        bad("momentum step 0", IAE, "step",
            (k, x, y, z, w) -> k.momentumStep(4, 0, 0.1f, 0.9f, 0f, false, 0f, x, 0, y, 0, z, 0)),
        bad("momentum buffer offset past the end", IOOBE, "buf",
            (k, x, y, z, w) -> k.momentumStep(4, 1, 0.1f, 0.9f, 0f, false, 0f, x, 0, y, 0, z, N - 3)),
        bad("adam negative length", IAE, "len=-2",
            (k, x, y, z, w) -> k.adamStep(-2, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, AdamConvention.TORCH, x, 0,
                y, 0, z, 0, w, 0)),
        bad("adam null v", IAE, "v must not be null",
            (k, x, y, z, w) -> k.adamStep(4, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, AdamConvention.TORCH, x, 0,
                y, 0, z, 0, null, 0)),
        bad("adam direction out past the end", IOOBE, "out",
            (k, x, y, z, w) -> k.adamDirection(8, 1, 0.9f, 0.999f, 1e-8f, AdamConvention.GALORE, x, 0, z, 0, w, 0,
                y, 6)),
        bad("adafactor columns past the end", IOOBE, "col",
            (k, x, y, z, w) -> k.adafactorStep(2, 6, 0.1f, false, 1e-30f, 1e-3f, 0.8f, 1f, 0f, 0f, x, 0, y, 0, z,
                0, w, 7, null, 0)),
        bad("bias ldy below cols", IAE, "ldy=2",
            (k, x, y, z, w) -> k.biasAdd(2, 3, x, 0, y, 0, 2)),
        bad("bias gradient null db", IAE, "db must not be null",
            (k, x, y, z, w) -> k.biasGradient(2, 3, x, 0, 3, null, 0)),
        bad("relu length past the end", IOOBE, "x.length",
            (k, x, y, z, w) -> k.relu(N, x, 1, y, 0)),
        bad("relu backward negative offset", IOOBE, "dyOff=-4",
            (k, x, y, z, w) -> k.reluBackward(4, x, 0, y, -4, z, 0)),
        bad("softmax label out of range", IAE, "labels[1]=3",
            (k, x, y, z, w) -> k.softmaxCrossEntropy(2, 3, x, 0, 3, new int[] {0, 3}, 0, y, 0, 3)),
        bad("softmax labels too short", IOOBE, "labels",
            (k, x, y, z, w) -> k.softmaxCrossEntropy(3, 3, x, 0, 3, new int[] {0, 1}, 0, y, 0, 3)),
        bad("softmax zero batch", IAE, "batch=0",
            (k, x, y, z, w) -> k.softmaxCrossEntropy(0, 3, x, 0, 3, new int[] {0}, 0, y, 0, 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCalls")
  void badInputThrowsAndWritesNothing(String name, Class<? extends RuntimeException> type, String fragment,
      BadCall call) {
    Random rnd = new Random(name.hashCode());
    float[] x = random(rnd, N), y = random(rnd, N), z = random(rnd, N), w = random(rnd, N);
    for (int i = 0; i < N; i++) {
      w[i] = Math.abs(w[i]);
    }
    Kernels ffm = ffm();
    BadInput.watching(x, y, z, w).rejects(type, () -> call.call(ffm, x, y, z, w), fragment);
  }
}
