package org.lrgrad.train.memory;

/**
 * Counts the buffers a setup would allocate without allocating them: every method returns {@code null}. Its totals
 * are exactly what a {@link MemoryLedger} will hold after the same declarations.
 */
public final class MemoryPlan extends MemoryAccount {

  @Override
  public float[] floats(MemoryTag tag, String name, int count) {
    record(tag, name, count);
    return null;
  }

  @Override
  public int[] ints(MemoryTag tag, String name, int count) {
    record(tag, name, count);
    return null;
  }

  /** Nothing is ever released from a plan, so its peak is its total. */
  @Override
  public long peakBytes() {
    return liveBytes();
  }
}
