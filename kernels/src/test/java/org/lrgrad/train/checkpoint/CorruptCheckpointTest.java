package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Linear;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.checkpoint.CheckpointException.Problem;

/**
 * A checkpoint that is truncated anywhere, has any bit flipped, is another kind of file, has a newer format version,
 * was saved from another setup, or is malformed under a valid checksum is refused with a {@link CheckpointException}
 * that names the file and the problem, and the trainer it was to be restored into is left exactly as it was; a good
 * checkpoint restores into it afterwards.
 */
class CorruptCheckpointTest {
  private static final long SEED = 9;
  private final Kernels k = Implementations.reference();

  @TempDir
  File dir;

  /** A good checkpoint: LRG (weights, biases, moments, projectors) after 3 steps. */
  private byte[] good;
  private Map<String, Object> goodState;
  /** The trainer restores are tried on: same setup, after 1 step, so each of its counters differs from the file's. */
  private Trainer target;
  private Map<String, Object> targetState;

  private static Optimizer optimizer() {
    return LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f);
  }

  private Trainer trainer(Optimizer optimizer, long seed) {
    return TrainTesting.trainer(k, TrainTesting.mlp(), optimizer, 16, seed);
  }

  @BeforeEach
  void saveAGoodCheckpoint() throws IOException {
    Trainer saved = trainer(optimizer(), SEED);
    for (int s = 0; s < 3; s++) {
      TrainTesting.step(saved, 16 * s, 16);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(saved, out);
    good = out.toByteArray();
    goodState = TrainTesting.snapshot(saved);
    target = trainer(optimizer(), SEED);
    TrainTesting.step(target, 0, 16);
    targetState = TrainTesting.snapshot(target);
  }

  private File file(byte[] content) throws IOException {
    File f = new File(dir, "bad.ckpt");
    Files.write(f.toPath(), content);
    return f;
  }

  /** Restoring {@code content} from a file is refused for {@code problem}, and the target is unchanged. */
  private CheckpointException refusedFromFile(byte[] content, Problem... problems) throws IOException {
    File f = file(content);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.restore(target, f));
    checkRefusal(e, f.getPath(), problems);
    return e;
  }

  private CheckpointException refusedFromStream(byte[] content, Problem... problems) {
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoint.restore(target, new ByteArrayInputStream(content), "blob 17"));
    checkRefusal(e, "blob 17", problems);
    return e;
  }

  private void checkRefusal(CheckpointException e, String source, Problem... problems) {
    assertTrue(Arrays.asList(problems).contains(e.problem()), () -> "expected " + Arrays.toString(problems) + ": "
        + e.getMessage());
    assertEquals(source, e.source());
    assertTrue(e.getMessage().startsWith("checkpoint " + source + ": "), e.getMessage());
    TrainTesting.assertSameState(targetState, TrainTesting.snapshot(target));
  }

  @AfterEach
  void theGoodCheckpointStillRestores() throws IOException {
    Checkpoint.restore(target, file(good));
    TrainTesting.assertSameState(goodState, TrainTesting.snapshot(target));
  }

  /**
   * Whether {@code at} is a position where a file is also tried: a file's size is checked against its header, which
   * only the header's bytes and the size can change; elsewhere it takes the stream's path, so a sample suffices.
   */
  private boolean alsoFromFile(int at) {
    return at <= 20 || at >= good.length - 5 || at % 61 == 0;
  }

  @Test
  void truncatedAnywhere() throws IOException {
    for (int length = 0; length < good.length; length++) {
      byte[] prefix = Arrays.copyOf(good, length);
      String why = refusedFromStream(prefix, Problem.TRUNCATED).getMessage();
      if (length == 0) {
        assertTrue(why.contains("it is empty"), why);
      }
      if (alsoFromFile(length)) {
        refusedFromFile(prefix, Problem.TRUNCATED);
      }
    }
  }

  /** One bit flipped in every byte (its position cycling through the byte); every bit of the header and checksum. */
  @Test
  void aBitFlippedAnywhere() throws IOException {
    for (int at = 0; at < good.length; at++) {
      boolean frame = at < 20 || at >= good.length - 4;
      for (int bit = 0; bit < 8; bit++) {
        if (frame || bit == at % 8) {
          refusedWithBitFlipped(at, bit, false);
        }
      }
      if (alsoFromFile(at)) {
        refusedWithBitFlipped(at, at % 8, true);
      }
    }
  }

  private void refusedWithBitFlipped(int at, int bit, boolean fromFile) throws IOException {
    byte[] flipped = good.clone();
    flipped[at] ^= (byte) (1 << bit);
    Problem[] expected;
    if (at < 8) {
      expected = new Problem[] {Problem.NOT_A_CHECKPOINT};
    } else if (at >= 12 && at < 20) {
      // The payload length: the source ends too early, or the checksum is read from the wrong place.
      expected = new Problem[] {Problem.TRUNCATED, Problem.CORRUPTED};
    } else {
      expected = new Problem[] {Problem.CORRUPTED};
    }
    String why = (fromFile ? refusedFromFile(flipped, expected) : refusedFromStream(flipped, expected)).getMessage();
    if (at >= 20) {
      assertTrue(why.contains("checksum"), why);
    }
  }

  @Test
  void otherFiles() throws IOException {
    String why = refusedFromFile("step,loss\n1,0.5\n".getBytes(StandardCharsets.UTF_8), Problem.NOT_A_CHECKPOINT)
        .getMessage();
    assertTrue(why.contains("magic"), why);
    refusedFromFile(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0}, Problem.NOT_A_CHECKPOINT);
    byte[] almost = good.clone();
    almost[7] = 'X';
    refusedFromFile(almost, Problem.NOT_A_CHECKPOINT);
  }

  @Test
  void bytesAfterTheChecksumInAFile() throws IOException {
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    String why = refusedFromFile(longer, Problem.CORRUPTED).getMessage();
    assertTrue(why.contains("1 more than its header declares"), why);
  }

  @Test
  void newerFormatVersion() throws IOException {
    byte[] newer = withChecksum(patchInt(good, 8, Checkpoint.FORMAT_VERSION + 1));
    String why = refusedFromFile(newer, Problem.NEWER_VERSION).getMessage();
    assertTrue(why.contains("format version " + (Checkpoint.FORMAT_VERSION + 1)) && why.contains("up to "
        + Checkpoint.FORMAT_VERSION), why);
    refusedFromFile(withChecksum(patchInt(good, 8, 0)), Problem.CORRUPTED);
  }

  @Test
  void anotherSetup() throws IOException {
    expectWrongSetup(trainer(LowRankAdam.lrg(0.03f, 3).updateInterval(4).scale(1f), SEED), "lr=0.03");
    expectWrongSetup(trainer(LowRankAdam.lrg(0.02f, 2).updateInterval(4).scale(1f), SEED), "rank=2");
    expectWrongSetup(trainer(LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f).side(ProjectionSide.RIGHT),
        SEED), "side=RIGHT");
    expectWrongSetup(trainer(LowRankAdam.galore(0.02f, 3).updateInterval(4).scale(1f), SEED), "GaLore-Adam");
    expectWrongSetup(trainer(Adam.adam(0.02f), SEED), "Adam(lr=0.02");
    expectWrongSetup(trainer(optimizer(), SEED + 1), "seed " + (SEED + 1));
    Sequential wider = new Sequential(new Linear(TrainTesting.PROBLEM.in, 11), new Relu(),
        new Linear(11, TrainTesting.PROBLEM.classes));
    expectWrongSetup(TrainTesting.trainer(k, wider, optimizer(), 16, SEED), "Linear(6 -> 11)");
    expectWrongSetup(TrainTesting.trainer(k, TrainTesting.lstm(), optimizer(), 16, SEED), "LSTM");
  }

  private void expectWrongSetup(Trainer other, String named) throws IOException {
    Map<String, Object> before = TrainTesting.snapshot(other);
    File f = file(good);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.restore(other, f));
    assertEquals(Problem.WRONG_SETUP, e.problem(), e.getMessage());
    assertTrue(e.getMessage().contains(named) && e.getMessage().contains(f.getPath()), e.getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(other));
  }

  /**
   * Values the checksum cannot catch (a file written by other code): a counter the trainer refuses, coming after
   * counters it took, which must be handed back; an entry of an unknown kind; a count beyond the payload.
   */
  @Test
  void malformedUnderAValidChecksum() throws IOException {
    for (String counter : new String[] {"trainer.skipped_steps", "2.weight.step", "trainer.completed_steps"}) {
      int value = after(good, counter);
      byte[] negative = good.clone();
      Arrays.fill(negative, value, value + 8, (byte) 0xff);
      String why = refusedFromFile(withChecksum(negative), Problem.CORRUPTED).getMessage();
      assertTrue(why.contains(counter + "=-1"), why);
    }
    byte[] unknownKind = good.clone();
    unknownKind[after(good, "0.weight") - "0.weight".length() - 5] = 7;
    String why = refusedFromFile(withChecksum(unknownKind), Problem.CORRUPTED).getMessage();
    assertTrue(why.contains("kind 7"), why);
    int count = after(good, "WEIGHTS");
    why = refusedFromFile(withChecksum(patchInt(good, count, Integer.MAX_VALUE)), Problem.CORRUPTED).getMessage();
    assertTrue(why.contains("malformed"), why);
    refusedFromFile(withChecksum(patchInt(good, count, -1)), Problem.CORRUPTED);
  }

  /** A payload length other than the trainer's state's: refused before anything is allocated or read for it. */
  @Test
  void hugeDeclaredLengthOnAShortStream() {
    byte[] huge = good.clone();
    patchLong(huge, 12, Checkpoint.MAX_PAYLOAD);
    String why = refusedFromStream(huge, Problem.CORRUPTED).getMessage();
    assertTrue(why.contains("its header declares a payload of " + Checkpoint.MAX_PAYLOAD + " bytes, this trainer's"
        + " state takes " + (good.length - 24)), why);
    patchLong(huge, 12, Long.MAX_VALUE);
    refusedFromStream(huge, Problem.CORRUPTED);
  }

  @Test
  void aStreamThatFailsWhileReadingChangesNothing() {
    InputStream failing = new InputStream() {
      private int position;

      @Override
      public int read() throws IOException {
        if (position == good.length / 2) {
          throw new IOException("connection reset (simulated)");
        }
        return good[position++] & 0xff;
      }
    };
    IOException e = assertThrows(IOException.class, () -> Checkpoint.restore(target, failing, "socket"));
    assertEquals("connection reset (simulated)", e.getMessage());
    TrainTesting.assertSameState(targetState, TrainTesting.snapshot(target));
  }

  /** Where the first string {@code s} of the checkpoint (an int32 length and UTF-8 bytes) ends. */
  static int after(byte[] checkpoint, String s) {
    byte[] text = s.getBytes(StandardCharsets.UTF_8);
    byte[] stored = patchInt(new byte[4 + text.length], 0, text.length);
    System.arraycopy(text, 0, stored, 4, text.length);
    for (int i = 0; i + stored.length <= checkpoint.length; i++) {
      if (Arrays.equals(Arrays.copyOfRange(checkpoint, i, i + stored.length), stored)) {
        return i + stored.length;
      }
    }
    return fail("the string '" + s + "' is not in the checkpoint");
  }

  static byte[] patchInt(byte[] b, int at, int value) {
    byte[] patched = b.clone();
    for (int i = 0; i < 4; i++) {
      patched[at + i] = (byte) (value >>> (24 - 8 * i));
    }
    return patched;
  }

  private static void patchLong(byte[] b, int at, long value) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (value >>> (56 - 8 * i));
    }
  }

  /** Recomputes the trailing CRC-32 over every byte before it, as the format defines. */
  static byte[] withChecksum(byte[] b) {
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 4);
    return patchInt(b, b.length - 4, (int) crc.getValue());
  }
}
