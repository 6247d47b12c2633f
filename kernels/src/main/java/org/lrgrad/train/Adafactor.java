package org.lrgrad.train;

import org.lrgrad.kernels.AdafactorSchedule;
import org.lrgrad.kernels.Checks;

/**
 * Adafactor (Shazeer &amp; Stern 2018) as Hugging Face's {@code Adafactor}, with its defaults: relative step size,
 * parameter scaling, ε = (1e-30, 1e-3), clip threshold 1, decay rate −0.8, no first moment (β1 = 0), no weight
 * decay. Setting a learning rate turns the relative step off, as that class requires. State: the factored second
 * moment, m + n floats for an m×n matrix (a vector is a 1×n matrix: 1 + n floats, the same update as the
 * unfactored form); plus m·n for the first moment when β1 &gt; 0.
 */
public final class Adafactor extends ChainingOptimizer<Adafactor> {
  private boolean relativeStep = true;
  private boolean scaleParameter = true;
  private boolean warmupInit;
  private float eps1 = 1e-30f;
  private float eps2 = 1e-3f;
  private float clipThreshold = 1f;
  private float decayRate = -0.8f;
  private float beta1;

  /** Hugging Face's defaults: the step size is relative (min(1e-2, 1/√k)). */
  public Adafactor() {}

  /** A fixed learning rate (turns the relative step off). */
  @Override
  public Adafactor learningRate(float lr) {
    super.learningRate(lr);
    this.relativeStep = false;
    return this;
  }

  public Adafactor scaleParameter(boolean scaleParameter) {
    checkMutable();
    this.scaleParameter = scaleParameter;
    return this;
  }

  /** Warm-up of the relative step (1e-6·k instead of 1e-2); needs the relative step. */
  public Adafactor warmupInit(boolean warmupInit) {
    checkMutable();
    this.warmupInit = warmupInit;
    return this;
  }

  /** ε1 regularizes the squared gradient, ε2 bounds the parameter scale from below. */
  public Adafactor eps(float eps1, float eps2) {
    checkMutable();
    Checks.finiteNonNegative("eps1", eps1);
    Checks.finiteNonNegative("eps2", eps2);
    this.eps1 = eps1;
    this.eps2 = eps2;
    return this;
  }

  public Adafactor clipThreshold(float clipThreshold) {
    checkMutable();
    Checks.finitePositive("clipThreshold", clipThreshold);
    this.clipThreshold = clipThreshold;
    return this;
  }

  /** β2 of step k is 1 − k^decayRate; decayRate &lt; 0. */
  public Adafactor decayRate(float decayRate) {
    checkMutable();
    AdafactorSchedule.beta2t(1, decayRate); // throws the schedule's own message for a bad rate
    this.decayRate = decayRate;
    return this;
  }

  /** The first moment's decay in [0, 1); 0 (the default) keeps no first moment. */
  public Adafactor beta1(float beta1) {
    checkMutable();
    Checks.unitInterval("beta1", beta1);
    this.beta1 = beta1;
    return this;
  }

  boolean relativeStep() {
    return relativeStep;
  }

  boolean scaleParameter() {
    return scaleParameter;
  }

  boolean warmupInit() {
    return warmupInit;
  }

  float eps1() {
    return eps1;
  }

  float eps2() {
    return eps2;
  }

  float clipThreshold() {
    return clipThreshold;
  }

  float decayRate() {
    return decayRate;
  }

  float beta1() {
    return beta1;
  }

  @Override
  public String name() {
    return "Adafactor";
  }

  @Override
  void validate() {
    if (warmupInit && !relativeStep) {
      throw new IllegalArgumentException("warmupInit needs the relative step, but a learning rate (" + lr()
          + ") was set");
    }
  }

  @Override
  Slot slotFor(Parameter parameter, int rankCap) {
    return new AdafactorSlot(parameter, this);
  }

  @Override
  public String toString() {
    return name() + "(" + (relativeStep ? "relative step" : "lr=" + lr()) + ", scaleParameter=" + scaleParameter
        + ", warmupInit=" + warmupInit + ", eps=(" + eps1 + ", " + eps2 + "), clipThreshold=" + clipThreshold
        + ", decayRate=" + decayRate + ", beta1=" + beta1 + ", weightDecay=" + weightDecay()
        + scheduleSettings() + ")";
  }
}
