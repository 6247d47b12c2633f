package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/** Weights copied in and out by parameter name, with shape checks; LoRA's are the weights the model uses. */
class WeightsTest {
  private final Kernels k = Implementations.reference();

  @Test
  void setThenGetByNameWithShapeChecks() {
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), 4, 1);
    float[] values = new float[40];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.25f - 3f;
    }
    t.setWeights("2.weight", new int[] {4, 10}, values);
    assertArrayEquals(values, t.weights("2.weight"));
    assertArrayEquals(values, t.model().parameters().get(2).data(), "the live parameter");
    float[] copy = t.weights("2.weight");
    copy[0] = 99f;
    assertEquals(-3f, t.weights("2.weight")[0], "get returns a copy");
    Map<String, Object> before = TrainTesting.snapshot(t);
    assertEquals("shape of 2.weight=[10, 4], expected [4, 10]", assertThrows(IllegalArgumentException.class,
        () -> t.setWeights("2.weight", new int[] {10, 4}, values)).getMessage());
    assertEquals("values for 2.bias have 40 floats, expected 4", assertThrows(IllegalArgumentException.class,
        () -> t.setWeights("2.bias", new int[] {4}, values)).getMessage());
    float[] withInfinity = values.clone();
    withInfinity[17] = Float.NEGATIVE_INFINITY;
    assertEquals("values for 2.weight element 17 is -Infinity; weights must be finite", assertThrows(
        IllegalArgumentException.class, () -> t.setWeights("2.weight", new int[] {4, 10}, withInfinity)).getMessage());
    float[] withNaN = new float[4];
    withNaN[3] = Float.NaN;
    assertEquals("values for 2.bias element 3 is NaN; weights must be finite", assertThrows(
        IllegalArgumentException.class, () -> t.setWeights("2.bias", new int[] {4}, withNaN)).getMessage());
    assertEquals("no parameter '1.weight' in Sequential[Linear(6 -> 10), ReLU, Linear(10 -> 4)]; its parameters:"
        + " 0.weight, 0.bias, 2.weight, 2.bias", assertThrows(IllegalArgumentException.class,
        () -> t.weights("1.weight")).getMessage());
    TrainTesting.assertSameState(before, TrainTesting.snapshot(t));
  }

  /** With LoRA the getter returns W0 + s·B·A without touching the adapter: what mergeLora would fold in. */
  @Test
  void loraWeightsAreTheEffectiveOnesAndGettingChangesNothing() {
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), new LoraAdam(0.05f, 3).scale(2f), 8, 1);
    for (int s = 0; s < 5; s++) {
      TrainTesting.step(t, 8 * s, 8);
    }
    float[] w0 = t.model().parameters().get(0).data().clone();
    Map<String, Object> before = TrainTesting.snapshot(t);
    float[] effective = t.weights("0.weight");
    TrainTesting.assertSameState(before, TrainTesting.snapshot(t));
    assertFalse(Arrays.equals(w0, effective), "the adapter has moved the weight");
    t.mergeLora();
    assertArrayEquals(t.model().parameters().get(0).data(), effective, "merging folds in the same sum");
  }
}
