package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;

/**
 * LoRA with Adam on the factors (docs/method.md §2): every 2-D weight W0 (m×n) of the group is frozen and adapted as
 * W_eff = W0 + s·B·A with B (m×r) starting at 0 and A (r×n) Gaussian with standard deviation 1/√n; the layer runs
 * W_eff without ever forming it, and the factor gradients come from the fused form (∂A = s·(dY·B)ᵀ·X,
 * ∂B = s·dYᵀ·(X·Aᵀ)). The factors train with {@code torch.optim.AdamW} ({@link AdamConvention#TORCH}, ε = 1e-8,
 * weight decay 0 by default); the group's vectors (biases) get that same AdamW. State: r(m+n) factor values,
 * r(m+n) factor gradients, 2r(m+n) moments. {@link Trainer#mergeLora()} folds s·B·A into W0 and restarts the
 * adapters. s is {@link #scale} (LoRA's α/r), default 1. A rank larger than min(m, n) is used as min(m, n) for that
 * matrix.
 */
public final class LoraAdam extends LowRankFamily<LoraAdam> {
  public LoraAdam(float lr, int rank) {
    super(lr, 1e-8f, 0f, AdamConvention.TORCH, rank, 1f);
  }

  @Override
  public String name() {
    return "LoRA-Adam";
  }

  @Override
  Slot matrixSlot(Parameter matrix, int rank) {
    return new LoraSlot(matrix, this, rank);
  }

  @Override
  String methodSettings() {
    return ", rank=" + rank() + ", scale=" + scale();
  }
}
