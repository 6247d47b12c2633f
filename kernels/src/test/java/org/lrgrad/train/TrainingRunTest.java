package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;

/** A small real training run: with every optimizer, on every implementation, the loss drops. */
class TrainingRunTest {

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : KernelProvider.candidates()) {
      for (Method m : TrainTesting.methods()) {
        cases.add(Arguments.of(c, m));
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void lossDrops(Candidate candidate, Method method) {
    Kernels k = Implementations.require(candidate);
    Optimizer optimizer = method.make.get();
    Trainer trainer = TrainTesting.trainer(k, TrainTesting.mlp(), optimizer, 16, 7);
    int all = TrainTesting.PROBLEM.count;
    float before = trainer.loss(TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, 16);
    float first = Float.NaN;
    for (int s = 0; s < 60; s++) {
      int start = (s * 16) % all;
      float loss = TrainTesting.step(trainer, start, 16);
      if (s == 0) {
        first = loss;
      }
      assertTrue(Float.isFinite(loss), "step " + s + " loss " + loss);
    }
    assertEquals(before, first, 0f, "step() returns the loss before its update");
    float after = trainer.loss(TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, 16);
    assertEquals(60, trainer.completedSteps());
    assertEquals(0, trainer.skippedSteps());
    assertTrue(after < 0.5f * before, method + ": loss " + before + " -> " + after);
  }
}
