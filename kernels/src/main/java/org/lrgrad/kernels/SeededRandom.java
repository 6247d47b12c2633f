package org.lrgrad.kernels;

/**
 * A small seeded generator (SplitMix64) whose whole state is one {@code long}, so that checkpoints can save and
 * restore it and a resumed run draws the same numbers. Gaussians use Marsaglia's polar method on {@link StrictMath},
 * so the same seed gives the same bits on every JVM and on Android (unlike {@link Math}, which may differ in the last
 * bit).
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
    return mix(state += GOLDEN_GAMMA);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) from the top 53 bits of a raw draw. */
  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return unit(nextLong());
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
   * Standard normal by Marsaglia's polar method: one value per accepted pair of uniforms (no cached spare, so the
   * state stays one long). Not Box–Muller: {@code StrictMath.cos} allocates for its argument reduction, and
   * {@link #fillGaussian(long, float[], int, int, float)} runs inside kernels that must not allocate.
   */
  public double nextGaussian() {
    double g;
    do {
      long first = nextLong();
      g = polar(first, nextLong());
    } while (Double.isNaN(g));
    return g;
  }

  /** The polar method's value for one pair of raw draws, or NaN when the pair falls outside the unit disc. */
  private static double polar(long first, long second) {
    double u = 2 * unit(first) - 1, v = 2 * unit(second) - 1;
    double s = u * u + v * v;
    return s > 0 && s < 1 ? u * StrictMath.sqrt(-2 * StrictMath.log(s) / s) : Double.NaN;
  }

  /** Fills {@code a[off .. off+len)} with independent N(0, std²) values. */
  public void fillGaussian(float[] a, int off, int len, float std) {
    state = fillGaussian(state, a, off, len, std);
  }

  /**
   * {@link #fillGaussian(float[], int, int, float)} of a generator in {@code state}, without a generator object (for
   * kernels that must not allocate); returns the state after the draws, so {@code new SeededRandom(s)} draws the
   * same values.
   */
  public static long fillGaussian(long state, float[] a, int off, int len, float std) {
    Checks.nonNegative("len", len);
    Checks.vector("a", a, off, len);
    Checks.finiteNonNegative("std", std);
    for (int i = 0; i < len; i++) {
      double g;
      do {
        long first = mix(state += GOLDEN_GAMMA);
        g = polar(first, mix(state += GOLDEN_GAMMA));
      } while (Double.isNaN(g));
      a[off + i] = (float) (std * g);
    }
    return state;
  }
}
