package org.lrgrad.train;

import org.lrgrad.kernels.Checks;

/**
 * {@code torch.optim.SGD} with dampening 0: plain SGD, Momentum, or Nesterov (docs/method.md §2). Weight decay is the
 * L2 form (added to the gradient) and applies to every parameter of the group, biases included, as in PyTorch.
 * State: one momentum buffer per parameter when momentum is not 0.
 */
public final class Sgd extends ChainingOptimizer<Sgd> {
  private float momentum;
  private boolean nesterov;

  /** @param lr the learning rate (PyTorch's SGD has no default) */
  public Sgd(float lr) {
    learningRate(lr);
  }

  /** μ in [0, 1); 0 (the default) is plain SGD. */
  public Sgd momentum(float momentum) {
    checkMutable();
    Checks.unitInterval("momentum", momentum);
    this.momentum = momentum;
    return this;
  }

  /** Nesterov momentum (needs momentum &gt; 0). */
  public Sgd nesterov(boolean nesterov) {
    checkMutable();
    this.nesterov = nesterov;
    return this;
  }

  float momentum() {
    return momentum;
  }

  boolean isNesterov() {
    return nesterov;
  }

  @Override
  public String name() {
    return momentum == 0f ? "SGD" : nesterov ? "Nesterov" : "Momentum";
  }

  @Override
  void validate() {
    if (nesterov && momentum == 0f) {
      throw new IllegalArgumentException("nesterov needs momentum > 0, got momentum=" + momentum);
    }
  }

  @Override
  Slot slotFor(Parameter parameter, int rankCap) {
    return new SgdSlot(parameter, this);
  }

  @Override
  public String toString() {
    return name() + "(lr=" + lr() + ", momentum=" + momentum + ", nesterov=" + nesterov + ", weightDecay="
        + weightDecay() + scheduleSettings() + ")";
  }
}
