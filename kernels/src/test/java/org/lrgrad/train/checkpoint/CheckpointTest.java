package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.TrainTesting.Method;
import org.lrgrad.train.TrainTesting.Model;

/**
 * Checkpoints save and restore the whole training state: a restored trainer is bit for bit the saved one, and a run
 * interrupted by a save and a restore into a new trainer is bit for bit the uninterrupted run, for every optimizer
 * (low-rank ones across projector refreshes, LoRA across merges, after a skipped step), on every implementation. A
 * save is atomic: when it fails, the previous checkpoint file is intact.
 */
class CheckpointTest {
  private static final int BATCH = 16;
  private static final int STEPS = 10;
  private static final long SEED = 5;
  private static final Supplier<Sequential> MLP = TrainTesting::mlp;
  private final Kernels reference = Implementations.reference();

  @TempDir
  File dir;

  /** One of {@link TrainTesting#methods()} by name. */
  static Method method(String name) {
    return TrainTesting.methods().stream().filter(m -> m.name.equals(name)).findFirst().get();
  }

  static Trainer trainer(Kernels k, Supplier<Sequential> model, Method method) {
    return TrainTesting.trainer(k, model.get(), method.make.get(), BATCH, SEED);
  }

  /**
   * Steps {@code from} to {@code to} of a fixed schedule; returns the losses. Step 1 gets a batch with a NaN (skipped
   * and counted: it does not advance the step count); LoRA merges after steps 2 and 6; with the methods' refresh
   * interval 4, low-rank projectors are recomputed at steps 0, 5 and 9 (step counts 0, 4 and 8).
   */
  private static float[] run(Trainer t, int from, int to) {
    float[] losses = new float[to - from];
    int in = TrainTesting.PROBLEM.in;
    for (int s = from; s < to; s++) {
      int start = (s * BATCH) % TrainTesting.PROBLEM.count;
      if (s == 1) {
        float[] poisoned = Arrays.copyOfRange(TrainTesting.PROBLEM.x, start * in, (start + BATCH) * in);
        poisoned[3] = Float.NaN;
        losses[s - from] = t.step(poisoned, 0, TrainTesting.PROBLEM.labels, start, BATCH);
        assertTrue(t.lastStepSkipped(), "a NaN batch is skipped");
      } else {
        losses[s - from] = TrainTesting.step(t, start, BATCH);
      }
      if (s == 2 || s == 6) {
        t.mergeLora();
      }
    }
    return losses;
  }

  private static byte[] bytes(Trainer t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(t, out);
    return out.toByteArray();
  }

  static List<Arguments> methodsAndModels() {
    List<Arguments> list = new ArrayList<>();
    for (Method m : TrainTesting.methods()) {
      for (Model model : TrainTesting.models()) {
        list.add(Arguments.of(m, model));
      }
    }
    return list;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("methodsAndModels")
  void roundTripIsBitIdentical(Method method, Model model) throws IOException {
    Trainer saved = trainer(reference, model.make, method);
    run(saved, 0, 5);
    byte[] checkpoint = bytes(saved);
    Map<String, Object> state = TrainTesting.snapshot(saved);

    Trainer restored = trainer(reference, model.make, method);
    Map<String, Object> fresh = TrainTesting.snapshot(restored);
    Checkpoint.restore(restored, new ByteArrayInputStream(checkpoint), "memory");
    TrainTesting.assertSameState(state, TrainTesting.snapshot(restored));
    assertArrayEquals(checkpoint, bytes(restored), "the restored trainer saves the same bytes");
    assertEquals(saved.completedSteps(), restored.completedSteps());
    assertEquals(1, restored.skippedSteps());
    // Not vacuous: the restore changed the new trainer's counters.
    assertNotEquals(fresh.get("trainer.completed_steps"), state.get("trainer.completed_steps"));
  }

  static List<Arguments> methodsAndImplementations() {
    List<Arguments> list = new ArrayList<>();
    for (Method m : TrainTesting.methods()) {
      Implementations.all().forEach(c -> list.add(Arguments.of(m, c)));
    }
    return list;
  }

  /**
   * Saved after 3 steps, a low-rank projector restored from the checkpoint is in use for two steps, then refreshed;
   * saved after 5, the restored trainer refreshes it at once. LoRA has merged once before either save.
   */
  @ParameterizedTest(name = "{0} [{1}]")
  @MethodSource("methodsAndImplementations")
  void resumedRunIsBitIdenticalToAnUninterruptedOne(Method method, Candidate candidate) throws IOException {
    Kernels k = Implementations.require(candidate);
    Trainer uninterrupted = trainer(k, MLP, method);
    float[] want = run(uninterrupted, 0, STEPS);
    Map<String, Object> wantState = TrainTesting.snapshot(uninterrupted);
    for (int at : new int[] {3, 5}) {
      Trainer first = trainer(k, MLP, method);
      float[] before = run(first, 0, at);
      File file = new File(dir, "run.ckpt");
      Checkpoint.save(first, file);

      Trainer resumed = trainer(k, MLP, method);
      Checkpoint.restore(resumed, file);
      float[] after = run(resumed, at, STEPS);
      float[] got = new float[STEPS];
      System.arraycopy(before, 0, got, 0, at);
      System.arraycopy(after, 0, got, at, STEPS - at);
      for (int s = 0; s < STEPS; s++) {
        assertEquals(Float.floatToRawIntBits(want[s]), Float.floatToRawIntBits(got[s]),
            "resumed after " + at + " steps: loss of step " + s + " " + got[s] + ", uninterrupted " + want[s]);
      }
      TrainTesting.assertSameState(wantState, TrainTesting.snapshot(resumed));
    }
  }

  @Test
  void checkpointsFollowOneAnotherInAStream() throws IOException {
    Method adam = method("Adam");
    Trainer t = trainer(reference, MLP, adam);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    run(t, 0, 2);
    Checkpoint.save(t, out);
    Map<String, Object> atTwo = TrainTesting.snapshot(t);
    run(t, 2, 4);
    Checkpoint.save(t, out);
    Map<String, Object> atFour = TrainTesting.snapshot(t);
    out.write(42);

    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    Trainer restored = trainer(reference, MLP, adam);
    Checkpoint.restore(restored, in, "two checkpoints");
    TrainTesting.assertSameState(atTwo, TrainTesting.snapshot(restored));
    Checkpoint.restore(restored, in, "two checkpoints");
    TrainTesting.assertSameState(atFour, TrainTesting.snapshot(restored));
    assertEquals(42, in.read(), "the reader stops at the end of a checkpoint");
  }

  @Test
  void aSaveReplacesThePreviousFileAndLeavesNoTemporaryFile() throws IOException {
    Method adam = method("Adam");
    Trainer t = trainer(reference, MLP, adam);
    File file = new File(dir, "state.ckpt");
    // A file at the temporary name of old versions (or a crashed save's) is never read nor written.
    Files.write(new File(dir, "state.ckpt" + AtomicFile.TEMP_SUFFIX).toPath(), new byte[] {1, 2, 3});
    run(t, 0, 2);
    Checkpoint.save(t, file);
    run(t, 2, 4);
    Checkpoint.save(t, file);
    String[] left = dir.list();
    Arrays.sort(left);
    assertArrayEquals(new String[] {"state.ckpt", "state.ckpt" + AtomicFile.TEMP_SUFFIX}, left);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(new File(dir, "state.ckpt.tmp").toPath()));
    assertArrayEquals(bytes(t), Files.readAllBytes(file.toPath()));
  }

