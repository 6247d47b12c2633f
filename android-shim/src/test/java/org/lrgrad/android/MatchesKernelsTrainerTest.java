package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lrgrad.data.Npz;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.Linear;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainingRun;

/**
 * End to end: a model personalized through the facade (on the on-device kernels: the native library when it loads)
 * reaches the weights the kernels module's {@link Trainer} reaches on the pure-Java reference kernels with the same
 * seed, starting weights and batches.
 */
class MatchesKernelsTrainerTest {
  private static final int IN = 24, HIDDEN = 32, CLASSES = 6, BATCH = 16, STEPS = 30;
  private static final float LR = 0.01f;
  private static final int RANK = 4;
  private static final long SEED = 17;

  @Test
  void theFacadeAndTheTrainerReachTheSameWeights() throws IOException {
    String description = "mlp " + IN + "-" + HIDDEN + "-" + CLASSES;
    byte[] start = Clusters.randomWeights(description, 0.3f, 99);
    SeededRandom random = new SeededRandom(23);
    Clusters data = Clusters.around(Clusters.centres(CLASSES, IN, random), CLASSES, BATCH * STEPS, 0.8f, random);

    byte[] viaFacade;
    String kernels;
    try (OnDeviceTrainer facade = OnDeviceTrainer.builder(description).weights(ByteBuffer.wrap(start))
        .optimizer("LRG-Adam").learningRate(LR).rank(RANK).seed(SEED).maxBatch(BATCH).build()) {
      TrainingRun run = facade.fit(data.x(), data.labels(), data.count(), 1, null);
      assertEquals(STEPS, run.steps());
      viaFacade = Clusters.export(facade);
      kernels = facade.kernelsName();
    }

    Sequential model = new Sequential(new Linear(IN, HIDDEN), new Relu(), new Linear(HIDDEN, CLASSES));
    Trainer trainer = Trainer.builder(model, BATCH).kernels(KernelProvider.get("reference")).seed(SEED)
        .group(LowRankAdam.lrg(LR, RANK), model.parameters()).build();
    Npz startArrays = Npz.read(new ByteArrayInputStream(start), "start");
    for (Parameter p : model.parameters()) {
      p.copyFrom(startArrays.get(p.name()).floats(), 0);
    }
    for (int s = 0; s < STEPS; s++) {
      trainer.step(data.x(), s * BATCH * IN, data.labels(), s * BATCH, BATCH);
    }

    Npz facadeArrays = Npz.read(new ByteArrayInputStream(viaFacade), "facade");
    List<Parameter> params = model.parameters();
    double maxMoved = 0;
    for (Parameter p : params) {
      float[] expected = p.data();
      float[] actual = facadeArrays.get(p.name()).floats();
      float[] initial = startArrays.get(p.name()).floats();
      for (int i = 0; i < expected.length; i++) {
        maxMoved = Math.max(maxMoved, Math.abs(expected[i] - initial[i]));
        // The reference and NEON sums round differently; Adam's normalized steps keep the drift to a small
        // fraction of the learning rate per step.
        assertEquals(expected[i], actual[i], 1e-4 + 1e-4 * Math.abs(expected[i]),
            p.name() + "[" + i + "] on " + kernels);
      }
    }
    assertTrue(maxMoved > 10 * LR * 0.25, "training moved the weights (max " + maxMoved + ")");
  }
}
