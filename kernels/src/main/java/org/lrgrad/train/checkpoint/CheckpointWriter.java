package org.lrgrad.train.checkpoint;

import static org.lrgrad.train.checkpoint.CheckpointFormat.BUFFER;
import static org.lrgrad.train.checkpoint.CheckpointFormat.COUNTER;
import static org.lrgrad.train.checkpoint.CheckpointFormat.MAGIC;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryTag;

/** Writes a trainer's state in the checkpoint format: the frame, then the entries in the trainer's visiting order. */
final class CheckpointWriter {
  /** Floats are converted to bytes through a chunk of this many bytes (a multiple of 4). */
  private static final int CHUNK_BYTES = 1 << 16;

  private CheckpointWriter() {}

  /** Writes the whole checkpoint of {@code trainer} to {@code out}, which is flushed and not closed. */
  static void write(Trainer trainer, OutputStream out) throws IOException {
    // The header holds the payload's length, computed from the state's sizes before anything is written.
    long length = CheckpointFormat.payloadLength(trainer);
    if (length > Checkpoint.MAX_PAYLOAD) {
      throw new IOException("the training state takes " + length + " bytes, more than a checkpoint holds ("
          + Checkpoint.MAX_PAYLOAD + "); nothing was written");
    }
    BufferedOutputStream buffered = new BufferedOutputStream(out, CHUNK_BYTES);
    CRC32 crc = new CRC32();
    DataOutputStream checked = new DataOutputStream(new CheckedOutputStream(buffered, crc));
    checked.write(MAGIC);
    checked.writeInt(Checkpoint.FORMAT_VERSION);
    checked.writeLong(length);
    CountingStream payload = new CountingStream(checked);
    writePayload(trainer, new DataOutputStream(payload));
    long written = payload.count;
    if (written != length) {
      throw new IllegalStateException("the training state changed while it was being saved (" + length + " then "
          + written + " bytes): do not train while saving");
    }
    new DataOutputStream(buffered).writeInt((int) crc.getValue());
    buffered.flush();
  }

  private static void writePayload(Trainer trainer, DataOutputStream out) throws IOException {
    writeString(out, trainer.configuration());
    try {
      trainer.visitState(new EntryWriter(out));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    out.flush();
  }

  /** Counts the bytes written through it (a {@link DataOutputStream}'s own count stops at 2³¹ − 1). */
  private static final class CountingStream extends OutputStream {
    private final OutputStream target;
    long count;

    CountingStream(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      count++;
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count += len;
      target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target.flush();
    }
  }

  /** Writes each entry as the trainer visits it; a counter keeps its value. */
  private static final class EntryWriter implements StateVisitor {
    private final DataOutputStream out;
    private final byte[] chunk = new byte[CHUNK_BYTES];

    EntryWriter(DataOutputStream out) {
      this.out = out;
    }

    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {
      try {
        out.writeByte(BUFFER);
        writeString(out, name);
        writeString(out, tag.name());
        out.writeInt(data.length);
        writeFloats(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public long counter(String name, long value) {
      try {
        out.writeByte(COUNTER);
        writeString(out, name);
        out.writeLong(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return value;
    }

    /** Each float's IEEE 754 bits as they are, big-endian. */
    private void writeFloats(float[] data) throws IOException {
      int n = 0;
      for (float v : data) {
        int bits = Float.floatToRawIntBits(v);
        chunk[n] = (byte) (bits >>> 24);
        chunk[n + 1] = (byte) (bits >>> 16);
        chunk[n + 2] = (byte) (bits >>> 8);
        chunk[n + 3] = (byte) bits;
        n += 4;
        if (n == chunk.length) {
          out.write(chunk, 0, n);
          n = 0;
        }
      }
      out.write(chunk, 0, n);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }
}
