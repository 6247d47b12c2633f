package org.lrgrad.bench.demo;

import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.SeededRandom;

/**
 * Interleaved spiral arms in the plane, one class per arm, with Gaussian noise: points of different classes sit
 * side by side at every radius, so a linear classifier stays near chance while a small MLP can separate them.
 * Features are row-major {@code count × 2} (x, y); labels cycle through the classes so the classes are balanced.
 */
final class Spirals {
  static final int DIMENSIONS = 2;

  final int count;
  final int classes;
  final float[] features;
  final int[] labels;

  private Spirals(int count, int classes, float[] features, int[] labels) {
    this.count = count;
    this.classes = classes;
    this.features = features;
    this.labels = labels;
  }

  /**
   * @param turns how many times each arm winds around the origin between radius 0 and 1
   * @param noise the standard deviation of the Gaussian noise added to each coordinate
   */
  static Spirals generate(int count, int classes, double turns, double noise, SeededRandom random) {
    Checks.positive("count", count);
    if (classes < 2) {
      throw new IllegalArgumentException("classes=" + classes + " must be >= 2");
    }
    if (!(turns > 0 && noise >= 0)) {
      throw new IllegalArgumentException("turns=" + turns + " must be > 0 and noise=" + noise + " >= 0");
    }
    float[] features = new float[count * DIMENSIONS];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int label = i % classes;
      double radius = random.nextDouble();
      double angle = 2 * Math.PI * ((double) label / classes + turns * radius);
      features[i * DIMENSIONS] = (float) (radius * Math.cos(angle) + noise * random.nextGaussian());
      features[i * DIMENSIONS + 1] = (float) (radius * Math.sin(angle) + noise * random.nextGaussian());
      labels[i] = label;
    }
    return new Spirals(count, classes, features, labels);
  }
}
