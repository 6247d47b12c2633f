package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * The settings every method here has, a learning rate and a weight decay, kept once for all of them; the type
 * parameter lets each setter return the concrete method, so that {@code Adam.adamW(lr).weightDecay(0f).betas(...)}
 * chains without casts.
 *
 * @param <T> the concrete method
 */
public abstract class ChainingOptimizer<T extends ChainingOptimizer<T>> extends Optimizer {
  private float lr;
  private float weightDecay;
  private LearningRateSchedule schedule = LearningRateSchedule.constant();

  ChainingOptimizer() {}

  @SuppressWarnings("unchecked")
  final T self() {
    return (T) this;
  }

  public T learningRate(float lr) {
    checkMutable();
    Checks.finiteNonNegative("lr", lr);
    this.lr = lr;
    return self();
  }

  public final T weightDecay(float weightDecay) {
    checkMutable();
    Checks.finiteNonNegative("weightDecay", weightDecay);
    this.weightDecay = weightDecay;
    return self();
  }

  @Override
  public final T schedule(LearningRateSchedule schedule) {
    checkMutable();
    Checks.notNull("schedule", schedule);
    this.schedule = schedule;
    return self();
  }

  @Override
  final LearningRateSchedule learningRateSchedule() {
    return schedule;
  }

  /** {@code ", schedule=..."} for {@link #toString()} when the schedule is not constant, else nothing. */
  final String scheduleSettings() {
    return schedule == LearningRateSchedule.constant() ? "" : ", schedule=" + schedule;
  }

  float lr() {
    return lr;
  }

  float weightDecay() {
    return weightDecay;
  }
}
