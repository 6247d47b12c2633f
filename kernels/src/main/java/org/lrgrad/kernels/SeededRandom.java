package org.lrgrad.kernels;

/**
 * A small seeded generator (SplitMix64) whose whole state is one {@code long}, so that checkpoints can save and
 * restore it and a resumed run draws the same numbers. Gaussians use Marsaglia's polar method on
 * {@link StrictMath#log}, so the same seed gives the same bits on every JVM and on Android (unlike {@link Math},
 * which may differ in the last bit); it needs no sine or cosine, whose StrictMath versions allocate a temporary
 * array per call until the JIT removes it (JDK 25), and training draws Gaussians in steps that must not allocate.
 * Not thread-safe: each user owns its generator.
 */
public final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private long state;

  public SeededRandom(long seed) {
    this.state = seed;
  }

  /** The whole state; {@code new SeededRandom(s)} or {@link #setState(long)} continues the same sequence. */
  public long state() {
    return state;
  }

  public void setState(long state) {
    this.state = state;
  }

  public long nextLong() {
    long z = (state += GOLDEN_GAMMA);
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound) without modulo bias. */
  public int nextInt(int bound) {
    Checks.positive("bound", bound);
    long limit = (1L << 32) - ((1L << 32) % bound);
    long x;
    do {
      x = nextLong() >>> 32;
    } while (x >= limit);
    return (int) (x % bound);
  }

  /**
   * Standard normal (Marsaglia's polar method: a point uniform in the unit disc, one value per accepted point; the
   * second value is not cached, so the state stays one long).
   */
  public double nextGaussian() {
    double u;
    double s;
    do {
      u = 2.0 * nextDouble() - 1.0;
      double v = 2.0 * nextDouble() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * StrictMath.sqrt(-2.0 * StrictMath.log(s) / s);
  }

  /** Fills {@code a[off .. off+len)} with independent N(0, std²) values. */
  public void fillGaussian(float[] a, int off, int len, float std) {
    Checks.nonNegative("len", len);
    Checks.vector("a", a, off, len);
    Checks.finiteNonNegative("std", std);
    for (int i = 0; i < len; i++) {
      a[off + i] = (float) (std * nextGaussian());
    }
  }
}
