package org.lrgrad.train;

import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * One scratch buffer for every user that holds nothing in it between calls (fused-form scratch, QR and SVD scratch,
 * GaLore's transient full gradient): they run one after the other, so the setup needs only the largest request.
 */
final class SharedWorkspace {
  private int floats;
  private float[] array;

  /** Declares that some user needs {@code n} floats at once. */
  void require(int n) {
    floats = Math.max(floats, n);
  }

  void declare(BufferAllocator allocator) {
    array = floats == 0 ? null : allocator.floats(MemoryTag.WORKSPACE, "shared workspace", floats);
  }

  float[] array() {
    return array;
  }
}
