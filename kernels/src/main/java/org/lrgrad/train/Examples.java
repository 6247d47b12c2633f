package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * Labelled examples in memory, for {@link Trainer#fit} and {@link Trainer#evaluate}: {@code count} rows of features
 * (row-major, as many per example as the model's input width, from index 0) and their class labels. The arrays are
 * used, not copied; a trainer checks the width and every label against its model before it uses them: examples made
 * of whole arrays ({@link #Examples(float[], int[])}) must hold exactly {@code labels.length} rows of the model's
 * width, so that features of another width are refused, not read as misaligned rows; the first {@code count}
 * examples of longer arrays ({@link #Examples(float[], int[], int)}) need at least {@code count} rows.
 */
public final class Examples {
  private final float[] features;
  private final int[] labels;
  private final int count;
  /** Made of whole arrays: then the features hold exactly {@code count} rows. */
  private final boolean wholeArrays;

  /** The first {@code count} examples of {@code features} and {@code labels}. */
  public Examples(float[] features, int[] labels, int count) {
    this(features, labels, count, false);
  }

  /** Every label's example: {@code count = labels.length}, and {@code features} holds exactly that many rows. */
  public Examples(float[] features, int[] labels) {
    this(features, labels, labels == null ? 0 : labels.length, true);
  }

  private Examples(float[] features, int[] labels, int count, boolean wholeArrays) {
    Checks.notNull("features", features);
    Checks.notNull("labels", labels);
    Checks.positive("count", count);
    if (labels.length < count) {
      throw new IndexOutOfBoundsException("labels.length=" + labels.length + " < count=" + count);
    }
    this.features = features;
    this.labels = labels;
    this.count = count;
    this.wholeArrays = wholeArrays;
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

  /** Whether these are whole arrays ({@link #Examples(float[], int[])}): the features hold exactly count rows. */
  boolean wholeArrays() {
    return wholeArrays;
  }
}
