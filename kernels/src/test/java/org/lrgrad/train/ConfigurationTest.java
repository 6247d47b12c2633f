package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;

/**
 * A trainer's configuration identifies what its state means: every optimizer setting, the seed and the model's
 * shapes change it, so a checkpoint that records it cannot be restored into a trainer that trains differently.
 */
class ConfigurationTest {
  private final Kernels k = Implementations.reference();

  /** Each optimizer here differs from every other in at least one setting (most in exactly one). */
  private static List<Supplier<Optimizer>> optimizers() {
    List<Supplier<Optimizer>> list = new ArrayList<>();
    list.add(() -> new Sgd(0.1f));
    list.add(() -> new Sgd(0.2f));
    list.add(() -> new Sgd(0.1f).momentum(0.9f));
    list.add(() -> new Sgd(0.1f).momentum(0.9f).nesterov(true));
    list.add(() -> new Sgd(0.1f).weightDecay(0.01f));
    list.add(() -> Adam.adam(0.01f));
    list.add(() -> Adam.adamW(0.01f).weightDecay(0f));
    list.add(() -> Adam.adam(0.02f));
    list.add(() -> Adam.adam(0.01f).betas(0.8f, 0.999f));
    list.add(() -> Adam.adam(0.01f).betas(0.9f, 0.99f));
    list.add(() -> Adam.adam(0.01f).eps(1e-7f));
    list.add(() -> Adam.adam(0.01f).weightDecay(0.1f));
    list.add(Adafactor::new);
    list.add(() -> new Adafactor().learningRate(0.01f));
    list.add(() -> new Adafactor().scaleParameter(false));
    list.add(() -> new Adafactor().warmupInit(true));
    list.add(() -> new Adafactor().eps(1e-29f, 1e-3f));
    list.add(() -> new Adafactor().eps(1e-30f, 1e-2f));
    list.add(() -> new Adafactor().clipThreshold(2f));
    list.add(() -> new Adafactor().decayRate(-0.5f));
    list.add(() -> new Adafactor().beta1(0.9f));
    list.add(() -> new Adafactor().weightDecay(0.1f));
    list.add(() -> LowRankAdam.lrg(0.01f, 2));
    list.add(() -> LowRankAdam.lrg(0.01f, 3));
    list.add(() -> LowRankAdam.lrg(0.02f, 2));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).updateInterval(5));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).scale(0.5f));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).side(ProjectionSide.RIGHT));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).side(ProjectionSide.LEFT));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).resetMomentsOnRefresh(false));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).side(ProjectionSide.LEFT).resetMomentsOnRefresh(false));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).betas(0.8f, 0.999f));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).eps(1e-7f));
    list.add(() -> LowRankAdam.lrg(0.01f, 2).weightDecay(0.1f));
    list.add(() -> LowRankAdam.galore(0.01f, 2));
    list.add(() -> LowRankAdam.galore(0.01f, 2).side(ProjectionSide.LEFT));
    list.add(() -> LowRankAdam.galore(0.01f, 2).randomizedSvd(2, 1));
    list.add(() -> LowRankAdam.galore(0.01f, 2).randomizedSvd(3, 1));
    list.add(() -> LowRankAdam.galore(0.01f, 2).randomizedSvd(2, 2));
    list.add(() -> new LoraAdam(0.01f, 2));
    list.add(() -> new LoraAdam(0.01f, 3));
    list.add(() -> new LoraAdam(0.01f, 2).scale(2f));
    list.add(() -> new LoraAdam(0.01f, 2).betas(0.8f, 0.999f));
    list.add(() -> new LoraAdam(0.01f, 2).eps(1e-7f));
    list.add(() -> new LoraAdam(0.01f, 2).weightDecay(0.1f));
    return list;
  }

  private String configuration(Sequential model, Optimizer optimizer, long seed) {
    return TrainTesting.trainer(k, model, optimizer, 4, seed).configuration();
  }

  @Test
  void everySettingChangesTheConfiguration() {
    Map<String, Integer> seen = new HashMap<>();
    List<Supplier<Optimizer>> list = optimizers();
    for (int i = 0; i < list.size(); i++) {
      String c = configuration(TrainTesting.mlp(), list.get(i).get(), 1);
      Integer before = seen.put(c, i);
      if (before != null) {
        throw new AssertionError("optimizers " + before + " and " + i + " have the same configuration:\n" + c);
      }
    }
  }

  @Test
  void equalSetupsHaveEqualConfigurations() {
    for (Supplier<Optimizer> make : optimizers()) {
      assertEquals(configuration(TrainTesting.mlp(), make.get(), 3), configuration(TrainTesting.mlp(), make.get(), 3));
    }
  }

  @Test
  void seedAndModelShapesChangeTheConfiguration() {
    String base = configuration(TrainTesting.mlp(), Adam.adam(0.01f), 1);
    assertNotEquals(base, configuration(TrainTesting.mlp(), Adam.adam(0.01f), 2));
    Sequential wider = new Sequential(new Linear(TrainTesting.PROBLEM.in, 11), new Relu(),
        new Linear(11, TrainTesting.PROBLEM.classes));
    assertNotEquals(base, configuration(wider, Adam.adam(0.01f), 1));
    assertNotEquals(base, configuration(TrainTesting.lstm(), Adam.adam(0.01f), 1));
  }

  @Test
  void namesEveryParameterWithItsShapeAndOptimizer() {
    String c = configuration(TrainTesting.mlp(), LowRankAdam.lrg(0.01f, 2), 1);
    String[] lines = c.split("\n");
    assertEquals(1 + 4, lines.length, c);
    assertTrue(lines[1].startsWith("0.weight (10x6): LRG-Adam(lr=0.01, "), c);
    // A bias gets the method's plain Adam (GaLore's convention, decoupled decay), not a rank it does not have.
    assertEquals("2.bias (4): AdamW(lr=0.01, betas=(0.9, 0.999), eps=1.0E-6, weightDecay=0.0, convention=GALORE),"
        + " as LRG-Adam trains vectors", lines[4]);
    String lora = configuration(TrainTesting.mlp(), new LoraAdam(0.01f, 2), 1).split("\n")[2];
    assertEquals("0.bias (10): AdamW(lr=0.01, betas=(0.9, 0.999), eps=1.0E-8, weightDecay=0.0), as LoRA-Adam trains"
        + " vectors", lora);
  }
}
