package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * Adafactor (Shazeer &amp; Stern 2018) as Hugging Face's {@code Adafactor}, with its defaults: relative step size,
 * parameter scaling, ε = (1e-30, 1e-3), clip threshold 1, decay rate −0.8, no first moment (β1 = 0), no weight
 * decay. Setting a learning rate turns the relative step off, as that class requires. State: the factored second
 * moment, m + n floats for an m×n matrix (a vector is a 1×n matrix: 1 + n floats, the same update as the
 * unfactored form); plus m·n for the first moment when β1 &gt; 0.
 */
public final class Adafactor extends AdafactorFamily<Adafactor> {
  private float beta1;

  /** Hugging Face's defaults: the step size is relative (min(1e-2, 1/√k)). */
  public Adafactor() {}

  /** The first moment's decay in [0, 1); 0 (the default) keeps no first moment. */
  public Adafactor beta1(float beta1) {
    checkMutable();
    Checks.unitInterval("beta1", beta1);
    this.beta1 = beta1;
    return this;
  }

  float beta1() {
    return beta1;
  }

  @Override
  public String name() {
    return "Adafactor";
  }

  @Override
  Slot slotFor(Parameter parameter, int rankCap) {
    return new AdafactorSlot(parameter, this);
  }

  @Override
  public String toString() {
    return name() + "(" + adafactorSettings() + ", beta1=" + beta1 + ", weightDecay=" + weightDecay()
        + scheduleSettings() + ")";
  }
}
