package org.lrgrad.train;

/**
 * Whether a value is finite: the loss's test in the non-finite policy of {@link Trainer} (gradients are checked by
 * {@link org.lrgrad.kernels.Kernels#allFinite}).
 */
final class Finite {
  private Finite() {}

  static boolean is(float value) {
    return Math.abs(value) <= Float.MAX_VALUE;
  }
}
