package org.lrgrad.kernels;

/**
 * The rule by which optimizer state never holds a subnormal float, in one place for every implementation of
 * {@link Kernels} (the C library applies the same rule, {@code lrgrad_flush_below} in its {@code ops.h}).
 *
 * <p>Why: where a gradient entry stays zero (a ReLU unit that stopped firing, a row no input reaches), a momentum
 * buffer or Adam's first moment decays by its β each step and falls below the smallest normal float (1.18e-38)
 * within a few hundred steps; Adam's second moment follows after some tens of thousands. x86 processors compute
 * with subnormal operands and results through microcode assists, many times slower, unless flush-to-zero is set,
 * which the JVM never does. On the study's MLP this slowed Adam's whole training step 4.2× and momentum's 2.1×
 * (docs/benchmarks.md). So {@link Kernels#momentumStep}, {@link Kernels#adamStep} and {@link Kernels#adamDirection}
 * store a new state value below the floor as +0. What that gives up changes a parameter by less than lr·1.18e-38
 * (momentum) or lr·1.18e-38/ε (Adam) per step, far below a float's resolution of any parameter above 1e-30.
 */
public final class Subnormals {
  /** A momentum buffer's floor: no division follows it, so a flushed value never matters. */
  public static final float MOMENTUM_FLOOR = Float.MIN_NORMAL;

  private Subnormals() {}

  /**
   * Adam's floor for both moments: {@link Float#MIN_NORMAL} with ε &gt; 0; 0 (nothing flushed, as PyTorch) with
   * ε = 0, where a zero second moment would turn a finite m/√v into 0/0.
   */
  public static float adamFloor(float eps) {
    return eps > 0f ? Float.MIN_NORMAL : 0f;
  }

  /** {@code x}, or +0 when |x| is below {@code floor}; NaN is kept. */
  public static float flushBelow(float x, float floor) {
    return Math.abs(x) < floor ? 0f : x;
  }
}
