package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * softmaxCrossEntropy on every implementation: the mean loss and dlogits = (softmax − onehot) / batch in float64,
 * logits far from zero (no overflow or underflow), dlogits null, dlogits in place of logits, labels checked first.
 */
class SoftmaxCrossEntropyTest {
  private static final double U = Tolerance.U;
  private static final int[] BATCHES = {1, 2, 3, 7, 8, 9, 13, 33};
  /** (offset, spread): logits are offset + spread·uniform[-1, 1); ±80 with spread 20 overflow exp without the max. */
  private static final float[][] LOGITS = {{0f, 1f}, {0f, 5f}, {80f, 20f}, {-80f, 20f}};

  /** The expected loss and dlogits with their bounds. */
  private static final class Expected {
    double loss, lossBound;
    double[] dlogits, bound;
  }

  /**
   * In float64 from the float32 logits. Bounds for a float32 kernel that subtracts each row's maximum first: exp of
   * l − max is off by u·(|l − max| + 4) relatively (the subtraction, and exp within a few ulp), the row sum S by
   * 2(classes + 2)u more; log S is then off by S's relative error, and the mean over the batch adds its own depth.
   */
  private static Expected oracle(int batch, int classes, Matrix logits, int[] labels) {
    Expected e = new Expected();
    e.dlogits = new double[batch * classes];
    e.bound = new double[batch * classes];
    double lossSum = 0, lossErrors = 0;
    for (int b = 0; b < batch; b++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits.get(b, c));
      }
      double sum = 0, spread = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits.get(b, c) - max);
        spread = Math.max(spread, max - logits.get(b, c));
      }
      double relSum = 2 * (classes + 2) * U + U * (spread + 4);
      double shifted = logits.get(b, labels[b]) - max;
      double rowLoss = Math.log(sum) - shifted;
      lossSum += rowLoss;
      lossErrors += relSum + 2 * U * (Math.log(sum) + Math.abs(shifted) + rowLoss);
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(logits.get(b, c) - max) / sum;
        double relP = U * (max - logits.get(b, c) + 4) + relSum + U;
        double grad = p - (c == labels[b] ? 1 : 0);
        e.dlogits[b * classes + c] = grad / batch;
        e.bound[b * classes + c] = (p * relP + 2 * U * Math.abs(grad)) / batch + Double.MIN_NORMAL;
      }
    }
    e.loss = lossSum / batch;
    e.lossBound = lossErrors / batch + Tolerance.forDot(batch, e.loss);
    return e;
  }

  private static Matrix logits(Random rnd, int batch, int classes, float offset, float spread) {
    Matrix logits = Matrix.random(rnd, batch, classes, rnd.nextInt(6), rnd.nextInt(4));
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < classes; c++) {
        logits.set(b, c, offset + spread * logits.get(b, c));
      }
    }
    return logits;
  }

  private static int[] labels(Random rnd, int batch, int classes) {
    int[] labels = new int[batch];
    for (int b = 0; b < batch; b++) {
      labels[b] = rnd.nextInt(classes);
    }
    return labels;
  }

  private static void assertLoss(String context, Expected e, float loss) {
    if (!(Math.abs(loss - e.loss) <= e.lossBound)) {
      fail(context + ": loss " + loss + ", want " + e.loss + " (|diff|=" + Math.abs(loss - e.loss) + " > bound "
          + e.lossBound + ")");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverShapesAndLogitRanges(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(100);
    int cases = 0;
    for (int classes : Sizes.ELEMENTWISE) {
      for (float[] range : LOGITS) {
        int batch = BATCHES[cases++ % BATCHES.length];
        Matrix logits = logits(rnd, batch, classes, range[0], range[1]);
        int[] labels = labels(rnd, batch, classes);
        Matrix dlogits = Matrix.filled(batch, classes, rnd.nextInt(6), rnd.nextInt(4), Float.NaN);
        Matrix logitsBefore = logits.copy();
        Expected e = oracle(batch, classes, logits, labels);
        String context = kernels + " softmaxCrossEntropy batch=" + batch + " classes=" + classes + " logits "
            + range[0] + " ± " + range[1] + " ldlogits=" + logits.ld + " lddlogits=" + dlogits.ld;

        float loss = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, labels, 0,
            dlogits.data, dlogits.off, dlogits.ld);
        assertLoss(context, e, loss);
        Tolerance.assertClose(context + " dlogits", dlogits, e.dlogits, e.bound);
        dlogits.assertCanariesIntact(context + " dlogits");
        logits.assertUnchanged(context + " logits", logitsBefore);

        float lossOnly = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, labels, 0,
            null, 0, 0);
        assertLoss(context + " (dlogits null)", e, lossOnly);
        logits.assertUnchanged(context + " logits (dlogits null)", logitsBefore);

        // dlogits in place of logits (same offset and leading dimension): labels offset too.
        int[] shiftedLabels = new int[batch + 2];
        System.arraycopy(labels, 0, shiftedLabels, 2, batch);
        float inPlace = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, shiftedLabels,
            2, logits.data, logits.off, logits.ld);
        assertLoss(context + " (in place)", e, inPlace);
        Tolerance.assertClose(context + " dlogits in place", logits, e.dlogits, e.bound);
        logits.assertCanariesIntact(context + " dlogits in place");
      }
    }
  }

  /** Rows whose exp would overflow (100) or underflow to subnormals (−100) if the maximum were not subtracted. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void extremeLogitsStayFinite(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    int batch = 3, classes = 7;
    Matrix logits = Matrix.filled(batch, classes, 1, 2, 100f);
    for (int c = 0; c < classes; c++) {
      logits.set(1, c, -100f);
      logits.set(2, c, c == 3 ? 100f : 60f);
    }
    int[] labels = {0, 6, 2};
    Matrix dlogits = Matrix.filled(batch, classes, 0, 1, Float.NaN);
    Expected e = oracle(batch, classes, logits, labels);
    float loss = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, labels, 0,
        dlogits.data, dlogits.off, dlogits.ld);
    String context = kernels + " softmaxCrossEntropy with logits ±100";
    assertLoss(context, e, loss);
    Tolerance.assertClose(context + " dlogits", dlogits, e.dlogits, e.bound);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(101);
    // batch = 3, classes = 5: logits and dlogits 15 floats, labels 3.
    float[] l = BadInput.array(rnd, 15), d = BadInput.array(rnd, 15), s = BadInput.array(rnd, 40);
    int[] y = {0, 4, 2};
    BadInput bad = BadInput.watching(l, d, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.softmaxCrossEntropy(0, 5, l, 0, 5, y, 0, d, 0, 5), "batch=0", ">= 1");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, -5, l, 0, 5, y, 0, d, 0, 5), "classes=-5", ">= 1");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, null, 0, 5, y, 0, d, 0, 5), "logits must not be null");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, null, 0, d, 0, 5), "labels must not be null");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, l, 0, 4, y, 0, d, 0, 5), "ldlogits=4 < 5");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, y, 0, d, 0, 3), "lddlogits=3 < 5");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, -1, 5, y, 0, d, 0, 5), "logitsOff=-1");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, y, -1, d, 0, 5), "labelsOff=-1");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, y, 0, d, -1, 5), "dlogitsOff=-1");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, 1, 5, y, 0, d, 0, 5), "logits.length >= 16",
        "logits.length=15");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, y, 1, d, 0, 5), "labels.length >= 4",
        "labels.length=3");
    bad.rejects(oob, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, y, 0, d, 0, 6), "dlogits.length >= 17",
        "dlogits.length=15");
    // Every label is checked before dlogits is written, the last one included.
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, new int[] {0, 1, 5}, 0, d, 0, 5), "labels[2]=5",
        "[0, classes=5)");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, l, 0, 5, new int[] {9, -1, 0, 3}, 1, d, 0, 5),
        "labels[0]=-1", "[0, classes=5)");
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, s, 0, 5, y, 0, s, 10, 5), "dlogits [10, 25) overlaps logits"
        + " [0, 15)", "only exact aliasing");
    // In place needs the same leading dimension too.
    bad.rejects(iae, () -> k.softmaxCrossEntropy(3, 5, s, 0, 5, y, 0, s, 0, 6), "dlogits [0, 17) overlaps logits"
        + " [0, 15)");
  }

  /** Each write of the racing thread happens (an opaque write, which the JIT may not merge with the next). */
  private static final VarHandle LABEL = MethodHandles.arrayElementVarHandle(int[].class);

  /**
   * A thread rewrites a label while the call runs: between the check and its use the label may change from a valid
   * class to one far past the logits. An implementation may throw (the label is seen bad) or return the loss of the
   * valid label; it must never read memory outside the logits with the changed label (a native version that read
   * the label again after checking it returned losses from other memory, or crashed the JVM for larger labels).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void aLabelRewrittenDuringTheCallNeverIndexesPastTheLogits(Candidate candidate) throws InterruptedException {
    Kernels kernels = Implementations.require(candidate);
    int batch = 64, classes = 512, valid = 3, racing = batch - 1;
    // The label checked first and used last: the longest window between the two.
    int farOutside = 2 * batch * classes;
    Random rnd = new Random(102);
    Matrix logits = logits(rnd, batch, classes, 0f, 5f);
    int[] labels = labels(rnd, batch, classes);
    labels[racing] = valid;
    float expected = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, labels, 0,
        null, 0, 0);
    AtomicBoolean stop = new AtomicBoolean();
    Thread racer = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        LABEL.setOpaque(labels, racing, (i & 1) == 0 ? farOutside : valid);
      }
    }, "label-racer");
    racer.setDaemon(true);
    racer.start();
    try {
      for (int call = 0; call < 3000; call++) {
        try {
          float loss = kernels.softmaxCrossEntropy(batch, classes, logits.data, logits.off, logits.ld, labels, 0,
              null, 0, 0);
          if (Float.floatToRawIntBits(loss) != Float.floatToRawIntBits(expected)) {
            fail(kernels + " call " + call + " with labels[" + racing + "] racing between " + valid + " and "
                + farOutside + ": loss " + loss + ", the valid label's is " + expected + " (read outside the"
                + " logits?)");
          }
        } catch (IllegalArgumentException | IndexOutOfBoundsException seenBad) {
          // allowed: the check or the array's bounds saw the far label
        }
      }
    } finally {
      stop.set(true);
      racer.join();
    }
  }
}
