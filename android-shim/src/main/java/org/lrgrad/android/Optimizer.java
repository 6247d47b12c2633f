package org.lrgrad.android;

import java.util.Locale;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;

/**
 * How a trainer updates its parameters: one of the contract's fused optimizer steps (PyTorch semantics) with its
 * hyper-parameters, checked when the optimizer is made. Immutable; the state (momentum buffer, Adam's moments)
 * belongs to the trainer.
 */
public final class Optimizer {
  private enum Kind { SGD, MOMENTUM, NESTEROV, ADAM, ADAMW }

  private static final float ADAM_BETA1 = 0.9f;
  private static final float ADAM_BETA2 = 0.999f;
  private static final float ADAM_EPS = 1e-8f;

  private final Kind kind;
  private final float learningRate;
  private final float momentum;
  private final float weightDecay;

  private Optimizer(Kind kind, float learningRate, float momentum, float weightDecay) {
    Checks.finitePositive("learningRate", learningRate);
    Checks.unitInterval("momentum", momentum);
    Checks.finiteNonNegative("weightDecay", weightDecay);
    if ((kind == Kind.MOMENTUM || kind == Kind.NESTEROV) && momentum == 0f) {
      throw new IllegalArgumentException("momentum=" + momentum + " must be > 0 for " + kind.name().toLowerCase(Locale.ROOT));
    }
    this.kind = kind;
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  /** Plain SGD: p ← p − lr·g. */
  public static Optimizer sgd(float learningRate) {
    return new Optimizer(Kind.SGD, learningRate, 0f, 0f);
  }

  /** SGD with momentum μ in (0, 1) ({@code torch.optim.SGD}, dampening 0). */
  public static Optimizer momentum(float learningRate, float momentum) {
    return new Optimizer(Kind.MOMENTUM, learningRate, momentum, 0f);
  }

  /** SGD with Nesterov momentum μ in (0, 1). */
  public static Optimizer nesterov(float learningRate, float momentum) {
    return new Optimizer(Kind.NESTEROV, learningRate, momentum, 0f);
  }

  /** Adam ({@code torch.optim.Adam}, β = (0.9, 0.999), ε = 1e-8). */
  public static Optimizer adam(float learningRate) {
    return new Optimizer(Kind.ADAM, learningRate, 0f, 0f);
  }

  /** AdamW ({@code torch.optim.AdamW}, β = (0.9, 0.999), ε = 1e-8) with decoupled weight decay. */
  public static Optimizer adamW(float learningRate, float weightDecay) {
    return new Optimizer(Kind.ADAMW, learningRate, 0f, weightDecay);
  }

  public float learningRate() {
    return learningRate;
  }

  /** Floats of state for {@code parameters} parameters: 0 (SGD), one buffer (momentum), two moments (Adam). */
  int stateSize(int parameters) {
    switch (kind) {
      case SGD:
        return 0;
      case MOMENTUM:
      case NESTEROV:
        return parameters;
      default:
        return Math.multiplyExact(2, parameters);
    }
  }

  /** Step {@code step} (1-based) on p[0, len) with gradient g and this optimizer's {@link #stateSize} floats. */
  void step(Kernels kernels, int step, int len, float[] p, float[] g, float[] state) {
    switch (kind) {
      case SGD:
        kernels.sgdStep(len, learningRate, 0f, p, 0, g, 0);
        break;
      case MOMENTUM:
      case NESTEROV:
        kernels.momentumStep(len, step, learningRate, momentum, 0f, kind == Kind.NESTEROV, 0f, p, 0, g, 0, state, 0);
        break;
      default:
        kernels.adamStep(len, step, learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPS, weightDecay,
            kind == Kind.ADAMW, AdamConvention.TORCH, p, 0, g, 0, state, 0, state, len);
        break;
    }
  }

  @Override
  public String toString() {
    String name = kind.name().toLowerCase(Locale.ROOT);
    switch (kind) {
      case MOMENTUM:
      case NESTEROV:
        return name + "(lr=" + learningRate + ", momentum=" + momentum + ")";
      case ADAMW:
        return name + "(lr=" + learningRate + ", weightDecay=" + weightDecay + ")";
      default:
        return name + "(lr=" + learningRate + ")";
    }
  }
}
