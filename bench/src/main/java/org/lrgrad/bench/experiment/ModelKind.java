package org.lrgrad.bench.experiment;

import java.util.Locale;
import org.lrgrad.train.Linear;
import org.lrgrad.train.Lstm;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;

/** The two models of the study: both read a rows × cols image and output one logit per class. */
enum ModelKind {
  /** rows·cols → hidden → hidden → classes with ReLU: the paper's "weight matrices in the order of thousands". */
  MLP("mlp") {
    @Override
    Sequential build(int rows, int cols, int hidden, int classes) {
      return new Sequential(new Linear(rows * cols, hidden), new Relu(), new Linear(hidden, hidden), new Relu(),
          new Linear(hidden, classes));
    }

    @Override
    String describe(int rows, int cols, int hidden, int classes) {
      return String.format(Locale.ROOT, "MLP %d-%d-%d-%d (ReLU)", rows * cols, hidden, hidden, classes);
    }
  },

  /**
   * An LSTM reading the image row by row (rows steps of cols pixels), then a dense layer on its last hidden state:
   * the paper's speech models are LSTMs, whose gate matrices (4·hidden rows) are the large ones.
   */
  LSTM("lstm") {
    @Override
    Sequential build(int rows, int cols, int hidden, int classes) {
      return new Sequential(new Lstm(cols, hidden, rows), new Linear(hidden, classes));
    }

    @Override
    String describe(int rows, int cols, int hidden, int classes) {
      return String.format(Locale.ROOT, "LSTM %d steps of %d pixels, hidden %d (gates %dx%d and %dx%d), then %d-%d",
          rows, cols, hidden, 4 * hidden, cols, 4 * hidden, hidden, hidden, classes);
    }
  };

  /** The name in the JSON report, as {@code --model} spells it. */
  final String id;

  ModelKind(String id) {
    this.id = id;
  }

  /** A new, untrained model for images of rows × cols pixels. */
  abstract Sequential build(int rows, int cols, int hidden, int classes);

  abstract String describe(int rows, int cols, int hidden, int classes);
}
