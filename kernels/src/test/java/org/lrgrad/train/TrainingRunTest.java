package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;

/** A small real training run: with every optimizer, for an MLP and an LSTM, on every implementation, loss drops. */
class TrainingRunTest {
  private static final int STEPS = 120;
  // Loss after / before: most methods end below 0.1 here; the slowest, Adafactor's relative step on the LSTM,
  // ends near 0.64, under the 0.7 asserted.

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("org.lrgrad.train.TrainTesting#implementationsMethodsModels")
  void lossDrops(Candidate candidate, Method method, TrainTesting.Model model) {
    Kernels k = Implementations.require(candidate);
    Optimizer optimizer = method.make.get();
    Trainer trainer = TrainTesting.trainer(k, model.make.get(), optimizer, 16, 7);
    int all = TrainTesting.PROBLEM.count;
    float before = trainer.loss(TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, 16);
    float first = Float.NaN;
    for (int s = 0; s < STEPS; s++) {
      int start = (s * 16) % all;
      float loss = TrainTesting.step(trainer, start, 16);
      if (s == 0) {
        first = loss;
      }
      assertTrue(Float.isFinite(loss), "step " + s + " loss " + loss);
    }
    assertEquals(before, first, 0f, "step() returns the loss before its update");
    float after = trainer.loss(TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, 16);
    assertEquals(STEPS, trainer.completedSteps());
    assertEquals(0, trainer.skippedSteps());
    assertTrue(after < 0.7f * before, method + " " + model + ": loss " + before + " -> " + after);
  }
}
