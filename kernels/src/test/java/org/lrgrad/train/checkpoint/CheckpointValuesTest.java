package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.train.checkpoint.CorruptCheckpointTest.after;
import static org.lrgrad.train.checkpoint.CorruptCheckpointTest.patchInt;
import static org.lrgrad.train.checkpoint.CorruptCheckpointTest.withChecksum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.checkpoint.CheckpointException.Problem;

/**
 * A restore knows the exact size of the state it restores and the values a trainer can hold, and refuses anything
 * else before it changes the trainer: a declared payload other than the trainer's (a sparse 2 GiB file, a stream
 * declaring the largest payload and then sending zeros) before allocating or reading it, and, under a valid checksum,
 * a NaN or infinity anywhere, a negative second moment (Adam's, Adafactor's factors), a step count above the
 * trainer's. The old reader allocated what the header declared, and restored a second moment of -1 (one step later
 * the weights were NaN).
 */
class CheckpointValuesTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  /** What a refused restore may allocate: its header, messages, the size walk; far below any payload here. */
  private static final long REFUSAL_BYTES = 1 << 20;

  @TempDir
  File dir;

  private static Trainer trainer(String method, int steps) {
    Trainer t = TrainTesting.trainer(Implementations.reference(), TrainTesting.mlp(),
        CheckpointTest.method(method).make.get(), 16, 5);
    for (int s = 0; s < steps; s++) {
      TrainTesting.step(t, 16 * s, 16);
    }
    return t;
  }

  private static byte[] bytes(Trainer t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(t, out);
    return out.toByteArray();
  }

  /** Restoring {@code checkpoint} into {@code target} is refused as corrupted, naming the source; nothing changes. */
  private static CheckpointException refused(Trainer target, byte[] checkpoint, String fragment) {
    Map<String, Object> before = TrainTesting.snapshot(target);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoint.restore(target, new ByteArrayInputStream(checkpoint), "edited"));
    assertEquals(Problem.CORRUPTED, e.problem(), e.getMessage());
    assertTrue(e.getMessage().startsWith("checkpoint edited: ") && e.getMessage().contains(fragment),
        e.getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(target));
    return e;
  }

  /** Where the floats of buffer {@code name} (tagged {@code tag}) start in {@code checkpoint}. */
  private static int floatsOf(byte[] checkpoint, String name, String tag) {
    return after(checkpoint, name) + 4 + tag.length() + 4;
  }

  private static byte[] withFloat(byte[] checkpoint, String name, String tag, int element, float value) {
    return withChecksum(patchInt(checkpoint, floatsOf(checkpoint, name, tag) + 4 * element,
        Float.floatToRawIntBits(value)));
  }

  @Test
  void aSparseFileOfTwoGibibytesWithAValidHeaderIsRefusedBeforeAnythingIsAllocated() throws IOException {
    Trainer target = trainer("Adam", 1);
    byte[] good = bytes(target);
    File file = new File(dir, "sparse.ckpt");
    long payload = (2L << 30) - 64;
    try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
      f.write(Arrays.copyOf(good, 12));
      f.writeLong(payload);
      f.setLength(20 + payload + 4);
    }
    Map<String, Object> before = TrainTesting.snapshot(target);
    // A first refusal loads the classes of that path, so that the measured one counts the restore alone.
    assertThrows(CheckpointException.class, () -> Checkpoint.restore(target, file));
    long start = THREADS.getCurrentThreadAllocatedBytes();
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.restore(target, file));
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - start;
    assertTrue(allocated < REFUSAL_BYTES, "allocated " + allocated + " bytes");
    assertEquals(Problem.CORRUPTED, e.problem());
    assertTrue(e.getMessage().contains(file.getPath()) && e.getMessage().contains("its header declares a payload of "
        + payload + " bytes, this trainer's state takes " + (good.length - 24)), e.getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(target));
  }

  @Test
  void aStreamDeclaringTheLargestPayloadThenZerosIsRefusedAfterItsHeader() {
    Trainer target = trainer("Adam", 1);
    // A first refusal loads the classes of that path, so that the measured one counts the restore alone.
    assertThrows(CheckpointException.class, () -> Checkpoint.restore(target, zeros(new long[1]), "zeros"));
    long[] served = {0};
    InputStream zeros = zeros(served);
    long start = THREADS.getCurrentThreadAllocatedBytes();
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoint.restore(target, zeros, "zeros"));
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - start;
    assertTrue(allocated < REFUSAL_BYTES, "allocated " + allocated + " bytes");
    assertTrue(e.getMessage().contains("declares a payload of " + Checkpoint.MAX_PAYLOAD + " bytes"),
        e.getMessage());
    // The header and the configuration's length and text: the payload itself is never read.
    assertTrue(served[0] <= 20 + 4 + target.configuration().getBytes(StandardCharsets.UTF_8).length + (1 << 16),
        "read " + served[0] + " bytes");
  }

  /** A checkpoint header declaring the largest payload, then zeros without end; counts what it serves. */
  private static InputStream zeros(long[] served) {
    return new InputStream() {
      private final byte[] header = Arrays.copyOf(new byte[] {(byte) 0x89, 'L', 'R', 'G', 'C', 'K', 'P', 'T'}, 20);

      {
        header[11] = 1; // version 1
        for (int i = 0; i < 8; i++) {
          header[12 + i] = (byte) ((long) Checkpoint.MAX_PAYLOAD >>> (56 - 8 * i));
        }
      }

      @Override
      public int read() {
        return served[0] < header.length ? header[(int) served[0]++] & 0xff : zero();
      }

      private int zero() {
        served[0]++;
        return 0;
      }
    };
  }

  @Test
  void aNegativeSecondMomentUnderAValidChecksumIsRefused() throws IOException {
    Trainer saved = trainer("Adam", 3);
    byte[] poisoned = withFloat(bytes(saved), "0.weight.exp_avg_sq", "OPTIMIZER_STATE", 5, -1f);
    refused(trainer("Adam", 1), poisoned,
        "buffer '0.weight.exp_avg_sq' element 5 is -1.0: a second moment is never negative");
  }

  @Test
  void negativeAdafactorFactorsAreRefused() throws IOException {
    byte[] good = bytes(trainer("Adafactor", 3));
    refused(trainer("Adafactor", 1), withFloat(good, "0.weight.exp_avg_sq_row", "OPTIMIZER_STATE", 0, -0.5f),
        "buffer '0.weight.exp_avg_sq_row' element 0 is -0.5");
    refused(trainer("Adafactor", 1), withFloat(good, "0.weight.exp_avg_sq_col", "OPTIMIZER_STATE", 1, -2f),
        "buffer '0.weight.exp_avg_sq_col' element 1 is -2.0");
  }

  @Test
  void nonFiniteValuesAnywhereAreRefused() throws IOException {
    byte[] good = bytes(trainer("LRG-Adam", 3));
    Trainer target = trainer("LRG-Adam", 1);
    refused(target, withFloat(good, "0.weight", "WEIGHTS", 7, Float.NaN), "buffer '0.weight' element 7 is NaN");
    refused(target, withFloat(good, "2.bias", "WEIGHTS", 0, Float.POSITIVE_INFINITY),
        "buffer '2.bias' element 0 is Infinity");
    refused(target, withFloat(good, "0.weight.exp_avg", "OPTIMIZER_STATE", 0, Float.NEGATIVE_INFINITY),
        "buffer '0.weight.exp_avg' element 0 is -Infinity");
    refused(target, withFloat(good, "0.weight.projector", "PROJECTORS", 2, Float.NaN),
        "buffer '0.weight.projector' element 2 is NaN");
  }

  @Test
  void aStepCountAboveTheTrainersIsRefused() throws IOException {
    byte[] good = bytes(trainer("Adam", 3));
    int step = after(good, "2.weight.step");
    byte[] ahead = good.clone();
    ahead[step + 7] = 4; // 3 steps completed, the optimizer claims 4
    refused(trainer("Adam", 1), withChecksum(ahead),
        "counter '2.weight.step'=4 is more than trainer.completed_steps=3");
  }

  /**
   * A step counter at its limit (2^31 − 1) is a state a trainer can be in, so it restores; but no step can follow
   * it, and the next one is refused before any layer changes (it used to update the layers before it and then throw).
   */
  @Test
  void aStepCounterAtItsLimitRefusesTheNextStepChangingNothing() throws IOException {
    byte[] atLimit = bytes(trainer("Adam", 1));
    for (String counter : new String[] {"trainer.completed_steps", "2.bias.step"}) {
      int at = after(atLimit, counter);
      atLimit[at + 4] = 0x7f; // the counter's eight bytes, big-endian: 0x7fffffff
      atLimit[at + 5] = (byte) 0xff;
      atLimit[at + 6] = (byte) 0xff;
      atLimit[at + 7] = (byte) 0xff;
    }
    Trainer t = trainer("Adam", 1);
    Checkpoint.restore(t, new ByteArrayInputStream(withChecksum(atLimit)), "at the limit");
    assertEquals(Integer.MAX_VALUE, t.completedSteps());
    Map<String, Object> before = TrainTesting.snapshot(t);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainTesting.step(t, 16, 16));
    assertEquals("2.bias.step=2147483647 is the step counter's limit: this trainer cannot take another step"
        + " (nothing was changed)", e.getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(t));
    // The trainer's own counters are longs: one at 2^63 − 1 would wrap to negative.
    byte[] skippedAtLimit = bytes(trainer("Adam", 1));
    int at = after(skippedAtLimit, "trainer.skipped_steps");
    skippedAtLimit[at] = 0x7f;
    for (int b = 1; b < 8; b++) {
      skippedAtLimit[at + b] = (byte) 0xff;
    }
    Trainer u = trainer("Adam", 1);
    Checkpoint.restore(u, new ByteArrayInputStream(withChecksum(skippedAtLimit)), "at the limit");
    Map<String, Object> beforeU = TrainTesting.snapshot(u);
    assertEquals("trainer.skipped_steps=9223372036854775807 is the step counter's limit: this trainer cannot take"
        + " another step (nothing was changed)",
        assertThrows(IllegalStateException.class, () -> TrainTesting.step(u, 16, 16)).getMessage());
    TrainTesting.assertSameState(beforeU, TrainTesting.snapshot(u));
  }

  @Test
  void theUneditedCheckpointsRestore() throws IOException {
    for (String method : new String[] {"Adam", "Adafactor", "LRG-Adam"}) {
      Trainer saved = trainer(method, 3);
      Trainer target = trainer(method, 1);
      Checkpoint.restore(target, new ByteArrayInputStream(bytes(saved)), "good");
      TrainTesting.assertSameState(TrainTesting.snapshot(saved), TrainTesting.snapshot(target));
    }
  }
}
