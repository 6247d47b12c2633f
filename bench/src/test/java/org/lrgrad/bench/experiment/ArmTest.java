package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lrgrad.bench.data.UserShift;

/** The one list of arms: the main ones always, the rank sweep and the ablations with --extended. */
class ArmTest {
  private static Settings settings(Boolean bySize, Boolean reset) {
    return new Settings(List.of(ModelKind.MLP), 64, 8, 0, 10, 8, 1, 10, 2, 1, UserShift.Strength.MILD, 8, 40, false,
        bySize, reset, false, Map.of());
  }

  @Test
  void theMainArmsAreEveryMethodOnceTunedWithTheLowRankOnesAtThePapersPoint() {
    List<Arm> arms = Arm.list(settings(null, null), new Arm.Ranks(48, 60, 8), false, 64);
    List<String> labels = new ArrayList<>();
    for (Arm a : arms) {
      labels.add(a.label());
      assertTrue(a.tuned(), a.label());
    }
    assertEquals(List.of("SGD", "Momentum", "Adam", "Head-Adam", "LRG-Adam", "GaLore-Adam", "LoRA-Adam", "Flora",
        "APOLLO", "APOLLO-Mini"), labels);
    for (int i : new int[] {4, 5, 6, 7, 8}) {
      assertEquals(48, arms.get(i).rank(), arms.get(i).label());
      assertEquals(Arm.THIRD, arms.get(i).point(), arms.get(i).label());
    }
    // The study's LRG-Adam is the library's: no side or moments of its own.
    assertNull(arms.get(4).sideBySize());
    assertNull(arms.get(4).resetMoments());
  }

  @Test
  void everyMethodIsTheLibrarysMethodOfTheSameName() {
    for (Method m : Method.values()) {
      String expected = m == Method.HEAD ? "Adam" : m.label;
      assertEquals(expected, m.library.name(), m.label);
      Arm arm = new Arm(m.label, m, "", 8, null, null, 10, true);
      // The optimizer the study trains with is the library's method (the name its configuration starts with).
      assertTrue(m.optimizer(1e-3f, arm, settings(null, null)).name().startsWith(expected), m.label);
    }
    assertEquals(Method.FLORA, Method.byId("flora"));
    assertEquals(Method.APOLLO_MINI, Method.byId("APOLLO-Mini"));
    assertEquals(Method.HEAD, Method.byId("head"));
  }

  @Test
  void extendedAddsTheOtherPointsTheRankSweepOfEveryMethodWithARankAndTheAblationsUntuned() {
    List<Arm> arms = Arm.list(settings(null, null), new Arm.Ranks(48, 60, 8), true, 64);
    int sweep = 0;
    List<String> ablations = new ArrayList<>();
    List<String> points = new ArrayList<>();
    for (Arm a : arms) {
      if (a.point().equals(Arm.MOMENTUM) || a.point().equals(Arm.COMPRESSED)) {
        points.add(a.label());
        assertFalse(a.tuned());
      }
      if (a.point().equals("sweep")) {
        sweep++;
        assertTrue(a.method().lowRank(), a.label());
        assertTrue(a.rank() <= 64, a.label());
      }
      if (a.point().equals("ablation")) {
        ablations.add(a.label());
        assertEquals(Method.LRG, a.method());
        assertEquals(48, a.rank(), "at the paper's operating point");
        assertFalse(a.tuned());
      }
    }
    assertEquals(List.of("LRG-Adam r=60", "LRG-Adam r=8"), points);
    assertEquals(3 * 5, sweep, "r = 4, 16, 64 for LRG, GaLore, LoRA, Flora and APOLLO");
    // Every combination of side and moments is set explicitly, the library's default among them.
    assertEquals(List.of("LRG left side, moments kept", "LRG left side, moments reset",
        "LRG smaller side, moments kept", "LRG smaller side, moments reset", "LRG T=10", "LRG T=160"), ablations);
  }
}
