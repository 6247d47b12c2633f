package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.lrgrad.kernels.AdamConvention;

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

  /** An Adam operation on zero gradients: steps m and v in place and returns how far it moves each parameter. */
  public interface AdamOnZeroGradients {
    float[] run(int len, AdamConvention convention, float eps, float[] m, float[] v);
  }

  /**
   * Runs {@code op} from {@link #m} and {@link #v} over lengths 3, 37 and 64 (a vector body and a tail at any
   * width), both conventions, ε = 1e-8 and 0: m and v must come back as {@link #assertStepped} says (flushed when
   * ε &gt; 0), and every move must be finite, and +0 wherever m was flushed.
   */
  public static void assertAdamFlushes(String operation, AdamOnZeroGradients op) {
    for (int len : new int[] {3, 37, 64}) {
      for (AdamConvention c : AdamConvention.values()) {
        for (float eps : new float[] {1e-8f, 0f}) {
          float[] m0 = m(len), v0 = v(len);
          float[] m = m0.clone(), v = v0.clone();
          float[] moves = op.run(len, c, eps, m, v);
          String context = operation + " len=" + len + " " + c + " eps=" + eps;
          assertStepped(context, "m", BETA1, m0, m, eps > 0f);
          assertStepped(context, "v", BETA2, v0, v, eps > 0f);
          for (int i = 0; i < len; i++) {
            assertTrue(Float.isFinite(moves[i]), context + " move[" + i + "] = " + moves[i]);
            if (eps > 0f && m[i] == 0f) {
              assertEquals(0, Float.floatToRawIntBits(moves[i]), context + " move[" + i + "] = " + moves[i]
                  + " with m = 0");
            }
          }
        }
      }
    }
  }
}
