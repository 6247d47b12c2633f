package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.SteadyState;
import org.lrgrad.train.TrainTesting.Method;

/**
 * A training step in steady state allocates nothing on the Java heap, with every optimizer on every
 * implementation, counted by the thread's allocated-bytes counter. Each measured window holds 8 steps with two
 * projector refreshes (T = 4), batches of changing size, a LoRA merge, a loss and a prediction.
 *
 * <p>Windows are repeated until one allocates exactly 0 bytes, up to a deadline ({@link SteadyState}): the Vector
 * API kernels allocate until the JIT has compiled them, and the JVM itself very rarely charges a few hundred bytes to
 * the thread at some moment (seen about once in a few thousand steps, at random places, on JDK 25). An allocation of
 * the training code happens in every window, since each window runs every code path.
 */
class ZeroAllocationTest {
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("org.lrgrad.train.TrainTesting#implementationsMethodsModels")
  void steadyStateStepAllocatesNothing(Candidate candidate, Method method, TrainTesting.Model model) {
    Kernels k = Implementations.require(candidate);
    assertWindowsAllocateNothing(TrainTesting.trainer(k, model.make.get(), method.make.get(), 16, 3), method, model);
  }

  /** The same with fused updates, where each layer is updated from inside backward. */
  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("org.lrgrad.train.TrainTesting#implementationsMethodsModels")
  void steadyStateFusedStepAllocatesNothing(Candidate candidate, Method method, TrainTesting.Model model) {
    Kernels k = Implementations.require(candidate);
    Sequential m = model.make.get();
    Trainer trainer = Trainer.builder(m, 16).kernels(k).seed(3).fusedUpdates(true)
        .group(method.make.get(), m.parameters()).build();
    assertWindowsAllocateNothing(trainer, method, model);
  }

  private static void assertWindowsAllocateNothing(Trainer trainer, Method method, TrainTesting.Model model) {
    Kernels k = trainer.kernels();
    float[] logits = new float[16 * TrainTesting.PROBLEM.classes];
    window(trainer, logits); // warm-up: every path once
    int[] windows = {0};
    long allocated = SteadyState.leastBytesAllocated(() -> {
      window(trainer, logits);
      windows[0]++;
    });
    assertEquals(0L, allocated, method + " " + model + " on " + k + ": bytes allocated by the least allocating of "
        + windows[0] + " windows of 8 steps");
    assertEquals(8L * (windows[0] + 1), trainer.completedSteps(), "every step completed");
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
