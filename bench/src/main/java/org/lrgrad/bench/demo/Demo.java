package org.lrgrad.bench.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;

/**
 * The project's demo: trains an MLP on a seeded three-arm spiral task through the kernel contract, on the
 * implementation {@link KernelProvider#get()} picks (or {@code -Dlrgrad.kernels=NAME}), and prints each epoch's
 * training loss, test loss, test accuracy and time.
 */
public final class Demo {
  static final long SEED = 20200124L;
  static final int CLASSES = 3;
  static final int TRAIN_COUNT = 3000;
  static final int TEST_COUNT = 1000;
  static final double TURNS = 2.0;
  static final double NOISE = 0.03;
  static final int[] WIDTHS = {Spirals.DIMENSIONS, 64, 64, CLASSES};
  static final int BATCH = 32;
  static final float LEARNING_RATE = 0.005f;
  static final int EPOCHS = 30;

  private Demo() {}

  /** One epoch's outcome; the losses are means over samples. */
  record Epoch(int number, double trainLoss, double testLoss, double testAccuracy, double seconds) {}

  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println("usage: Demo (no arguments; -Dlrgrad.kernels=NAME picks the kernels)");
      System.exit(2);
    }
    run(KernelProvider.get(), EPOCHS, System.out);
  }

  static List<Epoch> run(Kernels kernels, int epochs, PrintStream out) {
    SeededRandom random = new SeededRandom(SEED);
    Spirals train = Spirals.generate(TRAIN_COUNT, CLASSES, TURNS, NOISE, random);
    Spirals test = Spirals.generate(TEST_COUNT, CLASSES, TURNS, NOISE, random);
    Mlp mlp = new Mlp(kernels, WIDTHS, BATCH, LEARNING_RATE, random);
    out.printf("lrgrad demo: %d-arm spirals (noise %.2f), %d train / %d test points; MLP %s with ReLU,"
        + " %d parameters; Adam lr %s, batch %d%n", CLASSES, NOISE, TRAIN_COUNT, TEST_COUNT, widths(),
        mlp.parameterCount(), LEARNING_RATE, BATCH);
    out.printf("kernels: %s (java %s)%n", kernels.name(), System.getProperty("java.version"));

    float[] batchX = new float[BATCH * Spirals.DIMENSIONS];
    int[] batchY = new int[BATCH];
    int[] order = new int[TRAIN_COUNT];
    for (int i = 0; i < TRAIN_COUNT; i++) {
      order[i] = i;
    }
    List<Epoch> history = new ArrayList<>();
    long start = System.nanoTime();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long epochStart = System.nanoTime();
      shuffle(order, random);
      double lossSum = 0;
      for (int first = 0; first < TRAIN_COUNT; first += BATCH) {
        int rows = Math.min(BATCH, TRAIN_COUNT - first);
        for (int r = 0; r < rows; r++) {
          int sample = order[first + r];
          System.arraycopy(train.features, sample * Spirals.DIMENSIONS, batchX, r * Spirals.DIMENSIONS,
              Spirals.DIMENSIONS);
          batchY[r] = train.labels[sample];
        }
        lossSum += (double) rows * mlp.trainStep(batchX, 0, batchY, 0, rows);
      }
      double[] lossAndCorrect = new double[2];
      for (int first = 0; first < TEST_COUNT; first += BATCH) {
        mlp.evaluate(test.features, first * Spirals.DIMENSIONS, test.labels, first,
            Math.min(BATCH, TEST_COUNT - first), lossAndCorrect);
      }
      Epoch result = new Epoch(epoch, lossSum / TRAIN_COUNT, lossAndCorrect[0] / TEST_COUNT,
          lossAndCorrect[1] / TEST_COUNT, (System.nanoTime() - epochStart) * 1e-9);
      history.add(result);
      out.printf("epoch %2d  train loss %.4f  test loss %.4f  test accuracy %5.1f%%  %.3f s%n", result.number(),
          result.trainLoss(), result.testLoss(), 100 * result.testAccuracy(), result.seconds());
    }
    out.printf("done: %d epochs in %.2f s on kernels '%s'; chance accuracy is %.1f%%%n", epochs,
        (System.nanoTime() - start) * 1e-9, kernels.name(), 100.0 / CLASSES);
    return history;
  }

  private static String widths() {
    StringBuilder s = new StringBuilder();
    for (int w : WIDTHS) {
      s.append(s.length() == 0 ? "" : "-").append(w);
    }
    return s.toString();
  }

  /** Fisher–Yates with the demo's seeded generator, so every run sees the same batches. */
  private static void shuffle(int[] order, SeededRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
