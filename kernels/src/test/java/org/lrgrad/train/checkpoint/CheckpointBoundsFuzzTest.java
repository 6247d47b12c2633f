package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Fuzzes restore against the size and the values the trainer expects: any bytes, from a stream or from a file,
 * restore or throw {@link CheckpointException} with the trainer unchanged; a restore takes at most its trainer's
 * payload size plus 2 MiB of memory and reads at most that checkpoint's bytes plus 64 KiB, whatever the header
 * declares; and a restored state is finite with no negative second moment.
 *
 * <p>The first input byte picks the form: bit 0 clear, the rest is a payload the target frames with a valid header
 * and checksum ({@link CheckpointFuzzTest#framed}), so that mutations reach the value checks; bit 1 set, the bytes are
 * restored from a file, else from a stream. The corpus holds a good checkpoint in each form and mutations: a huge
 * declared length, a negative second moment, a NaN weight, a step count ahead of the trainer's. {@link
 * CheckpointCorporaTest} writes it and fails when it is stale.
 */
class CheckpointBoundsFuzzTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Trainer TARGET = CheckpointFuzzTest.target();
  private static final long PAYLOAD = CheckpointFormat.payloadLength(TARGET);
  /** Beside the payload: the header, entry lists, messages, and what the fuzzer's hooks allocate. */
  private static final long FIXED = 2 << 20;
  private static final File FILE;

  static {
    try {
      FILE = File.createTempFile("lrgrad-fuzz", ".ckpt");
      FILE.deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5s")
  void restoreIsBoundedByTheTrainersStateAndChecksItsValues(byte[] input) throws IOException {
    boolean payloadOnly = input.length > 0 && (input[0] & 1) == 0;
    boolean fromFile = input.length > 0 && (input[0] & 2) != 0;
    byte[] rest = Arrays.copyOfRange(input, Math.min(1, input.length), input.length);
    byte[] bytes = payloadOnly ? CheckpointFuzzTest.framed(rest) : rest;
    if (fromFile) {
      Files.write(FILE.toPath(), bytes);
    }
    Map<String, Object> before = TrainTesting.snapshot(TARGET);
    // The first attempt loads the classes of whatever path these bytes take; the second, measured, is the same
    // restore (a refused one changed nothing, a complete one restores the same state again).
    restore(bytes, fromFile, new long[1]);
    long[] read = {0};
    long start = THREADS.getCurrentThreadAllocatedBytes();
    CheckpointException refused = restore(bytes, fromFile, read);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - start;
    boolean restored = refused == null;
    if (!restored) {
      assertTrue(refused.getMessage().startsWith("checkpoint " + (fromFile ? FILE.getPath() : "fuzz input") + ": "),
          refused.getMessage());
      TrainTesting.assertSameState(before, TrainTesting.snapshot(TARGET));
    }
    assertTrue(allocated <= PAYLOAD + FIXED, "allocated " + allocated + " bytes; the state takes " + PAYLOAD);
    assertTrue(read[0] <= 24 + PAYLOAD + (1 << 16), "read " + read[0] + " bytes; a checkpoint takes "
        + (24 + PAYLOAD));
    if (restored) {
      TARGET.visitState(new StateVisitor() {
        @Override
        public void buffer(String name, MemoryTag tag, float[] data) {
          for (int i = 0; i < data.length; i++) {
            assertTrue(Float.isFinite(data[i]), name + "[" + i + "] = " + data[i]);
            assertTrue(!name.contains(".exp_avg_sq") || data[i] >= 0, name + "[" + i + "] = " + data[i]);
          }
        }

        @Override
        public long counter(String name, long value) {
          return value;
        }
      });
    }
  }

  /** Restores {@code bytes} into the target from the file or a stream counting into {@code read}; null if restored. */
  private static CheckpointException restore(byte[] bytes, boolean fromFile, long[] read) throws IOException {
    InputStream counted = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        int n = super.read(b, off, len);
        read[0] += Math.max(n, 0);
        return n;
      }

      @Override
      public synchronized int read() {
        int n = super.read();
        read[0] += n < 0 ? 0 : 1;
        return n;
      }
    };
    try {
      if (fromFile) {
        Checkpoint.restore(TARGET, FILE);
      } else {
        Checkpoint.restore(TARGET, counted, "fuzz input");
      }
      return null;
    } catch (CheckpointException e) {
      return e;
    }
  }
}
