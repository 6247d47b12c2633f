package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/**
 * {@link LowRankAdam#resetMomentsOnRefresh}: right after a refresh, Adam's moments hold that one step's projected
 * gradient R only, m = (1 − β1)·R and v = (1 − β2)·R², so v·(1 − β1)² = m²·(1 − β2) elementwise; with the moments
 * kept they mix steps and the identity fails.
 */
class MomentResetTest {
  private static final int INTERVAL = 3;

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : Implementations.all().toArray(Candidate[]::new)) {
      for (String method : new String[] {"LRG", "GaLore"}) {
        cases.add(Arguments.of(c, method));
      }
    }
    return cases;
  }

  /** The method with its own defaults, refreshing every INTERVAL steps. */
  private static LowRankAdam optimizer(String method) {
    LowRankAdam o = method.equals("LRG") ? LowRankAdam.lrg(0.02f, 3) : LowRankAdam.galore(0.02f, 3);
    return o.updateInterval(INTERVAL);
  }

  private static LowRankAdam optimizer(String method, boolean reset) {
    return optimizer(method).resetMomentsOnRefresh(reset);
  }

  /** A trainer of the MLP with {@code o}, one step past its first refresh (at completed-step count INTERVAL). */
  private static Trainer trainedPastTheRefresh(Kernels k, LowRankAdam o) {
    Trainer t = TrainTesting.trainer(k, TrainTesting.mlp(), o, 16, 17);
    for (int completed = 0; completed <= INTERVAL; completed++) {
      TrainTesting.step(t, (completed * 16) % TrainTesting.PROBLEM.count, 16);
    }
    assertEquals(INTERVAL + 1, t.completedSteps());
    return t;
  }

  /** Whether every element satisfies the one-step identity, to a relative 1e-4. */
  private static boolean momentsOfOneStep(Trainer t, LowRankAdam o) {
    float[] m = (float[]) TrainTesting.snapshot(t).get("0.weight.exp_avg");
    float[] v = (float[]) TrainTesting.snapshot(t).get("0.weight.exp_avg_sq");
    double b1 = 1 - (double) o.beta1();
    double b2 = 1 - (double) o.beta2();
    for (int i = 0; i < m.length; i++) {
      double left = v[i] * b1 * b1;
      double right = (double) m[i] * m[i] * b2;
      if (Math.abs(left - right) > 1e-4 * Math.max(Math.abs(left), Math.abs(right)) + 1e-20) {
        return false;
      }
    }
    return true;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void resetMomentsHoldOnlyTheRefreshStep(Candidate candidate, String method) {
    Kernels k = Implementations.require(candidate);
    for (boolean reset : new boolean[] {true, false}) {
      LowRankAdam o = optimizer(method, reset);
      // The refresh was at completed-step count 3, and the step after it is the only one in the moments.
      Trainer t = trainedPastTheRefresh(k, o);
      if (reset) {
        assertTrue(momentsOfOneStep(t, o), method + " with reset: moments of the refresh step only");
      } else {
        assertFalse(momentsOfOneStep(t, o), method + " without reset: moments of several steps");
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void theSettingIsPartOfTheConfiguration(Candidate candidate, String method) {
    assertNotEquals(optimizer(method, true).toString(), optimizer(method, false).toString());
    assertTrue(optimizer(method, true).toString().contains("resetMomentsOnRefresh=true"));
    assertTrue(optimizer(method, false).toString().contains("resetMomentsOnRefresh=false"));
  }

  /** LRG's default resets (a new random basis shares nothing with the old one); GaLore's keeps, as GaLore does. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void lrgResetsByDefaultAndGaloreKeeps(Candidate candidate, String method) {
    boolean resetsByDefault = method.equals("LRG");
    LowRankAdam o = optimizer(method);
    Trainer t = trainedPastTheRefresh(Implementations.require(candidate), o);
    assertEquals(resetsByDefault, momentsOfOneStep(t, o), method + " with its default");
    assertTrue(o.toString().contains("resetMomentsOnRefresh=" + resetsByDefault), o.toString());
  }
}
