package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.SeededRandom;

/** The user's image transform on small images whose expected result is known exactly. */
class UserShiftTest {
  private static byte[] image(int rows, int cols, long seed) {
    byte[] pixels = new byte[rows * cols];
    new Random(seed).nextBytes(pixels);
    return pixels;
  }

  private static byte[] apply(UserShift shift, byte[] src, int rows, int cols) {
    byte[] dst = new byte[src.length + 2];
    dst[0] = 42;
    dst[dst.length - 1] = 42;
    shift.apply(src, 0, dst, 1, rows, cols);
    assertEquals(42, dst[0], "nothing written before the output");
    assertEquals(42, dst[dst.length - 1], "nothing written after the output");
    return Arrays.copyOfRange(dst, 1, dst.length - 1);
  }

  private static int at(byte[] image, int cols, int y, int x) {
    return image[y * cols + x] & 0xff;
  }

  @Test
  void theIdentityChangesNothing() {
    byte[] src = image(28, 28, 1);
    assertArrayEquals(src, apply(new UserShift(0, 0, 0, 1, 0), src, 28, 28));
  }

  @Test
  void wholePixelShiftsMoveTheImageAndFillWithBlack() {
    byte[] src = image(6, 7, 2);
    byte[] right = apply(new UserShift(0, 1, 0, 1, 0), src, 6, 7);
    byte[] up = apply(new UserShift(0, 0, -2, 1, 0), src, 6, 7);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals(x == 0 ? 0 : at(src, 7, y, x - 1), at(right, 7, y, x), "right (" + y + "," + x + ")");
        assertEquals(y >= 4 ? 0 : at(src, 7, y + 2, x), at(up, 7, y, x), "up (" + y + "," + x + ")");
      }
    }
  }

  @Test
  void aHalfPixelShiftAveragesNeighbours() {
    byte[] src = {0, 100, (byte) 200};
    assertArrayEquals(new byte[] {0, 50, (byte) 150}, apply(new UserShift(0, 0.5, 0, 1, 0), src, 1, 3));
  }

  @Test
  void aQuarterTurnClockwiseIsAnExactPermutation() {
    // Turning clockwise as displayed (rows grow downward): the top middle pixel goes to the right middle.
    int n = 5;
    byte[] src = image(n, n, 3);
    byte[] turned = apply(new UserShift(90, 0, 0, 1, 0), src, n, n);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        assertEquals(at(src, n, y, x), at(turned, n, x, n - 1 - y), "source (" + y + "," + x + ")");
      }
    }
  }

  @Test
  void gainAndBrightnessRoundAndClamp() {
    byte[] src = {(byte) 200, 5, 100, (byte) 255};
    // 0.75·p + 51 = 201, 54.75, 126, 242.25: rounded to nearest (truncation would give 54).
    assertArrayEquals(new byte[] {(byte) 201, 55, 126, (byte) 242},
        apply(new UserShift(0, 0, 0, 0.75, 0.2), src, 1, 4));
    // 2·p clamps at 255; p − 102 clamps at 0.
    assertArrayEquals(new byte[] {(byte) 255, 10, (byte) 200, (byte) 255},
        apply(new UserShift(0, 0, 0, 2, 0), src, 1, 4));
    assertArrayEquals(new byte[] {98, 0, 0, (byte) 153}, apply(new UserShift(0, 0, 0, 1, -0.4), src, 1, 4));
  }

  /** The mild shift's ranges, written out (2–5°, 0.2–0.8 px, gain 0.85–0.95, brightness 0.02–0.06). */
  @Test
  void mildShiftsStayInTheirSmallerRanges() {
    for (long seed = 0; seed < 400; seed++) {
      UserShift s = UserShift.draw(new SeededRandom(seed), UserShift.Strength.MILD);
      double angle = Math.abs(s.angleDegrees());
      assertTrue(angle >= 2 && angle <= 5, s.toString());
      for (double d : new double[] {s.dx(), s.dy()}) {
        assertTrue(Math.abs(d) >= 0.2 && Math.abs(d) <= 0.8, s.toString());
      }
      assertTrue(s.gain() >= 0.85 && s.gain() <= 0.95, s.toString());
      assertTrue(s.brightness() >= 0.02 && s.brightness() <= 0.06, s.toString());
    }
    assertEquals(UserShift.draw(new SeededRandom(3)).toString(),
        UserShift.draw(new SeededRandom(3), UserShift.Strength.STRONG).toString(), "draw() is the strong shift");
  }

  @Test
  void drawnShiftsStayInTheirRangesAndTakeBothSigns() {
    int negativeAngles = 0;
    int negativeDx = 0;
    for (long seed = 0; seed < 400; seed++) {
      UserShift s = UserShift.draw(new SeededRandom(seed));
      assertEquals(s.toString(), UserShift.draw(new SeededRandom(seed)).toString(), "deterministic");
      double angle = Math.abs(s.angleDegrees());
      assertTrue(angle >= UserShift.MIN_ANGLE && angle <= UserShift.MAX_ANGLE, s.toString());
      for (double d : new double[] {s.dx(), s.dy()}) {
        assertTrue(Math.abs(d) >= UserShift.MIN_TRANSLATION && Math.abs(d) <= UserShift.MAX_TRANSLATION, s.toString());
      }
      assertTrue(s.gain() >= UserShift.MIN_GAIN && s.gain() <= UserShift.MAX_GAIN, s.toString());
      assertTrue(s.brightness() >= UserShift.MIN_BRIGHTNESS && s.brightness() <= UserShift.MAX_BRIGHTNESS,
          s.toString());
      negativeAngles += s.angleDegrees() < 0 ? 1 : 0;
      negativeDx += s.dx() < 0 ? 1 : 0;
    }
    assertTrue(negativeAngles > 150 && negativeAngles < 250, "negative angles: " + negativeAngles + " of 400");
    assertTrue(negativeDx > 150 && negativeDx < 250, "negative dx: " + negativeDx + " of 400");
  }

  @Test
  void badParametersAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new UserShift(Double.NaN, 0, 0, 1, 0));
    assertEquals("angleDegrees=NaN must be finite", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new UserShift(0, 0, 0, 0, 0));
    assertEquals("gain=0.0 must be in (0, 4]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new UserShift(0, 0, 0, 1, 1.5));
    assertEquals("brightness=1.5 must be in [-1, 1]", e.getMessage());
  }
}
