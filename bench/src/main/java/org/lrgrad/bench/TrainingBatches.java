package org.lrgrad.bench;

import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.Trainer;

/**
 * The batches that {@link TrainingStepBenchmark}, {@link InterleavedTrainingRun} and {@link WarmupRun} train the
 * study's MLP on: {@link #COUNT} batches of {@link TrainingStepBenchmark#BATCH} random inputs in [0, 1) (as pixels
 * are) with random labels, the same ones (seed 7) in every run so that their figures compare.
 */
final class TrainingBatches {
  /** Distinct batches the steps cycle through. */
  static final int COUNT = 8;

  private final float[] inputs;
  private final int[] labels;

  TrainingBatches() {
    int batch = TrainingStepBenchmark.BATCH;
    SeededRandom random = new SeededRandom(7);
    inputs = new float[COUNT * batch * TrainingStepBenchmark.WIDTHS[0]];
    labels = new int[COUNT * batch];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (int) (random.nextDouble() * TrainingStepBenchmark.WIDTHS[3]);
    }
  }

  /** One training step of {@code trainer} on batch {@code index} (0 to {@link #COUNT} − 1); its loss. */
  float step(Trainer trainer, int index) {
    int batch = TrainingStepBenchmark.BATCH;
    return trainer.step(inputs, index * batch * TrainingStepBenchmark.WIDTHS[0], labels, index * batch, batch);
  }
}
