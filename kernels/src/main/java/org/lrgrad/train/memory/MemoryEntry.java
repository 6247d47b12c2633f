package org.lrgrad.train.memory;

/** One buffer of a plan or a ledger: its name, its kind and its size in bytes. */
public final class MemoryEntry {
  private final String name;
  private final MemoryTag tag;
  private final long bytes;

  MemoryEntry(String name, MemoryTag tag, long bytes) {
    this.name = name;
    this.tag = tag;
    this.bytes = bytes;
  }

  public String name() {
    return name;
  }

  public MemoryTag tag() {
    return tag;
  }

  public long bytes() {
    return bytes;
  }

  @Override
  public String toString() {
    return name + " (" + tag + ", " + bytes + " bytes)";
  }
}
