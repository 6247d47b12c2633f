package org.lrgrad.bench.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.experiment.Study.ArmResult;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.kernels.SeededRandom;

/**
 * The paper's three claims (Gooneratne et al., ICASSP 2020), each checked against one model's results by a rule
 * fixed before the run and printed with it. Memory is the ledger's peak training memory (every buffer a step keeps
 * alive), as the paper's saving is of the whole training memory; the memory claims are judged at the operating
 * point where LRG-Adam saves about a third of Adam's memory, the paper's. Accuracy is judged over the evaluated
 * users by a paired hierarchical bootstrap: resample the users, then each resampled user's test images, and take
 * the mean over users of the per-user difference in accuracy.
 */
final class Claims {
  /** The paper's saving of LRG over Adam: 33% of the training memory. */
  static final double PAPER_SAVING = 0.330;
  /** How far "about" and "comparable" stretch, both ways: 15% of the figure they qualify. */
  static final double TOLERANCE = 0.15;
  /** The paper's accuracy claim: 4.5% relative lower word error rate than momentum (here: classification error). */
  static final double PAPER_RELATIVE_ERROR_REDUCTION = 0.045;
  /** Non-inferiority margin of claim 3, in accuracy points. */
  static final double NON_INFERIORITY_POINTS = 1.0;
  static final double CONFIDENCE = 0.95;

  /** One claim's outcome on one model; {@code interval} is [low, high] or null. */
  record Verdict(int number, String claim, String rule, String measured, String verdict, double[] interval) {}

  /** A difference's point estimate and its bootstrap interval, in accuracy fractions. */
  record Interval(double estimate, double low, double high) {}

  private Claims() {}

  /** The rules, as printed before the results. */
  static List<String> rules() {
    return List.of(
        String.format(Locale.ROOT, "1. \"LRG-Adam needs about a third less training memory than Adam\" (the paper:"
            + " %.0f%%), at the rank where LRG-Adam's saving is closest to that: PASS if the saving is within"
            + " +-%.0f%% of %.0f%% (%.1f%% to %.1f%%), else FAIL", 100 * PAPER_SAVING, 100 * TOLERANCE,
            100 * PAPER_SAVING, 100 * PAPER_SAVING * (1 - TOLERANCE), 100 * PAPER_SAVING * (1 + TOLERANCE)),
        String.format(Locale.ROOT, "2. \"its memory is comparable to momentum's\", at the same rank: PASS if"
            + " LRG-Adam's peak is within +-%.0f%% of Momentum's (%.2f to %.2f x), else FAIL", 100 * TOLERANCE,
            1 - TOLERANCE, 1 + TOLERANCE),
        String.format(Locale.ROOT, "3. \"its accuracy beats momentum's\" (the paper: %.1f%% relative lower word"
            + " error rate), at the same rank: the mean over users of accuracy(LRG-Adam) - accuracy(Momentum) on"
            + " each user's test images, with a %.0f%% interval from a paired hierarchical bootstrap (%d"
            + " resamples of users, then of images within each user): PASS if the interval is above 0, FAIL if"
            + " below, else INCONCLUSIVE; non-inferior if its lower end is above -%.0f point",
            100 * PAPER_RELATIVE_ERROR_REDUCTION, 100 * CONFIDENCE, Settings.BOOTSTRAP_RESAMPLES,
            NON_INFERIORITY_POINTS));
  }

  static List<Verdict> check(ModelResult result, long seed) {
    ArmResult lrg = result.arm("LRG-Adam");
    ArmResult adam = result.arm("Adam");
    ArmResult momentum = result.arm("Momentum");
    return List.of(savingOverAdam(lrg.peakBytes(), adam.peakBytes(), lrg.arm().rank()),
        comparableToMomentum(lrg.peakBytes(), momentum.peakBytes(), lrg.arm().rank()),
        accuracyOverMomentum(correct(lrg), correct(momentum), seed));
  }

  private static boolean[][] correct(ArmResult arm) {
    boolean[][] c = new boolean[arm.users().size()][];
    for (int u = 0; u < c.length; u++) {
      c[u] = arm.users().get(u).after().correct();
    }
    return c;
  }

  static Verdict savingOverAdam(long lrgBytes, long adamBytes, int rank) {
    double saving = 1.0 - (double) lrgBytes / adamBytes;
    // The bounds are decimal fractions: allow for their binary rounding.
    boolean pass = Math.abs(saving - PAPER_SAVING) <= TOLERANCE * PAPER_SAVING + 1e-12;
    return new Verdict(1, "LRG-Adam needs about a third less training memory than Adam",
        String.format(Locale.ROOT, "saving in [%.1f%%, %.1f%%]", 100 * PAPER_SAVING * (1 - TOLERANCE),
            100 * PAPER_SAVING * (1 + TOLERANCE)),
        String.format(Locale.ROOT, "LRG-Adam r=%d %s vs Adam %s: %.1f%% %s (the paper: %.0f%% less)",
            rank, Report.mib(lrgBytes), Report.mib(adamBytes), 100 * Math.abs(saving), saving >= 0 ? "less" : "more",
            100 * PAPER_SAVING),
        pass ? "PASS" : "FAIL", null);
  }

