package org.lrgrad.kernels.testing;

import org.lrgrad.kernels.AdamConvention;

/**
 * Adam's moments and direction for one element in float64, from the formulas in vectors/README.md ("Optimizer
 * formulas", and galore_adamw_steps step 2 for {@link AdamConvention#GALORE}), with the magnitudes that bound their
 * float32 rounding errors ({@link Tolerance#forTerms}).
 *
 * <p>The direction d is what the parameter moves by per unit of lr: TORCH d = (m / bc1) / (√v / √bc2 + ε), GALORE
 * d = m / (√v + ε) · √bc2 / bc1, with bc1 = 1 − β1ᵏ and bc2 = 1 − β2ᵏ. Its magnitude accounts for cancellation in
 * m (terms of both signs) and for the relative error of √v feeding the denominator.
 */
public final class AdamOracle {
  public final double m, mAbs, v, vAbs, d, dAbs;

  /**
   * @param grad the gradient as Adam sees it (g, or g + wd·p for L2 weight decay), from float32 values
   * @param gradAbs the magnitude of its terms (|g|, or |g| + wd·|p|)
   */
  public AdamOracle(AdamConvention convention, int step, float beta1, float beta2, float eps, double grad,
      double gradAbs, double mOld, double vOld) {
    m = beta1 * mOld + (1.0 - beta1) * grad;
    mAbs = beta1 * Math.abs(mOld) + (1.0 - beta1) * gradAbs;
    v = beta2 * vOld + (1.0 - beta2) * grad * grad;
    vAbs = beta2 * vOld + (1.0 - beta2) * gradAbs * gradAbs;
    double bc1 = 1.0 - Math.pow(beta1, step);
    double bc2 = 1.0 - Math.pow(beta2, step);
    double sqrtV = Math.sqrt(v);
    // TORCH divides √v by √bc2 before adding ε; GALORE adds ε to √v and scales the quotient by √bc2.
    double vScale = convention == AdamConvention.TORCH ? Math.sqrt(bc2) : 1.0;
    double denominator = sqrtV / vScale + eps;
    double denominatorAbs = (v == 0 ? 0 : vAbs / sqrtV / vScale) + denominator;
    double factor = convention == AdamConvention.TORCH ? 1.0 / bc1 : Math.sqrt(bc2) / bc1;
    d = factor * m / denominator;
    dAbs = factor * (mAbs + Math.abs(m) * denominatorAbs / denominator) / denominator;
  }
}
