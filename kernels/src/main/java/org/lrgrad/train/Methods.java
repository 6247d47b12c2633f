package org.lrgrad.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.Checks;

/**
 * The training methods by name, each with the optimizer it makes and its default learning rate: the one catalog the
 * Android facade, the study and user code look methods up in. Names are matched ignoring case; the short ids of the
 * study ({@code lrg}, {@code galore}, {@code lora}, ...) are accepted too.
 *
 * <table>
 *   <caption>The methods and their defaults</caption>
 *   <tr><th>name</th><th>optimizer</th><th>default learning rate</th></tr>
 *   <tr><td>SGD</td><td>{@code new Sgd(lr)}</td><td>0.01</td></tr>
 *   <tr><td>Momentum</td><td>{@code new Sgd(lr).momentum(0.9f)}</td><td>0.01</td></tr>
 *   <tr><td>Nesterov</td><td>{@code new Sgd(lr).momentum(0.9f).nesterov(true)}</td><td>0.01</td></tr>
 *   <tr><td>Adam</td><td>{@code Adam.adam(lr)}</td><td>1e-3</td></tr>
 *   <tr><td>AdamW</td><td>{@code Adam.adamW(lr)}</td><td>1e-3</td></tr>
 *   <tr><td>Adafactor</td><td>{@code new Adafactor()}, or {@code .learningRate(lr)} when one is given</td>
 *       <td>relative step</td></tr>
 *   <tr><td>LRG-Adam</td><td>{@code LowRankAdam.lrg(lr, rank)}</td><td>1e-3</td></tr>
 *   <tr><td>GaLore-Adam</td><td>{@code LowRankAdam.galore(lr, rank)}</td><td>1e-3</td></tr>
 *   <tr><td>LoRA-Adam</td><td>{@code new LoraAdam(lr, rank)}</td><td>1e-3</td></tr>
 *   <tr><td>Flora</td><td>{@code new Flora().compressedMomentum(0.9f, rank)}, or {@code .learningRate(lr)} when one
 *       is given</td><td>relative step</td></tr>
 *   <tr><td>APOLLO</td><td>{@code Apollo.apollo(lr, rank)}</td><td>1e-3</td></tr>
 *   <tr><td>APOLLO-Mini</td><td>{@code Apollo.mini(lr)} (rank 1 by definition)</td><td>1e-3</td></tr>
 * </table>
 *
 * <p>Every other setting is the optimizer class's own default (documented there). The default learning rates are
 * common starting points (PyTorch's for Adam); tune them for a model and data set.
 */
public final class Methods {
  /** Momentum's μ for Momentum and Nesterov: the value most SGD recipes use. */
  public static final float MOMENTUM = 0.9f;

  private static final List<Method> ALL = catalog();

  private Methods() {}

  /** Makes a method's optimizer; {@code rank} matters to the low-rank methods only. */
  interface Factory {
    Optimizer create(float learningRate, int rank);
  }

  /** One method of the catalog. */
  public static final class Method {
    private final String name;
    private final String id;
    private final float defaultLearningRate;
    private final boolean lowRank;
    private final Factory factory;

    Method(String name, String id, float defaultLearningRate, boolean lowRank, Factory factory) {
      this.name = name;
      this.id = id;
      this.defaultLearningRate = defaultLearningRate;
      this.lowRank = lowRank;
      this.factory = factory;
    }

    /** The name as {@link Optimizer#name()} spells it, e.g. {@code "LRG-Adam"}. */
    public String name() {
      return name;
    }

    /** The short lower-case id, e.g. {@code "lrg"}. */
    public String id() {
      return id;
    }

    /** The learning rate {@link #create(float, int)} uses for NaN; NaN for Adafactor and Flora (a relative step). */
    public float defaultLearningRate() {
      return defaultLearningRate;
    }

    /** Whether the method has a rank (LRG, GaLore, LoRA, Flora, APOLLO; APOLLO-Mini's is always 1). */
    public boolean isLowRank() {
      return lowRank;
    }

    /**
     * A new optimizer of this method: {@code learningRate} NaN means the default; {@code rank} (≥ 1) is used by
     * the low-rank methods only.
     */
    public Optimizer create(float learningRate, int rank) {
      if (!Float.isNaN(learningRate)) {
        Checks.finitePositive("learningRate", learningRate);
      }
      Checks.positive("rank", rank);
      return factory.create(Float.isNaN(learningRate) ? defaultLearningRate : learningRate, rank);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Method> catalog() {
    List<Method> list = new ArrayList<>();
    float sgdRate = 0.01f;
    float adamRate = 1e-3f;
    list.add(new Method("SGD", "sgd", sgdRate, false, (lr, rank) -> new Sgd(lr)));
    list.add(new Method("Momentum", "momentum", sgdRate, false, (lr, rank) -> new Sgd(lr).momentum(MOMENTUM)));
    list.add(new Method("Nesterov", "nesterov", sgdRate, false,
        (lr, rank) -> new Sgd(lr).momentum(MOMENTUM).nesterov(true)));
    list.add(new Method("Adam", "adam", adamRate, false, (lr, rank) -> Adam.adam(lr)));
    list.add(new Method("AdamW", "adamw", adamRate, false, (lr, rank) -> Adam.adamW(lr)));
    list.add(new Method("Adafactor", "adafactor", Float.NaN, false,
        (lr, rank) -> Float.isNaN(lr) ? new Adafactor() : new Adafactor().learningRate(lr)));
    list.add(new Method("LRG-Adam", "lrg", adamRate, true, (lr, rank) -> LowRankAdam.lrg(lr, rank)));
    list.add(new Method("GaLore-Adam", "galore", adamRate, true, (lr, rank) -> LowRankAdam.galore(lr, rank)));
    list.add(new Method("LoRA-Adam", "lora", adamRate, true, (lr, rank) -> new LoraAdam(lr, rank)));
    list.add(new Method("Flora", "flora", Float.NaN, true, (lr, rank) -> {
      Flora flora = new Flora().compressedMomentum(MOMENTUM, rank);
      return Float.isNaN(lr) ? flora : flora.learningRate(lr);
    }));
    list.add(new Method("APOLLO", "apollo", adamRate, true, (lr, rank) -> Apollo.apollo(lr, rank)));
    list.add(new Method("APOLLO-Mini", "apollo-mini", adamRate, false, (lr, rank) -> Apollo.mini(lr)));
    return Collections.unmodifiableList(list);
  }

  /** Every method, in the order of the table above. */
  public static List<Method> all() {
    return ALL;
  }

  /**
   * The method called {@code name} (its name or id, any case); throws {@link IllegalArgumentException} listing the
   * valid names.
   */
  public static Method named(String name) {
    Checks.notNull("name", name);
    for (Method m : ALL) {
      if (m.name.equalsIgnoreCase(name) || m.id.equalsIgnoreCase(name)) {
        return m;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Method m : ALL) {
      known.append(known.length() == 0 ? "" : ", ").append(m.name);
    }
    throw new IllegalArgumentException("method '" + name + "' is unknown; expected one of (any case): " + known);
  }

  /** {@code named(name).create(learningRate, rank)}. */
  public static Optimizer create(String name, float learningRate, int rank) {
    return named(name).create(learningRate, rank);
  }
}
