package org.lrgrad.bench.experiment;

import org.lrgrad.train.Adam;
import org.lrgrad.train.LoraAdam;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Sgd;

/**
 * The six ways the study personalizes a model, in table order. Each builds its {@link Optimizer} for every
 * parameter of the model (the low-rank methods project 2-D weights and give biases their plain Adam). The default
 * learning rates come from {@link #defaultLearningRate} and the grid {@link #sweepGrid()} that chose them.
 */
enum Method {
  // The default learning rates for the MLP and the LSTM, then the grid --sweep chose them from (see
  // defaultLearningRate).
  SGD("sgd", "SGD", 0.3f, 0.03f, 0.01f, 0.03f, 0.1f, 0.3f, 1f),
  MOMENTUM("momentum", "Momentum", 0.01f, 0.003f, 0.001f, 0.003f, 0.01f, 0.03f, 0.1f),
  ADAM("adam", "Adam", 3e-4f, 1e-4f, 3e-5f, 1e-4f, 3e-4f, 1e-3f, 3e-3f),
  LRG("lrg", "LRG-Adam", 3e-3f, 1e-3f, 3e-4f, 1e-3f, 3e-3f, 1e-2f, 3e-2f),
  GALORE("galore", "GaLore-Adam", 3e-3f, 1e-3f, 3e-4f, 1e-3f, 3e-3f, 1e-2f, 3e-2f),
  LORA("lora", "LoRA-Adam", 1e-3f, 3e-4f, 1e-4f, 3e-4f, 1e-3f, 3e-3f, 1e-2f);

  /** Momentum's μ (PyTorch semantics, dampening 0, no Nesterov), the value most SGD recipes use. */
  static final float MOMENTUM_COEFFICIENT = 0.9f;

  /** The name on the command line ({@code --lr lrg=0.003}) and in the JSON report. */
  final String id;
  /** The name in tables, as the library's {@link Optimizer#name()} spells it. */
  final String label;
  private final float mlpLearningRate;
  private final float lstmLearningRate;
  private final float[] sweepGrid;

  Method(String id, String label, float mlpLearningRate, float lstmLearningRate, float... sweepGrid) {
    this.id = id;
    this.label = label;
    this.mlpLearningRate = mlpLearningRate;
    this.lstmLearningRate = lstmLearningRate;
    this.sweepGrid = sweepGrid;
  }

  /** The learning rates {@code --sweep} tries, smallest first. */
  float[] sweepGrid() {
    return sweepGrid.clone();
  }

  /** The optimizer with learning rate {@code lr} and the study's low-rank settings. */
  Optimizer optimizer(float lr, Settings settings) {
    switch (this) {
      case SGD:
        return new Sgd(lr);
      case MOMENTUM:
        return new Sgd(lr).momentum(MOMENTUM_COEFFICIENT);
      case ADAM:
        return Adam.adam(lr);
      case LRG:
        return LowRankAdam.lrg(lr, settings.rank()).updateInterval(settings.updateInterval())
            .scale(Settings.LOW_RANK_SCALE);
      case GALORE:
        LowRankAdam galore = LowRankAdam.galore(lr, settings.rank()).updateInterval(settings.updateInterval())
            .scale(Settings.LOW_RANK_SCALE);
        return settings.exactSvd() ? galore
            : galore.randomizedSvd(Settings.SVD_OVERSAMPLE, Settings.SVD_POWER_ITERATIONS);
      case LORA:
        return new LoraAdam(lr, settings.rank()).scale(Settings.LORA_SCALE);
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * The learning rate used unless {@code --lr} overrides it: the rate of {@link #sweepGrid()} with the lowest loss on
   * a held-out fifth of the user's training images (never the user's test images), as {@code --sweep} measured it
   * with the default settings; bench/README.md shows that run.
   */
  float defaultLearningRate(ModelKind model) {
    return model == ModelKind.MLP ? mlpLearningRate : lstmLearningRate;
  }

  /** The method whose {@link #id} is {@code id}; throws naming the known ids. */
  static Method byId(String id) {
    for (Method m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Method m : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(m.id);
    }
    throw new IllegalArgumentException("unknown method '" + id + "'; known: " + known);
  }
}
