package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.checkpoint.CheckpointException;

/** The facade's checkpoints: a resumed run equals the uninterrupted one; a bad checkpoint changes nothing. */
class CheckpointsTest {
  private static final String MODEL = "mlp 8-16-4";

  private static OnDeviceTrainer trainer(byte[] npz) throws IOException {
    return OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(npz)).maxBatch(4).seed(3).build();
  }

  private static void train(OnDeviceTrainer t, SeededRandom data, int steps) {
    float[] x = new float[4 * 8];
    int[] labels = new int[4];
    for (int s = 0; s < steps; s++) {
      data.fillGaussian(x, 0, x.length, 1f);
      for (int i = 0; i < labels.length; i++) {
        labels[i] = data.nextInt(4);
      }
      t.trainStep(x, labels, 4);
    }
  }

  @Test
  void aResumedRunEqualsTheUninterruptedOne(@TempDir File folder) throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 7);
    File file = new File(folder, "personalization.ckpt");
    byte[] uninterrupted;
    long dataStateAtSave;
    try (OnDeviceTrainer t = trainer(npz)) {
      SeededRandom data = new SeededRandom(11);
      train(t, data, 5);
      t.saveCheckpoint(file);
      dataStateAtSave = data.state();
      train(t, data, 5);
      uninterrupted = Clusters.export(t);
    }
    try (OnDeviceTrainer resumed = trainer(npz)) {
      resumed.restoreCheckpoint(file);
      assertEquals(5, resumed.completedSteps());
      SeededRandom data = new SeededRandom(0);
      data.setState(dataStateAtSave);
      train(resumed, data, 5);
      assertArrayEquals(uninterrupted, Clusters.export(resumed), "resumed weights are bit for bit the same");
    }
  }

  @Test
  void aCorruptOrForeignCheckpointChangesNothing(@TempDir File folder) throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 8);
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    try (OnDeviceTrainer t = trainer(npz)) {
      train(t, new SeededRandom(1), 2);
      t.saveCheckpoint(saved);
    }
    byte[] good = saved.toByteArray();
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x10;
    File corrupt = new File(folder, "corrupt.ckpt");
    Files.write(corrupt.toPath(), flipped);
    try (OnDeviceTrainer t = trainer(npz)) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> t.restoreCheckpoint(corrupt));
      assertTrue(e.getMessage().contains(corrupt.getPath()), e.getMessage());
      assertThrows(CheckpointException.class,
          () -> t.restoreCheckpoint(new ByteArrayInputStream(good, 0, good.length - 9), "truncated"));
      assertArrayEquals(npz, Clusters.export(t), "weights unchanged");
      assertEquals(0, t.completedSteps(), "counters unchanged");
      train(t, new SeededRandom(2), 1);
      assertEquals(1, t.completedSteps(), "the trainer stays usable");
    }
    try (OnDeviceTrainer other = OnDeviceTrainer.builder("mlp 8-12-4").maxBatch(4).build()) {
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> other.restoreCheckpoint(new ByteArrayInputStream(good), "other model"));
      assertEquals(CheckpointException.Problem.WRONG_SETUP, e.problem(), e.getMessage());
    }
  }
}
