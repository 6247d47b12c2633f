package org.lrgrad.bench.experiment;

import java.util.ArrayList;
import java.util.List;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.train.LowRankAdam;
import org.lrgrad.train.Methods;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Parameter;

/**
 * The methods the study personalizes with. Each is a method of the library's catalog ({@link Methods}), which makes
 * its optimizer with the library's defaults; the study adds only what is its own: where each method's
 * learning-rate grid is centred on each model, the low-rank methods' scale and refresh interval, LRG's side and
 * moments when an arm sets them, and which parameters {@link #HEAD} trains. The rate used is chosen on development
 * users (see {@link Study}).
 */
enum Method {
  SGD("SGD", 0.3f, 0.03f),
  MOMENTUM("Momentum", 0.01f, 0.003f),
  ADAM("Adam", 3e-4f, 1e-4f),
  LRG("LRG-Adam", 3e-3f, 1e-3f),
  GALORE("GaLore-Adam", 3e-3f, 1e-3f),
  LORA("LoRA-Adam", 1e-3f, 3e-4f),
  // Flora's library default is Adafactor's relative step size; the study gives it an absolute rate and a grid like
  // every other method. Flora's and APOLLO's updates have Adam's per-element magnitude, so their grids lie between
  // Adam's and the scaled (α = 0.25) low-rank methods'.
  FLORA("Flora", 1e-3f, 3e-4f),
  APOLLO("APOLLO", 1e-3f, 3e-4f),
  APOLLO_MINI("APOLLO-Mini", 1e-3f, 3e-4f),
  /** Adam on the biases and the last layer only; every other parameter is frozen. */
  HEAD("Head-Adam", "Adam", 1e-3f, 1e-3f);

  /** Every method tries this many learning rates on the development users: the same budget for each. */
  static final int GRID_SIZE = 3;
  /** Neighbouring rates of a grid are this factor apart. */
  static final float GRID_FACTOR = 3f;

  /** The name in tables and the JSON report. */
  final String label;
  /** The library's method this one runs. */
  final Methods.Method library;
  /** The name on the command line ({@code --lr}) and in the JSON report: the library's id, or "head". */
  final String id;
  private final float mlpCentre;
  private final float lstmCentre;

  Method(String label, float mlpCentre, float lstmCentre) {
    this(label, label, mlpCentre, lstmCentre);
  }

  Method(String label, String libraryName, float mlpCentre, float lstmCentre) {
    this.label = label;
    this.library = Methods.named(libraryName);
    this.id = label.equals(libraryName) ? library.id() : "head";
    this.mlpCentre = mlpCentre;
    this.lstmCentre = lstmCentre;
  }

  /** Whether the method has a rank r (APOLLO-Mini's is 1 by definition, so it has none to choose). */
  boolean lowRank() {
    return library.isLowRank();
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
    Optimizer optimizer = library.create(lr, lowRank() ? arm.rank() : 1);
    if (this == LRG) {
      LowRankAdam lrg = ((LowRankAdam) optimizer).updateInterval(arm.updateInterval())
          .scale(Settings.LOW_RANK_SCALE);
      // Unset (null): the library's default side and moments.
      if (arm.sideBySize() != null) {
        lrg = arm.sideBySize() ? lrg.sideBySize() : lrg.side(ProjectionSide.LEFT);
      }
      return arm.resetMoments() == null ? lrg : lrg.resetMomentsOnRefresh(arm.resetMoments());
    }
    if (this == GALORE) {
      LowRankAdam galore = ((LowRankAdam) optimizer).updateInterval(arm.updateInterval())
          .scale(Settings.LOW_RANK_SCALE);
      return settings.exactSvd() ? galore
          : galore.randomizedSvd(Settings.SVD_OVERSAMPLE, Settings.SVD_POWER_ITERATIONS);
    }
    if (this == LORA) {
      return ((org.lrgrad.train.LoraAdam) optimizer).scale(Settings.LORA_SCALE);
    }
    return optimizer;
  }

  /** The parameters this method trains: all, or for {@link #HEAD} the biases and the last layer's weight. */
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

  /** The method whose {@link #id} or {@link #label} is {@code name} (any case); throws naming the known ids. */
  static Method byId(String name) {
    for (Method m : values()) {
      if (m.id.equalsIgnoreCase(name) || m.label.equalsIgnoreCase(name)) {
        return m;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Method m : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(m.id);
    }
    throw new IllegalArgumentException("unknown method '" + name + "'; known: " + known);
  }
}
