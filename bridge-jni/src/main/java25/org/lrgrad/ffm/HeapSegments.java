package org.lrgrad.ffm;

import java.lang.foreign.MemorySegment;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;

/**
 * The heap segments that {@link FfmKernels} passes to C, remembered per thread so that repeated calls on the same
 * arrays and offsets (a training loop's) make no new ones: {@code MemorySegment.ofArray(array).asSlice(offset)}
 * makes three objects per argument (a session, the array's segment, the slice), which C2's escape analysis removes
 * only in some compilations of the call path, and the interpreter and C1 never.
 *
 * <p>One instance per thread ({@link #current()}): no locking, and a segment made here is valid on every thread (a
 * heap segment's scope is global). A remembered segment is only softly reachable (so are the arrays it holds: the
 * garbage collector clears them before it would throw {@link OutOfMemoryError}), its array is the key through a
 * weak reference, and a miss simply makes a new segment: what is remembered never changes a result.
 */
final class HeapSegments {
  /** Slots, a power of two: a training step touches a few dozen (array, offset) pairs, a projector refresh more. */
  private static final int SLOTS = 1024;

  /** Consecutive slots looked at for one pair. */
  private static final int PROBES = 8;

  private static final ThreadLocal<HeapSegments> CURRENT = ThreadLocal.withInitial(HeapSegments::new);

  private final WeakReference<?>[] arrays = new WeakReference<?>[SLOTS];
  private final int[] offsets = new int[SLOTS];
  @SuppressWarnings("unchecked")
  private final SoftReference<MemorySegment>[] segments = new SoftReference[SLOTS];
  /**
   * When each slot was last used, by {@link #clock}. A remembered segment holds its array strongly, so the weak key
   * of an array nobody else uses is not cleared until the soft reference is: a full probe sequence gives up its
   * least recently used slot, which is such a stale one before any pair of the running loop.
   */
  private final long[] lastUsed = new long[SLOTS];
  private long clock;

  private HeapSegments() {}

  /** This thread's instance. */
  static HeapSegments current() {
    return CURRENT.get();
  }

  /** The segment of {@code array} from element {@code offset} on. */
  MemorySegment of(float[] array, int offset) {
    int slot = find(array, offset);
    MemorySegment segment = slot < 0 ? null : segments[slot].get();
    if (segment == null) {
      segment = MemorySegment.ofArray(array).asSlice((long) offset * Float.BYTES);
      remember(array, offset, segment);
    }
    return segment;
  }

  /** The segment of {@code array} from element {@code offset} on. */
  MemorySegment of(int[] array, int offset) {
    int slot = find(array, offset);
    MemorySegment segment = slot < 0 ? null : segments[slot].get();
    if (segment == null) {
      segment = MemorySegment.ofArray(array).asSlice((long) offset * Integer.BYTES);
      remember(array, offset, segment);
    }
    return segment;
  }

  /** The slot that holds (array, offset), or -1. */
  private int find(Object array, int offset) {
    int first = home(array, offset);
    for (int probe = 0; probe < PROBES; probe++) {
      int slot = (first + probe) & (SLOTS - 1);
      WeakReference<?> key = arrays[slot];
      if (key != null && key.get() == array && offsets[slot] == offset) {
        lastUsed[slot] = ++clock;
        return slot;
      }
    }
    return -1;
  }

  private void remember(Object array, int offset, MemorySegment segment) {
    int first = home(array, offset);
    int slot = -1;
    for (int probe = 0; probe < PROBES && slot < 0; probe++) {
      int candidate = (first + probe) & (SLOTS - 1);
      WeakReference<?> key = arrays[candidate];
      // A free slot, one whose array is gone, or this pair's own slot whose segment was cleared.
      if (key == null || key.get() == null || (key.get() == array && offsets[candidate] == offset)) {
        slot = candidate;
      }
    }
    if (slot < 0) {
      slot = first & (SLOTS - 1);
      for (int probe = 1; probe < PROBES; probe++) {
        int candidate = (first + probe) & (SLOTS - 1);
        if (lastUsed[candidate] < lastUsed[slot]) {
          slot = candidate;
        }
      }
    }
    arrays[slot] = new WeakReference<>(array);
    lastUsed[slot] = ++clock;
    offsets[slot] = offset;
    segments[slot] = new SoftReference<>(segment);
  }

  /** The first slot to look at: the array's identity and the offset, mixed. */
  private static int home(Object array, int offset) {
    int h = (System.identityHashCode(array) ^ (offset * 0x9E3779B9)) * 0x85EBCA6B;
    return h >>> (Integer.SIZE - Integer.numberOfTrailingZeros(SLOTS));
  }
}
