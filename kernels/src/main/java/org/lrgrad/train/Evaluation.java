package org.lrgrad.train;

import java.util.Locale;

/** A classifier's mean loss and accuracy on a set of labelled examples. */
public final class Evaluation {
  private final int count;
  private final double loss;
  private final int correct;

  Evaluation(int count, double loss, int correct) {
    this.count = count;
    this.loss = loss;
    this.correct = correct;
  }

  /** How many examples were evaluated. */
  public int count() {
    return count;
  }

  /** The mean softmax cross-entropy over the examples. */
  public double loss() {
    return loss;
  }

  /** How many examples the classifier labels right (arg-max of its logits). */
  public int correct() {
    return correct;
  }

  public double accuracy() {
    return (double) correct / count;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "loss %.4f, accuracy %.1f%% of %d", loss, 100 * accuracy(), count);
  }
}
