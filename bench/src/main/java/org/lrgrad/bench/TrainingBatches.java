package org.lrgrad.bench;

import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.Trainer;

/**
 * The batches that {@link TrainingStepBenchmark}, {@link InterleavedTrainingRun} and {@link WarmupRun} train the
 * study's MLP on: {@link #COUNT} batches of {@link TrainingStepBenchmark#BATCH} random inputs in [0, 1) (as pixels
 * are), the same ones (seed 7) in every run so that their figures compare, each step with labels drawn anew.
 *
 * <p>Why fresh labels: with the labels fixed, Adam and LRG-Adam memorize the 256 samples within a few hundred
 * steps (loss below 1e-4), and the benchmark then times a model with nothing left to learn, whose gradients shrink
 * towards the subnormal floats that x86 processes through microcode assists. Labels drawn anew cannot be memorized:
 * the loss stays near ln 10, as at the start of training, and the gradients keep their size.
 */
final class TrainingBatches {
  /** Distinct batches the steps cycle through. */
  static final int COUNT = 8;

  private final float[] inputs;
  private final int[] labels = new int[TrainingStepBenchmark.BATCH];
  private final SeededRandom labelRandom = new SeededRandom(11);

  TrainingBatches() {
    int batch = TrainingStepBenchmark.BATCH;
    SeededRandom random = new SeededRandom(7);
    inputs = new float[COUNT * batch * TrainingStepBenchmark.WIDTHS[0]];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (float) random.nextDouble();
    }
  }

  /**
   * One training step of {@code trainer} on the inputs of batch {@code index} (0 to {@link #COUNT} − 1) with labels
   * drawn now (32 draws, well under a microsecond against a step's milliseconds); its loss.
   */
  float step(Trainer trainer, int index) {
    int batch = TrainingStepBenchmark.BATCH;
    for (int i = 0; i < batch; i++) {
      labels[i] = labelRandom.nextInt(TrainingStepBenchmark.WIDTHS[3]);
    }
    return trainer.step(inputs, index * batch * TrainingStepBenchmark.WIDTHS[0], labels, 0, batch);
  }
}
