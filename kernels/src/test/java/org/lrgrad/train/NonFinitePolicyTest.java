package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;

/**
 * The non-finite policy of {@link Trainer}, for every optimizer: a step with a non-finite loss, or with a finite
 * loss but a non-finite gradient, is skipped and counted, changes no weight, state or counter, and training then
 * goes on exactly as if the bad batch had never come (also when it came at a projector refresh).
 */
class NonFinitePolicyTest {
  private static final float[] W1 = {
      1e-30f, 0.1f, -0.2f, 0.3f,
      1e-30f, -0.1f, 0.2f, 0.1f,
      1e-30f, 0.3f, 0.1f, -0.3f};
  private static final float[] B1 = {1f, 1f, 1f};
  private static final float[] W2 = {100f, 100f, 100f, -100f, -100f, -100f};
  private static final float[] B2 = {0f, 0f};

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : Implementations.all().toArray(Candidate[]::new)) {
      for (Method m : TrainTesting.methods()) {
        cases.add(Arguments.of(c, m));
      }
    }
    return cases;
  }

  /**
   * Linear(4, 3), ReLU, Linear(3, 2) with weights made so that one sample with x0 = 1e38 has a finite loss (the
   * tiny first column keeps the pre-activations near 1e8) but an infinite gradient (dW1[:, 0] = 200·1e38).
   */
  private static Trainer trainer(Kernels k, Method method) {
    Sequential model = new Sequential(new Linear(4, 3), new Relu(), new Linear(3, 2));
    Optimizer optimizer = method.make.get();
    Trainer trainer = Trainer.builder(model, 3).kernels(k).seed(9).group(optimizer, model.parameters()).build();
    model.parameters().get(0).copyFrom(W1, 0);
    model.parameters().get(1).copyFrom(B1, 0);
    model.parameters().get(2).copyFrom(W2, 0);
    model.parameters().get(3).copyFrom(B2, 0);
    return trainer;
  }

  /** Good batches leave feature 0 at 0, so the first column of W1 stays tiny for the bad batch. */
  private static final float[] GOOD_1 = {0f, 0.5f, -0.2f, 0.1f, 0f, -0.3f, 0.4f, 0.2f, 0f, 0.1f, 0.1f, -0.5f};
  private static final float[] GOOD_2 = {0f, -0.1f, 0.3f, 0.2f, 0f, 0.2f, -0.4f, 0.3f, 0f, -0.2f, 0.5f, 0.1f};
  private static final int[] GOOD_LABELS = {0, 1, 1};
  private static final float[] HUGE = {1e38f, 0f, 0f, 0f};
  private static final float[] INFINITE = {Float.POSITIVE_INFINITY, 0.5f, -0.2f, 0.1f};
  private static final int[] BAD_LABEL = {1};

  /**
   * @param refreshDue whether the step count is one where LRG and GaLore recompute their projectors: a skipped
   *     step may have recomputed one already (the next step recomputes it anyway, before using it), so projectors
   *     are compared only when no refresh is due; the comparison with the twin at the end shows no trace is left
   */
  private static void assertSkippedAndUnchanged(Trainer t, float[] x, long skippedBefore, boolean finiteLoss,
      boolean refreshDue) {
    Map<String, Object> before = TrainTesting.snapshot(t);
    float loss = t.step(x, 0, BAD_LABEL, 0, 1);
    if (finiteLoss) {
      assertTrue(Float.isFinite(loss), "this batch has a finite loss (" + loss + "), so the gradients are checked");
    }
    assertTrue(t.lastStepSkipped());
    assertEquals(skippedBefore + 1, t.skippedSteps());
    Map<String, Object> after = TrainTesting.snapshot(t);
    before.put("trainer.skipped_steps", skippedBefore + 1);
    if (refreshDue) {
      before.keySet().removeIf(name -> name.endsWith(".projector"));
      after.keySet().removeIf(name -> name.endsWith(".projector"));
    }
    TrainTesting.assertSameState(before, after);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void badStepsAreSkippedAndLeaveNoTrace(Candidate candidate, Method method) {
    Kernels k = Implementations.require(candidate);
    Trainer twin = trainer(k, method);
    twin.step(GOOD_1, 0, GOOD_LABELS, 0, 3);
    twin.step(GOOD_2, 0, GOOD_LABELS, 0, 3);

    Trainer t = trainer(k, method);
    // At step count 0, where LRG and GaLore compute their first projector:
    assertSkippedAndUnchanged(t, HUGE, 0, true, true);
    assertSkippedAndUnchanged(t, INFINITE, 1, false, true);
    assertTrue(Float.isFinite(t.step(GOOD_1, 0, GOOD_LABELS, 0, 3)));
    assertFalse(t.lastStepSkipped());
    assertSkippedAndUnchanged(t, INFINITE, 2, false, false);
    t.step(GOOD_2, 0, GOOD_LABELS, 0, 3);

    assertEquals(2, t.completedSteps());
    assertEquals(3, t.skippedSteps());
    Map<String, Object> want = TrainTesting.snapshot(twin);
    want.put("trainer.skipped_steps", 3L);
    TrainTesting.assertSameState(want, TrainTesting.snapshot(t));
  }

  /**
   * A NaN weight in front of a ReLU: its unit's pre-activation is NaN. ReLU keeps NaN (as torch.relu), so the loss
   * is NaN and the step is skipped; a ReLU that mapped NaN to 0 let the poisoned model train on unnoticed.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void aNanWeightMakesTheStepSkipped(Candidate candidate, Method method) {
    Kernels k = Implementations.require(candidate);
    Trainer t = trainer(k, method);
    float[] poisoned = W1.clone();
    poisoned[5] = Float.NaN;
    t.model().parameters().get(0).copyFrom(poisoned, 0);
    assertSkippedAndUnchanged(t, GOOD_1, 0, false, true);
    assertEquals(0, t.completedSteps());
  }
}
