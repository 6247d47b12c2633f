package org.lrgrad.train;

import java.util.ArrayList;
import java.util.List;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The full gradients of fused updates: one buffer per position within a layer (weight, bias, an LSTM's several
 * matrices), shared by that position of every layer. A layer's gradients are formed, checked and applied before the
 * next layer's backward, so one layer's set is all that is alive at once; each buffer is as long as the largest
 * parameter in its position.
 */
final class TransientGradients {
  private final List<Integer> floats = new ArrayList<>();
  private final List<float[]> buffers = new ArrayList<>();

  /** Position {@code position} must hold {@code n} floats. */
  void require(int position, int n) {
    while (floats.size() <= position) {
      floats.add(0);
    }
    floats.set(position, Math.max(floats.get(position), n));
  }

  void declare(BufferAllocator allocator) {
    for (int position = 0; position < floats.size(); position++) {
      buffers.add(floats.get(position) == 0 ? null
          : allocator.floats(MemoryTag.GRADIENTS, "transient gradient (position " + position + ")",
              floats.get(position)));
    }
  }

  float[] buffer(int position) {
    return buffers.get(position);
  }
}
