package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lrgrad.bench.data.UserShift;

/** The one list of arms: the main ones always, the rank sweep and the ablations with --extended. */
class ArmTest {
  private static Settings settings(boolean bySize, boolean reset) {
    return new Settings(List.of(ModelKind.MLP), 64, 8, 0, 10, 8, 1, 10, 2, 1, UserShift.Strength.MILD, 8, 40, false,
        bySize, reset, false, Map.of());
  }

  @Test
  void theMainArmsAreEveryMethodOnceTunedThenLrgAtTheOtherTwoPoints() {
    List<Arm> arms = Arm.list(settings(true, false), new Arm.Ranks(48, 60, 8), false, 64);
    List<String> labels = new ArrayList<>();
    for (Arm a : arms) {
      labels.add(a.label());
    }
    assertEquals(List.of("SGD", "Momentum", "Adam", "Head-Adam", "LRG-Adam", "GaLore-Adam", "LoRA-Adam",
        "LRG-Adam r=60", "LRG-Adam r=8"), labels);
    for (Arm a : arms.subList(0, 7)) {
      assertTrue(a.tuned(), a.label());
    }
    assertFalse(arms.get(7).tuned());
    assertEquals(48, arms.get(4).rank());
    assertEquals(Arm.THIRD, arms.get(4).point());
  }

  @Test
  void extendedAddsTheRankSweepOfEveryLowRankMethodAndTheAblationsUntuned() {
    List<Arm> arms = Arm.list(settings(true, false), new Arm.Ranks(48, 60, 8), true, 64);
    int sweep = 0;
    List<String> ablations = new ArrayList<>();
    for (Arm a : arms) {
      if (a.point().equals("sweep")) {
        sweep++;
        assertTrue(a.method().lowRank, a.label());
        assertTrue(a.rank() <= 64, a.label());
      }
      if (a.point().equals("ablation")) {
        ablations.add(a.label());
        assertEquals(Method.LRG, a.method());
        assertEquals(48, a.rank(), "at the paper's operating point");
        assertFalse(a.tuned());
      }
    }
    assertEquals(3 * 3, sweep, "r = 4, 16, 64 for LRG, GaLore and LoRA");
    // The setting the main arm has (smaller side, moments kept) is not repeated.
    assertEquals(List.of("LRG left side, moments kept", "LRG left side, moments reset",
        "LRG smaller side, moments reset", "LRG T=10", "LRG T=160"), ablations);
  }
}
