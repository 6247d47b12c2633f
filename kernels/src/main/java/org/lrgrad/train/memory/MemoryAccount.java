package org.lrgrad.train.memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.lrgrad.kernels.Checks;

/** The bookkeeping that a {@link MemoryPlan} and a {@link MemoryLedger} share: entries and totals by tag. */
public abstract class MemoryAccount implements BufferAllocator {
  /** Bytes of one float and of one int. */
  static final int ELEMENT_BYTES = 4;

  private final List<MemoryEntry> entries = new ArrayList<>();
  private final long[] byTag = new long[MemoryTag.values().length];
  private long live;

  MemoryAccount() {}

  MemoryEntry record(MemoryTag tag, String name, int count) {
    Checks.notNull("tag", tag);
    Checks.notNull("name", name);
    Checks.nonNegative("count of " + name, count);
    MemoryEntry entry = new MemoryEntry(name, tag, (long) count * ELEMENT_BYTES);
    entries.add(entry);
    byTag[tag.ordinal()] += entry.bytes();
    live += entry.bytes();
    return entry;
  }

  void forget(MemoryEntry entry) {
    entries.remove(entry);
    byTag[entry.tag().ordinal()] -= entry.bytes();
    live -= entry.bytes();
  }

  /** Bytes of all buffers currently accounted. */
  public long liveBytes() {
    return live;
  }

  /** Bytes currently accounted under {@code tag}. */
  public long liveBytes(MemoryTag tag) {
    return byTag[tag.ordinal()];
  }

  /** The largest {@link #liveBytes()} seen so far. */
  public abstract long peakBytes();

  /** The buffers currently accounted, in the order they were declared. */
  public List<MemoryEntry> entries() {
    return Collections.unmodifiableList(entries);
  }

  /** One line per tag with bytes and share, then the total and the peak. */
  public String breakdown() {
    StringBuilder sb = new StringBuilder();
    for (MemoryTag tag : MemoryTag.values()) {
      long bytes = liveBytes(tag);
      double share = live == 0 ? 0.0 : 100.0 * bytes / live;
      sb.append(String.format(Locale.ROOT, "%-16s %,15d bytes %5.1f%%%n", tag, bytes, share));
    }
    sb.append(String.format(Locale.ROOT, "%-16s %,15d bytes%n", "total", live));
    sb.append(String.format(Locale.ROOT, "%-16s %,15d bytes%n", "peak", peakBytes()));
    return sb.toString();
  }

  @Override
  public String toString() {
    return breakdown();
  }
}
