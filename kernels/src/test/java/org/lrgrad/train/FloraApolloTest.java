package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ReferenceKernels;
import org.lrgrad.train.memory.MemoryLedger;
import org.lrgrad.train.memory.MemoryTag;

/**
 * What the parity cases do not show about Flora and APOLLO: projections are regenerated from the seed (never saved),
 * the memory they take, the rank a budget chooses, and the settings refused.
 */
class FloraApolloTest {
  private final Kernels k = new ReferenceKernels();

  /** X = I (n×n) and dY = Gᵀ for a random G: the slot's gradient is G. */
  private static void step(Kernels k, SlotHarness slot, int m, int n, Random rnd) {
    float[] x = new float[n * n];
    for (int i = 0; i < n; i++) {
      x[i * n + i] = 1f;
    }
    float[] dy = new float[n * m];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = (float) rnd.nextGaussian();
    }
    assertTrue(slot.step(k, n, x, 0, n, dy, 0, m));
  }

  private static Map<String, Object> state(SlotHarness slot) {
    Map<String, Object> state = new java.util.LinkedHashMap<>();
    slot.visitState(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        assertFalse(tag == MemoryTag.PROJECTORS, name + ": a projection was saved");
        state.put(name, data.clone());
      }

      @Override
      public long counter(String name, long value) {
        state.put(name, value);
        return value;
      }
    });
    return state;
  }

  private static void restore(SlotHarness slot, Map<String, Object> state) {
    slot.visitState(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        float[] saved = (float[]) state.get(name);
        System.arraycopy(saved, 0, data, 0, data.length);
      }

      @Override
      public long counter(String name, long value) {
        return (Long) state.get(name);
      }
    });
  }

  /**
   * Saved after 5 steps (projection 1 in use, interval 4), restored into a fresh slot of the same seed: the next steps
   * draw the projection again from the seed and the step count, bit for bit the uninterrupted run's.
   */
  @Test
  void aRestoredApolloRegeneratesItsProjection() {
    int m = 7, n = 12;
    SlotHarness uninterrupted = SlotHarness.of(k, Apollo.apollo(0.01f, 3).updateInterval(4), m, n, 77);
    Random rnd = new Random(1);
    for (int s = 0; s < 5; s++) {
      step(k, uninterrupted, m, n, rnd);
    }
    Map<String, Object> saved = state(uninterrupted);
    assertEquals(5L, saved.get("W.step"));
    SlotHarness restored = SlotHarness.of(k, Apollo.apollo(0.01f, 3).updateInterval(4), m, n, 77);
    restore(restored, saved);
    float[] before = restored.apolloProjection();
    for (int s = 0; s < 4; s++) { // steps 6 to 9: projection 1, then projection 2
      long seed = 100 + s;
      step(k, uninterrupted, m, n, new Random(seed));
      step(k, restored, m, n, new Random(seed));
      assertArrayEquals(uninterrupted.apolloProjection(), restored.apolloProjection(), "step " + (6 + s));
      TrainTesting.assertSameState(state(uninterrupted), state(restored));
    }
    // Not vacuous: the fresh slot held no projection before its first step after the restore.
    assertTrue(allZero(before));
  }

  /** Flora keeps no projection at all: a restored slot resumes bit for bit across a re-draw (κ = 3). */
  @Test
  void aRestoredFloraResumesAcrossARedraw() {
    int m = 9, n = 5;
    Random rnd = new Random(2);
    SlotHarness uninterrupted = SlotHarness.of(k, flora(), m, n, 5);
    for (int s = 0; s < 4; s++) {
      step(k, uninterrupted, m, n, rnd);
    }
    SlotHarness restored = SlotHarness.of(k, flora(), m, n, 5);
    restore(restored, state(uninterrupted));
    for (int s = 0; s < 4; s++) {
      long seed = 200 + s;
      step(k, uninterrupted, m, n, new Random(seed));
      step(k, restored, m, n, new Random(seed));
      TrainTesting.assertSameState(state(uninterrupted), state(restored));
    }
    // Another seed draws other projections, so the same gradients give other weights.
    SlotHarness otherSeed = SlotHarness.of(k, flora(), m, n, 6);
    restore(otherSeed, state(uninterrupted));
    step(k, otherSeed, m, n, new Random(9));
    step(k, uninterrupted, m, n, new Random(9));
    assertFalse(Arrays.equals((float[]) state(uninterrupted).get("W"), (float[]) state(otherSeed).get("W")));
  }

  private static Flora flora() {
    return new Flora().learningRate(0.01f).compressedMomentum(0.9f, 2).kappa(3);
  }

  @Test
  void differentSeedsDrawDifferentApolloProjections() {
    int m = 8, n = 6;
    SlotHarness a = SlotHarness.of(k, Apollo.apollo(0.01f, 2), m, n, 1);
    SlotHarness b = SlotHarness.of(k, Apollo.apollo(0.01f, 2), m, n, 2);
    SlotHarness sameAsA = SlotHarness.of(k, Apollo.apollo(0.01f, 2), m, n, 1);
    step(k, a, m, n, new Random(3));
    step(k, b, m, n, new Random(3));
    step(k, sameAsA, m, n, new Random(3));
    assertFalse(Arrays.equals(a.apolloProjection(), b.apolloProjection()));
    assertArrayEquals(a.apolloProjection(), sameAsA.apolloProjection());
  }

  /** The ledger, in floats: m×n = 30×20 at rank 4. */
  @Test
  void ledgerShowsWhatEachKeeps() {
    int m = 30, n = 20, r = 4;
    MemoryLedger flora = SlotHarness.of(k, new Flora().compressedMomentum(0.9f, r), m, n, 0).ledger();
    assertEquals(0, flora.liveBytes(MemoryTag.PROJECTORS), "Flora's projections live only in the workspace");
    assertEquals(4L * (m + n + m * r), flora.liveBytes(MemoryTag.OPTIMIZER_STATE)); // row, col, C (m×r)
    assertEquals(4L * (2 * n * r + m * r + r * r), flora.liveBytes(MemoryTag.WORKSPACE)); // 2 projections, D, r×r
    MemoryLedger full = SlotHarness.of(k, new Flora().momentum(0.9f), m, n, 0).ledger();
    assertEquals(4L * (m + n + m * n), full.liveBytes(MemoryTag.OPTIMIZER_STATE));
    // An elongated matrix (8:1) is compressed too, where the authors' code would silently keep full momentum.
    MemoryLedger elongated = SlotHarness.of(k, new Flora().compressedMomentum(0.9f, 2), 40, 5, 0).ledger();
    assertEquals(4L * (40 + 5 + 40 * 2), elongated.liveBytes(MemoryTag.OPTIMIZER_STATE));
    MemoryLedger apollo = SlotHarness.of(k, Apollo.apollo(0.01f, r), m, n, 0).ledger();
    assertEquals(4L * r * n, apollo.liveBytes(MemoryTag.PROJECTORS)); // Q (r×n): m ≥ n, right side
    assertEquals(4L * (2 * m * r + 1), apollo.liveBytes(MemoryTag.OPTIMIZER_STATE));
    assertEquals(4L * m * n, apollo.liveBytes(MemoryTag.GRADIENTS));
    MemoryLedger mini = SlotHarness.of(k, Apollo.mini(0.01f), n, m, 0).ledger(); // 20×30: left, P is 20×1
    assertEquals(4L * n, mini.liveBytes(MemoryTag.PROJECTORS));
    assertEquals(4L * (2 * m + 1), mini.liveBytes(MemoryTag.OPTIMIZER_STATE));
  }

  /** ‖ΔW‖ of one step with gradient {@code g} (m×n). */
  private static double stepNorm(Kernels k, SlotHarness slot, int m, int n, float[] g) {
    float[] before = new float[m * n];
    float[] after = new float[m * n];
    slot.weights(before, 0);
    float[] x = new float[n * n];
    for (int i = 0; i < n; i++) {
      x[i * n + i] = 1f;
    }
    float[] dy = new float[n * m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        dy[j * m + i] = g[i * n + j];
      }
    }
    assertTrue(slot.step(k, n, x, 0, n, dy, 0, m));
    slot.weights(after, 0);
    double sum = 0;
    for (int i = 0; i < after.length; i++) {
      sum += (double) (after[i] - before[i]) * (after[i] - before[i]);
    }
    return Math.sqrt(sum);
  }

  /**
   * APOLLO-Mini (6×9: P is 6×1) without bias correction, so the step size is lr on every step. The second gradient
   * is the first with 99% of its component along P removed: its projection shrinks 100-fold, the tensor scale grows,
   * and the update with it, unless the limiter holds the growth to 1%.
   */
  @Test
  void theLimiterBoundsTheGrowthOfTheUpdate() {
    int m = 6, n = 9;
    Random rnd = new Random(4);
    float[] g1 = new float[m * n];
    for (int i = 0; i < g1.length; i++) {
      g1[i] = (float) rnd.nextGaussian();
    }
    for (boolean limiter : new boolean[] {true, false}) {
      SlotHarness slot = SlotHarness.of(k, Apollo.mini(0.01f).correctBias(false).normGrowthLimiter(limiter), m, n,
          3);
      double first = stepNorm(k, slot, m, n, g1);
      float[] p = slot.apolloProjection();
      double pp = 0;
      for (float v : p) {
        pp += (double) v * v;
      }
      float[] g2 = g1.clone();
      for (int j = 0; j < n; j++) {
        double r = 0;
        for (int i = 0; i < m; i++) {
          r += (double) p[i] * g1[i * n + j];
        }
        for (int i = 0; i < m; i++) {
          g2[i * n + j] -= (float) (0.99 * p[i] * r / pp);
        }
      }
      double second = stepNorm(k, slot, m, n, g2);
      if (limiter) {
        assertTrue(second <= first * 1.01 * (1 + 1e-5), second + " after " + first);
      } else {
        assertTrue(second > first * 1.5, second + " after " + first);
      }
    }
  }

  private static Sequential model() {
    return new Sequential(new Linear(64, 48), new Relu(), new Linear(48, 10));
  }

  private long planBytes(Optimizer optimizer) {
    Sequential model = model();
    return Trainer.builder(model, 8).kernels(k).group(optimizer, model.parameters()).plan().liveBytes();
  }

  @Test
  void aBudgetNamesTheLargestRankThatFits() {
    long floraAt5 = planBytes(new Flora().compressedMomentum(0.9f, 5));
    assertTrue(floraAt5 < planBytes(new Flora().compressedMomentum(0.9f, 6)));
    Sequential model = model();
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
        () -> Trainer.builder(model, 8).kernels(k).memoryBudget(floraAt5)
            .group(new Flora().compressedMomentum(0.9f, 16), model.parameters()).build());
    assertEquals(5, e.fittingRank());
    long apolloAt3 = planBytes(Apollo.apollo(1e-3f, 3));
    MemoryBudgetExceededException a = assertThrows(MemoryBudgetExceededException.class,
        () -> Trainer.builder(model, 8).kernels(k).memoryBudget(apolloAt3)
            .group(Apollo.apollo(1e-3f, 12), model.parameters()).build());
    assertEquals(3, a.fittingRank());
  }

  @Test
  void unsupportedCombinationsAreRefused() {
    Sequential model = model();
    Trainer.Builder unfactored = Trainer.builder(model, 8).kernels(k)
        .group(new Flora().compressedMomentum(0.9f, 4).factoredSecondMoment(false), model.parameters());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unfactored::build);
    assertTrue(e.getMessage().contains("compressedMomentum(rank=4) needs the factored second moment"),
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> model.parameters().get(0).data(), "nothing was allocated");

    e = assertThrows(IllegalArgumentException.class, () -> new Flora().momentum(0f));
    assertTrue(e.getMessage().contains("beta1=0.0 must be > 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Flora().compressedMomentum(0.9f, 0));
    assertTrue(e.getMessage().contains("rank=0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Flora().kappa(0));
    assertTrue(e.getMessage().contains("kappa=0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Flora().learningRate(1e-3f).warmupInit(true)
        .compressedMomentum(0.9f, 2).validate());
    assertTrue(e.getMessage().contains("warmupInit needs the relative step"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Apollo.apollo(1e-3f, 2).updateInterval(-1));
    assertTrue(e.getMessage().contains("updateInterval=-1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Apollo.apollo(1e-3f, 0));
    assertTrue(e.getMessage().contains("rank=0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Apollo.apollo(1e-3f, 2).scaleType(null));
    assertTrue(e.getMessage().contains("scaleType"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Apollo.mini(1e-3f).scale(Float.NaN));
    assertTrue(e.getMessage().contains("scale=NaN"), e.getMessage());
  }

  @Test
  void namesAndSettingsPrint() {
    assertEquals("APOLLO", Apollo.apollo(1e-3f, 8).name());
    assertEquals("APOLLO-Mini", Apollo.mini(1e-3f).name());
    assertTrue(Apollo.mini(1e-3f).toString().contains("scale=" + (float) Math.sqrt(128.0)));
    assertTrue(new Flora().compressedMomentum(0.9f, 8).toString()
        .contains("momentum=compressed(beta1=0.9, rank=8)"));
  }

  private static boolean allZero(float[] a) {
    for (float v : a) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }
}
