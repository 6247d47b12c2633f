package org.lrgrad.train;

import java.util.Locale;

/** What one {@link Trainer#fit} did: how many steps ran, the last batch's loss, and whether it was cancelled. */
public final class TrainingRun {
  private final int steps;
  private final int plannedSteps;
  private final float lastLoss;
  private final boolean cancelled;

  TrainingRun(int steps, int plannedSteps, float lastLoss, boolean cancelled) {
    this.steps = steps;
    this.plannedSteps = plannedSteps;
    this.lastLoss = lastLoss;
    this.cancelled = cancelled;
  }

  /** Steps taken (skipped steps included). */
  public int steps() {
    return steps;
  }

  /** Steps the run would have taken without a cancel. */
  public int plannedSteps() {
    return plannedSteps;
  }

  /** The loss of the last batch, NaN when no step ran. */
  public float lastLoss() {
    return lastLoss;
  }

  /** Whether {@link Trainer#cancel()} stopped the run before {@link #plannedSteps()}. */
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d of %d steps%s, last loss %.4f", steps, plannedSteps,
        cancelled ? " (cancelled)" : "", lastLoss);
  }
}
