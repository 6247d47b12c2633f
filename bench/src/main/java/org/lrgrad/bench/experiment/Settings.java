package org.lrgrad.bench.experiment;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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
 * @param seed the user (their image shift and class mix), the initial weights and the batch order
 * @param rank r of LRG-Adam, GaLore-Adam and LoRA-Adam
 * @param updateInterval T: LRG and GaLore recompute their projectors every T steps
 * @param exactSvd GaLore's projector from an exact SVD instead of the randomized range finder
 * @param learningRates the learning rates that {@code --lr} set; the others are {@link Method#defaultLearningRate}
 */
record Settings(List<ModelKind> models, int mlpHidden, int lstmHidden, int pretrainSteps, int steps, int batch,
    long seed, int rank, int updateInterval, boolean exactSvd, Map<Method, Float> learningRates) {

  /** Pretraining runs PyTorch's Adam at this learning rate, for every model. */
  static final float PRETRAIN_LEARNING_RATE = 1e-3f;
  /** α of LRG and GaLore: the update's scale after Adam's normalisation (GaLore's default). */
  static final float LOW_RANK_SCALE = 0.25f;
  /** s of LoRA: W0 + s·B·A. */
  static final float LORA_SCALE = 1f;
  /** GaLore's randomized range finder: r + this many probes, and this many power iterations (Halko et al.). */
  static final int SVD_OVERSAMPLE = 10;
  static final int SVD_POWER_ITERATIONS = 2;

  Settings {
    models = List.copyOf(models);
    EnumMap<Method, Float> copy = new EnumMap<>(Method.class);
    copy.putAll(learningRates);
    learningRates = Collections.unmodifiableMap(copy);
  }

  int hidden(ModelKind model) {
    return model == ModelKind.MLP ? mlpHidden : lstmHidden;
  }

  float learningRate(Method method, ModelKind model) {
    Float set = learningRates.get(method);
    return set != null ? set : method.defaultLearningRate(model);
  }
}
