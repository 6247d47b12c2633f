package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;

/**
 * {@code torch.optim.Adam} and {@code torch.optim.AdamW} ({@link AdamConvention#TORCH}). Adam's weight decay is
 * the L2 form; AdamW's is decoupled (p ← p·(1 − lr·wd) before the step). Defaults as PyTorch: β = (0.9, 0.999),
 * ε = 1e-8, weight decay 0 (Adam) or 1e-2 (AdamW). State: two moments per parameter (2·m·n floats).
 */
public final class Adam extends AdamFamily<Adam> {
  private Adam(float lr, float weightDecay, boolean decoupled) {
    super(lr, 1e-8f, weightDecay, AdamConvention.TORCH, decoupled);
  }

  public static Adam adam(float lr) {
    return new Adam(lr, 0f, false);
  }

  public static Adam adamW(float lr) {
    return new Adam(lr, 1e-2f, true);
  }

  @Override
  public String name() {
    return decoupledWeightDecay() ? "AdamW" : "Adam";
  }

  @Override
  Slot slotFor(Parameter parameter, int rankCap) {
    return adamSlot(parameter);
  }
}
