package org.lrgrad.train;

import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Checks;

/**
 * The Adam methods that keep every matrix of a group in a rank-r form: LRG and GaLore a projected gradient
 * ({@link LowRankAdam}), LoRA two adapter factors ({@link LoraAdam}). Both decay weights as AdamW does
 * (decoupled). The group's vectors (biases) get the method's plain Adam. A rank larger than min(m, n) is used as
 * min(m, n) for that matrix.
 *
 * @param <T> the concrete method, so that setters chain
 */
public abstract class LowRankFamily<T extends LowRankFamily<T>> extends AdamFamily<T> {
  private final int rank;
  private float scale;

  LowRankFamily(float lr, float eps, float weightDecay, AdamConvention convention, int rank, float scale) {
    super(lr, eps, weightDecay, convention, true);
    Checks.positive("rank", rank);
    this.rank = rank;
    scale(scale);
  }

  /** The factor on the low-rank term: LoRA's s (α/r), or LRG's and GaLore's α on the update; see the method. */
  public final T scale(float scale) {
    checkMutable();
    Checks.finitePositive("scale", scale);
    this.scale = scale;
    return self();
  }

  float scale() {
    return scale;
  }

  @Override
  final String describe(Parameter parameter) {
    return parameter.isMatrix() ? toString() : plainAdamDescription() + ", as " + name() + " trains vectors";
  }

  @Override
  final int rank() {
    return rank;
  }

  @Override
  final Slot slotFor(Parameter parameter, int rankCap) {
    if (!parameter.isMatrix()) {
      return adamSlot(parameter);
    }
    return matrixSlot(parameter, Math.min(Math.min(rank, rankCap), Math.min(parameter.rows(), parameter.cols())));
  }

  /** The method's slot for an m×n matrix at a rank r ≤ min(m, n). */
  abstract Slot matrixSlot(Parameter matrix, int rank);
}
