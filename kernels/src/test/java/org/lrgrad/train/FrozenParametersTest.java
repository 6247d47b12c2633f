package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryEntry;
import org.lrgrad.train.memory.MemoryTag;

/** "Train the head only": frozen parameters keep their values and cost no gradient and no optimizer state. */
class FrozenParametersTest {
  private static Trainer headOnly(Kernels k, Sequential model, Optimizer optimizer) {
    Linear body = (Linear) model.layers().get(0);
    Linear head = (Linear) model.layers().get(2);
    return Trainer.builder(model, 16).kernels(k).seed(4).freeze(body.parameters())
        .group(optimizer, head.parameters()).build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("implementationsMethods")
  void frozenParametersDoNotMoveAndTheHeadTrains(Candidate candidate, TrainTesting.Method method) {
    Kernels k = Implementations.require(candidate);
    Trainer t = headOnly(k, TrainTesting.mlp(), method.make.get());
    float[] body = t.weights("0.weight");
    float[] bias = t.weights("0.bias");
    float[] head = t.weights("2.bias");
    Examples all = new Examples(TrainTesting.PROBLEM.x, TrainTesting.PROBLEM.labels);
    double before = t.evaluate(all).loss();
    for (int s = 0; s < 12; s++) {
      TrainTesting.step(t, (s % 4) * 16, 16);
    }
    assertEquals(12, t.completedSteps());
    assertArrayEquals(body, t.weights("0.weight"), "frozen 0.weight is bit for bit as it was");
    assertArrayEquals(bias, t.weights("0.bias"));
    assertFalse(Arrays.equals(head, t.weights("2.bias")), "the head's bias trained");
    assertTrue(t.evaluate(all).loss() < before, method + ": the loss falls by training the head");
  }

  static java.util.List<org.junit.jupiter.params.provider.Arguments> implementationsMethods() {
    java.util.List<org.junit.jupiter.params.provider.Arguments> cases = new java.util.ArrayList<>();
    Implementations.all().forEach(c -> TrainTesting.methods().forEach(
        m -> cases.add(org.junit.jupiter.params.provider.Arguments.of(c, m))));
    return cases;
  }

  @Test
  void theLedgerHoldsOnlyTheWeightsOfFrozenParameters() {
    Kernels k = Implementations.reference();
    Trainer frozen = headOnly(k, TrainTesting.mlp(), Adam.adam(0.01f));
    Trainer all = TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), 16, 4);
    for (MemoryEntry e : frozen.ledger().entries()) {
      if (e.name().startsWith("0.")) {
        assertTrue(e.tag() == MemoryTag.WEIGHTS || e.tag() == MemoryTag.ACTIVATIONS, "frozen layer: " + e);
      }
    }
    // Layer 0 (60 + 10 floats) has no gradient and no two Adam moments.
    assertEquals(4L * (40 + 4), frozen.ledger().liveBytes(MemoryTag.GRADIENTS));
    assertEquals(4L * 2 * (40 + 4), frozen.ledger().liveBytes(MemoryTag.OPTIMIZER_STATE));
    assertEquals(all.ledger().liveBytes() - 4L * 3 * (60 + 10), frozen.ledger().liveBytes());
    String[] lines = frozen.configuration().split("\n");
    assertEquals("0.weight (10x6): frozen", lines[1]);
    assertEquals("0.bias (10): frozen", lines[2]);
    assertTrue(lines[3].startsWith("2.weight (4x10): Adam(lr=0.01"), lines[3]);
  }

  @Test
  void aParameterIsInOneGroupOrFrozenAndEveryOneIsCovered() {
    Sequential model = TrainTesting.mlp();
    Parameter w = model.parameters().get(0);
    Trainer.Builder b = Trainer.builder(model, 4).kernels(Implementations.reference()).freeze(w);
    assertEquals(w + " is already frozen; a parameter belongs to exactly one group or is frozen",
        assertThrows(IllegalArgumentException.class, () -> b.group(new Sgd(0.1f), w)).getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, b::build);
    assertEquals("0.bias (10) is in no group and not frozen; every parameter of the model needs a group, or freeze()"
        + " to leave it untrained", missing.getMessage());
  }
}
