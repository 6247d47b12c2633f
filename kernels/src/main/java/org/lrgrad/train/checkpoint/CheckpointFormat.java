package org.lrgrad.train.checkpoint;

import java.nio.charset.StandardCharsets;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The layout of a checkpoint (described in {@link Checkpoint}), shared by {@link CheckpointWriter} and
 * {@link CheckpointReader}: the frame's constants, the entry kinds, big-endian integers, and the exact payload size a
 * trainer's state takes, which the writer puts in the header and the reader expects there.
 */
final class CheckpointFormat {
  /** The first bytes of every checkpoint; the first is not ASCII, so no text file starts with them. */
  static final byte[] MAGIC = {(byte) 0x89, 'L', 'R', 'G', 'C', 'K', 'P', 'T'};
  /** Magic, format version (int32), payload length (int64). */
  static final int HEADER_BYTES = MAGIC.length + 4 + 8;
  static final int CHECKSUM_BYTES = 4;
  /** Entry kinds. */
  static final int BUFFER = 1;
  static final int COUNTER = 2;
  /** Strings: an int32 byte count, then UTF-8. */
  private static final int STRING_LENGTH_BYTES = 4;

  private CheckpointFormat() {}

  /**
   * The payload's size in bytes for {@code trainer}'s state as it is now: the configuration, then per buffer a kind,
   * name, tag, count and 4 bytes per float, per counter a kind, name and 8 bytes. Computed from the sizes alone.
   */
  static long payloadLength(Trainer trainer) {
    PayloadLength length = new PayloadLength(stringBytes(trainer.configuration()));
    trainer.visitState(length);
    return length.bytes;
  }

  private static long stringBytes(String s) {
    return STRING_LENGTH_BYTES + s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Adds up the entries' sizes; leaves every counter as it is. */
  private static final class PayloadLength implements StateVisitor {
    long bytes;

    PayloadLength(long configurationBytes) {
      bytes = configurationBytes;
    }

    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {
      bytes += 1 + stringBytes(name) + stringBytes(tag.name()) + 4 + 4L * data.length;
    }

    @Override
    public long counter(String name, long value) {
      bytes += 1 + stringBytes(name) + 8;
      return value;
    }
  }

  static int intAt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }

  static long longAt(byte[] b, int off) {
    return (long) intAt(b, off) << 32 | (intAt(b, off + 4) & 0xffffffffL);
  }
}
