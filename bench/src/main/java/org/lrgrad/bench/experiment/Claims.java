package org.lrgrad.bench.experiment;

import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Run;

/**
 * The seed's three claims (docs/method.md §1), each checked against one model's runs by a rule fixed before any run.
 * The memory of a method is its peak training memory from the ledger: every buffer a step keeps alive (weights,
 * gradients, optimizer state, projectors, activations, workspace), as the seed's 33% is of the whole training
 * memory.
 */
final class Claims {
  /** The seed's saving of LRG over Adam: 33.0% of the training memory. */
  static final double SEED_SAVING = 0.330;
  /** How far "about" and "comparable" stretch: 15% of the figure they qualify. */
  static final double TOLERANCE = 0.15;
  /** The seed's accuracy claim: 4.5% relative lower word error rate than momentum (here: classification error). */
  static final double SEED_RELATIVE_ERROR_REDUCTION = 0.045;

  /** One claim's outcome on one model. */
  record Verdict(int number, String claim, String rule, String measured, boolean pass) {
    String word() {
      return pass ? "PASS" : "FAIL";
    }
  }

  private Claims() {}

  /** The rules, as printed before the results. */
  static List<String> rules() {
    return List.of(
        String.format(Locale.ROOT, "1. \"LRG-Adam needs about a third less training memory than Adam\" (seed: %.1f%%"
            + " less): PASS if it saves at least %.1f%% (a third, less %.0f%% of it); saving more counts as a pass",
            100 * SEED_SAVING, 100 * minimumSaving(), 100 * TOLERANCE),
        String.format(Locale.ROOT, "2. \"its memory is comparable to momentum's\": PASS if it is at most %.0f%% above"
            + " momentum's; less memory than momentum counts as a pass (whether it is within +-%.0f%% is printed"
            + " too)", 100 * TOLERANCE, 100 * TOLERANCE),
        String.format(Locale.ROOT, "3. \"its accuracy beats momentum's\" (seed: %.1f%% relative lower word error"
            + " rate): PASS if LRG-Adam's accuracy on the user's test images after personalization is higher than"
            + " Momentum's", 100 * SEED_RELATIVE_ERROR_REDUCTION));
  }

  static double minimumSaving() {
    return SEED_SAVING * (1 - TOLERANCE);
  }

  static List<Verdict> check(ModelResult result) {
    Run lrg = result.run(Method.LRG);
    Run adam = result.run(Method.ADAM);
    Run momentum = result.run(Method.MOMENTUM);
    return List.of(savingOverAdam(lrg, adam), comparableToMomentum(lrg, momentum),
        accuracyOverMomentum(lrg, momentum));
  }

  static Verdict savingOverAdam(Run lrg, Run adam) {
    double saving = 1.0 - (double) lrg.peakBytes() / adam.peakBytes();
    boolean pass = saving >= minimumSaving();
    String beyond = saving > SEED_SAVING * (1 + TOLERANCE)
        ? String.format(Locale.ROOT, "; %.1fx the seed's %.1f%%", saving / SEED_SAVING, 100 * SEED_SAVING) : "";
    return new Verdict(1, "LRG-Adam needs about a third less training memory than Adam",
        String.format(Locale.ROOT, "saving >= %.1f%%", 100 * minimumSaving()),
        String.format(Locale.ROOT, "LRG-Adam %s vs Adam %s: %.1f%% less%s", Report.mib(lrg.peakBytes()),
            Report.mib(adam.peakBytes()), 100 * saving, beyond), pass);
  }

  static Verdict comparableToMomentum(Run lrg, Run momentum) {
    double ratio = (double) lrg.peakBytes() / momentum.peakBytes();
    boolean pass = ratio <= 1 + TOLERANCE;
    boolean within = Math.abs(ratio - 1) <= TOLERANCE;
    return new Verdict(2, "LRG-Adam's memory is comparable to momentum's",
        String.format(Locale.ROOT, "LRG-Adam <= %.2f x Momentum", 1 + TOLERANCE),
        String.format(Locale.ROOT, "LRG-Adam %s vs Momentum %s: %.2f x (%+.1f%%; within +-%.0f%%: %s)",
            Report.mib(lrg.peakBytes()), Report.mib(momentum.peakBytes()), ratio, 100 * (ratio - 1),
            100 * TOLERANCE, within ? "yes" : "no"), pass);
  }

  static Verdict accuracyOverMomentum(Run lrg, Run momentum) {
    double a = lrg.userAfter().accuracy();
    double b = momentum.userAfter().accuracy();
    boolean[] lrgRight = lrg.userAfter().correct();
    boolean[] momentumRight = momentum.userAfter().correct();
    int onlyLrg = 0;
    int onlyMomentum = 0;
    for (int i = 0; i < lrgRight.length; i++) {
      onlyLrg += lrgRight[i] && !momentumRight[i] ? 1 : 0;
      onlyMomentum += momentumRight[i] && !lrgRight[i] ? 1 : 0;
    }
    double errorReduction = (1 - b) == 0 ? 0 : ((1 - b) - (1 - a)) / (1 - b);
    return new Verdict(3, "LRG-Adam's accuracy beats momentum's", "accuracy(LRG-Adam) > accuracy(Momentum)",
        String.format(Locale.ROOT, "LRG-Adam %.1f%% vs Momentum %.1f%% on %d user test images (%+.1f points, relative"
            + " error %+.1f%%); only LRG-Adam right on %d images, only Momentum on %d", 100 * a, 100 * b,
            lrgRight.length, 100 * (a - b), -100 * errorReduction, onlyLrg, onlyMomentum), a > b);
  }
}
