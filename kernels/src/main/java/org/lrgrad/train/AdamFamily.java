package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;

/**
 * The hyper-parameters every Adam-based method shares (Adam, AdamW, LRG-Adam, GaLore-Adam, LoRA-Adam): β1, β2, ε,
 * beside the learning rate and weight decay that every method has. Where ε and the bias correction go, and where
 * weight decay acts, each method fixes: its {@link AdamConvention}, and whether its decay is decoupled (AdamW's) or
 * the L2 form. A group's vectors (biases) and small tensors get exactly this Adam.
 *
 * @param <T> the concrete method, so that setters chain
 */
public abstract class AdamFamily<T extends AdamFamily<T>> extends ChainingOptimizer<T> {
  private float beta1 = 0.9f;
  private float beta2 = 0.999f;
  private float eps;
  private final AdamConvention convention;
  /** AdamW's decay (p shrinks by lr·wd, placed as {@link #convention} says) instead of the L2 form. */
  private final boolean decoupledWeightDecay;

  AdamFamily(float lr, float eps, float weightDecay, AdamConvention convention, boolean decoupledWeightDecay) {
    this.convention = convention;
    this.decoupledWeightDecay = decoupledWeightDecay;
    learningRate(lr);
    eps(eps);
    weightDecay(weightDecay);
  }

  /** β1, β2 in [0, 1); defaults 0.9, 0.999. */
  public T betas(float beta1, float beta2) {
    checkMutable();
    Checks.unitInterval("beta1", beta1);
    Checks.unitInterval("beta2", beta2);
    this.beta1 = beta1;
    this.beta2 = beta2;
    return self();
  }

  public T eps(float eps) {
    checkMutable();
    Checks.finiteNonNegative("eps", eps);
    this.eps = eps;
    return self();
  }

  float beta1() {
    return beta1;
  }

  float beta2() {
    return beta2;
  }

  float eps() {
    return eps;
  }

  boolean decoupledWeightDecay() {
    return decoupledWeightDecay;
  }

  /** The slot for a parameter that gets plain Adam: vectors in every Adam method, everything in Adam and AdamW. */
  final Slot adamSlot(Parameter parameter) {
    return new AdamSlot(parameter, this);
  }

  /** One step of this method's Adam, at rate {@code lr}, on the whole of p, with gradient g and moments. */
  final void adamStep(Kernels k, int step, float lr, float[] p, float[] g, float[] expAvg, float[] expAvgSq) {
    k.adamStep(p.length, step, lr, beta1, beta2, eps, weightDecay(), decoupledWeightDecay, convention, p, 0, g,
        0, expAvg, 0, expAvgSq, 0);
  }

  /** The method's own settings for {@link #toString()}, each as {@code ", name=value"}; none for Adam. */
  String methodSettings() {
    return "";
  }

  /**
   * This method's plain Adam as {@link #adamSlot} runs it, spelt as an optimizer of its own: AdamW when the decay
   * is decoupled, and the convention when it is not PyTorch's.
   */
  final String plainAdamDescription() {
    return (decoupledWeightDecay ? "AdamW" : "Adam") + "(lr=" + lr() + ", betas=(" + beta1 + ", " + beta2
        + "), eps=" + eps + ", weightDecay=" + weightDecay()
        + (convention == AdamConvention.TORCH ? "" : ", convention=" + convention) + scheduleSettings() + ")";
  }

  @Override
  public final String toString() {
    return name() + "(lr=" + lr() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay="
        + weightDecay() + methodSettings() + scheduleSettings() + ")";
  }
}
