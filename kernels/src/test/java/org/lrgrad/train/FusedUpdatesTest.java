package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting.Method;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryEntry;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Fused updates (each layer updated as soon as backward has its gradients): bit for bit the unfused step for every
 * optimizer, resumable bit for bit, with the ledger counting transient gradients sized to the largest parameter of
 * each position, and the documented non-finite policy.
 */
class FusedUpdatesTest {
  private static final int BATCH = 16;

  private static Trainer trainer(Kernels k, Sequential model, Optimizer optimizer, boolean fused) {
    return Trainer.builder(model, BATCH).kernels(k).seed(5).fusedUpdates(fused)
        .group(optimizer, model.parameters()).build();
  }

  /** Steps on changing batches, crossing refreshes (T = 4) for the low-rank methods. */
  private static void train(Trainer t, int from, int to) {
    for (int s = from; s < to; s++) {
      TrainTesting.step(t, (s % 4) * BATCH, BATCH - s % 3);
    }
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("org.lrgrad.train.TrainTesting#implementationsMethodsModels")
  void fusedStepsEqualUnfusedStepsBitForBit(Candidate candidate, Method method, TrainTesting.Model model) {
    Kernels k = Implementations.require(candidate);
    Trainer unfused = trainer(k, model.make.get(), method.make.get(), false);
    Trainer fused = trainer(k, model.make.get(), method.make.get(), true);
    train(unfused, 0, 9);
    train(fused, 0, 9);
    assertEquals(9, fused.completedSteps());
    TrainTesting.assertSameState(TrainTesting.snapshot(unfused), TrainTesting.snapshot(fused));
    Trainer untrained = trainer(k, model.make.get(), method.make.get(), true);
    String first = untrained.model().parameters().get(0).name();
    assertFalse(Arrays.equals((float[]) TrainTesting.snapshot(untrained).get(first),
        (float[]) TrainTesting.snapshot(fused).get(first)) && !(method.name.startsWith("LoRA")),
        "the steps changed " + first);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("org.lrgrad.train.TrainTesting#implementationsMethodsModels")
  void aResumedFusedRunIsTheUninterruptedOne(Candidate candidate, Method method, TrainTesting.Model model) {
    Kernels k = Implementations.require(candidate);
    Trainer straight = trainer(k, model.make.get(), method.make.get(), true);
    train(straight, 0, 10);
    Trainer first = trainer(k, model.make.get(), method.make.get(), true);
    train(first, 0, 5);
    Map<String, Object> saved = TrainTesting.snapshot(first);
    Trainer resumed = trainer(k, model.make.get(), method.make.get(), true);
    TrainTesting.restore(resumed, saved);
    train(resumed, 5, 10);
    TrainTesting.assertSameState(TrainTesting.snapshot(straight), TrainTesting.snapshot(resumed));
  }

  /** What the ledger should hold for gradients: per position in a layer, the largest parameter there. */
  @Test
  void theLedgerCountsOneTransientGradientPerPositionAndPeakEqualsLive() {
    Kernels k = Implementations.reference();
    // Linear(6, 10), ReLU, Linear(10, 4): weights 60 and 40 floats share one buffer of 60, biases 10 and 4 one of 10.
    Trainer unfused = trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), false);
    Trainer fused = trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), true);
    assertEquals(4L * (60 + 10 + 40 + 4), unfused.ledger().liveBytes(MemoryTag.GRADIENTS));
    assertEquals(4L * (60 + 10), fused.ledger().liveBytes(MemoryTag.GRADIENTS));
    assertEquals(unfused.ledger().liveBytes() - 4L * (40 + 4), fused.ledger().liveBytes(), "nothing else changes");
    assertEquals(fused.ledger().liveBytes(), fused.ledger().peakBytes(), "the peak is the buffers alive");
    long entries = 0;
    for (MemoryEntry e : fused.ledger().entries()) {
      entries += e.bytes();
      assertFalse(e.name().endsWith(".grad"), "no per-parameter full gradient: " + e);
    }
    assertEquals(fused.ledger().liveBytes(), entries, "every byte is a listed buffer");
    train(fused, 0, 3);
    assertEquals(fused.ledger().liveBytes(), fused.ledger().peakBytes(), "training allocates nothing more");
  }

  @Test
  void computeGradientsNeedsUnfusedTrainer() {
    Trainer fused = trainer(Implementations.reference(), TrainTesting.mlp(), Adam.adam(0.01f), true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> fused.computeGradients(
        TrainTesting.PROBLEM.x, 0, TrainTesting.PROBLEM.labels, 0, 4));
    assertTrue(e.getMessage().startsWith("computeGradients needs every gradient at once"), e.getMessage());
  }

  /** An identity layer that, when armed, turns the error flowing back through it into NaN. */
  static final class PoisonedError extends Layer {
    boolean armed;
    private int width;

    @Override
    public int inputWidth() {
      return -1;
    }

    @Override
    int outputWidth(int inputWidth) {
      width = inputWidth;
      return inputWidth;
    }

    @Override
    void declare(BufferAllocator allocator, int maxBatch) {}

    @Override
    public String toString() {
      return "PoisonedError"; // a configuration line that two such models share
    }

    @Override
    float[] forward(Kernels k, int batch, float[] x) {
      return x;
    }

    @Override
    float[] backward(Kernels k, int batch, float[] dy, float[] spare, boolean needInputError) {
      if (armed) {
        Arrays.fill(dy, 0, batch * width, Float.NaN);
      }
      return dy;
    }
  }

  /**
   * A gradient that turns non-finite mid-backward: unfused, the step changes nothing; fused, the layers after the
   * bad one (already updated) keep their update and the rest stay untouched, and the step counts as skipped.
   */
  @Test
  void aNonFiniteGradientMidBackwardEndsTheFusedStepThere() throws java.io.IOException {
    Kernels k = Implementations.reference();
    for (boolean fused : new boolean[] {false, true}) {
      PoisonedError poison = new PoisonedError();
      Sequential model = new Sequential(new Linear(6, 10), poison, new Relu(), new Linear(10, 4));
      Trainer t = trainer(k, model, Adam.adam(0.01f), fused);
      TrainTesting.step(t, 0, BATCH);
      Map<String, Object> before = TrainTesting.snapshot(t);
      poison.armed = true;
      float loss = TrainTesting.step(t, BATCH, BATCH);
      assertTrue(Float.isFinite(loss), "the loss is finite; only layer 0's gradient is not");
      assertTrue(t.lastStepSkipped());
      assertEquals(1, t.skippedSteps());
      assertEquals(1, t.completedSteps(), "a skipped step does not count");
      Map<String, Object> after = TrainTesting.snapshot(t);
      for (String name : List.of("0.weight", "0.bias", "0.weight.exp_avg", "0.weight.step")) {
        assertEquals(Arrays.deepToString(new Object[] {before.get(name)}), Arrays.deepToString(new Object[] {
            after.get(name)}), (fused ? "fused" : "unfused") + ": " + name + " is untouched");
      }
      for (String name : List.of("3.weight", "3.bias.exp_avg")) {
        boolean changed = !Arrays.equals((float[]) before.get(name), (float[]) after.get(name));
        assertEquals(fused, changed, (fused ? "fused: the layer after the bad one was already updated: "
            : "unfused: nothing changes: ") + name);
      }
      assertEquals(fused ? 2L : 1L, after.get("3.weight.step"), "the updated layer's own counter");
      // The trainer's own checkpoint restores, a layer's counter ahead of the completed steps included.
      java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
      org.lrgrad.train.checkpoint.Checkpoint.save(t, saved);
      Trainer restored = trainer(k, new Sequential(new Linear(6, 10), new PoisonedError(), new Relu(),
          new Linear(10, 4)), Adam.adam(0.01f), fused);
      org.lrgrad.train.checkpoint.Checkpoint.restore(restored, new java.io.ByteArrayInputStream(saved.toByteArray()),
          "partial step");
      TrainTesting.assertSameState(after, TrainTesting.snapshot(restored));
      poison.armed = false;
      TrainTesting.step(t, 0, BATCH);
      assertFalse(t.lastStepSkipped(), "training goes on");
      assertEquals(2, t.completedSteps());
    }
  }
}
