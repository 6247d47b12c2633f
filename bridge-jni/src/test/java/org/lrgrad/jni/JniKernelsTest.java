package org.lrgrad.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ReferenceKernels;
import org.lrgrad.kernels.testing.Matrix;

/**
 * What the contract's own tests (run here on jni and jni-scalar) do not reach: the registration with the provider;
 * every element-wise operation at every length from 1 to 19 (NEON's tails) against the Java reference, with the
 * cells beyond the length untouched; and one Java array passed as several arguments (pinned once).
 */
class JniKernelsTest {
  private static final ReferenceKernels REFERENCE = new ReferenceKernels();
  private static final int OFF = 3;
  private static final int MAX_LEN = 19;

  @Test
  void bothVariantsAreRegisteredBetweenVectorAndVector128() {
    List<String> names = new ArrayList<>();
    for (Candidate c : KernelProvider.candidates()) {
      names.add(c.name());
      if (c.name().startsWith("jni")) {
        assertTrue(c.isAvailable(), c.name() + ": " + c.unavailableReason());
      }
    }
    int jni = names.indexOf("jni"), scalar = names.indexOf("jni-scalar");
    assertTrue(jni >= 0 && scalar > jni, "jni before jni-scalar in " + names);
    assertTrue(names.indexOf("vector") < jni && jni < names.indexOf("vector-128"), names.toString());
    assertEquals(JniKernels.Variant.NEON, ((JniKernels) KernelProvider.get("jni")).variant());
    assertEquals(JniKernels.Variant.SCALAR, ((JniKernels) KernelProvider.get("jni-scalar")).variant());
  }

  /** One element-wise call: on the given kernels, on arrays prepared by {@link #run}. */
  private interface Step {
    void apply(Kernels k, int len, float[][] arrays);
  }

