package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.bench.experiment.Study.Run;
import org.lrgrad.data.LabeledImages;
import org.lrgrad.data.PersonalizationSplit;
import org.lrgrad.kernels.SeededRandom;

/**
 * How the default learning rates were chosen ({@code --sweep}): for each model and method, personalize on most of
 * the user's training images with each rate of {@link Method#sweepGrid()}, score on the rest of them, and take the
 * rate with the lowest mean loss there. The user's test images are never looked at.
 */
final class Sweep {
  /** The share of the user's training images held out to score the rates. */
  static final double HELD_OUT_SHARE = 0.2;

  private Sweep() {}

  /** The user's training images split in two at random: [0] to train on, [1] to score. */
  static LabeledImages[] holdOut(LabeledImages userTrain, long seed) {
    int n = userTrain.size();
    int heldOut = (int) Math.round(n * HELD_OUT_SHARE);
    if (heldOut < 1 || heldOut >= n) {
      throw new IllegalArgumentException("the user has " + n + " training images: too few to hold out "
          + HELD_OUT_SHARE + " of them and train on the rest");
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SeededRandom random = new SeededRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] fit = Arrays.copyOfRange(order, heldOut, n);
    int[] score = Arrays.copyOfRange(order, 0, heldOut);
    Arrays.sort(fit);
    Arrays.sort(score);
    return new LabeledImages[] {userTrain.subset(fit, "the user's training images but a held-out "
        + HELD_OUT_SHARE + " of them"), userTrain.subset(score, "a held-out " + HELD_OUT_SHARE
        + " of the user's training images")};
  }

  /** Steps the sweep takes for {@code settings}: pretraining and every rate of every method, per model. */
  static long totalSteps(Settings settings) {
    long perModel = settings.pretrainSteps();
    for (Method m : Method.values()) {
      perModel += (long) m.sweepGrid().length * settings.steps();
    }
    return perModel * settings.models().size();
  }

  /** Runs the sweep; returns its table, to print once the progress display is gone. */
  static List<String> run(Study study, Settings settings, PersonalizationSplit split) {
    List<String> out = new ArrayList<>();
    LabeledImages[] parts = holdOut(split.userTrain(), settings.seed());
    StringBuilder chosen = new StringBuilder();
    for (ModelKind model : settings.models()) {
      Pretrained base = study.pretrain(model, split);
      out.add("");
      out.add(String.format(Locale.ROOT, "%s; trained on %d of the user's training images, scored on the other %d"
          + " (accuracy / mean loss; the lowest loss is chosen)", base.description(), parts[0].size(),
          parts[1].size()));
      for (Method method : Method.values()) {
        float[] grid = method.sweepGrid();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-12s", method.label));
        float best = Float.NaN;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (float lr : grid) {
          Run run = study.personalize(base, method, lr, parts[0], parts[1], null);
          double accuracy = run.userAfter().accuracy();
          double loss = run.userAfter().meanLoss();
          line.append(String.format(Locale.ROOT, "  lr %-6s %5.1f%% / %.3f", Report.rate(lr), 100 * accuracy,
              loss));
          // The lowest held-out loss: on a few dozen images the accuracy moves in steps of 2 points and ties often,
          // the mean loss is the finer estimate of how well the rate generalizes.
          if (loss < bestLoss) {
            best = lr;
            bestLoss = loss;
          }
        }
        out.add(line.append("  -> ").append(Report.rate(best)).toString());
        chosen.append(" --lr ").append(method.id).append('=').append(Report.rate(best));
      }
      out.add(String.format(Locale.ROOT, "  chosen for %s:%s", model, chosen));
      chosen.setLength(0);
    }
    return out;
  }
}
