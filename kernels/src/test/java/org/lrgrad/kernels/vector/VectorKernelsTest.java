package org.lrgrad.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * What is particular to the Vector API kernels: the species really used, sgemm's thread split and blocking, the
 * reference's exact bits in the element-wise loops, and steady-state calls that allocate nothing. The contract's
 * operations themselves are tested over every implementation elsewhere.
 */
class VectorKernelsTest {
  /**
   * VectorKernels is compiled into the jar's Java 25 layer (META-INF/versions/25), which surefire puts on the class
   * path at run time but javac does not see when it compiles the tests; so it is reached by reflection, from its own
   * package (the constructor with a thread count and sgemmParts are package-private).
   */
  private static final String VECTOR_KERNELS = "org.lrgrad.kernels.vector.VectorKernels";

  static Kernels vectorKernels(int bits, int threads) throws KernelUnavailableException {
    try {
      Constructor<?> constructor = Class.forName(VECTOR_KERNELS).getDeclaredConstructor(int.class, int.class);
      return (Kernels) constructor.newInstance(bits, threads);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof KernelUnavailableException) {
        throw (KernelUnavailableException) e.getCause();
      }
      throw new AssertionError(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static int lanes(Kernels kernels) throws ReflectiveOperationException {
    return (Integer) Class.forName(VECTOR_KERNELS).getMethod("lanes").invoke(kernels);
  }

  private static int sgemmParts(Kernels kernels, int m, int n, int k) throws ReflectiveOperationException {
    return (Integer) Class.forName(VECTOR_KERNELS).getDeclaredMethod("sgemmParts", int.class, int.class, int.class)
        .invoke(kernels, m, n, k);
  }

  private static boolean swaps(boolean transB, int m, int n, int k) throws ReflectiveOperationException {
    return (Boolean) Class.forName(VECTOR_KERNELS.replace("VectorKernels", "VectorLoops"))
        .getDeclaredMethod("swaps", boolean.class, int.class, int.class, int.class).invoke(null, transB, m, n, k);
  }

  /** The system property that makes a JVM run the 128-bit width (VectorWidth's). */
  private static final String BITS_PROPERTY = "lrgrad.vector.bits";

  /**
   * The constructor's argument for the one width this JVM runs: 128 in a JVM started with {@code
   * -Dlrgrad.vector.bits=128} (surefire's vector-128 execution), otherwise 0, the preferred width.
   */
  private static final int BITS = "128".equals(System.getProperty(BITS_PROPERTY)) ? 128 : 0;

  @Test
  void theJvmRunsOneWidthAndTheOtherNameSaysWhereItRuns() throws Exception {
    int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    String running = BITS == 128 ? "vector-128" : "vector";
    String other = BITS == 128 ? "vector" : "vector-128";
    Kernels kernels = KernelProvider.get(running);
    assertEquals(VECTOR_KERNELS, kernels.getClass().getName());
    assertEquals(running, kernels.name());
    assertEquals(BITS == 128 ? 4 : FloatVector.SPECIES_PREFERRED.length(), lanes(kernels), running + " lanes");
    assertEquals(lanes(kernels), lanes(vectorKernels(BITS, 1)), "a second kernels object runs the same width");
    if (preferred > 128) {
      KernelProvider.Candidate candidate = KernelProvider.candidates().stream()
          .filter(c -> c.name().equals(other)).findFirst().orElseThrow();
      assertTrue(!candidate.isAvailable(), other + " must be unavailable in a JVM that runs " + running);
      assertTrue(candidate.unavailableReason().contains("-D" + BITS_PROPERTY + "=128"),
          candidate.unavailableReason());
      assertThrows(KernelUnavailableException.class, () -> vectorKernels(128 - BITS, 1));
    }
  }

  /** A width property the kernels cannot run leaves both names unavailable, with the value and the accepted ones. */
  @Test
  void aWidthPropertyOfAnotherValueMakesTheVectorKernelsUnavailable() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process probe = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-D" + BITS_PROPERTY + "=100",
        "-cp", System.getProperty("java.class.path"), WidthProbe.class.getName()).redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(2, TimeUnit.MINUTES), "the probe did not finish: " + output);
    assertEquals(0, probe.exitValue(), output);
    String reason = "-D" + BITS_PROPERTY + "=100 must be 128 or this JVM's preferred width, "
        + FloatVector.SPECIES_PREFERRED.vectorBitSize();
    assertTrue(output.contains("vector|false|" + reason), output);
    assertTrue(output.contains("vector-128|false|" + reason), output);
  }

  @Test
  void widthsTheProviderDoesNotNameAreUnavailable() {
    int tooWide = 2 * FloatVector.SPECIES_PREFERRED.vectorBitSize();
    KernelUnavailableException e = assertThrows(KernelUnavailableException.class, () -> vectorKernels(tooWide, 1));
    assertTrue(e.getMessage().contains("bits=" + tooWide), e.getMessage());
  }

  /**
   * Shapes above the parallel threshold, odd edges everywhere: split by rows with two depth blocks, by columns with a
   * single A block (B packed by groups of panels), by rows with a shallow depth (C swept by rows).
   */
  private static final int[][] PARALLEL_SHAPES = {{301, 157, 263}, {37, 1203, 190}, {501, 403, 40}};

  @Test
  void sgemmGivesTheSameBitsOnOneAndTwoThreads() throws Exception {
    Kernels one = vectorKernels(BITS, 1);
    Kernels two = vectorKernels(BITS, 2);
    Random rnd = new Random(5);
    for (int[] s : PARALLEL_SHAPES) {
      int m = s[0], n = s[1], k = s[2];
      assertEquals(2, sgemmParts(two, m, n, k), "the 2-thread kernels must split " + m + "x" + n + "x" + k);
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        Matrix a = ta ? Matrix.random(rnd, k, m, 3, 2) : Matrix.random(rnd, m, k, 3, 2);
        Matrix b = tb ? Matrix.random(rnd, n, k, 1, 5) : Matrix.random(rnd, k, n, 1, 5);
        Matrix c1 = Matrix.random(rnd, m, n, 2, 3);
        Matrix c2 = c1.copy();
        one.sgemm(ta, tb, m, n, k, 0.75f, a.data, a.off, a.ld, b.data, b.off, b.ld, -1.5f, c1.data, c1.off, c1.ld);
        two.sgemm(ta, tb, m, n, k, 0.75f, a.data, a.off, a.ld, b.data, b.off, b.ld, -1.5f, c2.data, c2.off, c2.ld);
        String context = one + " " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb;
        assertArrayEquals(c1.data, c2.data, context + ": 1 vs 2 threads");
        c2.assertCanariesIntact(context + " C");
      }
    }
  }

  /**
   * A short op(A) times a transposed B runs as Cᵀ's product when it is deep (VectorLoops.swaps), as it is when it is
   * shallow or op(A) is taller; stored the other way round, the same B always runs as it is. All must give the same
   * bits, on one and two threads, α and β as they come.
   */
  @Test
  void sgemmGivesTheSameBitsWhenItRunsAsTheTranspose() throws Exception {
    Random rnd = new Random(23);
    float[][] alphaBeta = {{1f, 0f}, {0.75f, -1.5f}};
    for (int threads : new int[] {1, 2}) {
      Kernels kernels = vectorKernels(BITS, threads);
      int panels = 4 * 2 * lanes(kernels);
      // The tallest op(A) that runs as the transpose: four column panels of two vectors, at most 64 rows.
      int tallest = Math.min(panels, 64);
      // Run as the transpose: a batch-32 forward pass over several row blocks and two depth blocks; the tallest
      // short side just past the shallow depth; tiny ones; one that two threads split. Run as they are: a shallow
      // depth (the low-rank step's product), and a side one row taller than the tallest.
      int[][] shapes = {{32, 1000, 300}, {tallest, 301, 65}, {1, 77, 66}, {5, 40, 70}, {31, 1203, 190},
          {32, 1000, 64}, {tallest + 1, 301, 300}, {5, 40, 33}};
      for (int[] s : shapes) {
        int m = s[0], n = s[1], k = s[2];
        boolean expectSwap = m <= tallest && k > 64;
        assertEquals(expectSwap, swaps(true, m, n, k),
            m + "x" + n + "x" + k + (expectSwap ? " must" : " must not") + " run as the transpose");
        assertFalse(swaps(false, m, n, k), m + "x" + n + "x" + k + " must run as it is with B not transposed");
        if (m == 31) {
          // Split as Cᵀ's product, 1203 rows by 31.
          assertEquals(threads, sgemmParts(kernels, n, m, k), threads + " thread(s) must split 31x1203x190");
        }
        for (boolean ta : new boolean[] {false, true}) {
          for (float[] ab : alphaBeta) {
            Matrix a = ta ? Matrix.random(rnd, k, m, 3, 2) : Matrix.random(rnd, m, k, 3, 2);
            Matrix b = Matrix.random(rnd, n, k, 1, 5);
            Matrix bStored = Matrix.filled(k, n, 2, 1, 0f);
            for (int p = 0; p < k; p++) {
              for (int j = 0; j < n; j++) {
                bStored.set(p, j, b.get(j, p));
              }
            }
            Matrix c1 = Matrix.random(rnd, m, n, 2, 3);
            Matrix c2 = c1.copy();
            kernels.sgemm(ta, true, m, n, k, ab[0], a.data, a.off, a.ld, b.data, b.off, b.ld, ab[1], c1.data, c1.off,
                c1.ld);
            kernels.sgemm(ta, false, m, n, k, ab[0], a.data, a.off, a.ld, bStored.data, bStored.off, bStored.ld,
                ab[1], c2.data, c2.off, c2.ld);
            String context = kernels + " " + m + "x" + n + "x" + k + " transA=" + ta + " alpha=" + ab[0] + " beta="
                + ab[1];
            assertArrayEquals(c2.data, c1.data, context + ": B transposed vs B stored as op(B)");
            c1.assertCanariesIntact(context + " C");
          }
        }
      }
    }
  }

  @Test
  void sgemmCrossesEveryCacheBlock() throws Exception {
    // One thread: a split would cut the column block.
    Kernels kernels = vectorKernels(BITS, 1);
    Random rnd = new Random(9);
    // n past the column block (128 panels), k past two depth blocks, m past one row block (24 tiles).
    int[][] shapes = {{13, 128 * 2 * lanes(kernels) + 37, 601}, {151, 41, 515}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      Matrix a = Matrix.random(rnd, m, k, 1, 1);
      Matrix b = Matrix.random(rnd, k, n, 2, 3);
      Matrix c = Matrix.filled(m, n, 1, 2, Float.NaN);
      kernels.sgemm(false, false, m, n, k, 1f, a.data, a.off, a.ld, b.data, b.off, b.ld, 0f, c.data, c.off, c.ld);
      double[] want = new double[m * n], bound = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0, abs = 0;
          for (int p = 0; p < k; p++) {
            double t = (double) a.get(i, p) * b.get(p, j);
            sum += t;
            abs += Math.abs(t);
          }
          want[i * n + j] = sum;
          bound[i * n + j] = Tolerance.forDot(k, abs);
        }
      }
      String context = kernels + " sgemm " + m + "x" + n + "x" + k;
      Tolerance.assertClose(context, c, want, bound);
      c.assertCanariesIntact(context + " C");
    }
  }

  /** VectorLoops.KC: the deepest depth block; deeper products split k into equal blocks of at most this many. */
  private static final int DEPTH_BLOCK = 256;

  /**
   * Every element of C is summed in one documented order, whichever micro-kernel, tile, edge or thread computes it:
   * k split into equal depth blocks of at most {@link #DEPTH_BLOCK}; in each, one fused multiply-add per step of k
   * from zero; then C ← acc·α for the first block when β = 0, otherwise C ← fma(acc, α, C·β), with β = 1 for the
   * blocks after the first. A scalar loop in that order gives the same bits. The shapes take every path: whole and
   * edge tiles with β ≠ 0 in the first block and in later ones, A read in place (few columns), B read in place
   * (few rows, short or shallow B rows), a product run as its transpose, a shallow one swept by rows, two threads;
   * with β = 0, C starts as NaN, which no path may read.
   */
  @Test
  void sgemmSumsEveryElementInItsDocumentedOrder() throws Exception {
    Random rnd = new Random(31);
    int[][] shapes = {{37, 70, 600}, {25, 200, 300}, {100, 130, 257}, {300, 64, 513}, {13, 1100, 40}, {48, 256, 700},
        {12, 32, 1}, {150, 97, 64}, {24, 64, 256}, {61, 515, 1030}};
    float[][] alphaBeta = {{1f, 0f}, {0.75f, -1.5f}, {-2f, 1f}};
    for (int threads : new int[] {1, 2}) {
      Kernels kernels = vectorKernels(BITS, threads);
      for (int[] s : shapes) {
        int m = s[0], n = s[1], k = s[2];
        for (int t = 0; t < 4; t++) {
          boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
          float[] ab = alphaBeta[(t + m) % alphaBeta.length];
          Matrix a = ta ? Matrix.random(rnd, k, m, 3, 2) : Matrix.random(rnd, m, k, 3, 2);
          Matrix b = tb ? Matrix.random(rnd, n, k, 1, 5) : Matrix.random(rnd, k, n, 1, 5);
          // With β = 0, C is never read: NaN there must not reach the result.
          Matrix c = ab[1] == 0f ? Matrix.filled(m, n, 2, 3, Float.NaN) : Matrix.random(rnd, m, n, 2, 3);
          Matrix want = c.copy();
          int blocks = (k + DEPTH_BLOCK - 1) / DEPTH_BLOCK;
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              float out = want.get(i, j);
              for (int kb = 0, pc = 0; kb < blocks; kb++) {
                int kc = (k - pc) / (blocks - kb);
                float acc = 0f;
                for (int p = pc; p < pc + kc; p++) {
                  acc = Math.fma(ta ? a.get(p, i) : a.get(i, p), tb ? b.get(j, p) : b.get(p, j), acc);
                }
                float blockBeta = kb == 0 ? ab[1] : 1f;
                out = blockBeta == 0f ? acc * ab[0] : Math.fma(acc, ab[0], out * blockBeta);
                pc += kc;
              }
              want.set(i, j, out);
            }
          }
          kernels.sgemm(ta, tb, m, n, k, ab[0], a.data, a.off, a.ld, b.data, b.off, b.ld, ab[1], c.data, c.off, c.ld);
          String context = kernels + " " + threads + " thread(s) " + m + "x" + n + "x" + k + " transA=" + ta
              + " transB=" + tb + " alpha=" + ab[0] + " beta=" + ab[1];
          assertArrayEquals(want.data, c.data, context + ": C against the documented order");
          c.assertCanariesIntact(context + " C");
        }
      }
    }
  }

  /** Lengths around the vector widths, for the loops' tails. */
  private static final int[] LENGTHS = {0, 1, 3, 4, 5, 8, 15, 16, 17, 31, 33, 64, 67, 1000};

  /**
   * The element-wise loops claim the reference's exact bits (same operations, same order), tails included. Large
   * factors, so that a reordered or fused operation changes some roundings.
   */
  @Test
  void elementWiseOpsGiveTheReferenceBits() throws KernelUnavailableException {
    Kernels reference = Implementations.reference();
    Kernels vector = vectorKernels(BITS, 1);
    Random rnd = new Random(13);
    for (int len : LENGTHS) {
      float[] g = values(rnd, len, -2f, 2f), p = values(rnd, len, -1f, 1f), buf = values(rnd, len, -1f, 1f);
      float[] m = values(rnd, len, -0.5f, 0.5f), v = values(rnd, len, 0f, 0.3f);
      String at = vector + " len=" + len;
      assertSameBits(at + " sgdStep", reference, vector, (k, s) -> k.sgdStep(len, 0.3f, 0.7f, s[0], 0, s[1], 0),
          p, g);
      for (int step : new int[] {1, 3}) {
        for (boolean nesterov : new boolean[] {false, true}) {
          float dampening = nesterov ? 0f : 0.2f;
          assertSameBits(at + " momentumStep step=" + step + " nesterov=" + nesterov, reference, vector,
              (k, s) -> k.momentumStep(len, step, 0.3f, 0.9f, dampening, nesterov, 0.6f, s[0], 0, s[1], 0, s[2], 0),
              p, g, buf);
        }
      }
      for (AdamConvention convention : AdamConvention.values()) {
        for (boolean decoupled : new boolean[] {false, true}) {
          assertSameBits(at + " adamStep " + convention + " decoupled=" + decoupled, reference, vector,
              (k, s) -> k.adamStep(len, 7, 0.1f, 0.9f, 0.999f, 1e-3f, 0.7f, decoupled, convention, s[0], 0, s[1],
                  0, s[2], 0, s[3], 0), p, g, m, v);
        }
        // out = g: the aliasing the contract allows.
        assertSameBits(at + " adamDirection " + convention, reference, vector,
            (k, s) -> k.adamDirection(len, 4, 0.9f, 0.99f, 1e-6f, convention, s[0], 0, s[1], 0, s[2], 0, s[0], 0),
            g, m, v);
      }
      float[] signed = values(rnd, len, -1f, 1f);
      if (len > 2) {
        signed[0] = -0f;
        signed[1] = Float.NaN;
        signed[2] = 0f;
      }
      assertSameBits(at + " relu in place", reference, vector, (k, s) -> k.relu(len, s[0], 0, s[0], 0), signed);
      assertSameBits(at + " reluBackward in place", reference, vector,
          (k, s) -> k.reluBackward(len, s[0], 0, s[1], 0, s[1], 0), signed, g);
      int rows = 3, cols = len, ld = len + 2;
      float[] y = values(rnd, rows * ld, -1f, 1f), bias = values(rnd, len, -1f, 1f), db = new float[len];
      assertSameBits(at + " biasAdd", reference, vector, (k, s) -> k.biasAdd(rows, cols, s[0], 0, s[1], 0, ld),
          bias, y);
      assertSameBits(at + " biasGradient", reference, vector,
          (k, s) -> k.biasGradient(rows, cols, s[0], 0, ld, s[1], 0), y, db);
    }
  }

  private interface Op {
    void run(Kernels kernels, float[][] state);
  }

  static float[] values(Random rnd, int len, float lo, float hi) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = lo + rnd.nextFloat() * (hi - lo);
    }
    return x;
  }

  /** Runs op on copies of state with both kernels and compares every array bit for bit. */
  private static void assertSameBits(String what, Kernels reference, Kernels vector, Op op, float[]... state) {
    float[][] want = new float[state.length][], got = new float[state.length][];
    for (int i = 0; i < state.length; i++) {
      want[i] = state[i].clone();
      got[i] = state[i].clone();
    }
    op.run(reference, want);
    op.run(vector, got);
    for (int i = 0; i < state.length; i++) {
      for (int j = 0; j < want[i].length; j++) {
        if (Float.floatToRawIntBits(want[i][j]) != Float.floatToRawIntBits(got[i][j])) {
          throw new AssertionError(what + ": array " + i + " index " + j + " reference " + want[i][j] + " vector "
              + got[i][j]);
        }
      }
    }
  }

  /**
   * After warm-up, calls allocate nothing on the heap, on the calling thread or the sgemm workers of a split
   * product. Each width is measured in a JVM of its own (with {@code -Dlrgrad.vector.bits=128} for the narrow one),
   * whatever width this JVM runs.
   */
  @ParameterizedTest(name = "bits={0}")
  @ValueSource(ints = {0, 128})
  void steadyStateCallsAllocateNothing(int bits) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
    if (bits != 0) {
      command.add("-D" + BITS_PROPERTY + "=" + bits);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), AllocationProbe.class.getName(),
        Integer.toString(bits)));
    Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(5, TimeUnit.MINUTES), "the probe did not finish: " + output);
    assertEquals(0, probe.exitValue(), output);
    assertTrue(output.contains(AllocationProbe.RESULT + "0 "), "bits=" + bits + ": " + output);
  }
}
