package org.lrgrad.train.memory;

/**
 * Where the buffers of a training setup come from. The same declaring code runs twice: first against a
 * {@link MemoryPlan}, which only counts (and returns {@code null}), so that a memory budget can be checked before
 * anything exists; then against a {@link MemoryLedger}, which allocates. So the plan is exact by construction.
 */
public interface BufferAllocator {
  /** A zeroed float buffer of {@code count} floats; {@code null} from a plan. */
  float[] floats(MemoryTag tag, String name, int count);

  /** A zeroed int buffer of {@code count} ints; {@code null} from a plan. */
  int[] ints(MemoryTag tag, String name, int count);
}
