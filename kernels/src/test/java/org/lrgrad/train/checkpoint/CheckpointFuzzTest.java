package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.Trainer;

/**
 * Fuzzes the checkpoint reader: any bytes restore completely or throw {@link CheckpointException} with the trainer
 * unchanged, never another exception and never part of a state.
 *
 * <p>The first input byte picks what the rest is. Odd: the whole stream, as a file would hold it. Even: a payload,
 * which the target frames with the magic, format version 1, its length and a correct CRC-32, so that mutations reach
 * the payload parser instead of stopping at the checksum. The corpus holds a good checkpoint in both forms and
 * mutations of each; {@link CheckpointCorporaTest} writes it and fails when it is stale.
 */
class CheckpointFuzzTest {
  private static final byte[] MAGIC = {(byte) 0x89, 'L', 'R', 'G', 'C', 'K', 'P', 'T'};
  /** The trainer every input is restored into (LRG: weights, biases, moments, projectors and counters). */
  private static final Trainer TARGET = target();

  /** A new trainer of the fuzz targets' setup; the corpora's checkpoints were saved from one after 3 steps. */
  static Trainer target() {
    return TrainTesting.trainer(Implementations.reference(), TrainTesting.mlp(),
      LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f), 16, 9);
  }

  @FuzzTest(maxDuration = "5s")
  void anyBytesRestoreWholeOrThrowCheckpointException(byte[] input) throws IOException {
    byte[] stream = input.length > 0 && (input[0] & 1) == 0 ? framed(Arrays.copyOfRange(input, 1, input.length))
        : Arrays.copyOfRange(input, Math.min(1, input.length), input.length);
    Map<String, Object> before = TrainTesting.snapshot(TARGET);
    try {
      Checkpoint.restore(TARGET, new ByteArrayInputStream(stream), "fuzz input");
    } catch (CheckpointException e) {
      assertTrue(e.getMessage().startsWith("checkpoint fuzz input: "), e.getMessage());
      TrainTesting.assertSameState(before, TrainTesting.snapshot(TARGET));
      return;
    }
    // Restored: the trainer now holds exactly the checkpoint's state, so saving it gives the checkpoint back (the
    // stream is read up to the checkpoint's end; what follows is not its part).
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    Checkpoint.save(TARGET, saved);
    byte[] again = saved.toByteArray();
    assertTrue(again.length <= stream.length, "restored from " + stream.length + " bytes, saves " + again.length);
    assertArrayEquals(Arrays.copyOf(stream, again.length), again, "the restored state differs from the checkpoint");
  }

  /** {@code payload} in a valid version-1 frame. */
  static byte[] framed(byte[] payload) {
    ByteBuffer frame = ByteBuffer.allocate(MAGIC.length + 4 + 8 + payload.length + 4);
    frame.put(MAGIC).putInt(1).putLong(payload.length).put(payload);
    CRC32 crc = new CRC32();
    crc.update(frame.array(), 0, frame.position());
    frame.putInt((int) crc.getValue());
    return frame.array();
  }
}
