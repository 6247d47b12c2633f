package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizer state at the edge of the normal floats, for the tests of {@code momentumStep}, {@code adamStep} and
 * {@code adamDirection}: with a zero gradient one step multiplies a momentum buffer or m by its β and v by β2, which
 * takes some cells below {@link Float#MIN_NORMAL}. Those must come back as +0 (org.lrgrad.kernels.Subnormals; for
 * Adam with ε &gt; 0); Adam with ε = 0 must keep the plain product.
 * Cells cycle through four cases so that any length covers each in a vector body and in a tail.
 */
public final class SubnormalMoments {
  public static final float BETA1 = 0.9f, BETA2 = 0.999f;

  private SubnormalMoments() {}

  /** m before the step: just above the normal floor (lands below it), its negative, 2× the floor, 0.5. */
  public static float[] m(int len) {
    float[] m = new float[len];
    float[] cases = {1.05f * Float.MIN_NORMAL, -1.05f * Float.MIN_NORMAL, 2f * Float.MIN_NORMAL, 0.5f};
    for (int i = 0; i < len; i++) {
      m[i] = cases[i % 4];
    }
    return m;
  }

  /** v before the step: just above the floor (lands below it), already subnormal, 1, 2× the floor. */
  public static float[] v(int len) {
    float[] v = new float[len];
    float[] cases = {1.0005f * Float.MIN_NORMAL, 0.5f * Float.MIN_NORMAL, 1f, 2f * Float.MIN_NORMAL};
    for (int i = 0; i < len; i++) {
      v[i] = cases[i % 4];
    }
    return v;
  }

  /**
   * After one step with a zero gradient: each cell is beta·before (exact in float: the gradient term is 0), or +0
   * where that product is subnormal and {@code flushed}.
   */
  public static void assertStepped(String context, String name, float beta, float[] before, float[] after,
      boolean flushed) {
    int subnormals = 0;
    for (int i = 0; i < before.length; i++) {
      float product = beta * before[i];
      boolean subnormal = product != 0f && Math.abs(product) < Float.MIN_NORMAL;
      subnormals += subnormal ? 1 : 0;
      float want = subnormal && flushed ? 0f : product;
      assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(after[i]),
          context + " " + name + "[" + i + "] from " + before[i] + ": want " + want + ", got " + after[i]);
    }
    assertTrue(subnormals >= before.length / 4, context + " " + name + ": the cases must reach the subnormals");
  }
}
