package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * How a parameter group's learning rate changes over training: the rate of an update is the optimizer's learning
 * rate times {@link #factor(long)} of the trainer's completed-step count before it (0 for the first update). Steps
 * skipped by the non-finite policy do not move it. The schedule's settings are part of the optimizer's
 * {@link Optimizer#toString() description}, hence of {@link Trainer#configuration()}; its position is the
 * trainer's step counter, which a checkpoint saves, so a restored run continues the schedule exactly.
 *
 * <p>Schedules are immutable; computing a factor allocates nothing.
 */
public abstract class LearningRateSchedule {
  private static final LearningRateSchedule CONSTANT = new LearningRateSchedule() {
    @Override
    double compute(long step) {
      return 1.0;
    }

    @Override
    public String toString() {
      return "constant";
    }
  };

  LearningRateSchedule() {}

  /** The factor on the learning rate of the update that follows {@code step} completed steps (step ≥ 0). */
  public final float factor(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("step=" + step + " must be >= 0");
    }
    return (float) compute(step);
  }

  abstract double compute(long step);

  /** The learning rate as set, always (the default). */
  public static LearningRateSchedule constant() {
    return CONSTANT;
  }

  /**
   * Linear warm-up: the k-th update (k = step + 1) gets k / warmupSteps of the rate until it reaches the full rate
   * at update {@code warmupSteps}, then the full rate.
   */
  public static LearningRateSchedule linearWarmup(int warmupSteps) {
    return constant().afterWarmup(warmupSteps);
  }

  /**
   * Cosine annealing as {@code torch.optim.lr_scheduler.CosineAnnealingLR}: from the full rate at step 0 down to
   * {@code minFactor} of it at step {@code totalSteps}, along half a cosine, then {@code minFactor} from there on.
   */
  public static LearningRateSchedule cosine(final int totalSteps, final float minFactor) {
    Checks.positive("totalSteps", totalSteps);
    checkFactor("minFactor", minFactor);
    return new LearningRateSchedule() {
      @Override
      double compute(long step) {
        double progress = Math.min(step, totalSteps) / (double) totalSteps;
        return minFactor + (1.0 - minFactor) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
      }

      @Override
      public String toString() {
        return "cosine(totalSteps=" + totalSteps + ", minFactor=" + minFactor + ")";
      }
    };
  }

  /**
   * Step decay as {@code torch.optim.lr_scheduler.StepLR}: the rate times {@code gamma} to the power
   * ⌊step / stepSize⌋.
   */
  public static LearningRateSchedule step(final int stepSize, final float gamma) {
    Checks.positive("stepSize", stepSize);
    checkFactor("gamma", gamma);
    return new LearningRateSchedule() {
      @Override
      double compute(long step) {
        return Math.pow(gamma, step / stepSize);
      }

      @Override
      public String toString() {
        return "step(stepSize=" + stepSize + ", gamma=" + gamma + ")";
      }
    };
  }

  /**
   * This schedule after a linear warm-up of {@code warmupSteps} updates: update k ≤ warmupSteps gets
   * k / warmupSteps of the rate, and the updates after it follow this schedule from its step 0.
   */
  public final LearningRateSchedule afterWarmup(final int warmupSteps) {
    Checks.positive("warmupSteps", warmupSteps);
    final LearningRateSchedule then = this;
    return new LearningRateSchedule() {
      @Override
      double compute(long step) {
        return step < warmupSteps ? (step + 1) / (double) warmupSteps : then.compute(step - warmupSteps);
      }

      @Override
      public String toString() {
        return "linearWarmup(warmupSteps=" + warmupSteps + (then == CONSTANT ? "" : ", then " + then) + ")";
      }
    };
  }

  private static void checkFactor(String name, float value) {
    if (!(value >= 0f && value <= 1f)) {
      throw new IllegalArgumentException(name + "=" + value + " must be in [0, 1]");
    }
  }
}
