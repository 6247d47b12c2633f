package org.lrgrad.train;

import org.lrgrad.kernels.AdafactorSchedule;
import org.lrgrad.kernels.Checks;

/**
 * The settings Adafactor and Flora share, since Flora is Adafactor with a first moment of its own: the step size
 * (relative or a fixed learning rate, its warm-up), parameter scaling, ε1 and ε2, the clip threshold and the decay
 * rate of β2, with Hugging Face's defaults. Each setting is checked here once for both methods.
 *
 * @param <T> the concrete method, so that setters chain
 */
public abstract class AdafactorFamily<T extends AdafactorFamily<T>> extends ChainingOptimizer<T> {
  private boolean relativeStep = true;
  private boolean scaleParameter = true;
  private boolean warmupInit;
  private float eps1 = 1e-30f;
  private float eps2 = 1e-3f;
  private float clipThreshold = 1f;
  private float decayRate = -0.8f;

  AdafactorFamily() {}

  /** A fixed learning rate (turns the relative step off). */
  @Override
  public final T learningRate(float lr) {
    super.learningRate(lr);
    this.relativeStep = false;
    return self();
  }

  public final T scaleParameter(boolean scaleParameter) {
    checkMutable();
    this.scaleParameter = scaleParameter;
    return self();
  }

  /** Warm-up of the relative step (1e-6·k instead of 1e-2); needs the relative step. */
  public final T warmupInit(boolean warmupInit) {
    checkMutable();
    this.warmupInit = warmupInit;
    return self();
  }

  /** ε1 regularizes the squared gradient, ε2 bounds the parameter scale from below. */
  public final T eps(float eps1, float eps2) {
    checkMutable();
    Checks.finiteNonNegative("eps1", eps1);
    Checks.finiteNonNegative("eps2", eps2);
    this.eps1 = eps1;
    this.eps2 = eps2;
    return self();
  }

  public final T clipThreshold(float clipThreshold) {
    checkMutable();
    Checks.finitePositive("clipThreshold", clipThreshold);
    this.clipThreshold = clipThreshold;
    return self();
  }

  /** β2 of step k is 1 − k^decayRate; decayRate &lt; 0. */
  public final T decayRate(float decayRate) {
    checkMutable();
    AdafactorSchedule.beta2t(1, decayRate); // throws the schedule's own message for a bad rate
    this.decayRate = decayRate;
    return self();
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

  /** Step k's step size before parameter scaling: the relative step (with its warm-up) or the learning rate. */
  final float stepSize(int step) {
    return AdafactorSchedule.stepSize(step, lr(), relativeStep, warmupInit);
  }

  /** Step k's β2. */
  final float beta2t(int step) {
    return AdafactorSchedule.beta2t(step, decayRate);
  }

  @Override
  void validate() {
    if (warmupInit && !relativeStep) {
      throw new IllegalArgumentException("warmupInit needs the relative step, but a learning rate (" + lr()
          + ") was set");
    }
  }

  /** The shared settings for {@link #toString()}, from the step size to the decay rate. */
  final String adafactorSettings() {
    return (relativeStep ? "relative step" : "lr=" + lr()) + ", scaleParameter=" + scaleParameter + ", warmupInit="
        + warmupInit + ", eps=(" + eps1 + ", " + eps2 + "), clipThreshold=" + clipThreshold + ", decayRate="
        + decayRate;
  }
}
