package org.lrgrad.bench.experiment;

import org.lrgrad.bench.data.LabeledImages;
import org.lrgrad.train.Examples;
import org.lrgrad.train.Trainer;

/**
 * A model's score on a set of images, as {@link Trainer#evaluate(Examples, boolean[])} gives it: accuracy, mean
 * cross-entropy, and which images it got right (so that two methods can be compared image by image).
 */
record Evaluation(double accuracy, double meanLoss, boolean[] correct) {

  /** The trainer's model over every example; trains nothing. */
  static Evaluation of(Trainer trainer, Examples examples) {
    boolean[] correct = new boolean[examples.count()];
    org.lrgrad.train.Evaluation e = trainer.evaluate(examples, correct);
    return new Evaluation(e.accuracy(), e.loss(), correct);
  }

  /** The images as the library's examples: each image's pixels in [0, 1], row-major, and its label. */
  static Examples examples(LabeledImages images) {
    int width = images.featureSize();
    float[] features = new float[images.size() * width];
    int[] labels = new int[images.size()];
    for (int i = 0; i < images.size(); i++) {
      images.copyImage(i, features, i * width);
      labels[i] = images.label(i);
    }
    return new Examples(features, labels);
  }
}
