package org.lrgrad.train.checkpoint;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.lrgrad.kernels.Checks;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Saves and restores the whole training state of a {@link Trainer} (everything {@link Trainer#visitState} walks:
 * weights, LoRA factors, moments, projectors, step and skip counters, LoRA merge counts), so that a restored trainer
 * continues bit for bit as the saved one would have on the same kernel implementation. Every random draw of
 * training comes from the seed and those counters, so there is no generator state to save.
 *
 * <p>A checkpoint records the trainer's {@link Trainer#configuration() configuration} (the model and its shapes, the
 * seed, every optimizer setting) and is restored only into a trainer whose configuration is equal. Restoring is all
 * or nothing: the checkpoint's declared length is checked against the size of the trainer's own state before
 * anything is allocated for it (so a checkpoint never takes more memory than the state it restores, whatever its
 * header says), then it is read whole into memory and checked (magic, checksum, format version, configuration, the
 * name, kind, tag and size of every entry, every value finite, second moments not negative, each parameter's step
 * count within the trainer's, the value of every counter as the trainer checks it) before any buffer of the trainer
 * is written. Any fault throws a {@link CheckpointException} that names the source and the problem, and
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
  /** The format version this library writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  /** The largest payload, in bytes: a checkpoint is staged whole in one array when restored. */
  public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8;

  private Checkpoint() {}

  /**
   * Saves the trainer's state to {@code file}, atomically: the previous file stays intact if anything fails. The
   * state is written to a new temporary file that no one else can have opened, never through a link (see
   * {@link AtomicFile}); saves to one file from several threads or processes each leave a whole checkpoint.
   */
  public static void save(Trainer trainer, File file) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("file", file);
    AtomicFile.write(file, out -> CheckpointWriter.write(trainer, out));
  }

  /** Writes the trainer's state to a stream, which is flushed and not closed. */
  public static void save(Trainer trainer, OutputStream out) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("out", out);
    CheckpointWriter.write(trainer, out);
  }

  /**
   * Restores the state saved in {@code file} into {@code trainer}, which must have the configuration it was saved
   * with. Throws {@link CheckpointException}, having changed nothing, when the file cannot be restored.
   */
  public static void restore(Trainer trainer, File file) throws IOException {
    Checks.notNull("trainer", trainer);
    Checks.notNull("file", file);
    StagedCheckpoint staged;
    try (FileInputStream in = new FileInputStream(file)) {
      staged = CheckpointReader.read(in, file.getPath(), in.getChannel().size(),
          CheckpointFormat.payloadLength(trainer), trainer.configuration());
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
    CheckpointReader.read(in, source, -1, CheckpointFormat.payloadLength(trainer), trainer.configuration())
        .applyTo(trainer);
  }
}
