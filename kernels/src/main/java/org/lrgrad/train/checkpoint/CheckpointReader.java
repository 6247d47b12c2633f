package org.lrgrad.train.checkpoint;

import static org.lrgrad.train.checkpoint.CheckpointFormat.CHECKSUM_BYTES;
import static org.lrgrad.train.checkpoint.CheckpointFormat.HEADER_BYTES;
import static org.lrgrad.train.checkpoint.CheckpointFormat.MAGIC;
import static org.lrgrad.train.checkpoint.CheckpointFormat.intAt;
import static org.lrgrad.train.checkpoint.CheckpointFormat.longAt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;
import org.lrgrad.train.checkpoint.CheckpointException.Problem;

/**
 * Reads a whole checkpoint for one trainer and checks its frame: magic, declared length against the source's size
 * and against the payload size the trainer's state takes, checksum, version. The declared length is checked before
 * anything is allocated for the payload, so a checkpoint costs no more memory than the trainer's own state, whatever
 * its header declares.
 */
final class CheckpointReader {
  /**
   * Of a checkpoint whose length is not the trainer's, at most this many bytes of its configuration beyond the
   * trainer's own are read, to say which line of the setups differs.
   */
  private static final int CONFIGURATION_SLACK = 1 << 16;

  private final InputStream in;
  private final String source;

  private CheckpointReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /**
   * Reads the checkpoint in {@code in}: {@code available} bytes when the source's size is known (a file), else -1;
   * {@code expectedLength} and {@code expectedConfiguration} are the payload size and configuration of the trainer it
   * is for. Returns it parsed, not yet checked against the trainer's entries and values.
   */
  static StagedCheckpoint read(InputStream in, String source, long available, long expectedLength,
      String expectedConfiguration) throws IOException {
    return new CheckpointReader(in, source).read(available, expectedLength, expectedConfiguration);
  }

  private StagedCheckpoint read(long available, long expectedLength, String expectedConfiguration)
      throws IOException {
    byte[] header = new byte[HEADER_BYTES];
    int got = readAtMost(header, 0, HEADER_BYTES);
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
    if (length < 0 || length > Checkpoint.MAX_PAYLOAD) {
      throw new CheckpointException(source, Problem.CORRUPTED, "its header declares a payload of " + length
          + " bytes (a payload has 0 to " + Checkpoint.MAX_PAYLOAD + ")");
    }
    long total = HEADER_BYTES + length + CHECKSUM_BYTES;
    if (available >= 0 && available != total) {
      throw available < total
          ? new CheckpointException(source, Problem.TRUNCATED, "it has " + available + " bytes, its header declares "
              + total)
          : new CheckpointException(source, Problem.CORRUPTED, "it has " + available + " bytes, "
              + (available - total) + " more than its header declares (" + total + ")");
    }
    if (length != expectedLength) {
      throw lengthMismatch(version, length, expectedLength, expectedConfiguration);
    }
    byte[] payload = new byte[(int) length];
    int filled = readAtMost(payload, 0, payload.length);
    if (filled < payload.length) {
      throw new CheckpointException(source, Problem.TRUNCATED, "it ends after " + (HEADER_BYTES + filled)
          + " bytes, inside its payload of " + length + " bytes");
    }
    byte[] checksum = new byte[CHECKSUM_BYTES];
    int checksumBytes = readAtMost(checksum, 0, CHECKSUM_BYTES);
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
    checkVersion(version, "");
    return StagedCheckpoint.parse(source, payload);
  }

  private void checkVersion(int version, String unverified) throws CheckpointException {
    if (version > Checkpoint.FORMAT_VERSION) {
      throw new CheckpointException(source, Problem.NEWER_VERSION, "format version " + version + ", but this"
          + " library reads versions up to " + Checkpoint.FORMAT_VERSION + ": restore it with the lrgrad that saved"
          + " it, or a newer one" + unverified);
    }
    if (version < 1) {
      throw new CheckpointException(source, Problem.CORRUPTED, "format version " + version
          + " does not exist (versions start at 1)" + unverified);
    }
  }

  /**
   * A checkpoint whose payload is not the size of the trainer's state cannot be restored into it; its payload is not
   * read (its checksum is not verified). What is said: a newer format if the header says so, another setup if its
   * configuration (read alone, a few kilobytes at most) differs from the trainer's, else the two sizes.
   */
  private CheckpointException lengthMismatch(int version, long length, long expectedLength,
      String expectedConfiguration) throws IOException {
    String sizes = "its header declares a payload of " + length + " bytes, this trainer's state takes "
        + expectedLength;
    checkVersion(version, " (" + sizes + "; nothing more was read)");
    byte[] expected = expectedConfiguration.getBytes(StandardCharsets.UTF_8);
    if (length >= 4) {
      byte[] lengthField = new byte[4];
      if (readAtMost(lengthField, 0, 4) == 4) {
        long declared = intAt(lengthField, 0) & 0xffffffffL;
        int read = (int) Math.min(Math.min(declared, length - 4), expected.length + (long) CONFIGURATION_SLACK);
        byte[] configuration = new byte[read];
        int got = readAtMost(configuration, 0, read);
        String saved = new String(configuration, 0, got, StandardCharsets.UTF_8);
        // Only a configuration read whole, and not empty, says "another setup": one cut short by the length, or the
        // zeros of a sparse file, are a corruption.
        if (got == declared && got > 0 && !saved.equals(expectedConfiguration)) {
          return StagedCheckpoint.configurationDiffers(source, saved, expectedConfiguration);
        }
      }
    }
    return new CheckpointException(source, Problem.CORRUPTED, sizes + " (checked before reading it)");
  }

  /** Reads until {@code length} bytes or the end of the stream; returns how many were read. */
  private int readAtMost(byte[] into, int off, int length) throws IOException {
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
}
