package org.lrgrad.bench.data;

import java.util.Arrays;
import org.lrgrad.kernels.SeededRandom;

/**
 * Seeded random draws, written once: the shuffles of batches and of class orders, and which images a subset or a
 * user gets.
 */
final class SeededDraws {
  private SeededDraws() {}

  /**
   * Puts a uniformly random choice of {@code count} of the elements of {@code a} in {@code a[0 .. count)}, in
   * random order (the first {@code count} steps of a Fisher–Yates shuffle; {@code count = a.length} shuffles all).
   */
  static void shuffleFront(int[] a, int count, SeededRandom random) {
    for (int k = 0; k < count && k < a.length - 1; k++) {
      int j = k + random.nextInt(a.length - k);
      int t = a[k];
      a[k] = a[j];
      a[j] = t;
    }
  }

  /**
   * For each class {@code c}, {@code counts[c]} distinct indices of images labelled {@code c}, in a seeded random
   * order (a partial Fisher–Yates shuffle of that class's indices). Refuses a count above what the class has,
   * naming the class, before drawing anything.
   */
  static int[][] perClass(LabeledImages data, int[] counts, SeededRandom random, String what) {
    if (counts.length != data.classes()) {
      throw new IllegalArgumentException("counts.length=" + counts.length + " must equal classes="
          + data.classes());
    }
    int[] available = data.classCounts();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] < 0 || counts[c] > available[c]) {
        throw new IllegalArgumentException(what + " needs " + counts[c] + " images of class " + c + " but "
            + data.source() + " has " + available[c]);
      }
    }
    int[][] byClass = new int[counts.length][];
    for (int c = 0; c < counts.length; c++) {
      byClass[c] = new int[available[c]];
    }
    int[] fill = new int[counts.length];
    for (int i = 0; i < data.size(); i++) {
      int c = data.label(i);
      byClass[c][fill[c]++] = i;
    }
    int[][] drawn = new int[counts.length][];
    for (int c = 0; c < counts.length; c++) {
      shuffleFront(byClass[c], counts[c], random);
      drawn[c] = Arrays.copyOf(byClass[c], counts[c]);
    }
    return drawn;
  }

  /** The indices of {@code parts[c][from[c] .. to[c])} over all classes, in ascending order (the file's order). */
  static int[] merge(int[][] parts, int[] from, int[] to) {
    int total = 0;
    for (int c = 0; c < parts.length; c++) {
      total += to[c] - from[c];
    }
    int[] merged = new int[total];
    int k = 0;
    for (int c = 0; c < parts.length; c++) {
      for (int i = from[c]; i < to[c]; i++) {
        merged[k++] = parts[c][i];
      }
    }
    Arrays.sort(merged);
    return merged;
  }

  /**
   * Splits {@code total} into integer parts proportional to {@code weights} that sum to {@code total} exactly
   * (largest remainder; ties go to the lower index).
   */
  static int[] apportion(int total, double[] weights) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    int[] parts = new int[weights.length];
    double[] remainders = new double[weights.length];
    int given = 0;
    for (int c = 0; c < weights.length; c++) {
      double exact = total * weights[c] / sum;
      parts[c] = (int) Math.floor(exact);
      remainders[c] = exact - parts[c];
      given += parts[c];
    }
    for (; given < total; given++) {
      int best = 0;
      for (int c = 1; c < weights.length; c++) {
        if (remainders[c] > remainders[best]) {
          best = c;
        }
      }
      parts[best]++;
      remainders[best] = -1;
    }
    return parts;
  }
}
