package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/** Learning-rate schedules: their factors, their effect on updates, the configuration, and checkpoints. */
class LearningRateScheduleTest {
  @Test
  void factorsFollowTheFormulas() {
    LearningRateSchedule cosine = LearningRateSchedule.cosine(10, 0.1f);
    assertEquals(1f, cosine.factor(0));
    assertEquals((float) (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.3))), cosine.factor(3));
    assertEquals(0.55f, cosine.factor(5), 1e-7f);
    assertEquals(0.1f, cosine.factor(10), 1e-7f);
    assertEquals(0.1f, cosine.factor(1000), 1e-7f, "stays at the minimum after totalSteps");
    LearningRateSchedule step = LearningRateSchedule.step(4, 0.5f);
    assertEquals(1f, step.factor(3));
    assertEquals(0.5f, step.factor(4));
    assertEquals(0.125f, step.factor(12));
    LearningRateSchedule warmup = LearningRateSchedule.linearWarmup(4);
    assertEquals(0.25f, warmup.factor(0));
    assertEquals(0.75f, warmup.factor(2));
    assertEquals(1f, warmup.factor(3));
    assertEquals(1f, warmup.factor(100));
    LearningRateSchedule warmCosine = LearningRateSchedule.cosine(10, 0f).afterWarmup(2);
    assertEquals(0.5f, warmCosine.factor(0));
    assertEquals(1f, warmCosine.factor(2), "the cosine starts after the warm-up");
    assertEquals(0f, warmCosine.factor(12), 1e-7f);
    assertEquals(1f, LearningRateSchedule.constant().factor(123));
  }

  @Test
  void badSettingsAreRefused() {
    assertEquals("totalSteps=0 must be >= 1", assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.cosine(0, 0f)).getMessage());
    assertEquals("minFactor=1.5 must be in [0, 1]", assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.cosine(5, 1.5f)).getMessage());
    assertEquals("gamma=NaN must be in [0, 1]", assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.step(5, Float.NaN)).getMessage());
    assertEquals("step=-1 must be >= 0", assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.constant().factor(-1)).getMessage());
  }

  /**
   * Every optimizer of the test catalog honours its schedule: with a factor that drops to 0 after the first step,
   * later steps leave every weight as the first step left it (Flora and APOLLO once ignored the schedule).
   * Adafactor with a first moment is the exception by design: like the reference implementation it keeps the moving
   * average of updates already scaled by the step size, which goes on moving the weights.
   */
  @Test
  void everyOptimizerStopsMovingWhenItsScheduleReachesZero() {
    Kernels k = Implementations.reference();
    for (TrainTesting.Method method : TrainTesting.methods()) {
      Optimizer optimizer = method.make.get();
      if (optimizer instanceof Adafactor && ((Adafactor) optimizer).beta1() != 0f) {
        continue;
      }
      ((ChainingOptimizer<?>) optimizer).schedule(LearningRateSchedule.step(1, 0f));
      Trainer trainer = TrainTesting.trainer(k, TrainTesting.mlp(), optimizer, 8, 3);
      TrainTesting.step(trainer, 0, 8);
      Map<String, float[]> afterFirst = new java.util.HashMap<>();
      for (Parameter p : trainer.model().parameters()) {
        afterFirst.put(p.name(), trainer.weights(p.name()));
      }
      for (int s = 1; s < 4; s++) {
        TrainTesting.step(trainer, 8 * s, 8);
      }
      assertEquals(4, trainer.completedSteps(), method.name);
      for (Parameter p : trainer.model().parameters()) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(afterFirst.get(p.name()), trainer.weights(p.name()),
            method.name + ": " + p.name() + " moved at a learning-rate factor of 0");
      }
    }
  }

  /** A scheduled SGD step is the constant-rate step at lr·factor, bit for bit. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void aScheduledStepUsesTheScaledRate(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    LearningRateSchedule schedule = LearningRateSchedule.step(1, 0.5f);
    Trainer scheduled = TrainTesting.trainer(k, TrainTesting.mlp(), new Sgd(0.2f).schedule(schedule), 8, 1);
    for (int s = 0; s < 3; s++) {
      TrainTesting.step(scheduled, 8 * s, 8);
    }
    // The same three steps, each by a trainer at the constant rate lr·factor, state carried over.
    Map<String, Object> state = null;
    for (int s = 0; s < 3; s++) {
      Trainer constant = TrainTesting.trainer(k, TrainTesting.mlp(), new Sgd(0.2f * schedule.factor(s)), 8, 1);
      if (state != null) {
        TrainTesting.restore(constant, state);
      }
      TrainTesting.step(constant, 8 * s, 8);
      state = TrainTesting.snapshot(constant);
    }
    TrainTesting.assertSameState(state, TrainTesting.snapshot(scheduled));
  }

  @Test
  void theScheduleIsPartOfTheConfigurationAndAResumedRunContinuesIt() {
    Kernels k = Implementations.reference();
    java.util.function.Supplier<Optimizer> make =
        () -> LowRankAdam.lrg(0.02f, 3).updateInterval(4).schedule(LearningRateSchedule.cosine(8, 0.1f));
    Trainer straight = TrainTesting.trainer(k, TrainTesting.mlp(), make.get(), 8, 2);
    assertTrue(straight.configuration().contains("0.weight (10x6): LRG-Adam(lr=0.02, ")
        && straight.configuration().contains(", schedule=cosine(totalSteps=8, minFactor=0.1))"),
        straight.configuration());
    assertTrue(straight.configuration().contains("0.bias (10): AdamW(lr=0.02, betas=(0.9, 0.999), eps=1.0E-6,"
        + " weightDecay=0.0, convention=GALORE, schedule=cosine(totalSteps=8, minFactor=0.1)), as LRG-Adam"),
        "biases follow the group's schedule: " + straight.configuration());
    assertNotEquals(straight.configuration(), TrainTesting.trainer(k, TrainTesting.mlp(),
        LowRankAdam.lrg(0.02f, 3).updateInterval(4).schedule(LearningRateSchedule.cosine(9, 0.1f)), 8, 2)
        .configuration());
    for (int s = 0; s < 10; s++) {
      TrainTesting.step(straight, 8 * (s % 8), 8);
    }
    Trainer first = TrainTesting.trainer(k, TrainTesting.mlp(), make.get(), 8, 2);
    for (int s = 0; s < 5; s++) {
      TrainTesting.step(first, 8 * (s % 8), 8);
    }
    Trainer resumed = TrainTesting.trainer(k, TrainTesting.mlp(), make.get(), 8, 2);
    TrainTesting.restore(resumed, TrainTesting.snapshot(first));
    for (int s = 5; s < 10; s++) {
      TrainTesting.step(resumed, 8 * (s % 8), 8);
    }
    TrainTesting.assertSameState(TrainTesting.snapshot(straight), TrainTesting.snapshot(resumed));
    // Without the restore the schedule would restart: the run differs.
    Trainer restarted = TrainTesting.trainer(k, TrainTesting.mlp(), make.get(), 8, 2);
    TrainTesting.restore(restarted, TrainTesting.snapshot(first));
    restarted.visitState(new StateVisitor() {
      @Override
      public void buffer(String name, org.lrgrad.train.memory.MemoryTag tag, float[] data) {}

      @Override
      public long counter(String name, long value) {
        return name.equals("trainer.completed_steps") ? 0 : value;
      }
    });
    for (int s = 5; s < 10; s++) {
      TrainTesting.step(restarted, 8 * (s % 8), 8);
    }
    assertNotEquals(java.util.Arrays.toString((float[]) TrainTesting.snapshot(straight).get("2.bias")),
        java.util.Arrays.toString((float[]) TrainTesting.snapshot(restarted).get("2.bias")),
        "the schedule's position is the trainer's step counter");
  }

  /** Through the checkpoint format: the same schedule resumes bit for bit, another one is refused. */
  @Test
  void aCheckpointRestoresOnlyIntoTheSameSchedule() throws java.io.IOException {
    Kernels k = Implementations.reference();
    Trainer first = TrainTesting.trainer(k, TrainTesting.mlp(),
        Adam.adam(0.02f).schedule(LearningRateSchedule.step(2, 0.5f)), 8, 2);
    for (int s = 0; s < 3; s++) {
      TrainTesting.step(first, 8 * s, 8);
    }
    java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
    org.lrgrad.train.checkpoint.Checkpoint.save(first, saved);
    Trainer same = TrainTesting.trainer(k, TrainTesting.mlp(),
        Adam.adam(0.02f).schedule(LearningRateSchedule.step(2, 0.5f)), 8, 2);
    org.lrgrad.train.checkpoint.Checkpoint.restore(same, new java.io.ByteArrayInputStream(saved.toByteArray()), "s");
    TrainTesting.assertSameState(TrainTesting.snapshot(first), TrainTesting.snapshot(same));
    Trainer other = TrainTesting.trainer(k, TrainTesting.mlp(),
        Adam.adam(0.02f).schedule(LearningRateSchedule.step(3, 0.5f)), 8, 2);
    assertThrows(org.lrgrad.train.checkpoint.CheckpointException.class, () -> org.lrgrad.train.checkpoint.Checkpoint
        .restore(other, new java.io.ByteArrayInputStream(saved.toByteArray()), "s"));
    assertEquals(0, other.completedSteps(), "the refused checkpoint changed nothing");
  }
}
