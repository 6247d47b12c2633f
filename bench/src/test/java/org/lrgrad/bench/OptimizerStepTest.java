package org.lrgrad.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.lrgrad.kernels.AdafactorSchedule;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.kernels.testing.SteadyState;

class OptimizerStepTest {
  private static final Kernels REFERENCE = KernelProvider.get("reference");

  /** docs/method.md §2 and its worked example (§3: m = 512, n = 2048, r = 128), both orientations of the layer. */
  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"512, 2048", "2048, 512"})
  void stateSizesAreMethodMdsTable(int m, int n) {
    assertEquals(0, OptimizerStep.SGD.stateFloats(m, n, 128));
    assertEquals(1_048_576, OptimizerStep.MOMENTUM.stateFloats(m, n, 128));
    assertEquals(2_097_152, OptimizerStep.ADAM.stateFloats(m, n, 128));
    assertEquals(2_097_152, OptimizerStep.ADAMW.stateFloats(m, n, 128));
    assertEquals(2_560, OptimizerStep.ADAFACTOR.stateFloats(m, n, 128));
    assertEquals(589_824, OptimizerStep.LOW_RANK_ADAM.stateFloats(m, n, 128));
  }

  /** The one state array is split as the contract's calls with separate arrays would be. */
  @Test
  void adamMomentumAndAdafactorKeepTheirStateWhereTheContractExpectsIt() {
    int m = 12, n = 9, len = m * n, steps = 3;
    float[] g = gaussian(len, 1, 1f);

    float[] p = gaussian(len, 2, 0.1f), state = new float[2 * len];
    float[] expected = p.clone(), moment1 = new float[len], moment2 = new float[len];
    OptimizerStep.Call adam = OptimizerStep.ADAMW.bind(REFERENCE, m, n, 4, p, g, state);
    for (int step = 1; step <= steps; step++) {
      adam.run();
      REFERENCE.adamStep(len, step, OptimizerStep.LR, 0.9f, 0.999f, 1e-8f, 0.01f, true, AdamConvention.TORCH,
          expected, 0, g, 0, moment1, 0, moment2, 0);
    }
    assertArrayEquals(expected, p);

    p = gaussian(len, 3, 0.1f);
    state = new float[len];
    expected = p.clone();
    float[] buffer = new float[len];
    OptimizerStep.Call momentum = OptimizerStep.MOMENTUM.bind(REFERENCE, m, n, 4, p, g, state);
    for (int step = 1; step <= steps; step++) {
      momentum.run();
      REFERENCE.momentumStep(len, step, OptimizerStep.LR, 0.9f, 0f, false, 0f, expected, 0, g, 0, buffer, 0);
    }
    assertArrayEquals(expected, p);

    p = gaussian(len, 4, 0.1f);
    state = new float[m + n];
    expected = p.clone();
    float[] row = new float[m], col = new float[n];
    OptimizerStep.Call adafactor = OptimizerStep.ADAFACTOR.bind(REFERENCE, m, n, 4, p, g, state);
    for (int step = 1; step <= steps; step++) {
      adafactor.run();
      REFERENCE.adafactorStep(m, n, AdafactorSchedule.stepSize(step, 0f, true, false), true, 1e-30f, 1e-3f,
          AdafactorSchedule.beta2t(step, -0.8f), 1f, 0f, 0f, expected, 0, g, 0, row, 0, col, 0, null, 0);
    }
    assertArrayEquals(expected, p);
  }

  /**
   * The low-rank step's first update, in double: R = the projection of G, Adam's first GaLore-convention
   * direction d = R·√(1−β2) / (√(1−β2)·|R| + ε), and W ← W − lr·(back-projection of d). For a layer taller than wide
   * the projector Q (r×n) is on the right (R = G·Qᵀ, back: d·Q); otherwise P (m×r) is on the left (R = PᵀG, back:
   * P·d).
   */
  @ParameterizedTest(name = "{0}x{1}, r={2}")
  @CsvSource({"48, 32, 4", "32, 48, 4", "40, 40, 8"})
  void theLowRankStepProjectsNormalizesAndProjectsBack(int m, int n, int r) {
    float[] g = gaussian(m * n, 5, 1f), p = gaussian(m * n, 6, 0.1f), before = p.clone();
    float[] state = new float[(int) OptimizerStep.LOW_RANK_ADAM.stateFloats(m, n, r)];
    OptimizerStep.LOW_RANK_ADAM.bind(REFERENCE, m, n, r, p, g, state).run();

    boolean right = m >= n;
    // The projector is the state's first block: Q r×n (right) or P m×r (left).
    double[] lowRank = new double[right ? m * r : r * n];
    for (int i = 0; i < (right ? m : r); i++) {
      for (int j = 0; j < (right ? r : n); j++) {
        double sum = 0;
        for (int t = 0; t < (right ? n : m); t++) {
          sum += right ? (double) g[i * n + t] * state[j * n + t] : (double) state[t * r + i] * g[t * n + j];
        }
        lowRank[i * (right ? r : n) + j] = sum;
      }
    }
    double root = Math.sqrt(1 - 0.999);
    for (int e = 0; e < lowRank.length; e++) {
      lowRank[e] = lowRank[e] * root / (root * Math.abs(lowRank[e]) + 1e-8);
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double back = 0;
        for (int t = 0; t < r; t++) {
          back += right ? lowRank[i * r + t] * state[t * n + j] : state[i * r + t] * lowRank[t * n + j];
        }
        double expected = before[i * n + j] - OptimizerStep.LR * back;
        assertEquals(expected, p[i * n + j], 1e-6, "W[" + i + "][" + j + "]");
      }
    }
  }

  /** The bound steps add nothing to what the kernels allocate (nothing): the benchmark times the step alone. */
  @ParameterizedTest
  @EnumSource(OptimizerStep.class)
  void aBoundStepAllocatesNothing(OptimizerStep optimizer) {
    int m = 24, n = 16;
    float[] p = gaussian(m * n, 7, 0.1f), g = gaussian(m * n, 8, 1f);
    OptimizerStep.Call step = optimizer.bind(REFERENCE, m, n, 4, p, g,
        new float[(int) optimizer.stateFloats(m, n, 4)]);
    // Enough steps first for the JIT to have compiled the step's code: with 20, the low-rank step allocated 152
    // bytes in the measured steps in 3 of 8 runs (a JIT transition caught in the window), with 5000 in none of 10.
    for (int i = 0; i < 5000; i++) {
      step.run();
    }
    // Windows of 10 steps until one allocates nothing: a step that allocates does so in every window.
    long allocated = SteadyState.leastBytesAllocated(() -> {
      for (int i = 0; i < 10; i++) {
        step.run();
      }
    });
    assertEquals(0, allocated, optimizer + " allocated " + allocated + " bytes in the least of its windows of 10"
        + " steps");
  }

  @Test
  void unknownStepsAndLayersAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> OptimizerStep.byId("lion"));
    assertThrows(IllegalArgumentException.class, () -> OptimizerStepBenchmark.parseLayer("1024"));
    assertArrayEquals(new int[] {2048, 512}, OptimizerStepBenchmark.parseLayer("2048x512"));
  }

  private static float[] gaussian(int len, long seed, float std) {
    float[] x = new float[len];
    new SeededRandom(seed).fillGaussian(x, 0, len, std);
    return x;
  }
}
