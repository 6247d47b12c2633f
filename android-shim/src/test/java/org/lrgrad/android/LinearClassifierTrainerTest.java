package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.SeededRandom;

class LinearClassifierTrainerTest {
  private static final int FEATURES = 8;
  private static final int CLASSES = 4;

  /** Gaussian clusters around per-class centres: a task a linear classifier can learn. */
  private record Examples(float[] x, int[] labels, int count) {
    static Examples around(float[] centres, int count, float spread, SeededRandom random) {
      float[] x = new float[count * FEATURES];
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = i % CLASSES;
        for (int f = 0; f < FEATURES; f++) {
          x[i * FEATURES + f] = centres[labels[i] * FEATURES + f] + (float) (spread * random.nextGaussian());
        }
      }
      return new Examples(x, labels, count);
    }
  }

  private static float[] centres(SeededRandom random) {
    float[] c = new float[CLASSES * FEATURES];
    random.fillGaussian(c, 0, c.length, 1f);
    return c;
  }

  private static void train(LinearClassifierTrainer trainer, Examples data, int epochs, int batch) {
    float[] x = new float[batch * FEATURES];
    int[] y = new int[batch];
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int first = 0; first + batch <= data.count(); first += batch) {
        System.arraycopy(data.x(), first * FEATURES, x, 0, batch * FEATURES);
        System.arraycopy(data.labels(), first, y, 0, batch);
        trainer.trainStep(x, y, batch);
      }
    }
  }

  static List<Optimizer> optimizers() {
    return List.of(Optimizer.sgd(0.1f), Optimizer.momentum(0.05f, 0.9f), Optimizer.nesterov(0.05f, 0.9f),
        Optimizer.adam(0.02f), Optimizer.adamW(0.02f, 0.01f));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void everyOptimizerLearnsSeparableClusters(Optimizer optimizer) {
    SeededRandom random = new SeededRandom(7);
    float[] centres = centres(random);
    Examples train = Examples.around(centres, 400, 0.5f, random);
    Examples test = Examples.around(centres, 400, 0.5f, random);
    LinearClassifierTrainer trainer = new LinearClassifierTrainer(FEATURES, CLASSES,
        new float[CLASSES * FEATURES], new float[CLASSES], optimizer);
    Evaluation before = trainer.evaluate(test.x(), test.labels(), test.count());
    assertEquals(Math.log(CLASSES), before.loss(), 1e-6, "zero weights give uniform probabilities");

    train(trainer, train, 5, 16);

    Evaluation after = trainer.evaluate(test.x(), test.labels(), test.count());
    assertTrue(after.loss() < 0.5 * before.loss(), optimizer + ": " + before + " -> " + after);
    assertTrue(after.accuracy() > 0.9, optimizer + ": " + after);
    assertEquals(5 * (400 / 16), trainer.steps());
  }

  /**
   * The point of the facade: a classifier trained on everyone's data does poorly for a user whose features are
   * distributed differently, and a few steps on that user's own examples fix it.
   */
  @Test
  void personalizationRecoversAccuracyForAShiftedUser() {
    SeededRandom random = new SeededRandom(11);
    float[] population = centres(random);
    LinearClassifierTrainer global = new LinearClassifierTrainer(FEATURES, CLASSES,
        new float[CLASSES * FEATURES], new float[CLASSES], Optimizer.adam(0.02f));
    train(global, Examples.around(population, 800, 0.5f, random), 3, 16);

    // This user's classes sit where other classes sit for everyone else (a cyclic relabelling of the centres).
    float[] user = new float[population.length];
    for (int c = 0; c < CLASSES; c++) {
      System.arraycopy(population, ((c + 1) % CLASSES) * FEATURES, user, c * FEATURES, FEATURES);
    }
    Examples userTrain = Examples.around(user, 64, 0.5f, random);
    Examples userTest = Examples.around(user, 400, 0.5f, random);
    LinearClassifierTrainer personal = new LinearClassifierTrainer(FEATURES, CLASSES, global.weights(),
        global.bias(), Optimizer.adam(0.05f));
    Evaluation before = personal.evaluate(userTest.x(), userTest.labels(), userTest.count());
    assertTrue(before.accuracy() < 0.2, "the global model should fail this user: " + before);

    train(personal, userTrain, 10, 16);

    Evaluation after = personal.evaluate(userTest.x(), userTest.labels(), userTest.count());
    assertTrue(after.accuracy() > 0.9, "after personalization: " + after);
  }

  /** With SGD, the step is −lr·gradient: compare that gradient with central differences of the loss. */
  @Test
  void theStepFollowsTheLossGradient() {
    SeededRandom random = new SeededRandom(3);
    Examples batch = Examples.around(centres(random), 6, 1f, random);
    float[] w = new float[CLASSES * FEATURES];
    float[] b = new float[CLASSES];
    random.fillGaussian(w, 0, w.length, 0.3f);
    random.fillGaussian(b, 0, b.length, 0.3f);
    float lr = 1f;
    LinearClassifierTrainer trainer = new LinearClassifierTrainer(FEATURES, CLASSES, w, b, Optimizer.sgd(lr));
    trainer.trainStep(batch.x(), batch.labels(), batch.count());
    float[] wAfter = trainer.weights(), bAfter = trainer.bias();

    float h = 1e-2f;
    for (int i = 0; i < w.length + b.length; i++) {
      double stepped = i < w.length ? wAfter[i] - w[i] : bAfter[i - w.length] - b[i - w.length];
      double numeric = (lossWith(w, b, i, h, batch) - lossWith(w, b, i, -h, batch)) / (2 * h);
      assertEquals(numeric, -stepped / lr, 2e-3, "parameter " + i);
    }
  }

  private static double lossWith(float[] w, float[] b, int index, float delta, Examples batch) {
    float[] w2 = w.clone(), b2 = b.clone();
    if (index < w.length) {
      w2[index] += delta;
    } else {
      b2[index - w.length] += delta;
    }
    return new LinearClassifierTrainer(FEATURES, CLASSES, w2, b2, Optimizer.sgd(1f))
        .evaluate(batch.x(), batch.labels(), batch.count()).loss();
  }

  @Test
  void predictAgreesWithEvaluate() {
    SeededRandom random = new SeededRandom(5);
    Examples data = Examples.around(centres(random), 300, 1.2f, random);
    float[] w = new float[CLASSES * FEATURES];
    random.fillGaussian(w, 0, w.length, 1f);
    LinearClassifierTrainer trainer = new LinearClassifierTrainer(FEATURES, CLASSES, w, new float[CLASSES],
        Optimizer.sgd(0.1f));
    int correct = 0;
    for (int i = 0; i < data.count(); i++) {
      if (trainer.predict(data.x(), i * FEATURES) == data.labels()[i]) {
        correct++;
      }
    }
    assertEquals(correct, trainer.evaluate(data.x(), data.labels(), data.count()).correct());
  }

  @Test
  void badInputIsRefusedAndLeavesTheClassifierUnchanged() {
    float[] w = new float[CLASSES * FEATURES];
    float[] b = new float[CLASSES];
    new SeededRandom(9).fillGaussian(w, 0, w.length, 1f);
    LinearClassifierTrainer trainer = new LinearClassifierTrainer(FEATURES, CLASSES, w, b, Optimizer.adam(0.1f));
    float[] x = new float[2 * FEATURES];

    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> trainer.trainStep(x, new int[] {0, CLASSES}, 2));
    assertTrue(label.getMessage().contains("labels[1]=4 must be in [0, classes=4)"), label.getMessage());

    IndexOutOfBoundsException shortX = assertThrows(IndexOutOfBoundsException.class,
        () -> trainer.trainStep(new float[FEATURES], new int[] {0, 1}, 2));
    assertTrue(shortX.getMessage().contains("x.length >= 16"), shortX.getMessage());

    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> trainer.trainStep(x, new int[] {0}, 0));
    assertTrue(zero.getMessage().contains("batch=0 must be >= 1"), zero.getMessage());

    float[] nan = x.clone();
    nan[3] = Float.NaN;
    IllegalArgumentException nonFinite = assertThrows(IllegalArgumentException.class,
        () -> trainer.trainStep(nan, new int[] {0, 1}, 2));
    assertTrue(nonFinite.getMessage().contains("loss is NaN"), nonFinite.getMessage());

    assertArrayEquals(w, trainer.weights());
    assertArrayEquals(b, trainer.bias());
    assertEquals(0, trainer.steps());
    trainer.trainStep(x, new int[] {0, 1}, 2);
    assertEquals(1, trainer.steps(), "the trainer stays usable");
  }

  @Test
  void badConstructionIsRefusedWithTheArgumentNamed() {
    Optimizer sgd = Optimizer.sgd(0.1f);
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> new LinearClassifierTrainer(FEATURES, CLASSES, new float[7], new float[CLASSES], sgd));
    assertEquals("weights.length=7 must be classes*features=32", length.getMessage());
    float[] w = new float[CLASSES * FEATURES];
    w[5] = Float.POSITIVE_INFINITY;
    IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class,
        () -> new LinearClassifierTrainer(FEATURES, CLASSES, w, new float[CLASSES], sgd));
    assertEquals("weights[5]=Infinity must be finite", infinite.getMessage());
    IllegalArgumentException oneClass = assertThrows(IllegalArgumentException.class,
        () -> new LinearClassifierTrainer(FEATURES, 1, new float[FEATURES], new float[1], sgd));
    assertEquals("classes=1 must be >= 2", oneClass.getMessage());
    IllegalArgumentException lr = assertThrows(IllegalArgumentException.class, () -> Optimizer.adam(0f));
    assertEquals("learningRate=0.0 must be > 0", lr.getMessage());
    IllegalArgumentException mu = assertThrows(IllegalArgumentException.class,
        () -> Optimizer.momentum(0.1f, 1f));
    assertEquals("momentum=1.0 must be in [0, 1)", mu.getMessage());
  }

  @Test
  void exportedWeightsAreCopies() {
    LinearClassifierTrainer trainer = new LinearClassifierTrainer(FEATURES, CLASSES, new float[CLASSES * FEATURES],
        new float[CLASSES], Optimizer.sgd(0.1f));
    trainer.weights()[0] = 42f;
    trainer.bias()[0] = 42f;
    assertEquals(0f, trainer.weights()[0]);
    assertEquals(0f, trainer.bias()[0]);
  }
}