  static Verdict comparableToMomentum(long lrgBytes, long momentumBytes, int rank) {
    double ratio = (double) lrgBytes / momentumBytes;
    boolean pass = Math.abs(ratio - 1) <= TOLERANCE + 1e-12;
    return new Verdict(2, "LRG-Adam's memory is comparable to momentum's",
        String.format(Locale.ROOT, "LRG-Adam / Momentum in [%.2f, %.2f]", 1 - TOLERANCE, 1 + TOLERANCE),
        String.format(Locale.ROOT, "LRG-Adam r=%d %s vs Momentum %s: %.2f x (%+.1f%%)", rank, Report.mib(lrgBytes),
            Report.mib(momentumBytes), ratio, 100 * (ratio - 1)), pass ? "PASS" : "FAIL", null);
  }

  /** {@code lrg[u][i]}: whether LRG-Adam got user u's test image i right; the same for Momentum. */
  static Verdict accuracyOverMomentum(boolean[][] lrg, boolean[][] momentum, long seed) {
    Interval d = pairedBootstrap(lrg, momentum, Settings.BOOTSTRAP_RESAMPLES, seed);
    String verdict = d.low() > 0 ? "PASS" : d.high() < 0 ? "FAIL" : "INCONCLUSIVE";
    double errorLrg = 1 - meanAccuracy(lrg);
    double errorMomentum = 1 - meanAccuracy(momentum);
    double reduction = errorMomentum == 0 ? 0 : (errorMomentum - errorLrg) / errorMomentum;
    boolean nonInferior = d.low() > -NON_INFERIORITY_POINTS / 100;
    return new Verdict(3, "LRG-Adam's accuracy beats momentum's",
        String.format(Locale.ROOT, "%.0f%% interval of the paired difference above 0: PASS, below 0: FAIL, else"
            + " INCONCLUSIVE", 100 * CONFIDENCE),
        String.format(Locale.ROOT, "LRG-Adam %.2f%% vs Momentum %.2f%% over %d users: %+.2f points, %.0f%% interval"
            + " [%+.2f, %+.2f]; non-inferior within %.0f point: %s; relative error reduction %+.1f%% (the paper:"
            + " %+.1f%%)", 100 * meanAccuracy(lrg), 100 * meanAccuracy(momentum), lrg.length, 100 * d.estimate(),
            100 * CONFIDENCE, 100 * d.low(), 100 * d.high(), NON_INFERIORITY_POINTS, nonInferior ? "yes" : "no",
            100 * reduction, 100 * PAPER_RELATIVE_ERROR_REDUCTION), verdict,
        new double[] {d.low(), d.high()});
  }

  /** The mean over users of each user's accuracy. */
  static double meanAccuracy(boolean[][] correct) {
    double sum = 0;
    for (boolean[] user : correct) {
      sum += accuracy(user);
    }
    return sum / correct.length;
  }

  private static double accuracy(boolean[] user) {
    int right = 0;
    for (boolean c : user) {
      right += c ? 1 : 0;
    }
    return (double) right / user.length;
  }

  /**
   * The mean over users of accuracy(a) − accuracy(b) and its {@link #CONFIDENCE} percentile interval: each
   * resample draws as many users as there are with replacement, then for each drawn user as many of its test
   * images as it has, with replacement, the same images for a and b (the pairing).
   */
  static Interval pairedBootstrap(boolean[][] a, boolean[][] b, int resamples, long seed) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException("users: a has " + a.length + ", b has " + b.length
          + "; expected the same number, at least 1");
    }
    // Per user and image: +1 where only a is right, -1 where only b is, 0 otherwise.
    int[][] diff = new int[a.length][];
    double estimate = 0;
    for (int u = 0; u < a.length; u++) {
      if (a[u].length != b[u].length || a[u].length == 0) {
        throw new IllegalArgumentException("user " + u + ": a has " + a[u].length + " images, b has "
            + b[u].length + "; expected the same number, at least 1");
      }
      diff[u] = new int[a[u].length];
      long sum = 0;
      for (int i = 0; i < diff[u].length; i++) {
        diff[u][i] = (a[u][i] ? 1 : 0) - (b[u][i] ? 1 : 0);
        sum += diff[u][i];
      }
      estimate += (double) sum / diff[u].length / a.length;
    }
    SeededRandom random = new SeededRandom(seed);
    double[] means = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      double total = 0;
      for (int k = 0; k < diff.length; k++) {
        int[] user = diff[random.nextInt(diff.length)];
        long sum = 0;
        for (int i = 0; i < user.length; i++) {
          sum += user[random.nextInt(user.length)];
        }
        total += (double) sum / user.length;
      }
      means[r] = total / diff.length;
    }
    Arrays.sort(means);
    double tail = (1 - CONFIDENCE) / 2;
    return new Interval(estimate, means[(int) Math.floor(tail * (resamples - 1))],
        means[(int) Math.ceil((1 - tail) * (resamples - 1))]);
  }
}
