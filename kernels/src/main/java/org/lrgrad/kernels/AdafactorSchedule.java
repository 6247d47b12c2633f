package org.lrgrad.kernels;

/**
 * The scalars of an Adafactor step that depend only on the step count (Hugging Face's {@code Adafactor._get_lr}
 * and its β2 schedule), computed in double as the reference does, for {@link Kernels#adafactorStep}.
 */
public final class AdafactorSchedule {
  private AdafactorSchedule() {}

  /**
   * The step size before parameter scaling: {@code lr} itself, or with {@code relativeStep}
   * min(warmupInit ? 1e-6·k : 1e-2, 1/√k) (then {@code lr} is ignored).
   */
  public static float stepSize(int step, float lr, boolean relativeStep, boolean warmupInit) {
    Checks.step(step);
    if (!relativeStep) {
      Checks.finiteNonNegative("lr", lr);
      return lr;
    }
    double minStep = warmupInit ? 1e-6 * step : 1e-2;
    return (float) Math.min(minStep, 1.0 / Math.sqrt(step));
  }

  /** β2 of step k: 1 − k^decayRate (decayRate &lt; 0, Adafactor's default −0.8). */
  public static float beta2t(int step, float decayRate) {
    Checks.step(step);
    if (!(decayRate < 0f) || Float.isInfinite(decayRate)) {
      throw new IllegalArgumentException("decayRate=" + decayRate + " must be finite and < 0");
    }
    return (float) (1.0 - Math.pow(step, decayRate));
  }
}
