package org.lrgrad.bench.experiment;

import java.io.PrintStream;
import java.util.Locale;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Sgd;
import org.lrgrad.train.Trainer;

/**
 * Training throughput of the experiment's MLP (784 → hidden → hidden → 10, ReLU) through {@link Trainer}: the
 * lrgrad side of {@code bench/compare-pytorch.sh}, whose PyTorch side ({@code bench/scripts/pytorch_throughput.py})
 * trains the same model, batch and optimizer for the same steps. Synthetic data of Fashion-MNIST's shape (Gaussian
 * pixels, uniform labels, a pool of batches cycled): the time of a dense step does not depend on the values. The
 * kernels are the provider's ({@code -Dlrgrad.kernels}) and their thread count {@code -Dlrgrad.threads}.
 *
 * <p>Prints the settings and the result on stderr and the samples per second alone on stdout's last line.
 *
 * <pre>
 * usage: Throughput adam|sgd [STEPS [WARMUP [BATCH [HIDDEN]]]]    (defaults 500, 50, 32, 1024)
 * </pre>
 */
public final class Throughput {
  static final int PIXELS = 28;
  static final int CLASSES = 10;
  /** Distinct batches of synthetic data, cycled. */
  static final int POOL = 16;

  private Throughput() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 5 || !(args[0].equals("adam") || args[0].equals("sgd"))) {
      System.err.println("usage: Throughput adam|sgd [STEPS [WARMUP [BATCH [HIDDEN]]]]   (defaults 500, 50, 32, 1024)");
      System.exit(2);
    }
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int hidden = args.length > 4 ? Integer.parseInt(args[4]) : 1024;
    double samplesPerSecond = run(KernelProvider.get(), args[0], steps, warmup, batch, hidden, System.err);
    System.out.println(String.format(Locale.ROOT, "%.1f", samplesPerSecond));
  }

  /**
   * Trains {@code warmup} steps (the JIT compiles), then times {@code steps} more; returns samples per second of
   * the timed steps.
   */
  static double run(Kernels kernels, String optimizer, int steps, int warmup, int batch, int hidden,
      PrintStream log) {
    if (steps < 1 || warmup < 0 || batch < 1 || hidden < 1) {
      throw new IllegalArgumentException("steps=" + steps + " must be >= 1, warmup=" + warmup + " >= 0, batch="
          + batch + " >= 1, hidden=" + hidden + " >= 1");
    }
    Sequential model = ModelKind.MLP.build(PIXELS, PIXELS, hidden, CLASSES);
    Trainer trainer = Trainer.builder(model, batch).kernels(kernels).seed(1)
        .group(optimizer(optimizer), model.parameters()).build();
    int width = PIXELS * PIXELS;
    float[] x = new float[POOL * batch * width];
    int[] labels = new int[POOL * batch];
    SeededRandom random = new SeededRandom(7);
    random.fillGaussian(x, 0, x.length, 1f);
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextInt(CLASSES);
    }
    for (int s = 0; s < warmup; s++) {
      step(trainer, x, labels, s, batch, width);
    }
    long start = System.nanoTime();
    float loss = 0;
    for (int s = 0; s < steps; s++) {
      loss = step(trainer, x, labels, warmup + s, batch, width);
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    double samplesPerSecond = (double) steps * batch / seconds;
    log.println(String.format(Locale.ROOT, "lrgrad: %s, kernels %s, lrgrad.threads=%s, batch %d, %d steps after %d"
        + " warm-up: %.2f s, %.1f samples/s (last loss %.3f, %d steps skipped)", describe(hidden, optimizer),
        kernels.name(), System.getProperty("lrgrad.threads", "unset"), batch, steps, warmup, seconds,
        samplesPerSecond, loss, trainer.skippedSteps()));
    return samplesPerSecond;
  }

  static String describe(int hidden, String optimizer) {
    return ModelKind.MLP.describe(PIXELS, PIXELS, hidden, CLASSES) + ", " + optimizer(optimizer).name();
  }

  /** The optimizers both sides run: PyTorch's Adam (lr 1e-3) and plain SGD (lr 0.01). */
  static Optimizer optimizer(String name) {
    return switch (name) {
      case "adam" -> Adam.adam(1e-3f);
      case "sgd" -> new Sgd(0.01f);
      default -> throw new IllegalArgumentException("optimizer '" + name + "' must be adam or sgd");
    };
  }

  private static float step(Trainer trainer, float[] x, int[] labels, int s, int batch, int width) {
    int b = s % POOL;
    return trainer.step(x, b * batch * width, labels, b * batch, batch);
  }
}
