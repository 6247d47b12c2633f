package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/** {@link Trainer#fit} and {@link Trainer#evaluate}: batches, progress, cancel, checks, and no state change. */
class FitEvaluateTest {
  private static final TrainTesting.Problem P = TrainTesting.PROBLEM;

  private static Trainer trainer(Kernels k, int maxBatch) {
    return TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.02f), maxBatch, 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void fitIsTheSameStepsInOrderAndReportsProgress(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    // 64 examples in batches of 24: 24, 24, 16 per epoch.
    Trainer byFit = trainer(k, 24);
    Trainer byStep = trainer(k, 24);
    List<String> heard = new ArrayList<>();
    TrainingRun run = byFit.fit(new Examples(P.x, P.labels), 2,
        (step, total, loss) -> heard.add(step + "/" + total + ":" + loss));
    float last = Float.NaN;
    List<String> expected = new ArrayList<>();
    int step = 0;
    for (int epoch = 0; epoch < 2; epoch++) {
      for (int first = 0; first < 64; first += 24) {
        last = TrainTesting.step(byStep, first, Math.min(24, 64 - first));
        expected.add(++step + "/6:" + last);
      }
    }
    assertEquals(expected, heard);
    assertEquals(6, run.steps());
    assertEquals(6, run.plannedSteps());
    assertFalse(run.cancelled());
    assertEquals(Float.floatToRawIntBits(last), Float.floatToRawIntBits(run.lastLoss()));
    TrainTesting.assertSameState(TrainTesting.snapshot(byStep), TrainTesting.snapshot(byFit));
  }

  @Test
  void cancelStopsBeforeTheNextStepAndAnEarlierCancelIsForgotten() {
    Trainer t = trainer(Implementations.reference(), 8);
    t.cancel(); // before the run: no effect on it
    TrainingRun run = t.fit(new Examples(P.x, P.labels), 3, (step, total, loss) -> {
      if (step == 5) {
        t.cancel();
      }
    });
    assertTrue(run.cancelled());
    assertEquals(5, run.steps());
    assertEquals(24, run.plannedSteps());
    assertEquals(5, t.completedSteps());
  }

  @Test
  void badExamplesAreRefusedBeforeTheFirstStep() {
    Trainer t = trainer(Implementations.reference(), 8);
    int[] labels = P.labels.clone();
    labels[40] = P.classes;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> t.fit(new Examples(P.x, labels), 1, null));
    assertEquals("labels[40]=4 must be in [0, classes=4)", e.getMessage());
    IndexOutOfBoundsException shortX = assertThrows(IndexOutOfBoundsException.class,
        () -> t.evaluate(new Examples(new float[10], new int[] {0, 1})));
    assertTrue(shortX.getMessage().contains("features"), shortX.getMessage());
    // Whole arrays of another width (one float more per example, or one float more in all) are refused, not read
    // as misaligned rows; the first count rows of a longer array are fine.
    int width = P.x.length / P.labels.length;
    float[] wider = new float[P.labels.length * (width + 1)];
    assertEquals("features.length=" + wider.length + " must be labels.length=" + P.labels.length + " × the model's"
        + " input width " + width + " = " + P.x.length + " (features of another width? new Examples(features,"
        + " labels, count) takes the first count rows of longer arrays)", assertThrows(IllegalArgumentException.class,
        () -> t.evaluate(new Examples(wider, P.labels))).getMessage());
    float[] oneMore = java.util.Arrays.copyOf(P.x, P.x.length + 1);
    assertThrows(IllegalArgumentException.class, () -> t.fit(new Examples(oneMore, P.labels), 1, null));
    assertEquals(t.evaluate(new Examples(P.x, P.labels)).loss(),
        t.evaluate(new Examples(oneMore, P.labels, P.labels.length)).loss(), "the first count rows of a longer array");
    assertEquals("correct.length=1 must be >= examples.count()=2", assertThrows(IllegalArgumentException.class,
        () -> t.evaluate(new Examples(P.x, P.labels, 2), new boolean[1])).getMessage());
    assertEquals("epochs=0 must be >= 1", assertThrows(IllegalArgumentException.class,
        () -> t.fit(new Examples(P.x, P.labels), 0, null)).getMessage());
    assertEquals(0, t.completedSteps());
    TrainTesting.assertSameState(TrainTesting.snapshot(trainer(Implementations.reference(), 8)),
        TrainTesting.snapshot(t));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void evaluateIsTheMeanLossAndArgMaxAccuracyAndChangesNothing(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Trainer t = trainer(k, 24);
    t.fit(new Examples(P.x, P.labels), 2, null);
    java.util.Map<String, Object> before = TrainTesting.snapshot(t);
    Evaluation e = t.evaluate(new Examples(P.x, P.labels, 50));
    // One element past the examples: evaluate must leave it alone.
    boolean[] rightByExample = new boolean[51];
    rightByExample[50] = true;
    Evaluation marked = t.evaluate(new Examples(P.x, P.labels, 50), rightByExample);
    TrainTesting.assertSameState(before, TrainTesting.snapshot(t));
    // The same figures from loss() and predict(), one example at a time.
    double lossSum = 0;
    int correct = 0;
    float[] logits = new float[P.classes];
    // predictClasses on batches of 5, written from offset 1 of its output, the cell before left alone.
    int[] classes = new int[51];
    classes[0] = -7;
    for (int first = 0; first < 50; first += 5) {
      t.predictClasses(P.x, first * P.in, 5, classes, 1 + first);
    }
    assertEquals(-7, classes[0]);
    for (int i = 0; i < 50; i++) {
      lossSum += TrainTesting.loss(t, i, 1);
      t.predict(P.x, i * P.in, 1, logits, 0);
      int best = 0;
      for (int j = 1; j < P.classes; j++) {
        best = logits[j] > logits[best] ? j : best;
      }
      correct += best == P.labels[i] ? 1 : 0;
      assertEquals(best == P.labels[i], rightByExample[i], "example " + i);
      assertEquals(best, classes[1 + i], "predictClasses, example " + i);
    }
    assertTrue(rightByExample[50]);
    assertEquals(e.correct(), marked.correct());
    assertEquals(e.loss(), marked.loss());
    assertEquals(50, e.count());
    assertEquals(correct, e.correct());
    assertEquals(lossSum / 50, e.loss(), 1e-5 * Math.max(1, lossSum / 50));
    assertTrue(e.accuracy() > 0.5, "the clusters are learnt: " + e);
  }

  /**
   * evaluate allocates its result and nothing per batch: over 8 batches it allocates no more than over 1 (the
   * fewest bytes of many warmed-up runs, which drops the JVM's own rare charges to the thread).
   */
  @Test
  void evaluateAllocatesNothingPerBatch() {
    Trainer t = trainer(Implementations.reference(), 8);
    Examples one = new Examples(P.x, P.labels, 8);
    Examples eight = new Examples(P.x, P.labels, 64);
    long oneBatch = leastBytes(() -> t.evaluate(one));
    long eightBatches = leastBytes(() -> t.evaluate(eight));
    assertTrue(eightBatches <= oneBatch, "bytes of an evaluate over 8 batches " + eightBatches + " vs over 1 "
        + oneBatch);
    assertTrue(oneBatch < 1024, "an evaluate allocates its result only: " + oneBatch + " bytes");
  }

  private static long leastBytes(Runnable call) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 2000; i++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      call.run();
      least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
    }
    return least;
  }
}
