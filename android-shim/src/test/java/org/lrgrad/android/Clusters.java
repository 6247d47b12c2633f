package org.lrgrad.android;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.lrgrad.kernels.SeededRandom;

/** Gaussian clusters around per-class centres: a task a small classifier learns in a few epochs. */
record Clusters(float[] x, int[] labels, int count) {
  static float[] centres(int classes, int features, SeededRandom random) {
    float[] c = new float[classes * features];
    random.fillGaussian(c, 0, c.length, 1f);
    return c;
  }

  static Clusters around(float[] centres, int classes, int count, float spread, SeededRandom random) {
    int features = centres.length / classes;
    float[] x = new float[count * features];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % classes;
      for (int f = 0; f < features; f++) {
        x[i * features + f] = centres[labels[i] * features + f] + (float) (spread * random.nextGaussian());
      }
    }
    return new Clusters(x, labels, count);
  }

  /** Weights of {@code description} drawn N(0, std²), as an npz archive. */
  static byte[] randomWeights(String description, float std, long seed) throws IOException {
    ModelDescription d = ModelDescription.parse(description);
    SeededRandom random = new SeededRandom(seed);
    float[][] weights = new float[d.parameterNames().size()][];
    for (int i = 0; i < weights.length; i++) {
      int[] shape = d.shapeOf(i);
      weights[i] = new float[shape.length == 2 ? shape[0] * shape[1] : shape[0]];
      random.fillGaussian(weights[i], 0, weights[i].length, std);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WeightsNpz.write(out, d, weights);
    return out.toByteArray();
  }

  static byte[] export(OnDeviceTrainer trainer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    trainer.exportWeights(out);
    return out.toByteArray();
  }
}
