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

  /** √bc2, by which {@link AdamConvention#TORCH} divides √v before adding ε. */
  public static float sqrtBiasCorrection2(float beta2, int step) {
    return (float) Math.sqrt(1.0 - Math.pow(beta2, step));
  }
}
