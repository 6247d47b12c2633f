package org.lrgrad.train;

/**
 * The optimizer of a parameter group: a method of docs/method.md §2 with its hyper-parameters. Setters check each value
 * at once; combinations are checked when a trainer is built. From then on the settings are fixed (a setter throws),
 * so that a trainer's buffers always match its optimizer. {@link #toString()} names the method and every setting
 * (floats exactly, as {@link Float#toString} spells them), so two optimizers that train alike print alike: a
 * {@link Trainer#configuration() trainer's configuration} is made of it.
 */
public abstract class Optimizer {
  private boolean frozen;

  Optimizer() {}

  /** The method's name as docs/method.md §2 and the experiment's tables spell it, e.g. {@code "Nesterov"}. */
  public abstract String name();

  /** The slot for one parameter of a group; {@code rankCap} ≥ 1 limits a low-rank method's rank. */
  abstract Slot slotFor(Parameter parameter, int rankCap);

  /**
   * What {@code parameter} of this group really gets, as a {@link Trainer#configuration() configuration} line
   * shows it: {@link #toString()} unless the method trains some parameters differently (the low-rank methods give
   * vectors their plain Adam).
   */
  String describe(Parameter parameter) {
    return toString();
  }

  /**
   * How the learning rate changes with the step count ({@link LearningRateSchedule#constant()} by default), e.g.
   * {@code Methods.create("LRG-Adam", 1e-3f, 16).schedule(LearningRateSchedule.cosine(1000, 0.1f))}; returns this
   * optimizer. Like every setter, it throws once a trainer has been built with the optimizer.
   */
  public abstract Optimizer schedule(LearningRateSchedule schedule);

  /** The group's learning-rate schedule. */
  abstract LearningRateSchedule learningRateSchedule();

  /** The rank of a low-rank method, 0 for the others. */
  int rank() {
    return 0;
  }

  /** Combinations of settings that are wrong together; single values are checked by their setters. */
  void validate() {}

  final void freeze() {
    validate();
    frozen = true;
  }

  final void checkMutable() {
    if (frozen) {
      throw new IllegalStateException(name() + ": a trainer was built with this optimizer, its settings are fixed;"
          + " make a new one to change them");
    }
  }
}
