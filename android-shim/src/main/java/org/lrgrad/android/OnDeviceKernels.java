package org.lrgrad.android;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;

/**
 * The kernels the facade trains on: the JNI kernels ({@code jni}) when they are available, else the pure-Java
 * {@code reference}, which runs everywhere. Never the Vector API kernels, which Android's runtime cannot run. The
 * choice is made once per class loader and said once through {@code java.util.logging} (logger
 * {@value #LOGGER}): at INFO on the JNI kernels, at WARNING with the reason when falling back.
 */
public final class OnDeviceKernels {
  /** The {@code java.util.logging} logger that announces the choice. */
  public static final String LOGGER = "org.lrgrad.android";

  static final String NATIVE = "jni";
  static final String FALLBACK = "reference";

  private OnDeviceKernels() {}

  /** The chosen kernels. */
  public static Kernels get() {
    return Holder.CHOICE.kernels;
  }

  /** The choice among the provider's candidates, with the sentence that announces it. */
  static final class Choice {
    final Kernels kernels;
    final Level level;
    final String message;

    Choice(Kernels kernels, Level level, String message) {
      this.kernels = kernels;
      this.level = level;
      this.message = message;
    }
  }

  static Choice choose(List<Candidate> candidates) {
    Candidate jni = null;
    for (Candidate c : candidates) {
      if (c.name().equals(NATIVE)) {
        jni = c;
      }
    }
    if (jni != null && jni.isAvailable()) {
      return new Choice(jni.kernels(), Level.INFO, "lrgrad: on-device training runs on the JNI kernels ('jni')");
    }
    String reason = jni == null
        ? "no kernels named '" + NATIVE + "' are registered on the class path (known: " + candidates + ")"
        : jni.unavailableReason();
    return new Choice(KernelProvider.get(FALLBACK), Level.WARNING, "lrgrad: on-device training runs on the"
        + " pure-Java kernels ('" + FALLBACK + "'), because the JNI kernels are unavailable: " + reason);
  }

  private static final class Holder {
    static final Choice CHOICE = announce(choose(KernelProvider.candidates()));

    private static Choice announce(Choice choice) {
      Logger.getLogger(LOGGER).log(choice.level, choice.message);
      return choice;
    }
  }
}
