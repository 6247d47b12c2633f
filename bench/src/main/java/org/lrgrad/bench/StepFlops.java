package org.lrgrad.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.lrgrad.kernels.ReferenceKernels;
import org.lrgrad.train.Trainer;

/**
 * The products one whole training step computes ({@link TrainingStepBenchmark}'s model, batch and settings), per
 * optimizer: sgemm's 2·m·n·k floating-point operations per step, in total and by product (transposes and m×n×k),
 * counted on the reference kernels over steps 3 to 12, which hold no projector refresh (the low-rank methods draw
 * their projector at step 1 and every 50 steps). The ratio to SGD's count is the speed-up a method could reach if
 * its products ran as fast as SGD's and nothing else cost time: the FLOP bound of the training-step targets.
 *
 * <pre>
 * usage: StepFlops [OPTIMIZER...]   (default: sgd adam lrg-adam galore-adam lora-adam)
 * </pre>
 */
public final class StepFlops {
  private static final int SKIPPED = 2, COUNTED = 10;

  private StepFlops() {}

  /** The reference kernels, counting each product's operations by shape. */
  private static final class CountingKernels extends ReferenceKernels {
    final Map<String, Long> byProduct = new TreeMap<>();
    long total;

    @Override
    protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
        int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
      long flops = 2L * m * n * k;
      total += flops;
      byProduct.merge((transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k, flops, Long::sum);
      super.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }

  public static void main(String[] args) {
    String[] optimizers = args.length > 0 ? args
        : new String[] {"sgd", "adam", "lrg-adam", "galore-adam", "lora-adam"};
    double sgd = count("sgd", false);
    for (String optimizer : optimizers) {
      double perStep = count(optimizer, true);
      System.out.println(String.format(Locale.ROOT, "%-12s %7.1f MFLOP per step   SGD's / this: %.3f", optimizer,
          perStep, sgd / perStep));
    }
  }

  /** MFLOP per step of {@code optimizer}; with {@code print}, its products one per line. */
  private static double count(String optimizer, boolean print) {
    CountingKernels kernels = new CountingKernels();
    Trainer trainer = TrainingStepBenchmark.trainer(kernels, optimizer, 64, "auto");
    TrainingBatches batches = new TrainingBatches();
    for (int s = 0; s < SKIPPED; s++) {
      batches.step(trainer, s % TrainingBatches.COUNT);
    }
    kernels.total = 0;
    kernels.byProduct.clear();
    for (int s = SKIPPED; s < SKIPPED + COUNTED; s++) {
      batches.step(trainer, s % TrainingBatches.COUNT);
    }
    if (print) {
      System.out.println(optimizer + ", products per step (op(A) op(B), m x n x k: MFLOP):");
      kernels.byProduct.forEach((product, flops) -> System.out.println(String.format(Locale.ROOT,
          "    %-20s %7.2f", product, flops / 1e6 / COUNTED)));
    }
    return kernels.total / 1e6 / COUNTED;
  }
}
