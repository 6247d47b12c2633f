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

  float lr() {
    return lr;
  }

  float weightDecay() {
    return weightDecay;
  }
}
