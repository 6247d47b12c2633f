package org.lrgrad.train;

import org.lrgrad.train.memory.MemoryTag;

/**
 * Walks the whole training state, so that a checkpoint can save it and restore it: every persistent buffer (weights,
 * LoRA factors, moments, projectors) and every counter (step counts). Random draws during training are derived from
 * the trainer's seed and these counters, so no generator state exists beside them. Names are stable and unique
 * within a trainer ({@code "0.weight"}, {@code "0.weight.exp_avg"}, {@code "0.weight.step"}, ...).
 *
 * <p>The same walk serves saving and restoring: a buffer is the live array (read it, or overwrite it in place), and
 * a counter's new value is what {@link #counter} returns (return {@code value} to leave it unchanged).
 */
public interface StateVisitor {
  /** A live buffer of the training state: {@code data[0 .. data.length)}. */
  void buffer(String name, MemoryTag tag, float[] data);

  /** A counter with its current value; returns the value it should have from now on. */
  long counter(String name, long value);
}
