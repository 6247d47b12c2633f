package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One configuration the study personalizes with: a method, and for the low-rank ones its rank (named by the
 * operating point it stands for) and LRG's settings. {@link #list} is the one place that says which arms a run has;
 * an arm whose {@link #tuned} is false borrows the learning rate its method's tuned arm got on the development users.
 *
 * @param label the name in tables and the JSON
 * @param method the method
 * @param point the operating point ("third", "momentum", "compressed"), "sweep", "ablation" or "" (no rank)
 * @param rank r, or 0 for the methods without one
 * @param sideBySize LRG: project each matrix on its smaller side (GaLore's rule) instead of always the left; null:
 *     the library's default
 * @param resetMoments LRG: Adam's moments restart at each projector refresh; null: the library's default
 * @param updateInterval LRG and GaLore: T
 * @param tuned whether this arm's learning rate is chosen on the development users
 */
record Arm(String label, Method method, String point, int rank, Boolean sideBySize, Boolean resetMoments,
    int updateInterval, boolean tuned) {

  /** The operating point the claims are judged at: LRG-Adam saves about a third of Adam's memory. */
  static final String THIRD = "third";
  static final String MOMENTUM = "momentum";
  static final String COMPRESSED = "compressed";

  /** The ranks of the operating points of one model (see {@link OperatingPoints}). */
  record Ranks(int third, int momentum, int compressed) {}

  /**
   * The main arms: every method, the low-rank ones at the paper's operating point (APOLLO-Mini at its rank 1); with
   * {@code extended}, LRG at the other two operating points, the rank sweep and the ablations of LRG's settings.
   */
  static List<Arm> list(Settings s, Ranks ranks, boolean extended, int maxRank) {
    List<Arm> arms = new ArrayList<>();
    int t = s.updateInterval();
    arms.add(plain(Method.SGD));
    arms.add(plain(Method.MOMENTUM));
    arms.add(plain(Method.ADAM));
    arms.add(plain(Method.HEAD));
    arms.add(lrg("LRG-Adam", THIRD, ranks.third(), s.lrgSideBySize(), s.lrgResetMoments(), t, true));
    arms.add(new Arm("GaLore-Adam", Method.GALORE, THIRD, ranks.third(), true, null, t, true));
    arms.add(new Arm("LoRA-Adam", Method.LORA, THIRD, ranks.third(), null, null, t, true));
    arms.add(new Arm("Flora", Method.FLORA, THIRD, ranks.third(), null, null, 0, true));
    arms.add(new Arm("APOLLO", Method.APOLLO, THIRD, ranks.third(), null, null, 0, true));
    arms.add(plain(Method.APOLLO_MINI));
    if (extended) {
      arms.add(lrg(String.format(Locale.ROOT, "LRG-Adam r=%d", ranks.momentum()), MOMENTUM, ranks.momentum(),
          s.lrgSideBySize(), s.lrgResetMoments(), t, false));
      arms.add(lrg(String.format(Locale.ROOT, "LRG-Adam r=%d", ranks.compressed()), COMPRESSED,
          ranks.compressed(), s.lrgSideBySize(), s.lrgResetMoments(), t, false));
      // The rank sweep: every method with a rank at ranks a factor of 4 apart, below the largest useful rank.
      for (int r = 4; r <= maxRank; r *= 4) {
        if (r == ranks.third()) {
          continue;
        }
        arms.add(lrg(String.format(Locale.ROOT, "LRG-Adam r=%d", r), "sweep", r, s.lrgSideBySize(),
            s.lrgResetMoments(), t, false));
        arms.add(new Arm(String.format(Locale.ROOT, "GaLore-Adam r=%d", r), Method.GALORE, "sweep", r, true, null,
            t, false));
        arms.add(new Arm(String.format(Locale.ROOT, "LoRA-Adam r=%d", r), Method.LORA, "sweep", r, null, null, t,
            false));
        arms.add(new Arm(String.format(Locale.ROOT, "Flora r=%d", r), Method.FLORA, "sweep", r, null, null, 0,
            false));
        arms.add(new Arm(String.format(Locale.ROOT, "APOLLO r=%d", r), Method.APOLLO, "sweep", r, null, null, 0,
            false));
      }
      // The ablation of LRG's settings at the paper's operating point: side x moments, each set explicitly, then
      // the refresh interval.
      for (boolean bySize : new boolean[] {false, true}) {
        for (boolean reset : new boolean[] {false, true}) {
          arms.add(lrg(String.format(Locale.ROOT, "LRG %s, moments %s", bySize ? "smaller side" : "left side",
              reset ? "reset" : "kept"), "ablation", ranks.third(), bySize, reset, t, false));
        }
      }
      for (int interval : new int[] {t / 4, t * 4}) {
        if (interval >= 1) {
          arms.add(lrg(String.format(Locale.ROOT, "LRG T=%d", interval), "ablation", ranks.third(),
              s.lrgSideBySize(), s.lrgResetMoments(), interval, false));
        }
      }
    }
    return arms;
  }

  private static Arm plain(Method method) {
    return new Arm(method.label, method, "", 0, null, null, 0, true);
  }

  private static Arm lrg(String label, String point, int rank, Boolean bySize, Boolean reset, int interval,
      boolean tuned) {
    return new Arm(label, Method.LRG, point, rank, bySize, reset, interval, tuned);
  }

  /** The settings that distinguish this arm, for the JSON report. */
  String describe() {
    switch (method) {
      case LRG:
        return String.format(Locale.ROOT, "r=%d, %s side, moments %s at refresh, T=%d", rank,
            sideBySize == null ? "the library's default" : sideBySize ? "smaller" : "left",
            resetMoments == null ? "as the library's default" : resetMoments ? "reset" : "kept", updateInterval);
      case GALORE:
        return String.format(Locale.ROOT, "r=%d, smaller side, T=%d", rank, updateInterval);
      case LORA:
      case FLORA:
      case APOLLO:
        return String.format(Locale.ROOT, "r=%d, the library's other defaults", rank);
      case APOLLO_MINI:
        return "r=1, the library's defaults";
      case HEAD:
        return "biases and last layer only (the rest frozen: no gradient, no optimizer state)";
      default:
        return "";
    }
  }
}
