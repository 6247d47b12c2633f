package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.List;
import org.lrgrad.train.Adam;
import org.lrgrad.train.LoraAdam;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Sgd;

/**
 * The ways the study personalizes a model. Each builds its {@link Optimizer} for every parameter of the model (the
 * low-rank methods project 2-D weights and give biases their plain Adam); {@link #HEAD} trains only the biases and
 * the last layer. The centre of each method's learning-rate grid is {@link #centreLearningRate}; the rate used is
 * chosen on development users (see {@link Study}).
 */
enum Method {
  SGD("sgd", "SGD", false, 0.3f, 0.03f),
  MOMENTUM("momentum", "Momentum", false, 0.01f, 0.003f),
  ADAM("adam", "Adam", false, 3e-4f, 1e-4f),
  LRG("lrg", "LRG-Adam", true, 3e-3f, 1e-3f),
  GALORE("galore", "GaLore-Adam", true, 3e-3f, 1e-3f),
  LORA("lora", "LoRA-Adam", true, 1e-3f, 3e-4f),
  /** Adam on the biases and the last layer only; every other parameter is frozen. */
  HEAD("head", "Head-Adam", false, 1e-3f, 1e-3f);

  /** Momentum's μ (PyTorch semantics, dampening 0, no Nesterov), the value most SGD recipes use. */
  static final float MOMENTUM_COEFFICIENT = 0.9f;
  /** Every method tries this many learning rates on the development users: the same budget for each. */
  static final int GRID_SIZE = 3;
  /** Neighbouring rates of a grid are this factor apart. */
  static final float GRID_FACTOR = 3f;

  /** The name on the command line and in the JSON report. */
  final String id;
  /** The name in tables. */
  final String label;
  /** Whether the method has a rank r. */
  final boolean lowRank;
  private final float mlpCentre;
  private final float lstmCentre;

  Method(String id, String label, boolean lowRank, float mlpCentre, float lstmCentre) {
    this.id = id;
    this.label = label;
    this.lowRank = lowRank;
    this.mlpCentre = mlpCentre;
    this.lstmCentre = lstmCentre;
  }

  /** The middle of the learning-rate grid (the rates chosen on one user in an earlier version of the study). */
  float centreLearningRate(ModelKind model) {
    return model == ModelKind.MLP ? mlpCentre : lstmCentre;
  }

  /** The {@link #GRID_SIZE} rates tried on the development users, smallest first, centred on the centre rate. */
  float[] grid(ModelKind model) {
    float[] grid = new float[GRID_SIZE];
    float centre = centreLearningRate(model);
    for (int i = 0; i < GRID_SIZE; i++) {
      grid[i] = (float) (centre * Math.pow(GRID_FACTOR, i - (GRID_SIZE - 1) / 2.0));
    }
    return grid;
  }

  /** The optimizer of {@code arm} (this method) at learning rate {@code lr}, for the parameters it trains. */
  Optimizer optimizer(float lr, Arm arm, Settings settings) {
    switch (this) {
      case SGD:
        return new Sgd(lr);
      case MOMENTUM:
        return new Sgd(lr).momentum(MOMENTUM_COEFFICIENT);
      case ADAM:
      case HEAD:
        return Adam.adam(lr);
      case LRG:
        LowRankAdam lrg = LowRankAdam.lrg(lr, arm.rank()).updateInterval(arm.updateInterval())
            .scale(Settings.LOW_RANK_SCALE).resetMomentsOnRefresh(arm.resetMoments());
        return arm.sideBySize() ? lrg.sideBySize() : lrg.side(org.lrgrad.kernels.ProjectionSide.LEFT);
      case GALORE:
        LowRankAdam galore = LowRankAdam.galore(lr, arm.rank()).updateInterval(arm.updateInterval())
            .scale(Settings.LOW_RANK_SCALE);
        return settings.exactSvd() ? galore
            : galore.randomizedSvd(Settings.SVD_OVERSAMPLE, Settings.SVD_POWER_ITERATIONS);
      case LORA:
        return new LoraAdam(lr, arm.rank()).scale(Settings.LORA_SCALE);
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * The parameters this method trains: all, or for {@link #HEAD} the biases and the last layer's weight. The
   * library cannot freeze parameters yet, so the study gives the others SGD at learning rate 0 (their gradients
   * are still computed and counted in the memory).
   */
  List<Parameter> trained(List<Parameter> all) {
    if (this != HEAD) {
      return all;
    }
    List<Parameter> trained = new ArrayList<>();
    int lastMatrix = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).isMatrix()) {
        lastMatrix = i;
      }
    }
    for (int i = 0; i < all.size(); i++) {
      if (!all.get(i).isMatrix() || i == lastMatrix) {
        trained.add(all.get(i));
      }
    }
    return trained;
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
