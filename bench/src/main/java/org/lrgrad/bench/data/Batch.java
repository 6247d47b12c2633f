package org.lrgrad.bench.data;

import org.lrgrad.kernels.Checks;

/**
 * A reusable mini-batch: {@code capacity × featureSize} floats (example {@code b} at {@code features()[b *
 * featureSize() ..]}) and their labels. Allocate one per loop and refill it each step: filling allocates nothing.
 * Rows from {@link #size()} to the capacity hold stale values after a short (last) batch.
 */
public final class Batch {
  private final float[] features;
  private final int[] labels;
  private final int featureSize;
  private int size;

  public Batch(int capacity, int featureSize) {
    Checks.positive("capacity", capacity);
    Checks.positive("featureSize", featureSize);
    if ((long) capacity * featureSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("capacity=" + capacity + " x featureSize=" + featureSize
          + " floats do not fit one array");
    }
    this.features = new float[capacity * featureSize];
    this.labels = new int[capacity];
    this.featureSize = featureSize;
  }

  /** The row-major {@code capacity × featureSize} features; the first {@link #size()} rows are current. */
  public float[] features() {
    return features;
  }

  /** The labels; the first {@link #size()} are current. */
  public int[] labels() {
    return labels;
  }

  public int capacity() {
    return labels.length;
  }

  public int featureSize() {
    return featureSize;
  }

  /** How many examples the last fill wrote (0 before the first). */
  public int size() {
    return size;
  }

  void setSize(int size) {
    this.size = size;
  }
}
