package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.Adam;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.Trainer;

/**
 * A process killed with SIGKILL ({@link Process#destroyForcibly()}) at random moments while it saves a checkpoint
 * after every training step always leaves a checkpoint that loads: the last one it reported saved, or the one it was
 * saving when the rename had already happened; and that checkpoint is bit for bit the state of an uninterrupted run
 * after as many steps. Each new process resumes from the file the killed one left, so the run also crosses every
 * crash.
 */
class CrashSafetyTest {
  private static final int KILLS = 16;
  private static final int MAX_DELAY_MILLIS = 200;
  private static final int BATCH = 16;
  private static final long SEED = 11;

  @TempDir
  File dir;

  static Trainer trainer(Kernels kernels) {
    return TrainTesting.trainer(kernels, TrainTesting.mlp(), Adam.adam(0.02f), BATCH, SEED);
  }

  /** The step after {@code trainer.completedSteps()} steps of a fixed schedule over the test problem. */
  static void step(Trainer trainer) {
    TrainTesting.step(trainer, (int) (trainer.completedSteps() * BATCH % TrainTesting.PROBLEM.count), BATCH);
  }

  @Test
  void theLastCheckpointLoadsAfterEveryKill() throws Exception {
    File file = new File(dir, "run.ckpt");
    Random random = new Random(SEED);
    Trainer uninterrupted = trainer(Implementations.reference());
    long previous = 0;
    int duringSave = 0;
    int renamedUnreported = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      File log = new File(dir, "child-" + kill + ".out");
      Process child = start(file, log);
      // Killed only once it has saved, so that every kill lands in the loop of training and saving.
      while (!read(log).stream().anyMatch(l -> l.startsWith("saved "))) {
        assertTrue(child.isAlive(), () -> "the child ended before saving: " + read(log));
        Thread.sleep(5);
      }
      Thread.sleep(random.nextInt(MAX_DELAY_MILLIS));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not end");
      List<String> lines = read(log);

      long saved = -1;
      long saving = -1;
      for (String l : lines) {
        if (l.startsWith("saving ")) {
          saving = Long.parseLong(l.substring(7));
        } else if (l.startsWith("saved ")) {
          saved = Long.parseLong(l.substring(6));
          saving = -1;
        }
      }
      if (saving >= 0) {
        duringSave++;
      }
      Trainer restored = trainer(Implementations.reference());
      Checkpoint.restore(restored, file);
      long steps = restored.completedSteps();
      if (steps != saved && steps != saving) {
        fail("kill " + kill + ": the checkpoint holds " + steps + " steps; the child last reported saved " + saved
            + (saving >= 0 ? " and was saving " + saving : ""));
      }
      if (steps == saving) {
        renamedUnreported++;
      }
      assertTrue(steps >= previous, "kill " + kill + ": " + steps + " steps after " + previous + " before");
      previous = steps;
      while (uninterrupted.completedSteps() < steps) {
        step(uninterrupted);
      }
      TrainTesting.assertSameState(TrainTesting.snapshot(uninterrupted), TrainTesting.snapshot(restored));
    }
    // Where the kills landed depends on the machine's timing: reported, not asserted.
    System.out.println("CrashSafetyTest: " + KILLS + " kills, " + duringSave + " during a save (" + renamedUnreported
        + " after its rename), last checkpoint after " + previous + " steps");
  }

  /** The child's standard output goes to a file: a pipe's unread lines would be lost with the killed process. */
  private static Process start(File file, File log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CheckpointingChild.class.getName());
    command.add(file.getPath());
    return new ProcessBuilder(command).redirectOutput(log).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static List<String> read(File log) {
    try {
      return Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
