package org.lrgrad.kernels;

/**
 * The scalars of an Adam step that depend only on the step count, computed in double and rounded once (as PyTorch
 * computes them in Python), in one place for every implementation of {@link Kernels}, so that all of them scale by
 * the same floats. With k the 1-based step, bc1 = 1−β1ᵏ and bc2 = 1−β2ᵏ.
 */
public final class AdamBiasCorrection {
  private AdamBiasCorrection() {}

  /**
   * The factor in front of the normalized moment: lr/bc1 for {@link AdamConvention#TORCH}, lr·√bc2/bc1 for
   * {@link AdamConvention#GALORE}. With lr = 1 it is the factor of {@link Kernels#adamDirection}.
   */
  public static float stepScale(AdamConvention convention, float lr, float beta1, float beta2, int step) {
    double bc1 = 1.0 - Math.pow(beta1, step);
    return convention == AdamConvention.TORCH
        ? (float) (lr / bc1)
        : (float) (lr * Math.sqrt(1.0 - Math.pow(beta2, step)) / bc1);
  }

  /**
   * The smallest magnitude a stored moment keeps: with ε &gt; 0, {@link Kernels#adamStep} and
   * {@link Kernels#adamDirection} store a moment below {@link Float#MIN_NORMAL} (1.18e-38) as +0; with ε = 0 they
   * keep every value, as PyTorch does.
   *
   * <p>Why: once a gradient entry stays zero (a ReLU unit that no longer fires, an unused row), m decays by β1 per
   * step and reaches the subnormal floats within a few hundred steps; x86 processors compute with subnormals
   * through microcode assists unless flush-to-zero is set, which the JVM never does, and an Adam step over such
   * moments ran 2.8 times slower in one measurement (docs/benchmarks.md). The value given up changes the step by less
   * than lr·1.18e-38/ε, far below a float's resolution of any parameter above 1e-20. With ε = 0 that bound does not
   * hold (a zero v would turn a finite m/√v into 0/0), so nothing is flushed.
   */
  public static float momentFloor(float eps) {
    return eps > 0f ? Float.MIN_NORMAL : 0f;
  }

  /** {@code x}, or +0 when |x| is below {@code floor} ({@link #momentFloor}); NaN is kept. */
  public static float flushBelow(float x, float floor) {
    return Math.abs(x) < floor ? 0f : x;
  }

  /** √bc2, by which {@link AdamConvention#TORCH} divides √v before adding ε. */
  public static float sqrtBiasCorrection2(float beta2, int step) {
    return (float) Math.sqrt(1.0 - Math.pow(beta2, step));
  }
}
