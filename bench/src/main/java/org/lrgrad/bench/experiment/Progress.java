package org.lrgrad.bench.experiment;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Shows how far a long run is, on stderr: the training steps of every phase, counted against the run's total. */
abstract class Progress implements AutoCloseable {
  /** How progress is shown: {@code AUTO} is a bar on a terminal, otherwise one line per phase. */
  enum Mode {
    AUTO, BAR, LINES, NONE
  }

  /** A phase of {@code steps} training steps begins (its steps are part of the total given at creation). */
  abstract void begin(String phase, int steps);

  /** One training step is done. */
  abstract void step();

  @Override
  public abstract void close();

  static Progress create(Mode mode, long totalSteps, PrintStream err) {
    if (mode == Mode.AUTO) {
      mode = System.console() != null && System.console().isTerminal() ? Mode.BAR : Mode.LINES;
    }
    switch (mode) {
      case BAR:
        return new Bar(totalSteps, err);
      case LINES:
        return new Lines(totalSteps, err);
      default:
        return new Progress() {
          @Override
          void begin(String phase, int steps) {}

          @Override
          void step() {}

          @Override
          public void close() {}
        };
    }
  }

  /** A redrawn bar with the phase's name, the run's share done and an estimate of the time left. */
  private static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(long totalSteps, PrintStream err) {
      // Short fixed parts, so that an 80-column terminal leaves the bar and the phase's name room.
      bar = new ProgressBarBuilder().setTaskName("steps").setInitialMax(totalSteps)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
          .setConsumer(new ConsoleProgressBarConsumer(err)).build();
    }

    @Override
    void begin(String phase, int steps) {
      bar.setExtraMessage(phase);
    }

    @Override
    void step() {
      bar.step();
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** One line per phase, with the share of the run done before it: for logs, where a redrawn bar is noise. */
  private static final class Lines extends Progress {
    private final long total;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private long done;

    Lines(long total, PrintStream err) {
      this.total = total;
      this.err = err;
    }

    @Override
    void begin(String phase, int steps) {
      err.printf(Locale.ROOT, "[experiment %5.1f s, %3.0f%% of %d steps] %s: %d steps%n",
          (System.nanoTime() - start) * 1e-9, total == 0 ? 100.0 : 100.0 * done / total, total, phase, steps);
    }

    @Override
    void step() {
      done++;
    }

    @Override
    public void close() {
      err.printf(Locale.ROOT, "[experiment %5.1f s, 100%% of %d steps] done%n", (System.nanoTime() - start) * 1e-9,
          total);
    }
  }
}
