package org.lrgrad.train;

/** Whether values are finite: the test behind the non-finite policy of {@link Trainer}. */
final class Finite {
  private Finite() {}

  static boolean all(float[] a, int off, int len) {
    for (int i = 0; i < len; i++) {
      if (!(Math.abs(a[off + i]) <= Float.MAX_VALUE)) {
        return false;
      }
    }
    return true;
  }

  static boolean is(float value) {
    return Math.abs(value) <= Float.MAX_VALUE;
  }
}
