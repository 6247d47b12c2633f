package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Sizes;

/**
 * allFinite on every implementation: finite extremes (±MAX_VALUE, subnormals, both zeros) pass; one infinity or NaN
 * (any payload, either sign) at any position of the range, in the unrolled vectors, the single vectors or the scalar
 * tail, fails it; infinities and NaN just outside the range are not read.
 */
class AllFiniteTest {
  /** Finite values where a test by arithmetic or by comparison could go wrong. */
  private static final float[] FINITE = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
      Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e-30f, Math.nextDown(Float.MAX_VALUE)};

  /** ±∞ and NaNs: quiet and signalling, with payloads, of both signs. */
  private static final float[] NOT_FINITE = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
      Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001),
      Float.intBitsToFloat(0xffffffff)};

  /** len values from {@code off} on, finite, with special finite ones at about one position in four. */
  private static float[] finite(Random rnd, int off, int len, int after) {
    float[] x = new float[off + len + after];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextInt(4) == 0 ? FINITE[rnd.nextInt(FINITE.length)] : rnd.nextFloat() * 2f - 1f;
    }
    return x;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void finiteValuesAreFiniteAndNothingOutsideTheRangeIsRead(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(120);
    for (int len : Sizes.ELEMENTWISE) {
      int off = rnd.nextInt(8);
      float[] x = finite(rnd, off, len, 3);
      for (int i = 0; i < off; i++) {
        x[i] = NOT_FINITE[rnd.nextInt(NOT_FINITE.length)];
      }
      for (int i = off + len; i < x.length; i++) {
        x[i] = NOT_FINITE[rnd.nextInt(NOT_FINITE.length)];
      }
      float[] before = x.clone();
      assertTrue(k.allFinite(len, x, off), k + " len=" + len + " off=" + off);
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(x[i]), k + " changed x[" + i + "]");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void oneNonFiniteValueAnywhereIsFound(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(121);
    // Every position up to 130 (past four 16-lane vectors twice, and the tails), then the ends and the middle of
    // longer ranges.
    for (int len = 1; len <= 130; len++) {
      for (int at = 0; at < len; at++) {
        check(k, rnd, len, at);
      }
    }
    for (int len : new int[] {255, 256, 257, 1023, 1031, 4099}) {
      for (int at : new int[] {0, 1, len / 2, len - 17, len - 2, len - 1}) {
        check(k, rnd, len, at);
      }
    }
  }

  private static void check(Kernels k, Random rnd, int len, int at) {
    int off = rnd.nextInt(5);
    float[] x = finite(rnd, off, len, 2);
    float bad = NOT_FINITE[rnd.nextInt(NOT_FINITE.length)];
    x[off + at] = bad;
    assertFalse(k.allFinite(len, x, off), k + " len=" + len + " off=" + off + ": " + bad + " (bits 0x"
        + Integer.toHexString(Float.floatToRawIntBits(bad)) + ") at " + at + " not found");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void anEmptyRangeIsFinite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    assertTrue(k.allFinite(0, new float[0], 0), k + " len=0 of an empty array");
    assertTrue(k.allFinite(0, new float[] {Float.NaN}, 1), k + " len=0 at the end of an array");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejected(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    float[] x = BadInput.array(new Random(122), 16);
    BadInput bad = BadInput.watching(x);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.allFinite(-1, x, 0), "len=-1", ">= 0");
    bad.rejects(iae, () -> k.allFinite(4, null, 0), "x must not be null");
    bad.rejects(oob, () -> k.allFinite(4, x, -1), "xOff=-1");
    bad.rejects(oob, () -> k.allFinite(16, x, 1), "x.length >= 17", "x.length=16");
  }
}
