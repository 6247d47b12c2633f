package org.lrgrad.bench.data;

import java.util.Locale;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.SeededRandom;

/**
 * How one user's camera differs from everyone else's: every image is rotated about its centre, shifted, and its
 * contrast and brightness changed (a duller, greyer picture). An MLP or LSTM that reads pixels at fixed positions
 * gets measurably worse on such images, yet a few hundred of them are enough to adapt: the shift is the same for
 * every image of the user, so it is learnable. Bilinear resampling, zero outside the image, then
 * {@code gain·value + 255·brightness}, rounded and clamped to [0, 255]. Deterministic on every platform (its sines
 * come from {@link StrictMath}). Immutable.
 */
public final class UserShift {
  /** The range of |angle| a drawn shift gets, in degrees, and of each |translation|, in pixels. */
  static final double MIN_ANGLE = 6, MAX_ANGLE = 12, MIN_TRANSLATION = 0.5, MAX_TRANSLATION = 1.5;
  static final double MIN_GAIN = 0.7, MAX_GAIN = 0.9, MIN_BRIGHTNESS = 0.05, MAX_BRIGHTNESS = 0.1;

  /**
   * How far a drawn user's camera is from everyone else's. {@code MILD} is a user the base model still serves (a
   * speaker with an accent): a tilt of 2–5°, a shift of 0.2–0.8 px, gain 0.85–0.95, brightness 0.02–0.06.
   * {@code STRONG} is {@link #draw(SeededRandom)}'s older, larger shift, under which the base model's accuracy on a
   * user ranges from about 19% to 74%: re-learning rather than personalization.
   */
  public enum Strength {
    MILD(2, 5, 0.2, 0.8, 0.85, 0.95, 0.02, 0.06),
    STRONG(MIN_ANGLE, MAX_ANGLE, MIN_TRANSLATION, MAX_TRANSLATION, MIN_GAIN, MAX_GAIN, MIN_BRIGHTNESS,
        MAX_BRIGHTNESS);

    final double minAngle, maxAngle, minTranslation, maxTranslation, minGain, maxGain, minBrightness,
        maxBrightness;

    Strength(double minAngle, double maxAngle, double minTranslation, double maxTranslation, double minGain,
        double maxGain, double minBrightness, double maxBrightness) {
      this.minAngle = minAngle;
      this.maxAngle = maxAngle;
      this.minTranslation = minTranslation;
      this.maxTranslation = maxTranslation;
      this.minGain = minGain;
      this.maxGain = maxGain;
      this.minBrightness = minBrightness;
      this.maxBrightness = maxBrightness;
    }
  }

  private final double angleDegrees;
  private final double dx;
  private final double dy;
  private final double gain;
  private final double brightness;
  private final double cos;
  private final double sin;

  /**
   * @param angleDegrees rotation about the image centre; positive turns clockwise as displayed (rows grow downward)
   * @param dx shift to the right, in pixels
   * @param dy shift downward, in pixels
   * @param gain contrast factor on the resampled pixel value, in (0, 4]
   * @param brightness added after the gain, as a fraction of full scale, in [-1, 1]
   */
  public UserShift(double angleDegrees, double dx, double dy, double gain, double brightness) {
    finite("angleDegrees", angleDegrees);
    finite("dx", dx);
    finite("dy", dy);
    if (!(gain > 0 && gain <= 4)) {
      throw new IllegalArgumentException("gain=" + gain + " must be in (0, 4]");
    }
    if (!(brightness >= -1 && brightness <= 1)) {
      throw new IllegalArgumentException("brightness=" + brightness + " must be in [-1, 1]");
    }
    this.angleDegrees = angleDegrees;
    this.dx = dx;
    this.dy = dy;
    this.gain = gain;
    this.brightness = brightness;
    double radians = StrictMath.toRadians(angleDegrees);
    this.cos = StrictMath.cos(radians);
    this.sin = StrictMath.sin(radians);
  }

