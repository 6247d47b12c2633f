package org.lrgrad.train.memory;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Allocates every buffer of a training setup and keeps account: live bytes, the peak, the breakdown by
 * {@link MemoryTag}. A buffer leaves the account only through {@link #release}. Not thread-safe.
 */
public final class MemoryLedger extends MemoryAccount {
  private final Map<Object, MemoryEntry> buffers = new IdentityHashMap<>();
  private long peak;

  @Override
  public float[] floats(MemoryTag tag, String name, int count) {
    MemoryEntry entry = record(tag, name, count);
    float[] buffer = new float[count];
    keep(buffer, entry);
    return buffer;
  }

  @Override
  public int[] ints(MemoryTag tag, String name, int count) {
    MemoryEntry entry = record(tag, name, count);
    int[] buffer = new int[count];
    keep(buffer, entry);
    return buffer;
  }

  private void keep(Object buffer, MemoryEntry entry) {
    buffers.put(buffer, entry);
    peak = Math.max(peak, liveBytes());
  }

  /** Takes a buffer this ledger handed out off the account (the peak stays). */
  public void release(Object buffer) {
    MemoryEntry entry = buffers.remove(buffer);
    if (entry == null) {
      throw new IllegalArgumentException("the buffer was not allocated by this ledger, or was already released");
    }
    forget(entry);
  }

  /** The buffer's entry, or null when this ledger did not hand it out (or it was released). */
  public MemoryEntry entryOf(Object buffer) {
    return buffers.get(buffer);
  }

  @Override
  public long peakBytes() {
    return peak;
  }
}
