package org.lrgrad.bench.experiment;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.bench.experiment.Study.Run;
import org.lrgrad.train.memory.MemoryTag;

/** The experiment's terminal output: the set-up, per model a results table, a memory table and the verdicts. */
final class Report {
  private static final double MIB = 1 << 20;

  private Report() {}

  /** Where the run happened and what it used. */
  record Context(String date, List<String> arguments, String kernels, Machine machine, double loadAverageAtStart,
      String data, String user) {}

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / MIB);
  }

  /** A learning rate or a scale as written by hand: 0.1, 0.003, 0.0003, 1. */
  static String rate(float value) {
    return new BigDecimal(Float.toString(value)).stripTrailingZeros().toPlainString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
  }

  static void header(PrintStream out, Context context, Settings settings) {
    out.println("lrgrad experiment: personalize a pretrained model for one user with six optimizers, the shape of"
        + " the study of Gooneratne et al., ICASSP 2020 (docs/method.md section 1)");
    out.println("date      " + context.date());
    out.println("arguments " + (context.arguments().isEmpty() ? "(none: the defaults)" : String.join(" ",
        context.arguments())));
    out.printf(Locale.ROOT, "kernels   %s%n", context.kernels());
    out.printf(Locale.ROOT, "machine   %s; load average %.2f at start%n", context.machine(),
        context.loadAverageAtStart());
    out.println("data      " + context.data());
    out.println("user      " + context.user());
    out.printf(Locale.ROOT, "settings  seed %d, batch %d; pretraining %d steps of Adam (lr %s) on the population's"
        + " images; personalization %d steps per method on the user's images%n", settings.seed(), settings.batch(),
        settings.pretrainSteps(), Settings.PRETRAIN_LEARNING_RATE, settings.steps());
    out.printf(Locale.ROOT, "low rank  r = %d for LRG-Adam, GaLore-Adam and LoRA-Adam; LRG and GaLore renew"
        + " their projectors every %d steps, scale %s; GaLore's projector by %s; LoRA scale %s%n", settings.rank(),
        settings.updateInterval(), rate(Settings.LOW_RANK_SCALE), settings.exactSvd() ? "an exact SVD"
        : String.format(Locale.ROOT, "a randomized SVD (%d extra probes, %d power iterations)",
        Settings.SVD_OVERSAMPLE, Settings.SVD_POWER_ITERATIONS), rate(Settings.LORA_SCALE));
    out.println("memory    peak training memory from the ledger: every buffer a step keeps alive (weights,"
        + " gradients, optimizer state, projectors, activations, workspace)");
    out.println("claims    the seed's three claims, checked per model by these rules:");
    for (String rule : Claims.rules()) {
      out.println("          " + rule);
    }
  }

  static void model(PrintStream out, ModelResult result, List<Verdict> verdicts) {
    Pretrained base = result.base();
    out.println();
    out.printf(Locale.ROOT, "%s, %,d parameters%n", base.description(), base.parameters());
    out.printf(Locale.ROOT, "  pretrained %d steps in %.1f s: population test %s, user test %s%n", base.steps(),
        base.seconds(), percent(base.population().accuracy()), percent(base.user().accuracy()));
    Run adam = result.run(Method.ADAM);
    TextTable table = new TextTable("method", "lr", "peak memory", "vs Adam", "user test before -> after",
        "population after", "train s", "steps/s");
    for (Run run : result.runs()) {
      table.row(run.method().label, rate(run.learningRate()), mib(run.peakBytes()),
          String.format(Locale.ROOT, "%+.1f%%", 100.0 * (run.peakBytes() - adam.peakBytes()) / adam.peakBytes()),
          percent(run.userBefore().accuracy()) + " -> " + percent(run.userAfter().accuracy()),
          percent(run.populationAfter().accuracy()), String.format(Locale.ROOT, "%.1f", run.trainSeconds()),
          String.format(Locale.ROOT, "%.1f", run.stepsPerSecond()));
    }
    table.lines("  ").forEach(out::println);
    for (Run run : result.runs()) {
      if (run.skippedSteps() > 0) {
        out.printf(Locale.ROOT, "  %s skipped %d of its %d steps (a non-finite loss or gradient; Trainer's policy)%n",
            run.method().label, run.skippedSteps(), run.steps());
      }
    }
    out.println();
    String[] header = new String[MemoryTag.values().length + 2];
    header[0] = "memory (MiB)";
    for (MemoryTag tag : MemoryTag.values()) {
      header[1 + tag.ordinal()] = tag.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
    header[header.length - 1] = "peak";
    TextTable memory = new TextTable(header);
    for (Run run : result.runs()) {
      String[] row = new String[header.length];
      row[0] = run.method().label;
      for (MemoryTag tag : MemoryTag.values()) {
        row[1 + tag.ordinal()] = String.format(Locale.ROOT, "%.2f", run.bytesByTag().get(tag) / MIB);
      }
      row[row.length - 1] = String.format(Locale.ROOT, "%.2f", run.peakBytes() / MIB);
      memory.row(row);
    }
    memory.lines("  ").forEach(out::println);
    out.println();
    for (Verdict v : verdicts) {
      out.printf(Locale.ROOT, "  claim %d %s  %s: %s [rule: %s]%n", v.number(), v.word(), v.claim(), v.measured(),
          v.rule());
    }
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
