package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/** Bad input gives a clear error naming what is wrong, before anything changes. */
class ValidationTest {
  private final Kernels k = Implementations.reference();

  private static <T extends Throwable> void assertMessage(Class<T> type, String part, Executable what) {
    T e = assertThrows(type, what);
    assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
  }

  @Test
  void hyperParameters() {
    assertMessage(IllegalArgumentException.class, "lr=-1.0 must be >= 0", () -> new Sgd(-1f));
    assertMessage(IllegalArgumentException.class, "lr=NaN must be finite", () -> Adam.adam(Float.NaN));
    assertMessage(IllegalArgumentException.class, "momentum=1.0 must be in [0, 1)", () -> new Sgd(0.1f).momentum(1f));
    assertMessage(IllegalArgumentException.class, "beta2=1.0 must be in [0, 1)", () -> Adam.adam(1e-3f).betas(0.9f,
        1f));
    assertMessage(IllegalArgumentException.class, "eps=-1.0E-8 must be >= 0", () -> Adam.adamW(1e-3f).eps(-1e-8f));
    assertMessage(IllegalArgumentException.class, "rank=0 must be >= 1", () -> LowRankAdam.lrg(1e-3f, 0));
    assertMessage(IllegalArgumentException.class, "rank=-2 must be >= 1", () -> new LoraAdam(1e-3f, -2));
    assertMessage(IllegalArgumentException.class, "updateInterval=0 must be >= 1",
        () -> LowRankAdam.galore(1e-3f, 4).updateInterval(0));
    assertMessage(IllegalArgumentException.class, "scale=0.0 must be > 0", () -> new LoraAdam(1e-3f, 4).scale(0f));
    assertMessage(IllegalStateException.class, "randomizedSvd applies to GaLore",
        () -> LowRankAdam.lrg(1e-3f, 4).randomizedSvd(4, 1));
    assertMessage(IllegalArgumentException.class, "decayRate=0.5 must be finite and < 0",
        () -> new Adafactor().decayRate(0.5f));
    assertMessage(IllegalArgumentException.class, "clipThreshold=0.0 must be > 0",
        () -> new Adafactor().clipThreshold(0f));
  }

  @Test
  void combinationsAreCheckedWhenBuilding() {
    Sequential model = TrainTesting.mlp();
    assertMessage(IllegalArgumentException.class, "nesterov needs momentum > 0",
        () -> Trainer.builder(model, 4).kernels(k).group(new Sgd(0.1f).nesterov(true), model.parameters()).build());
    Sequential other = TrainTesting.mlp();
    assertMessage(IllegalArgumentException.class, "warmupInit needs the relative step",
        () -> Trainer.builder(other, 4).kernels(k).group(new Adafactor().learningRate(0.1f).warmupInit(true),
            other.parameters()).build());
  }

  @Test
  void aBuiltOptimizerIsFixed() {
    Adam adam = Adam.adam(1e-3f);
    TrainTesting.trainer(k, TrainTesting.mlp(), adam, 4, 0);
    assertMessage(IllegalStateException.class, "Adam: a trainer was built with this optimizer",
        () -> adam.learningRate(0.1f));
  }

  @Test
  void groups() {
    Sequential model = TrainTesting.mlp();
    Sequential other = TrainTesting.mlp();
    Parameter w0 = model.parameters().get(0);
    assertMessage(IllegalArgumentException.class, "0.weight (10x6) is already in a group (Adam)",
        () -> Trainer.builder(model, 4).group(Adam.adam(1e-3f), w0).group(new Sgd(0.1f), w0));
    assertMessage(IllegalArgumentException.class, "is not a parameter of",
        () -> Trainer.builder(model, 4).group(new Sgd(0.1f), other.parameters().get(0)));
    assertMessage(IllegalArgumentException.class, "0.bias (10) is in no group",
        () -> Trainer.builder(model, 4).kernels(k).group(new Sgd(0.1f), w0).plan());
    assertMessage(IllegalArgumentException.class, "maxBatch=0 must be >= 1", () -> Trainer.builder(model, 0));
    TrainTesting.trainer(k, model, new Sgd(0.1f), 4, 0);
    assertMessage(IllegalArgumentException.class, "the model already belongs to a trainer",
        () -> Trainer.builder(model, 4));
  }

  @Test
  void models() {
    assertMessage(IllegalArgumentException.class,
        "layer 2 (Linear(5 -> 3)) takes inputs of width 5, but layer 1 (ReLU) outputs width 4",
        () -> new Sequential(new Linear(6, 4), new Relu(), new Linear(5, 3)));
    assertMessage(IllegalArgumentException.class, "layer 0 (ReLU) takes any width",
        () -> new Sequential(new Relu(), new Linear(5, 3)));
    assertMessage(IllegalArgumentException.class, "at least one layer", Sequential::new);
    Linear shared = new Linear(4, 4);
    new Sequential(shared);
    assertMessage(IllegalArgumentException.class, "Linear(4 -> 4) (layer 1) already belongs to a model",
        () -> new Sequential(new Linear(4, 4), shared));
    Linear twice = new Linear(4, 4);
    assertMessage(IllegalArgumentException.class, "is both layer 0 and layer 1",
        () -> new Sequential(twice, twice));
    Linear first = new Linear(6, 4);
    assertThrows(IllegalArgumentException.class, () -> new Sequential(first, new Linear(5, 3)));
    assertEquals("0.weight", new Sequential(first).parameters().get(0).name(), "a refused model claims no layer");
    assertMessage(IllegalArgumentException.class, "out=0 must be >= 1", () -> new Linear(3, 0));
    assertMessage(IllegalStateException.class, "0.weight has no storage yet",
        () -> new Sequential(new Linear(2, 2)).parameters().get(0).data());
  }

  @Test
  void batchesAreCheckedBeforeAnythingChanges() {
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), Adam.adam(0.01f), 8, 0);
    TrainTesting.step(t, 0, 8);
    Map<String, Object> before = TrainTesting.snapshot(t);
    float[] x = TrainTesting.PROBLEM.x;
    int[] labels = TrainTesting.PROBLEM.labels;
    assertMessage(IllegalArgumentException.class, "batch=9 > maxBatch=8", () -> t.step(x, 0, labels, 0, 9));
    assertMessage(IllegalArgumentException.class, "batch=0 must be >= 1", () -> t.step(x, 0, labels, 0, 0));
    assertMessage(IndexOutOfBoundsException.class, "x.length", () -> t.step(new float[47], 0, labels, 0, 8));
    assertMessage(IndexOutOfBoundsException.class, "labels.length", () -> t.step(x, 0, new int[7], 0, 8));
    int[] badLabels = {0, 1, 7, 2};
    assertMessage(IllegalArgumentException.class, "labels[2]=7 must be in [0, classes=4)",
        () -> t.step(x, 0, badLabels, 0, 4));
    assertMessage(IndexOutOfBoundsException.class, "out.length",
        () -> t.predict(x, 0, 4, new float[15], 0));
    TrainTesting.assertSameState(before, TrainTesting.snapshot(t));
    assertEquals(1, t.completedSteps());
    assertEquals(0, t.skippedSteps());
  }
}
