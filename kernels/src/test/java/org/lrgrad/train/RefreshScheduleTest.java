package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;

/**
 * The projector of LRG and GaLore is recomputed exactly when the completed-step count is 0, T, 2T, ... (docs/method.md
 * §4.6), T → ∞ keeps the first one, and every projector is orthonormal (§4.3).
 */
class RefreshScheduleTest {

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : Implementations.all().toArray(Candidate[]::new)) {
      for (String method : new String[] {"LRG", "LRG-right", "GaLore", "GaLore-randomized"}) {
        for (int interval : new int[] {1, 3, Integer.MAX_VALUE}) {
          cases.add(Arguments.of(c, method, interval));
        }
      }
    }
    return cases;
  }

  private static LowRankAdam optimizer(String method, int interval) {
    LowRankAdam o = method.startsWith("LRG") ? LowRankAdam.lrg(0.02f, 3) : LowRankAdam.galore(0.02f, 3);
    if (method.equals("LRG-right")) {
      o.side(ProjectionSide.RIGHT);
    }
    if (method.equals("GaLore-randomized")) {
      o.randomizedSvd(2, 1);
    }
    return o.updateInterval(interval);
  }

  @ParameterizedTest(name = "{0} {1} T={2}")
  @MethodSource("cases")
  void projectorIsRecomputedAtMultiplesOfTheInterval(Candidate candidate, String method, int interval) {
    Kernels k = Implementations.require(candidate);
    LowRankAdam optimizer = optimizer(method, interval);
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), optimizer, 16, 17);
    float[] previous = null;
    for (int completed = 0; completed < 8; completed++) {
      TrainTesting.step(t, (completed * 16) % TrainTesting.PROBLEM.count, 16);
      float[] projector = ((float[]) TrainTesting.snapshot(t).get("0.weight.projector"));
      boolean due = completed % interval == 0;
      if (completed > 0) {
        assertEquals(due, !Arrays.equals(previous, projector),
            "after completed-step count " + completed + " with T=" + interval + ": recomputed?");
      }
      assertOrthonormal(projector, optimizer.sideFor(10, TrainTesting.PROBLEM.in), 10, TrainTesting.PROBLEM.in, 3);
      previous = projector;
    }
    assertEquals(8, t.completedSteps());
  }

  /** PᵀP = I (LEFT, P m×r) or Q·Qᵀ = I (RIGHT, Q r×n). */
  private static void assertOrthonormal(float[] proj, ProjectionSide side, int m, int n, int r) {
    int len = side == ProjectionSide.LEFT ? m : n;
    assertEquals(len * r, proj.length);
    for (int a = 0; a < r; a++) {
      for (int b = 0; b < r; b++) {
        double dot = 0;
        for (int i = 0; i < len; i++) {
          dot += side == ProjectionSide.LEFT ? (double) proj[i * r + a] * proj[i * r + b]
              : (double) proj[a * n + i] * proj[b * n + i];
        }
        assertEquals(a == b ? 1.0 : 0.0, dot, 1e-5, "projector vectors " + a + ", " + b);
      }
    }
  }
}
