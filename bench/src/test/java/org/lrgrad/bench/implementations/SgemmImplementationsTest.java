package org.lrgrad.bench.implementations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;

/**
 * Every sgemm the benchmarks measure computes C = op(A)·op(B): a peer bound the wrong way round (row- versus
 * column-major, a swapped transpose or leading dimension) would be measured doing something else. This JVM runs
 * with -Dlrgrad.threads=1 (the bench module's Surefire configuration).
 */
class SgemmImplementationsTest {

  /** m, n, k: edge shapes, odd sizes, and skinny low-rank ones (k or m small). */
  private static final int[][] SHAPES = {{1, 1, 1}, {7, 13, 33}, {33, 7, 13}, {64, 96, 4}, {4, 96, 64},
      {65, 63, 129}};

  static Stream<Arguments> implementationsAndThreads() {
    List<Arguments> cases = new ArrayList<>();
    for (String name : SgemmImplementations.names()) {
      cases.add(Arguments.of(name, 1));
    }
    // The peers change their thread count in this JVM; lrgrad's kernels need a fork for that (tested below).
    for (String name : SgemmImplementations.peerNames()) {
      cases.add(Arguments.of(name, 2));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, {1} thread(s)")
  @MethodSource("implementationsAndThreads")
  void everyImplementationMultipliesLikeTheReference(String name, int threads) {
    Sgemm sgemm = openOrSkip(name, threads);
    Kernels reference = KernelProvider.get("reference");
    SeededRandom random = new SeededRandom(5);
    for (int[] shape : SHAPES) {
      int m = shape[0], n = shape[1], k = shape[2];
      for (String transpose : new String[] {"NN", "NT", "TN", "TT"}) {
        boolean transA = transpose.charAt(0) == 'T', transB = transpose.charAt(1) == 'T';
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        random.fillGaussian(a, 0, a.length, 1f);
        random.fillGaussian(b, 0, b.length, 1f);
        Arrays.fill(c, Float.NaN); // β = 0: C must be overwritten, not read
        sgemm.bind(transA, transB, m, n, k, a, b, c).run();

        float[] expected = new float[m * n], magnitude = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        reference.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, expected, 0, n);
        // |A|·|B| bounds the rounding of both results: each is within k·2⁻²⁴·(|A||B|)ᵢⱼ of the exact value, up to
        // second-order terms.
        reference.sgemm(transA, transB, m, n, k, 1f, abs(a), 0, lda, abs(b), 0, ldb, 0f, magnitude, 0, n);
        for (int i = 0; i < m * n; i++) {
          double bound = (2.0 * k + 4) * 0x1p-24 * magnitude[i];
          if (!(Math.abs(c[i] - expected[i]) <= bound)) {
            fail(name + " " + transpose + " m=" + m + " n=" + n + " k=" + k + ": C[" + i / n + "][" + i % n + "]="
                + c[i] + ", reference " + expected[i] + ", bound " + bound);
          }
        }
      }
    }
  }

  private static Sgemm openOrSkip(String name, int threads) {
    try {
      return SgemmImplementations.open(name, threads);
    } catch (UnavailableException e) {
      Assumptions.abort(name + " at " + threads + " thread(s) skipped: " + e.getMessage());
      throw new AssertionError("unreachable");
    }
  }

  private static float[] abs(float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.abs(x[i]);
    }
    return y;
  }

  @Test
  void namesListTheKernelsThenThePeers() {
    List<String> names = SgemmImplementations.names();
    List<String> kernels = KernelProvider.candidates().stream().map(KernelProvider.Candidate::name).toList();
    assertEquals(kernels, names.subList(0, kernels.size()));
    assertEquals(List.of("openblas", "ejml", "netlib"), names.subList(kernels.size(), names.size()));
  }

  @Test
  void lrgradKernelsAtAnotherThreadCountThanThisJvmsAreUnavailableWithTheReason() {
    UnavailableException e = assertThrows(UnavailableException.class, () -> SgemmImplementations.open("reference",
        2));
    assertTrue(e.getMessage().contains("-Dlrgrad.threads=1, not 2"), e.getMessage());
    assertTrue(e.getMessage().contains("fork"), e.getMessage());
  }

  @Test
  void netlibIsSingleThreaded() {
    String reason = SgemmImplementations.unavailableReason("netlib", 2);
    assertTrue(reason != null && reason.contains("calling thread only"), reason);
  }

  @Test
  void availabilityIsDecidedWithoutFixingTheThreadCount() {
    // lrgrad's kernels can run at 2 threads in a fork, even though this JVM runs 1.
    assertNull(SgemmImplementations.unavailableReason("reference", 2));
  }

  @Test
  void unknownNamesAndThreadCountsAreRejected() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> SgemmImplementations.open("no-such-blas", 1));
    assertTrue(unknown.getMessage().contains("'no-such-blas'") && unknown.getMessage().contains("openblas"),
        unknown.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> SgemmImplementations.open("ejml", 0));
    assertTrue(zero.getMessage().contains("threads=0"), zero.getMessage());
  }

  @Test
  void aMissingOpenBlasIsReportedWithTheInstallCommand() {
    String message = assertThrows(UnavailableException.class,
        () -> OpenBlas.load(Path.of("/nonexistent/libopenblas.so.0"))).getMessage();
    assertTrue(message.contains("/nonexistent/libopenblas.so.0"), message);
    assertTrue(message.contains("apt-get install -y libopenblas-dev"), message);
    assertFalse(message.contains("null"), message);
  }
}
