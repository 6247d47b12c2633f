package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;

/**
 * A training step in steady state allocates nothing on the Java heap, with every optimizer on every
 * implementation, counted by the thread's allocated-bytes counter. Each measured window holds 8 steps with two
 * projector refreshes (T = 4), batches of changing size, a LoRA merge, a loss and a prediction.
 *
 * <p>The JVM itself very rarely charges a few hundred bytes to the thread at some moment (seen about once in a few
 * thousand steps, at random places, on JDK 25). So up to three windows are measured and one must be exactly 0: an
 * allocation of the training code happens in every window, since each window runs every code path.
 */
class ZeroAllocationTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int WINDOWS = 3;

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : KernelProvider.candidates()) {
      for (Method m : TrainTesting.methods()) {
        for (TrainTesting.Model model : TrainTesting.models()) {
          cases.add(Arguments.of(c, m, model));
        }
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void steadyStateStepAllocatesNothing(Candidate candidate, Method method, TrainTesting.Model model) {
    assertTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
        "this JVM must count allocated bytes per thread");
    Kernels k = Implementations.require(candidate);
    Optimizer optimizer = method.make.get();
    Trainer trainer = TrainTesting.trainer(k, model.make.get(), optimizer, 16, 3);
    float[] logits = new float[16 * TrainTesting.PROBLEM.classes];
    window(trainer, logits); // warm-up: every path once

    long[] allocated = new long[WINDOWS];
    for (int w = 0; w < WINDOWS; w++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      window(trainer, logits);
      allocated[w] = THREADS.getCurrentThreadAllocatedBytes() - before;
      if (allocated[w] == 0) {
        assertEquals(8L * (w + 2), trainer.completedSteps());
        return;
      }
    }
    fail(method + " " + model + " on " + k + " allocated in every window of 8 steps: " + Arrays.toString(allocated)
        + " bytes");
  }

  private static void window(Trainer trainer, float[] logits) {
    float[] x = TrainTesting.PROBLEM.x;
    int[] labels = TrainTesting.PROBLEM.labels;
    int in = TrainTesting.PROBLEM.in;
    for (int s = 0; s < 8; s++) {
      int start = (s % 4) * 16;
      trainer.step(x, start * in, labels, start, 16 - s % 3);
    }
    trainer.mergeLora();
    trainer.loss(x, 0, labels, 0, 16);
    trainer.predict(x, 0, 16, logits, 0);
  }
}
