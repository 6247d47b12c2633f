package org.lrgrad.bench.experiment;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.lrgrad.bench.data.UserShift;

/**
 * Everything that decides a run of the study, as the command line gave it. The study's fixed choices are the
 * constants here.
 *
 * @param models the models to study, in order
 * @param mlpHidden the MLP's two hidden widths
 * @param lstmHidden the LSTM's hidden size
 * @param pretrainSteps Adam steps on the population's images before personalizing (0: start from random weights)
 * @param steps personalization steps, the same for every method
 * @param batch samples per step, in pretraining, personalization and evaluation
 * @param seed the random number generator's seed: initial weights, users, batch order, bootstrap
 * @param users evaluated users per model
 * @param devUsers development users per model, on which the learning rates are chosen (never evaluated)
 * @param threads personalizations run at the same time
 * @param shift how far each user's images are from the population's
 * @param compressedRank r of the compressed operating point
 * @param updateInterval T: LRG and GaLore recompute their projectors every T steps
 * @param exactSvd GaLore's projector from an exact SVD instead of the randomized range finder
 * @param lrgSideBySize LRG projects each matrix on its smaller side (else always on the left); null: the library's
 *     default
 * @param lrgResetMoments LRG restarts Adam's moments at each refresh; null: the library's default
 * @param extended also the rank sweep and the ablations of LRG's settings
 * @param learningRates the learning rates that {@code --lr} set (not tuned); the others are chosen on dev users
 */
record Settings(List<ModelKind> models, int mlpHidden, int lstmHidden, int pretrainSteps, int steps, int batch,
    long seed, int users, int devUsers, int threads, UserShift.Strength shift, int compressedRank,
    int updateInterval, boolean exactSvd, Boolean lrgSideBySize, Boolean lrgResetMoments, boolean extended,
    Map<Method, Float> learningRates) {

  /** Pretraining runs PyTorch's Adam at this learning rate, for every model. */
  static final float PRETRAIN_LEARNING_RATE = 1e-3f;
  /** α of LRG and GaLore: the update's scale after Adam's normalisation (GaLore's default). */
  static final float LOW_RANK_SCALE = 0.25f;
  /** s of LoRA: W0 + s·B·A. */
  static final float LORA_SCALE = 1f;
  /** GaLore's randomized range finder: r + this many probes, and this many power iterations (Halko et al.). */
  static final int SVD_OVERSAMPLE = 10;
  static final int SVD_POWER_ITERATIONS = 2;
  /** Bootstrap resamples of the paired difference. */
  static final int BOOTSTRAP_RESAMPLES = 2000;

  Settings {
    models = List.copyOf(models);
    EnumMap<Method, Float> copy = new EnumMap<>(Method.class);
    copy.putAll(learningRates);
    learningRates = Collections.unmodifiableMap(copy);
  }

  int hidden(ModelKind model) {
    return model == ModelKind.MLP ? mlpHidden : lstmHidden;
  }

  /**
   * The seed of evaluated user {@code index} (0-based) or of development user {@code index}: distinct streams of
   * {@link #seed}, so that no development user is ever an evaluated one.
   */
  long userSeed(int index, boolean development) {
    return seed * 1_000_003L + (development ? 500_000 : 0) + index + 1;
  }
}
