package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryTag;

/** LoRA's invariants (docs/method.md §4.2) through the trainer. */
class LoraTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";
  private static final int BATCH = 16;

  private static float[] logits(Trainer t) {
    float[] out = new float[BATCH * TrainTesting.PROBLEM.classes];
    t.predict(TrainTesting.PROBLEM.x, 0, BATCH, out, 0);
    return out;
  }

  private static float[] gradient(Trainer t, String wanted) {
    float[][] found = new float[1][];
    t.visitGradients(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        if (name.equals(wanted)) {
          found[0] = data.clone();
        }
      }

      @Override
      public long counter(String name, long value) {
        return value;
      }
    });
    return found[0];
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void freshAdapterChangesNothingAndItsFirstGradientOfAIsZero(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Trainer lora = TrainTesting.trainer(k, TrainTesting.mlp(), new LoraAdam(0.01f, 3), BATCH, 4);
    Trainer plain = TrainTesting.trainer(k, TrainTesting.mlp(), new Sgd(0.01f), BATCH, 4);
    float[] want = logits(plain);
    float[] got = logits(lora);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 0f, "B = 0: the adapted model is the base model, logit " + i);
    }
    lora.computeGradients(TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, BATCH);
    for (String name : new String[] {"0.weight.lora_A.grad", "2.weight.lora_A.grad"}) {
      float[] g = gradient(lora, name);
      for (float v : g) {
        assertEquals(0f, v, 0f, name + " must be exactly 0 while B = 0");
      }
    }
    float[] gradB = gradient(lora, "0.weight.lora_B.grad");
    assertTrue(Arrays.stream(toDoubles(gradB)).anyMatch(v -> v != 0), "B's gradient is not 0");
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void mergeLeavesOutputsUnchangedAndRestartsTheAdapter(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), new LoraAdam(0.05f, 3).scale(2f), BATCH, 5);
    for (int s = 0; s < 6; s++) {
      TrainTesting.step(t, (s * BATCH) % TrainTesting.PROBLEM.count, BATCH);
    }
    Map<String, Object> before = TrainTesting.snapshot(t);
    float[] beforeLogits = logits(t);
    t.mergeLora();
    float[] afterLogits = logits(t);
    for (int i = 0; i < beforeLogits.length; i++) {
      assertEquals(beforeLogits[i], afterLogits[i], 1e-5f * (1 + Math.abs(beforeLogits[i])), "logit " + i);
    }
    Map<String, Object> after = TrainTesting.snapshot(t);
    for (String layer : new String[] {"0.weight", "2.weight"}) {
      for (float v : (float[]) after.get(layer + ".lora_B")) {
        assertEquals(0f, v, 0f, layer + ".lora_B after merge");
      }
      assertFalse(Arrays.equals((float[]) before.get(layer), (float[]) after.get(layer)), layer + " took s·B·A");
      assertFalse(Arrays.equals((float[]) before.get(layer + ".lora_A"), (float[]) after.get(layer + ".lora_A")),
          layer + ".lora_A is drawn afresh");
      assertEquals(0L, after.get(layer + ".step"));
      assertEquals(1L, after.get(layer + ".lora_merges"));
      for (float v : (float[]) after.get(layer + ".lora_A.exp_avg_sq")) {
        assertEquals(0f, v, 0f);
      }
    }
    float loss = TrainTesting.loss(t, 0, BATCH);
    float next = TrainTesting.step(t, 0, BATCH);
    assertEquals(loss, next, 0f);
    assertFalse(t.lastStepSkipped());
  }
}
