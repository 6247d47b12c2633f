package org.lrgrad.bench.experiment;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ArmResult;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.bench.experiment.Study.Tuning;
import org.lrgrad.bench.experiment.Study.User;
import org.lrgrad.bench.experiment.Study.UserRun;
import org.lrgrad.train.memory.MemoryTag;

/** The study's terminal output: the set-up, per model the tables over users, the memory table and the verdicts. */
final class Report {
  private static final double MIB = 1 << 20;

  private Report() {}

  /** Where the run happened and what it used. */
  record Context(String date, List<String> arguments, String kernels, Machine machine, double loadAverageAtStart,
      String data) {}

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / MIB);
  }

  /** A learning rate or a scale as written by hand: 0.1, 0.003, 0.0003, 1. */
  static String rate(float value) {
    return new BigDecimal(Float.toString(value)).round(new java.math.MathContext(2)).stripTrailingZeros()
        .toPlainString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
  }

  static void header(PrintStream out, Context context, Settings s) {
    out.println("lrgrad study: personalize a pretrained model for many users with each optimizer and check the"
        + " claims of Gooneratne et al., ICASSP 2020 (the paper)");
    out.println("date      " + context.date());
    out.println("arguments " + (context.arguments().isEmpty() ? "(none: the defaults)" : String.join(" ",
        context.arguments())));
    out.printf(Locale.ROOT, "kernels   %s; %d threads%n", context.kernels(), s.threads());
    out.printf(Locale.ROOT, "machine   %s; load average %.2f at start%n", context.machine(),
        context.loadAverageAtStart());
    out.println("data      " + context.data());
    out.printf(Locale.ROOT, "users     %d evaluated and %d development users per model (learning rates are chosen"
        + " on the development users only), each with a %s shift of the images and a skewed class mix drawn from"
        + " the RNG seed %d; %d training and %d test images per user%n", s.users(), s.devUsers(),
        s.shift().name().toLowerCase(Locale.ROOT), s.seed(), org.lrgrad.bench.data.PersonalizationSplit.DEFAULT_USER_TRAIN,
        org.lrgrad.bench.data.PersonalizationSplit.DEFAULT_USER_TEST);
    out.printf(Locale.ROOT, "settings  batch %d; pretraining %d steps of Adam (lr %s) on the population's images;"
        + " personalization %d steps per method and user; learning rates from a grid of %d per method, a factor"
        + " %s apart, lowest mean test loss over the development users%n", s.batch(), s.pretrainSteps(),
        rate(Settings.PRETRAIN_LEARNING_RATE), s.steps(), Method.GRID_SIZE, rate(Method.GRID_FACTOR));
    out.printf(Locale.ROOT, "low rank  LRG and GaLore renew their projectors every %d steps, scale %s; LRG"
        + " projects %s and %s at a refresh; GaLore's projector by %s; LoRA scale %s%n",
        s.updateInterval(), rate(Settings.LOW_RANK_SCALE), s.lrgSideBySize() == null ? "on the library's default"
        + " side" : s.lrgSideBySize() ? "each matrix's smaller side" : "the left side", s.lrgResetMoments() == null
        ? "treats its moments as the library's default does" : s.lrgResetMoments() ? "resets its moments"
        : "keeps its moments", s.exactSvd() ? "an exact SVD"
        : String.format(Locale.ROOT, "a randomized SVD (%d extra probes, %d power iterations)",
        Settings.SVD_OVERSAMPLE, Settings.SVD_POWER_ITERATIONS), rate(Settings.LORA_SCALE));
    out.println("          Flora, APOLLO and APOLLO-Mini with the library's defaults but the learning rate (tuned"
        + " like every other method's); Head-Adam trains the biases and the last layer, the rest frozen");
    out.println("memory    peak training memory from the ledger: every buffer a step keeps alive, with each layer's"
        + " update fused into backward (every method); unfused: every full gradient held until the step's end");
    out.println("claims    the paper's three claims, checked per model by these rules, fixed before the run:");
    for (String rule : Claims.rules()) {
      out.println("          " + rule);
    }
  }

  static void model(PrintStream out, ModelResult result, List<Verdict> verdicts) {
    Pretrained base = result.base();
    out.println();
    out.printf(Locale.ROOT, "%s, %,d parameters%n", base.description(), base.parameters());
    double min = 1;
    double max = 0;
    for (User u : result.users()) {
      min = Math.min(min, u.before().accuracy());
      max = Math.max(max, u.before().accuracy());
    }
    out.printf(Locale.ROOT, "  pretrained %d steps in %.1f s: population test %s; on the users' test images"
        + " before personalization: mean %s (min %s, max %s)%n", base.steps(), base.seconds(),
        percent(base.population().accuracy()), percent(result.meanBefore()), percent(min), percent(max));
    OperatingPoints p = result.points();
    out.printf(Locale.ROOT, "  operating points of LRG-Adam (ledger): (a) r=%d, saving closest to a third of"
        + " Adam's %s%s; (b) r=%d, closest to Momentum's %s; (c) r=%d, compressed%n", p.ranks().third(),
        mib(p.adamPeak()), p.thirdReachable() ? "" : " (no rank saves a third)", p.ranks().momentum(),
        mib(p.momentumPeak()), p.ranks().compressed());
    if (!result.tuning().isEmpty()) {
      out.printf(Locale.ROOT, "  learning rates, on %d development users (mean test loss / accuracy per rate; the"
          + " lowest loss is chosen):%n", result.tuningUsers());
      for (Tuning t : result.tuning()) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    %-12s", t.arm().label()));
        for (int i = 0; i < t.grid().length; i++) {
          line.append(String.format(Locale.ROOT, "  %-7s %.3f / %5.1f%%", rate(t.grid()[i]), t.meanLoss()[i],
              100 * t.meanAccuracy()[i]));
        }
        out.println(line.append("  -> ").append(rate(t.chosen())));
      }
    }
    ArmResult adam = result.arm("Adam");
    TextTable table = new TextTable("arm", "lr", "peak memory", "vs Adam", "user test before -> after",
        "gain (sd) over users", "gain min..max", "population after", "s/user");
    for (ArmResult arm : result.arms()) {
      double[] gains = gains(result, arm);
      double mean = mean(gains);
      double lo = gains[0];
      double hi = gains[0];
      for (double g : gains) {
        lo = Math.min(lo, g);
        hi = Math.max(hi, g);
      }
      double population = 0;
      double seconds = 0;
      for (UserRun u : arm.users()) {
        population += u.populationAfter() / arm.users().size();
        seconds += u.trainSeconds() / arm.users().size();
      }
      table.row(arm.arm().label(), rate(arm.learningRate()), mib(arm.peakBytes()),
          String.format(Locale.ROOT, "%+.1f%%", 100.0 * (arm.peakBytes() - adam.peakBytes()) / adam.peakBytes()),
          percent(result.meanBefore()) + " -> " + percent(arm.meanAccuracy()),
          String.format(Locale.ROOT, "%+.1f (%.1f)", 100 * mean, 100 * sd(gains)),
          String.format(Locale.ROOT, "%+.1f..%+.1f", 100 * lo, 100 * hi), percent(population),
          String.format(Locale.ROOT, "%.1f", seconds));
    }
    table.lines("  ").forEach(out::println);
    for (ArmResult arm : result.arms()) {
      long skipped = 0;
      for (UserRun u : arm.users()) {
        skipped += u.skippedSteps();
      }
      if (skipped > 0) {
        out.printf(Locale.ROOT, "  %s skipped %d steps over all users (a non-finite loss or gradient)%n",
            arm.arm().label(), skipped);
      }
    }
    out.println();
    String[] userHeader = new String[result.users().size() + 1];
    userHeader[0] = "user test after (%)";
    for (int u = 0; u < result.users().size(); u++) {
      userHeader[u + 1] = "u" + (u + 1);
    }
    TextTable perUser = new TextTable(userHeader);
    String[] beforeRow = new String[userHeader.length];
    beforeRow[0] = "(base model)";
    for (int u = 0; u < result.users().size(); u++) {
      beforeRow[u + 1] = String.format(Locale.ROOT, "%.1f", 100 * result.users().get(u).before().accuracy());
    }
    perUser.row(beforeRow);
    for (ArmResult arm : result.arms()) {
      String[] row = new String[userHeader.length];
      row[0] = arm.arm().label();
      for (int u = 0; u < arm.users().size(); u++) {
        row[u + 1] = String.format(Locale.ROOT, "%.1f", 100 * arm.users().get(u).after().accuracy());
      }
      perUser.row(row);
    }
    perUser.lines("  ").forEach(out::println);
    out.println();
    // The kinds and the peak are of the fused step; the unfused peak beside it is the same arm holding every full
    // gradient until the step's end.
    String[] header = new String[MemoryTag.values().length + 3];
    header[0] = "memory (MiB)";
    for (MemoryTag tag : MemoryTag.values()) {
      header[1 + tag.ordinal()] = tag.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
    header[header.length - 2] = "peak";
    header[header.length - 1] = "unfused peak";
    TextTable memory = new TextTable(header);
    for (ArmResult arm : result.arms()) {
      String[] row = new String[header.length];
      row[0] = arm.arm().label();
      for (MemoryTag tag : MemoryTag.values()) {
        row[1 + tag.ordinal()] = String.format(Locale.ROOT, "%.2f", arm.bytesByTag().get(tag) / MIB);
      }
      row[row.length - 2] = String.format(Locale.ROOT, "%.2f", arm.peakBytes() / MIB);
      row[row.length - 1] = String.format(Locale.ROOT, "%.2f", arm.unfusedPeakBytes() / MIB);
      memory.row(row);
    }
    memory.lines("  ").forEach(out::println);
    out.println();
    for (Verdict v : verdicts) {
      out.printf(Locale.ROOT, "  claim %d %s  %s: %s [rule: %s]%n", v.number(), v.verdict(), v.claim(),
          v.measured(), v.rule());
    }
  }

  /** Per evaluated user: accuracy after with this arm minus the base model's accuracy. */
  static double[] gains(ModelResult result, ArmResult arm) {
    double[] gains = new double[arm.users().size()];
    for (int u = 0; u < gains.length; u++) {
      gains[u] = arm.users().get(u).after().accuracy() - result.users().get(u).before().accuracy();
    }
    return gains;
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** The sample standard deviation (0 for a single value). */
  static double sd(double[] values) {
    if (values.length < 2) {
      return 0;
    }
    double m = mean(values);
    double sum = 0;
    for (double v : values) {
      sum += (v - m) * (v - m);
    }
    return Math.sqrt(sum / (values.length - 1));
  }

  static void footer(PrintStream out, double seconds, double loadAverageAtEnd, String json, String chart) {
    out.println();
    out.printf(Locale.ROOT, "done in %.1f s; load average %.2f at the end%n", seconds, loadAverageAtEnd);
    if (json != null) {
      out.println("JSON report: " + json);
    }
    if (chart != null) {
      out.println("chart: " + chart);
    }
  }
}