  /**
   * Runs the step on the reference and on the variant for every length, each array at offset OFF with canaries
   * around, and compares every array afterwards (inputs must be unchanged, outputs close, canaries intact).
   */
  private static void run(JniKernels.Variant variant, String what, int arrays, float lo, float hi, Step step) {
    Kernels k = new JniKernels(variant);
    Random rnd = new Random(what.hashCode());
    for (int len = 1; len <= MAX_LEN; len++) {
      float[][] want = new float[arrays][], got = new float[arrays][];
      for (int a = 0; a < arrays; a++) {
        want[a] = new float[OFF + len + OFF];
        java.util.Arrays.fill(want[a], Matrix.CANARY);
        for (int i = 0; i < len; i++) {
          // Exact zeros too: relu's mask and the step at exactly 0.
          want[a][OFF + i] = rnd.nextInt(8) == 0 ? 0f : lo + (hi - lo) * rnd.nextFloat();
        }
        got[a] = want[a].clone();
      }
      step.apply(REFERENCE, len, want);
      step.apply(k, len, got);
      for (int a = 0; a < arrays; a++) {
        for (int i = 0; i < want[a].length; i++) {
          String at = k + " " + what + " len=" + len + " array " + a + " index " + i;
          if (i < OFF || i >= OFF + len) {
            assertEquals(Float.floatToRawIntBits(Matrix.CANARY), Float.floatToRawIntBits(got[a][i]), at + ": canary");
          } else {
            assertEquals(want[a][i], got[a][i], 2e-6f + 2e-6f * Math.abs(want[a][i]), at);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void sgdAndMomentumAtEveryLength(JniKernels.Variant variant) {
    run(variant, "sgdStep", 2, -1f, 1f, (k, len, x) -> k.sgdStep(len, 0.1f, 0.01f, x[0], OFF, x[1], OFF));
    for (int step = 1; step <= 2; step++) {
      int t = step;
      run(variant, "momentumStep step " + t, 3, -1f, 1f,
          (k, len, x) -> k.momentumStep(len, t, 0.1f, 0.9f, 0f, true, 0.01f, x[0], OFF, x[1], OFF, x[2], OFF));
      run(variant, "momentumStep dampened step " + t, 3, -1f, 1f,
          (k, len, x) -> k.momentumStep(len, t, 0.1f, 0.9f, 0.25f, false, 0f, x[0], OFF, x[1], OFF, x[2], OFF));
    }
  }

  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void adamInBothConventionsAtEveryLength(JniKernels.Variant variant) {
    for (AdamConvention convention : AdamConvention.values()) {
      for (boolean decoupled : new boolean[] {false, true}) {
        // Moments in [0, 1): v must be non-negative, as after any real step.
        run(variant, "adamStep " + convention + " decoupled=" + decoupled, 4, 0f, 1f,
            (k, len, x) -> k.adamStep(len, 3, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, convention, x[0], OFF,
                x[1], OFF, x[2], OFF, x[3], OFF));
      }
      run(variant, "adamDirection " + convention, 4, 0f, 1f,
          (k, len, x) -> k.adamDirection(len, 2, 0.9f, 0.999f, 1e-6f, convention, x[0], OFF, x[1], OFF, x[2], OFF,
              x[3], OFF));
      run(variant, "adamDirection in place " + convention, 3, 0f, 1f,
          (k, len, x) -> k.adamDirection(len, 2, 0.9f, 0.999f, 1e-6f, convention, x[0], OFF, x[1], OFF, x[2], OFF,
              x[0], OFF));
    }
  }

  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void reluAndBiasAtEveryLength(JniKernels.Variant variant) {
    run(variant, "relu", 2, -1f, 1f, (k, len, x) -> k.relu(len, x[0], OFF, x[1], OFF));
    run(variant, "relu in place", 1, -1f, 1f, (k, len, x) -> k.relu(len, x[0], OFF, x[0], OFF));
    run(variant, "reluBackward", 3, -1f, 1f, (k, len, x) -> k.reluBackward(len, x[0], OFF, x[1], OFF, x[2], OFF));
    run(variant, "reluBackward in place", 2, -1f, 1f,
        (k, len, x) -> k.reluBackward(len, x[0], OFF, x[1], OFF, x[1], OFF));
    // A 1 x len row of Y and a len-column bias (the per-row loop is the same for every row).
    run(variant, "biasAdd", 2, -1f, 1f, (k, len, x) -> k.biasAdd(1, len, x[0], OFF, x[1], OFF, len));
    run(variant, "biasGradient", 2, -1f, 1f, (k, len, x) -> k.biasGradient(1, len, x[0], OFF, len, x[1], OFF));
  }

  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void biasOverRowsWithPaddedRows(JniKernels.Variant variant) {
    Kernels k = new JniKernels(variant);
    Random rnd = new Random(9);
    for (int cols = 1; cols <= 11; cols++) {
      Matrix dy = Matrix.random(rnd, 7, cols, 2, 3);
      float[] want = new float[cols + 2], got = new float[cols + 2];
      REFERENCE.biasGradient(7, cols, dy.data, dy.off, dy.ld, want, 1);
      k.biasGradient(7, cols, dy.data, dy.off, dy.ld, got, 1);
      for (int j = 0; j < got.length; j++) {
        assertEquals(want[j], got[j], 1e-6f, k + " biasGradient cols=" + cols + " index " + j);
      }
      Matrix y = Matrix.random(rnd, 5, cols, 1, 2), yWant = y.copy();
      float[] bias = Matrix.vector(rnd, cols, 0, -1f, 1f).data;
      REFERENCE.biasAdd(5, cols, bias, 0, yWant.data, yWant.off, yWant.ld);
      k.biasAdd(5, cols, bias, 0, y.data, y.off, y.ld);
      y.assertUnchanged(k + " biasAdd cols=" + cols, yWant);
    }
  }

  /** A, B and C as disjoint regions of one Java array: pinned once, each region where it belongs. */
  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void sgemmOnRegionsOfOneArray(JniKernels.Variant variant) {
    Kernels k = new JniKernels(variant);
    int m = 9, n = 11, kk = 13;
    Random rnd = new Random(4);
    float[] shared = new float[m * kk + kk * n + m * n];
    for (int i = 0; i < m * kk + kk * n; i++) {
      shared[i] = rnd.nextFloat() * 2f - 1f;
    }
    int bOff = m * kk, cOff = bOff + kk * n;
    float[] want = new float[m * n];
    REFERENCE.sgemm(false, false, m, n, kk, 1f, shared, 0, kk, shared, bOff, n, 0f, want, 0, n);
    float[] inputs = java.util.Arrays.copyOf(shared, cOff);
    k.sgemm(false, false, m, n, kk, 1f, shared, 0, kk, shared, bOff, n, 0f, shared, cOff, n);
    for (int i = 0; i < m * n; i++) {
      assertEquals(want[i], shared[cOff + i], 1e-5f, k + " C[" + i + "]");
    }
    for (int i = 0; i < cOff; i++) {
      assertEquals(inputs[i], shared[i], 0f, k + " input cell " + i + " changed");
    }
  }

  @ParameterizedTest
  @EnumSource(JniKernels.Variant.class)
  void softmaxCrossEntropyInPlaceMatchesTheReference(JniKernels.Variant variant) {
    Kernels k = new JniKernels(variant);
    Random rnd = new Random(6);
    int batch = 5, classes = 7;
    Matrix logits = Matrix.random(rnd, batch, classes, 0, 0);
    int[] labels = {0, 6, 3, 3, 1};
    Matrix want = logits.copy(), got = logits.copy();
    float wantLoss = REFERENCE.softmaxCrossEntropy(batch, classes, want.data, 0, classes, labels, 0, want.data, 0,
        classes);
    float gotLoss = k.softmaxCrossEntropy(batch, classes, got.data, 0, classes, labels, 0, got.data, 0, classes);
    assertEquals(wantLoss, gotLoss, 1e-6f * Math.abs(wantLoss), k + " loss");
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < classes; j++) {
        assertEquals(want.get(i, j), got.get(i, j), 1e-7f, k + " dlogits(" + i + ", " + j + ")");
      }
    }
  }
}
