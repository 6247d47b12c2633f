package org.lrgrad.kernels;

/**
 * Where Adam puts ε and the bias corrections. Both conventions share the moment updates
 * m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g², with k the 1-based step and bc1 = 1−β1ᵏ, bc2 = 1−β2ᵏ.
 */
public enum AdamConvention {
  /** {@code torch.optim.Adam/AdamW}: d = (m / bc1) / (√v / √bc2 + ε); AdamW decays p by (1 − lr·wd) before the step. */
  TORCH,
  /**
   * GaLore's (Hugging Face) AdamW: d = m / (√v + ε) · √bc2 / bc1, so ε is added before bias correction; decoupled
   * weight decay is applied after the step: p ← p − lr·wd·p.
   */
  GALORE
}
