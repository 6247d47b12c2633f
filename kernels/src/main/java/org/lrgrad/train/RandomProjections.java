package org.lrgrad.train;

import org.lrgrad.kernels.SeededRandom;

/**
 * The random projections of one parameter of Flora or APOLLO: projection {@code index} is a Gaussian matrix with
 * entries of variance 1/r, drawn from stream {@code index} of the parameter's seed ({@link Seeds}). Being a function
 * of (seed, index) it is never saved: a checkpoint holds the trainer's seed and the step counts the indices come
 * from, and a restored run draws the same matrices again. Draws allocate nothing.
 */
final class RandomProjections {
  private final SeededRandom rng = new SeededRandom(0);
  private final float std;
  private long seed;
  /** Projections given by a test in place of the draws (the reference code's own), by index; null normally. */
  private float[][] given;

  RandomProjections(int rank) {
    this.std = (float) (1.0 / Math.sqrt(rank));
  }

  void seed(long seed) {
    this.seed = seed;
  }

  /** Writes projection {@code index} ({@code count} floats, row-major) into {@code dst[off ..]}. */
  void draw(long index, float[] dst, int off, int count) {
    if (given != null) {
      if (index >= given.length || given[(int) index].length != count) {
        throw new IllegalStateException("projection " + index + " of " + count + " floats was not given ("
            + given.length + " given)");
      }
      System.arraycopy(given[(int) index], 0, dst, off, count);
      return;
    }
    Seeds.reseed(rng, seed, index);
    rng.fillGaussian(dst, off, count, std);
  }

  /**
   * Test hook: use these matrices (already scaled, in the slot's orientation) instead of drawing, so that a run can be
   * compared with a reference implementation whose generator differs from ours.
   */
  void useGiven(float[][] projections) {
    this.given = projections;
  }
}
