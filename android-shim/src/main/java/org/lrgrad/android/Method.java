package org.lrgrad.android;

import org.lrgrad.train.Adafactor;
import org.lrgrad.train.Adam;
import org.lrgrad.train.LoraAdam;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Sgd;

/**
 * The training methods of docs/method.md §2, by the names it gives them, each made into the training code's
 * {@link Optimizer} with the hyper-parameters a trainer is configured with. Weight matrices and biases of the model
 * form one group: the low-rank methods project (or adapt) the matrices and train the biases with their plain Adam.
 */
public enum Method {
  SGD("SGD"),
  /** SGD with momentum 0.9. */
  MOMENTUM("Momentum"),
  /** SGD with Nesterov momentum 0.9. */
  NESTEROV("Nesterov"),
  ADAM("Adam"),
  ADAMW("AdamW"),
  /** Hugging Face's Adafactor; with no learning rate set, its relative step size. */
  ADAFACTOR("Adafactor"),
  /** The default: Adam on gradients projected by a random orthonormal rank-r matrix. */
  LRG_ADAM("LRG-Adam"),
  GALORE_ADAM("GaLore-Adam"),
  LORA_ADAM("LoRA-Adam");

  /** The learning rate when none is set: 0.01 for the SGD family, 1e-3 for the Adam family. */
  static final float SGD_LEARNING_RATE = 0.01f;
  static final float ADAM_LEARNING_RATE = 1e-3f;
  static final float MOMENTUM_FACTOR = 0.9f;

  private final String methodName;

  Method(String methodName) {
    this.methodName = methodName;
  }

  /** The method called {@code name}, spelt exactly as in docs/method.md (e.g. {@code "LRG-Adam"}). */
  public static Method named(String name) {
    StringBuilder known = new StringBuilder();
    for (Method m : values()) {
      if (m.methodName.equals(name)) {
        return m;
      }
      known.append(known.length() == 0 ? "" : ", ").append(m.methodName);
    }
    throw new IllegalArgumentException("optimizer '" + name + "' is not one of lrgrad's methods (docs/method.md §2);"
        + " the methods are " + known);
  }

  /** The name docs/method.md gives the method. */
  public String methodName() {
    return methodName;
  }

  /** Whether the method has a rank (LRG, GaLore, LoRA). */
  public boolean isLowRank() {
    return this == LRG_ADAM || this == GALORE_ADAM || this == LORA_ADAM;
  }

  /**
   * The optimizer; {@code learningRate} NaN means the method's default, {@code rank} applies to the low-rank
   * methods only.
   */
  Optimizer create(float learningRate, int rank) {
    boolean sgdFamily = this == SGD || this == MOMENTUM || this == NESTEROV;
    float lr = !Float.isNaN(learningRate) ? learningRate : sgdFamily ? SGD_LEARNING_RATE : ADAM_LEARNING_RATE;
    switch (this) {
      case SGD:
        return new Sgd(lr);
      case MOMENTUM:
        return new Sgd(lr).momentum(MOMENTUM_FACTOR);
      case NESTEROV:
        return new Sgd(lr).momentum(MOMENTUM_FACTOR).nesterov(true);
      case ADAM:
        return Adam.adam(lr);
      case ADAMW:
        return Adam.adamW(lr);
      case ADAFACTOR:
        return Float.isNaN(learningRate) ? new Adafactor() : new Adafactor().learningRate(learningRate);
      case LRG_ADAM:
        return LowRankAdam.lrg(lr, rank);
      case GALORE_ADAM:
        return LowRankAdam.galore(lr, rank);
      default:
        return new LoraAdam(lr, rank);
    }
  }

  @Override
  public String toString() {
    return methodName;
  }
}
