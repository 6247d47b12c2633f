package org.lrgrad.bench.experiment;

import org.lrgrad.bench.data.Batch;
import org.lrgrad.bench.data.LabeledImages;
import org.lrgrad.train.Trainer;

/**
 * A model's score on a set of images: accuracy, mean cross-entropy, and which images it got right (so that two
 * methods can be compared image by image).
 */
record Evaluation(double accuracy, double meanLoss, boolean[] correct) {

  /** Runs the trainer's model over every image, in batches of its maximum size; trains nothing. */
  static Evaluation of(Trainer trainer, LabeledImages images) {
    int batchSize = trainer.maxBatch();
    int classes = trainer.model().outputWidth();
    Batch batch = new Batch(batchSize, images.featureSize());
    float[] logits = new float[batchSize * classes];
    boolean[] correct = new boolean[images.size()];
    int right = 0;
    double lossSum = 0;
    for (int first = 0; first < images.size(); first += batchSize) {
      int n = images.fill(batch, first);
      trainer.predict(batch.features(), 0, n, logits, 0);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (logits[i * classes + c] > logits[i * classes + best]) {
            best = c;
          }
        }
        correct[first + i] = best == batch.labels()[i];
        right += correct[first + i] ? 1 : 0;
      }
      // The contract's loss on the logits already computed (no error buffer: nothing is trained).
      lossSum += (double) n * trainer.kernels().softmaxCrossEntropy(n, classes, logits, 0, classes, batch.labels(),
          0, null, 0, classes);
    }
    return new Evaluation((double) right / images.size(), lossSum / images.size(), correct);
  }
}
