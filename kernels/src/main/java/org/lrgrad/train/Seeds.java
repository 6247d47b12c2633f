package org.lrgrad.train;

import org.lrgrad.kernels.SeededRandom;

/**
 * Independent streams from one seed: stream {@code index} of {@code base} starts at a state mixed from both, so
 * that streams of neighbouring indices do not overlap (plain {@code base + index} states would, shifted by one
 * draw). Every random draw of training comes from such a stream, keyed by counters, so a checkpoint needs no
 * generator state.
 */
final class Seeds {
  private Seeds() {}

  /** Puts {@code rng} at the start of stream {@code index} of {@code base} (no allocation). */
  static void reseed(SeededRandom rng, long base, long index) {
    rng.setState(base);
    rng.setState(rng.nextLong() + index);
    rng.setState(rng.nextLong());
  }

  /** A seed for stream {@code index} of {@code base}, for APIs that take a seed. */
  static long derive(SeededRandom rng, long base, long index) {
    reseed(rng, base, index);
    return rng.nextLong();
  }
}
