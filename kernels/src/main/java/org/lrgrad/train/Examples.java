package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * Labelled examples in memory, for {@link Trainer#fit} and {@link Trainer#evaluate}: {@code count} rows of features
 * (row-major, as many per example as the model's input width, from index 0) and their class labels. The arrays are
 * used, not copied; a trainer checks the width and every label against its model before it uses them.
 */
public final class Examples {
  private final float[] features;
  private final int[] labels;
  private final int count;

  /** The first {@code count} examples of {@code features} and {@code labels}. */
  public Examples(float[] features, int[] labels, int count) {
    Checks.notNull("features", features);
    Checks.notNull("labels", labels);
    Checks.positive("count", count);
    if (labels.length < count) {
      throw new IndexOutOfBoundsException("labels.length=" + labels.length + " < count=" + count);
    }
    this.features = features;
    this.labels = labels;
    this.count = count;
  }

  /** Every label's example: {@code count = labels.length}. */
  public Examples(float[] features, int[] labels) {
    this(features, labels, labels == null ? 0 : labels.length);
  }

  public float[] features() {
    return features;
  }

  public int[] labels() {
    return labels;
  }

  public int count() {
    return count;
  }
}