  private static void finite(String name, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + "=" + value + " must be finite");
    }
  }

  /**
   * A shift drawn from {@code random}: |angle| in [6°, 12°] and |dx|, |dy| in [0.5, 1.5] px with random signs, gain
   * in [0.7, 0.9], brightness in [0.05, 0.1]. Geometry is what hurts a pixel-reading model most. Measured once
   * with seeds 1–4 and the default {@link PersonalizationSplit} on the embedded data: an MLP 784→256→10 pretrained
   * with SGD (1500 steps of 32) scored 0.78–0.87 on the population's test images and 0.56–0.69 on the user's; 100
   * to 200 SGD steps on the user's 250 training images brought the user's score to 0.77–0.82.
   */
  public static UserShift draw(SeededRandom random) {
    return draw(random, Strength.STRONG);
  }

  /** A shift drawn from {@code random} within the ranges of {@code strength}, signs of angle and shift at random. */
  public static UserShift draw(SeededRandom random, Strength strength) {
    Checks.notNull("random", random);
    Checks.notNull("strength", strength);
    double angle = signed(random, strength.minAngle, strength.maxAngle);
    double dx = signed(random, strength.minTranslation, strength.maxTranslation);
    double dy = signed(random, strength.minTranslation, strength.maxTranslation);
    double gain = uniform(random, strength.minGain, strength.maxGain);
    double brightness = uniform(random, strength.minBrightness, strength.maxBrightness);
    return new UserShift(angle, dx, dy, gain, brightness);
  }

  private static double uniform(SeededRandom random, double low, double high) {
    return low + (high - low) * random.nextDouble();
  }

  private static double signed(SeededRandom random, double low, double high) {
    double magnitude = uniform(random, low, high);
    return random.nextDouble() < 0.5 ? -magnitude : magnitude;
  }

  public double angleDegrees() {
    return angleDegrees;
  }

  public double dx() {
    return dx;
  }

  public double dy() {
    return dy;
  }

  public double gain() {
    return gain;
  }

  public double brightness() {
    return brightness;
  }

  /**
   * Writes the shifted image {@code src[srcOff .. srcOff + rows·cols)} to {@code dst[dstOff ..]} (unsigned bytes,
   * row-major). The two ranges must not overlap.
   */
  void apply(byte[] src, int srcOff, byte[] dst, int dstOff, int rows, int cols) {
    double cx = (cols - 1) / 2.0;
    double cy = (rows - 1) / 2.0;
    double offset = 255 * brightness;
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        // Inverse map: the source point that lands on (x, y) after rotation about the centre and the shift.
        double u = x - cx - dx;
        double v = y - cy - dy;
        double sx = cos * u + sin * v + cx;
        double sy = -sin * u + cos * v + cy;
        double value = gain * bilinear(src, srcOff, rows, cols, sx, sy) + offset;
        long rounded = (long) Math.floor(value + 0.5);
        dst[dstOff + y * cols + x] = (byte) Math.max(0, Math.min(255, rounded));
      }
    }
  }

  private static double bilinear(byte[] src, int off, int rows, int cols, double sx, double sy) {
    double fx = Math.floor(sx);
    double fy = Math.floor(sy);
    int x0 = (int) fx;
    int y0 = (int) fy;
    double ax = sx - fx;
    double ay = sy - fy;
    double top = (1 - ax) * at(src, off, rows, cols, x0, y0) + ax * at(src, off, rows, cols, x0 + 1, y0);
    double bottom = (1 - ax) * at(src, off, rows, cols, x0, y0 + 1) + ax * at(src, off, rows, cols, x0 + 1, y0 + 1);
    return (1 - ay) * top + ay * bottom;
  }

  private static int at(byte[] src, int off, int rows, int cols, int x, int y) {
    if (x < 0 || y < 0 || x >= cols || y >= rows) {
      return 0;
    }
    return src[off + y * cols + x] & 0xff;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "rotate %+.1f deg, shift (%+.2f, %+.2f) px, gain %.2f, brightness %+.2f",
        angleDegrees, dx, dy, gain, brightness);
  }
}