  /** A stream that takes {@code limit} bytes, then fails as a full device would, midway through a write. */
  private static final class FailingStream extends OutputStream {
    private final OutputStream target;
    private long left;

    FailingStream(OutputStream target, long limit) {
      this.target = target;
      this.left = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int taken = (int) Math.min(len, left);
      target.write(b, off, taken);
      left -= taken;
      if (taken < len) {
        throw new IOException("no space left on device (simulated)");
      }
    }
  }

  @Test
  void aSaveThatFailsMidwayLeavesThePreviousCheckpointIntact() throws IOException {
    Method lrg = method("LRG-Adam");
    Trainer t = trainer(reference, MLP, lrg);
    File file = new File(dir, "state.ckpt");
    run(t, 0, 3);
    Checkpoint.save(t, file);
    byte[] previous = Files.readAllBytes(file.toPath());
    Map<String, Object> previousState = TrainTesting.snapshot(t);
    run(t, 3, 5);
    int size = bytes(t).length;
    for (long limit : new long[] {0, 1, 19, 20, size / 2, size - 5, size - 1}) {
      IOException e = assertThrows(IOException.class,
          () -> AtomicFile.write(file, out -> Checkpoint.save(t, new FailingStream(out, limit))));
      assertEquals("no space left on device (simulated)", e.getMessage());
      assertArrayEquals(previous, Files.readAllBytes(file.toPath()), "after a save failing at byte " + limit);
      assertArrayEquals(new String[] {"state.ckpt"}, dir.list(), "the temporary file is deleted");
    }
    Trainer restored = trainer(reference, MLP, lrg);
    Checkpoint.restore(restored, file);
    TrainTesting.assertSameState(previousState, TrainTesting.snapshot(restored));
  }

  @Test
  void aSaveToAStreamThatFailsThrowsItsException() throws IOException {
    Trainer t = trainer(reference, MLP, method("Adam"));
    IOException e = assertThrows(IOException.class,
        () -> Checkpoint.save(t, new FailingStream(new ByteArrayOutputStream(), 100)));
    assertEquals("no space left on device (simulated)", e.getMessage());
  }

  @Test
  void aSaveThatCannotRenameLeavesTheTargetAndNoTemporaryFile() throws IOException {
    Trainer t = trainer(reference, MLP, method("Adam"));
    File busy = new File(dir, "busy");
    assertTrue(busy.mkdir());
    try (FileOutputStream inside = new FileOutputStream(new File(busy, "kept"))) {
      inside.write(7);
    }
    IOException e = assertThrows(IOException.class, () -> Checkpoint.save(t, busy));
    assertTrue(e.getMessage().contains("cannot rename") && e.getMessage().contains(busy.getPath()), e.getMessage());
    assertTrue(busy.isDirectory());
    assertArrayEquals(new String[] {"kept"}, busy.list());
    assertArrayEquals(new String[] {"busy"}, dir.list(), "the temporary file is deleted");
  }

  @Test
  void nullArgumentsAreRefused() {
    Trainer t = trainer(reference, MLP, method("Adam"));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(null, new File(dir, "x")));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(t, (File) null));
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.restore(t, new ByteArrayInputStream(new byte[0]),
        null));
    assertFalse(new File(dir, "x").exists());
  }
}
