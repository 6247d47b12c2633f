package org.lrgrad.train.checkpoint;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.lrgrad.kernels.Checks;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.checkpoint.CheckpointException.Problem;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Saves and restores the whole training state of a {@link Trainer} (everything {@link Trainer#visitState} walks:
 * weights, LoRA factors, moments, projectors, step and skip counters, LoRA merge counts), so that a restored trainer
 * continues bit for bit as the saved one would have on the same kernel implementation. Every random draw of
 * training comes from the seed and those counters, so there is no generator state to save.
 *
 * <p>A checkpoint records the trainer's {@link Trainer#configuration() configuration} (the model and its shapes, the
 * seed, every optimizer setting) and is restored only into a trainer whose configuration is equal. Restoring is all
 * or nothing: the checkpoint is read whole into memory and checked (magic, length, checksum, format version,
 * configuration, the name, kind, tag and size of every entry, the value of every counter) before any buffer of the
 * trainer is written. Any fault throws a {@link CheckpointException} that names the source and the problem, and
 * leaves the trainer as it was. Saving to a file is atomic ({@link AtomicFile}): a save that fails, or a process that
 * dies while saving, leaves the previous checkpoint intact.
 *
 * <p><b>Format</b> (big-endian):
 *
 * <pre>
 *   magic           8 bytes   0x89 'L' 'R' 'G' 'C' 'K' 'P' 'T'
 *   format version  int32     1
 *   payload length  int64
 *   payload         (payload length bytes)
 *   checksum        int32     CRC-32 of every byte before it
 * </pre>
 *
 * Every format version keeps this frame, so a reader verifies the checksum before it interprets the version. The
 * payload of version 1: the configuration (a string), then the state's entries in the trainer's visiting order until
 * the payload ends, each a kind byte (1: buffer, 2: counter) and a name (a string); a buffer then has its
 * {@link MemoryTag} name (a string), an int32 count and that many float32 (their IEEE 754 bits as they are); a
 * counter has an int64. A string is an int32 byte count and that many UTF-8 bytes. A payload holds at most
 * {@value #MAX_PAYLOAD} bytes.
 *
 * <p>Not thread-safe: do not train while saving or restoring.
 */
public final class Checkpoint {
  /** The first bytes of every checkpoint; the first is not ASCII, so no text file starts with them. */
  private static final byte[] MAGIC = {(byte) 0x89, 'L', 'R', 'G', 'C', 'K', 'P', 'T'};
  /** The format version this library writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  /** The largest payload, in bytes: a checkpoint is staged whole in one array when restored. */
  public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8;
  private static final int HEADER_BYTES = MAGIC.length + 4 + 8;
  private static final int CHECKSUM_BYTES = 4;
  private static final int BUFFER = 1;
  private static final int COUNTER = 2;
  /** Floats are converted to bytes through a chunk of this many bytes (a multiple of 4). */
  private static final int CHUNK_BYTES = 1 << 16;
  /** A stream of unknown length is staged in an array that starts this large and grows as bytes arrive. */
  private static final int FIRST_STAGE_BYTES = 1 << 20;

  private Checkpoint() {}

  /** Saves the trainer's state to {@code file}, atomically: the previous file stays intact if anything fails. */
  public static void save(Trainer trainer, File file) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("file", file);
    AtomicFile.write(file, out -> save(trainer, out));
  }

  /** Writes the trainer's state to a stream, which is flushed and not closed. */
  public static void save(Trainer trainer, OutputStream out) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("out", out);
    byte[] chunk = new byte[CHUNK_BYTES];
    // The header holds the payload's length: the same writer, into a stream that only counts, measures it.
    CountingStream sizing = new CountingStream(null);
    writePayload(trainer, sizing, chunk);
    long length = sizing.count;
    if (length > MAX_PAYLOAD) {
      throw new IOException("the training state takes " + length + " bytes, more than a checkpoint holds ("
          + MAX_PAYLOAD + "); nothing was written");
    }
    BufferedOutputStream buffered = new BufferedOutputStream(out, CHUNK_BYTES);
    CRC32 crc = new CRC32();
    DataOutputStream checked = new DataOutputStream(new CheckedOutputStream(buffered, crc));
    checked.write(MAGIC);
    checked.writeInt(FORMAT_VERSION);
    checked.writeLong(length);
    CountingStream payload = new CountingStream(checked);
    writePayload(trainer, payload, chunk);
    if (payload.count != length) {
      throw new IllegalStateException("the training state changed while it was being saved (" + length + " then "
          + payload.count + " bytes): do not train while saving");
    }
    new DataOutputStream(buffered).writeInt((int) crc.getValue());
    buffered.flush();
  }

  /**
   * Restores the state saved in {@code file} into {@code trainer}, which must have the configuration it was saved
   * with. Throws {@link CheckpointException}, having changed nothing, when the file cannot be restored.
   */
  public static void restore(Trainer trainer, File file) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("file", file);
    Staged staged;
    try (FileInputStream in = new FileInputStream(file)) {
      staged = stage(in, file.getPath(), in.getChannel().size());
    }
    staged.applyTo(trainer);
  }

  /**
   * Restores a state from a stream (an Android asset, a database blob); {@code source} names it in error messages.
   * The stream is read up to the end of the checkpoint and not closed.
   */
  public static void restore(Trainer trainer, InputStream in, String source) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("in", in);
    Checks.notNull("source", source);
    stage(in, source, -1).applyTo(trainer);
  }

  // --- writing ---------------------------------------------------------------------------------------------------

  private static void writePayload(Trainer trainer, OutputStream sink, byte[] chunk) throws IOException {
    DataOutputStream out = new DataOutputStream(sink);
    writeString(out, trainer.configuration());
    try {
      trainer.visitState(new StateVisitor() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          try {
            out.writeByte(BUFFER);
            writeString(out, name);
            writeString(out, tag.name());
            out.writeInt(data.length);
            writeFloats(out, data, chunk);
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
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    out.flush();
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static void writeFloats(OutputStream out, float[] data, byte[] chunk) throws IOException {
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

  /** Counts the bytes written through it; with no target it only counts. */
  private static final class CountingStream extends OutputStream {
    private final OutputStream target;
    long count;

    CountingStream(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      count++;
      if (target != null) {
        target.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count += len;
      if (target != null) {
        target.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (target != null) {
        target.flush();
      }
    }
  }

  // --- reading ---------------------------------------------------------------------------------------------------

  /**
   * Reads a whole checkpoint and checks its frame: magic, length ({@code available} bytes when the source's size is
   * known, else -1), checksum, version; then parses its payload.
   */
  private static Staged stage(InputStream in, String source, long available) throws IOException {
    byte[] header = new byte[HEADER_BYTES];
    int got = readAtMost(in, header, 0, HEADER_BYTES);
    for (int i = 0; i < Math.min(got, MAGIC.length); i++) {
      if (header[i] != MAGIC[i]) {
        throw new CheckpointException(source, Problem.NOT_A_CHECKPOINT, String.format(Locale.ROOT, "it does not"
            + " start with the checkpoint magic 89 4c 52 47 43 4b 50 54 (\\x89LRGCKPT): byte %d is %02x", i,
            header[i] & 0xff));
      }
    }
    if (got < HEADER_BYTES) {
      throw new CheckpointException(source, Problem.TRUNCATED, got == 0 ? "it is empty"
          : "it ends after " + got + " bytes, inside the " + HEADER_BYTES + "-byte header");
    }
    int version = intAt(header, MAGIC.length);
    long length = longAt(header, MAGIC.length + 4);
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new CheckpointException(source, Problem.CORRUPTED, "its header declares a payload of " + length
          + " bytes (a payload has 0 to " + MAX_PAYLOAD + ")");
    }
    long total = HEADER_BYTES + length + CHECKSUM_BYTES;
    if (available >= 0 && available != total) {
      throw available < total
          ? new CheckpointException(source, Problem.TRUNCATED, "it has " + available + " bytes, its header declares "
              + total)
          : new CheckpointException(source, Problem.CORRUPTED, "it has " + available + " bytes, "
              + (available - total) + " more than its header declares (" + total + ")");
    }
    byte[] payload = stagePayload(in, source, (int) length, available >= 0);
    byte[] checksum = new byte[CHECKSUM_BYTES];
    int checksumBytes = readAtMost(in, checksum, 0, CHECKSUM_BYTES);
    if (checksumBytes < CHECKSUM_BYTES) {
      throw new CheckpointException(source, Problem.TRUNCATED, "it ends inside its checksum, after "
          + (HEADER_BYTES + length + checksumBytes) + " of " + total + " bytes");
    }
    CRC32 crc = new CRC32();
    crc.update(header);
    crc.update(payload);
    int stored = intAt(checksum, 0);
    int computed = (int) crc.getValue();
    if (stored != computed) {
      throw new CheckpointException(source, Problem.CORRUPTED, String.format(Locale.ROOT, "its checksum is"
          + " %08x, but its %d bytes before the checksum give %08x", stored, total - CHECKSUM_BYTES, computed));
    }
    if (version > FORMAT_VERSION) {
      throw new CheckpointException(source, Problem.NEWER_VERSION, "format version " + version + ", but this"
          + " library reads versions up to " + FORMAT_VERSION + ": restore it with the lrgrad that saved it, or a"
          + " newer one");
    }
    if (version < 1) {
      throw new CheckpointException(source, Problem.CORRUPTED, "format version " + version
          + " does not exist (versions start at 1)");
    }
    return Staged.parse(source, payload);
  }

  /**
   * The payload, {@code length} bytes. Of a source whose size was checked, in one array; of a stream, in an array
   * that grows as bytes arrive, so that a corrupted length does not allocate more than the stream holds.
   */
  private static byte[] stagePayload(InputStream in, String source, int length, boolean sizeChecked)
      throws IOException {
    byte[] payload = new byte[sizeChecked ? length : Math.min(length, FIRST_STAGE_BYTES)];
    int filled = 0;
    while (true) {
      filled += readAtMost(in, payload, filled, payload.length - filled);
      if (filled < payload.length) {
        throw new CheckpointException(source, Problem.TRUNCATED, "it ends after " + (HEADER_BYTES + filled)
            + " bytes, inside its payload of " + length + " bytes");
      }
      if (filled == length) {
        return payload;
      }
      payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
    }
  }

  /** Reads until {@code length} bytes or the end of the stream; returns how many were read. */
  private static int readAtMost(InputStream in, byte[] into, int off, int length) throws IOException {
    int got = 0;
    while (got < length) {
      int n = in.read(into, off + got, length - got);
      if (n < 0) {
        break;
      }
      got += n;
    }
    return got;
  }

  private static int intAt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }

  private static long longAt(byte[] b, int off) {
    return (long) intAt(b, off) << 32 | (intAt(b, off + 4) & 0xffffffffL);
  }

  /** One entry of a state: what a checkpoint holds, or what a trainer walks. */
  private static final class Entry {
    final boolean buffer;
    final String name;
    /** A buffer's tag name and size; where its floats start in the payload. */
    final String tag;
    final int count;
    final int offset;
    /** A counter's value. */
    final long value;

    Entry(boolean buffer, String name, String tag, int count, int offset, long value) {
      this.buffer = buffer;
      this.name = name;
      this.tag = tag;
      this.count = count;
      this.offset = offset;
      this.value = value;
    }

    boolean sameShape(Entry other) {
      return buffer == other.buffer && name.equals(other.name)
          && (!buffer || (tag.equals(other.tag) && count == other.count));
    }

    @Override
    public String toString() {
      return buffer ? "buffer '" + name + "' (" + tag + ", " + count + " floats)" : "counter '" + name + "'";
    }
  }

  /** A checkpoint read whole and checked, ready to be applied. */
  private static final class Staged {
    private final String source;
    private final String configuration;
    private final List<Entry> entries;
    private final byte[] payload;

    private Staged(String source, String configuration, List<Entry> entries, byte[] payload) {
      this.source = source;
      this.configuration = configuration;
      this.entries = entries;
      this.payload = payload;
    }

    static Staged parse(String source, byte[] payload) throws CheckpointException {
      Cursor c = new Cursor(source, payload);
      String configuration = c.string("the configuration");
      List<Entry> entries = new ArrayList<>();
      while (c.remaining() > 0) {
        String what = "entry " + entries.size();
        int kind = c.kind(what);
        String name = c.string(what + "'s name");
        if (kind == BUFFER) {
          String tag = c.string(what + " ('" + name + "')'s tag");
          int count = c.int32(what + " ('" + name + "')'s count");
          int offset = c.floats(what + " ('" + name + "')", count);
          entries.add(new Entry(true, name, tag, count, offset, 0));
        } else {
          entries.add(new Entry(false, name, null, 0, 0, c.int64(what + " ('" + name + "')'s value")));
        }
      }
      return new Staged(source, configuration, entries, payload);
    }

    /** Checks everything against the trainer, then writes the state into it; on any fault, changes nothing. */
    void applyTo(Trainer trainer) throws CheckpointException {
      checkConfiguration(trainer.configuration());
      checkEntries(walk(trainer));
      tryCounters(trainer);
      trainer.visitState(new Replay() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          int off = next().offset;
          for (int i = 0; i < data.length; i++, off += 4) {
            data[i] = Float.intBitsToFloat(intAt(payload, off));
          }
        }
      });
    }

    private void checkConfiguration(String expected) throws CheckpointException {
      if (configuration.equals(expected)) {
        return;
      }
      String[] saved = configuration.split("\n", -1);
      String[] current = expected.split("\n", -1);
      int line = 0;
      while (line < saved.length && line < current.length && saved[line].equals(current[line])) {
        line++;
      }
      throw new CheckpointException(source, Problem.WRONG_SETUP, "line " + (line + 1) + " of the configurations"
          + " differs: the checkpoint's is \"" + (line < saved.length ? saved[line] : "") + "\", this trainer's \""
          + (line < current.length ? current[line] : "") + "\"");
    }

    private static List<Entry> walk(Trainer trainer) {
      List<Entry> walked = new ArrayList<>();
      trainer.visitState(new StateVisitor() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          walked.add(new Entry(true, name, tag.name(), data.length, 0, 0));
        }

        @Override
        public long counter(String name, long value) {
          walked.add(new Entry(false, name, null, 0, 0, value));
          return value;
        }
      });
      return walked;
    }

    private void checkEntries(List<Entry> expected) throws CheckpointException {
      for (int i = 0; i < Math.max(entries.size(), expected.size()); i++) {
        Entry saved = i < entries.size() ? entries.get(i) : null;
        Entry wanted = i < expected.size() ? expected.get(i) : null;
        if (saved == null || wanted == null || !saved.sameShape(wanted)) {
          throw new CheckpointException(source, Problem.WRONG_SETUP, "entry " + i + " of its state is "
              + (saved == null ? "missing (it has " + entries.size() + ")" : saved) + ", this trainer's is "
              + (wanted == null ? "missing (it has " + expected.size() + ")" : wanted));
        }
      }
    }

    /**
     * The trainer checks each counter as it takes it (a step count is never negative, ...). A trial walk hands it
     * the saved counters and no buffer; when it refuses one, the counters it took before that one are handed back,
     * so the trainer ends as it was.
     */
    private void tryCounters(Trainer trainer) throws CheckpointException {
      Map<String, Long> before = new HashMap<>();
      try {
        trainer.visitState(new Replay() {
          @Override
          public void buffer(String name, MemoryTag tag, float[] data) {
            next();
          }

          @Override
          public long counter(String name, long value) {
            before.put(name, value);
            return super.counter(name, value);
          }
        });
      } catch (RuntimeException e) {
        trainer.visitState(new StateVisitor() {
          @Override
          public void buffer(String name, MemoryTag tag, float[] data) {}

          @Override
          public long counter(String name, long value) {
            Long old = before.get(name);
            return old != null ? old : value;
          }
        });
        throw new CheckpointException(source, Problem.CORRUPTED, "its checksum matches, but the trainer refuses a"
            + " value of it (" + e.getMessage() + "): it was not written by this library", e);
      }
    }

    /** Walks the staged entries in the trainer's visiting order (checked equal before): counters take theirs. */
    private abstract class Replay implements StateVisitor {
      private int next;

      Entry next() {
        return entries.get(next++);
      }

      @Override
      public long counter(String name, long value) {
        return next().value;
      }
    }
  }

  /** Reads a staged payload; what does not fit is a malformed payload. */
  private static final class Cursor {
    private final String source;
    private final byte[] bytes;
    private int position;

    Cursor(String source, byte[] bytes) {
      this.source = source;
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - position;
    }

    private CheckpointException malformed(String detail) {
      return new CheckpointException(source, Problem.CORRUPTED, "its checksum matches, but its payload is"
          + " malformed: " + detail + ": it was not written by this library");
    }

    /** Skips {@code n} bytes; returns where they start. */
    private int take(long n, String what) throws CheckpointException {
      if (n < 0) {
        throw malformed(what + " has a negative size, " + n);
      }
      if (n > remaining()) {
        throw malformed(what + " takes " + n + " bytes at payload offset " + position + ", where " + remaining()
            + " remain");
      }
      int at = position;
      position += (int) n;
      return at;
    }

    int kind(String what) throws CheckpointException {
      int kind = bytes[take(1, what + "'s kind")];
      if (kind != BUFFER && kind != COUNTER) {
        throw malformed(what + " has kind " + kind + " (1: buffer, 2: counter)");
      }
      return kind;
    }

    int int32(String what) throws CheckpointException {
      return intAt(bytes, take(4, what));
    }

    long int64(String what) throws CheckpointException {
      return longAt(bytes, take(8, what));
    }

    String string(String what) throws CheckpointException {
      int length = int32(what + "'s length");
      return new String(bytes, take(length, what), length, StandardCharsets.UTF_8);
    }

    /** Skips {@code count} floats; returns where they start. */
    int floats(String what, int count) throws CheckpointException {
      return take(4L * count, what + "'s " + count + " floats");
    }
  }
}
