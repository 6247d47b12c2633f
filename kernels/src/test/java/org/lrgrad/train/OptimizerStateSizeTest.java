package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryPlan;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Optimizer state, projectors and kept gradients equal the formulas of docs/method.md §2 exactly (invariant 8), on its
 * worked example m = 512, n = 2048, r = 128 and on a matrix with m &gt; n. Plans only: nothing is allocated.
 */
class OptimizerStateSizeTest {
  private static final int M = 512;
  private static final int N = 2048;
  private static final int R = 128;
  private final Kernels k = Implementations.reference();

  /** The plan of one m×n weight (Linear(n -> m)) trained by {@code optimizer}, batch 1. */
  private MemoryPlan plan(Optimizer optimizer, int m, int n, boolean bias) {
    Sequential model = new Sequential(new Linear(n, m, bias));
    return Trainer.builder(model, 1).kernels(k).group(optimizer, model.parameters()).plan();
  }

  private static long floats(MemoryPlan plan, MemoryTag tag) {
    assertEquals(0, plan.liveBytes(tag) % 4);
    return plan.liveBytes(tag) / 4;
  }

  private static void assertState(MemoryPlan plan, long optimizerState, long projectors, long gradients) {
    assertEquals(optimizerState, floats(plan, MemoryTag.OPTIMIZER_STATE), "optimizer state floats");
    assertEquals(projectors, floats(plan, MemoryTag.PROJECTORS), "projector floats");
    assertEquals(gradients, floats(plan, MemoryTag.GRADIENTS), "kept gradient floats");
  }

  @Test
  void elementWiseOptimizers() {
    long mn = (long) M * N;
    assertState(plan(new Sgd(0.1f), M, N, false), 0, 0, mn);
    assertState(plan(new Sgd(0.1f).momentum(0.9f), M, N, false), mn, 0, mn);
    assertState(plan(new Sgd(0.1f).momentum(0.9f).nesterov(true), M, N, false), mn, 0, mn);
    assertState(plan(Adam.adam(1e-3f), M, N, false), 2_097_152, 0, mn);
    assertState(plan(Adam.adamW(1e-3f), M, N, false), 2 * mn, 0, mn);
    assertState(plan(new Adafactor(), M, N, false), M + N, 0, mn);
    assertState(plan(new Adafactor().beta1(0.9f), M, N, false), M + N + mn, 0, mn);
  }

  @Test
  void galoreWorkedExample() {
    // docs/method.md §3: GaLore state 65,536 + 524,288 = 589,824 floats for m = 512, n = 2048, r = 128.
    MemoryPlan plan = plan(LowRankAdam.galore(1e-3f, R), M, N, false);
    assertState(plan, 524_288, 65_536, (long) R * N);
    assertEquals(589_824, floats(plan, MemoryTag.OPTIMIZER_STATE) + floats(plan, MemoryTag.PROJECTORS));
    // m ≥ n projects on the right: min(m,n)·r + 2·max(m,n)·r again.
    assertState(plan(LowRankAdam.galore(1e-3f, R), N, M, false), 2L * N * R, (long) M * R, (long) N * R);
    assertState(plan(LowRankAdam.galore(1e-3f, R).randomizedSvd(8, 2), M, N, false), 524_288, 65_536,
        (long) R * N);
  }

  @Test
  void lrgState() {
    // By default on the smaller side: min(m,n)·r projector floats and 2·max(m,n)·r moment floats, either way round.
    long small = Math.min(M, N);
    long large = Math.max(M, N);
    assertState(plan(LowRankAdam.lrg(1e-3f, R), M, N, false), 2 * large * R, small * R, large * R);
    assertState(plan(LowRankAdam.lrg(1e-3f, R), N, M, false), 2 * large * R, small * R, large * R);
    // Side LEFT asked for: m·r + 2·r·n, P is m×r and Adam runs on R = PᵀG (r×n).
    assertState(plan(LowRankAdam.lrg(1e-3f, R).side(ProjectionSide.LEFT), M, N, false), 2L * R * N, (long) M * R,
        (long) R * N);
    assertState(plan(LowRankAdam.lrg(1e-3f, R).side(ProjectionSide.LEFT), N, M, false), 2L * R * M, (long) N * R,
        (long) R * M);
  }

  @Test
  void loraState() {
    MemoryPlan plan = plan(new LoraAdam(1e-3f, R), M, N, false);
    long factors = (long) R * (M + N);
    assertState(plan, 2 * factors, 0, factors);
    assertEquals((long) M * N + factors, floats(plan, MemoryTag.WEIGHTS), "frozen W0 plus the factors");
    // docs/method.md §3: LoRA-Adam 3·r(m+n) = 983,040 with the factor gradients.
    assertEquals(983_040, floats(plan, MemoryTag.OPTIMIZER_STATE) + floats(plan, MemoryTag.GRADIENTS));
  }

  @Test
  void biasesGetThePlainAdamOfTheGroup() {
    long bias = M;
    assertState(plan(LowRankAdam.galore(1e-3f, R), M, N, true), 524_288 + 2 * bias, 65_536, (long) R * N + bias);
    long factors = (long) R * (M + N);
    assertState(plan(new LoraAdam(1e-3f, R), M, N, true), 2 * factors + 2 * bias, 0, factors + bias);
  }

  @Test
  void rankLargerThanTheMatrixIsCappedPerMatrix() {
    // Linear(2048 -> 10): W is 10×2048, so rank 128 acts as rank 10 there.
    MemoryPlan plan = plan(new LoraAdam(1e-3f, R), 10, N, false);
    long factors = 10L * (10 + N);
    assertState(plan, 2 * factors, 0, factors);
  }
}
