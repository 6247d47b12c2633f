package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;

/**
 * The state walk covers the whole training state: saving it from one trainer and writing it into a fresh one
 * built the same way makes the two continue bit for bit alike (the basis for checkpoints).
 */
class StateRoundTripTest {
  private final Kernels k = Implementations.reference();

  private static void train(Trainer t, int from, int steps) {
    for (int s = from; s < from + steps; s++) {
      TrainTesting.step(t, (s * 16) % TrainTesting.PROBLEM.count, 16);
      if (s == 4) {
        t.mergeLora();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.lrgrad.train.TrainTesting#methods")
  void restoredTrainerContinuesBitForBit(Method method) {
    Trainer original = TrainTesting.trainer(k, TrainTesting.mlp(), method.make.get(), 16, 21);
    train(original, 0, 3);
    Map<String, Object> saved = TrainTesting.snapshot(original);

    Trainer resumed = TrainTesting.trainer(k, TrainTesting.mlp(), method.make.get(), 16, 21);
    TrainTesting.restore(resumed, saved);
    TrainTesting.assertSameState(saved, TrainTesting.snapshot(resumed));
    train(original, 3, 6);
    train(resumed, 3, 6);
    TrainTesting.assertSameState(TrainTesting.snapshot(original), TrainTesting.snapshot(resumed));
  }

  @Test
  void stateOfAnotherSeedIsRefused() {
    Trainer a = TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), 16, 1);
    Trainer b = TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), 16, 2);
    Map<String, Object> before = TrainTesting.snapshot(b);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainTesting.restore(b, TrainTesting.snapshot(a)));
    assertTrue(e.getMessage().contains("seed 1"), e.getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(b));
  }
}
