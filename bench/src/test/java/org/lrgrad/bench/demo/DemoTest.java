package org.lrgrad.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.SeededRandom;

class DemoTest {
  private static final double CHANCE = 1.0 / Demo.CLASSES;

  /**
   * 15 epochs leave a margin for kernels that round differently (which shifts the trajectory as another seed
   * does): a by-hand sweep of the demo's seed over 1..12 gave test accuracies of 92.7% to 96.2% after 15 epochs.
   */
  @Test
  void theMlpLearnsTheSpiralsFarBeyondChance() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<Demo.Epoch> epochs = Demo.run(KernelProvider.get(), 15,
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertEquals(15, epochs.size());
    Demo.Epoch first = epochs.get(0), last = epochs.get(epochs.size() - 1);
    assertTrue(last.trainLoss() < 0.5 * first.trainLoss(),
        "training loss should halve: " + first.trainLoss() + " -> " + last.trainLoss());
    assertTrue(last.testLoss() < first.testLoss(), "test loss " + first.testLoss() + " -> " + last.testLoss());
    assertTrue(last.testAccuracy() > 0.85, "test accuracy " + last.testAccuracy() + ", chance is " + CHANCE);
    String output = printed.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("kernels: " + KernelProvider.get().name()), output);
    assertTrue(output.contains("epoch 15"), output);
  }

  /** The task is not linearly separable: the same training without hidden layers stays near chance. */
  @Test
  void aLinearClassifierCannotSolveTheTask() {
    SeededRandom random = new SeededRandom(Demo.SEED);
    Spirals train = Spirals.generate(Demo.TRAIN_COUNT, Demo.CLASSES, Demo.TURNS, Demo.NOISE, random);
    Spirals test = Spirals.generate(Demo.TEST_COUNT, Demo.CLASSES, Demo.TURNS, Demo.NOISE, random);
    Mlp linear = new Mlp(KernelProvider.get(), new int[] {Spirals.DIMENSIONS, Demo.CLASSES}, Demo.BATCH,
        Demo.LEARNING_RATE, random);
    for (int epoch = 0; epoch < 12; epoch++) {
      for (int first = 0; first < train.count; first += Demo.BATCH) {
        int rows = Math.min(Demo.BATCH, train.count - first);
        linear.trainStep(train.features, first * Spirals.DIMENSIONS, train.labels, first, rows);
      }
    }
    double[] lossAndCorrect = new double[2];
    for (int first = 0; first < test.count; first += Demo.BATCH) {
      linear.evaluate(test.features, first * Spirals.DIMENSIONS, test.labels, first,
          Math.min(Demo.BATCH, test.count - first), lossAndCorrect);
    }
    double accuracy = lossAndCorrect[1] / test.count;
    assertTrue(accuracy < CHANCE + 0.15, "a linear classifier reached " + accuracy);
  }

  @Test
  void spiralsAreBalancedAndInsideTheUnitDiscUpToNoise() {
    Spirals s = Spirals.generate(999, 3, 2.0, 0.0, new SeededRandom(1));
    int[] perClass = new int[3];
    for (int i = 0; i < s.count; i++) {
      perClass[s.labels[i]]++;
      double x = s.features[2 * i], y = s.features[2 * i + 1];
      assertTrue(x * x + y * y <= 1.0 + 1e-6, "point " + i + " at radius " + Math.hypot(x, y));
    }
    assertEquals(333, perClass[0]);
    assertEquals(333, perClass[1]);
    assertEquals(333, perClass[2]);
  }
}
