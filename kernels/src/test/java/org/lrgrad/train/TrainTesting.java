package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.provider.Arguments;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryTag;

/**
 * Shared pieces of the training tests (and of the checkpoint tests, in their own package): optimizers by name, a
 * small problem, state snapshots.
 */
public final class TrainTesting {
  private TrainTesting() {}

  /** One optimizer of docs/method.md §2, made fresh for each trainer (a built trainer freezes its optimizer). */
  public static final class Method {
    public final String name;
    public final Supplier<Optimizer> make;

    Method(String name, Supplier<Optimizer> make) {
      this.name = name;
      this.make = make;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Every method (LRG on both sides), with settings that train the small problem below. */
  public static List<Method> methods() {
    List<Method> list = new ArrayList<>();
    list.add(new Method("SGD", () -> new Sgd(0.2f)));
    list.add(new Method("Momentum", () -> new Sgd(0.05f).momentum(0.9f).weightDecay(1e-4f)));
    list.add(new Method("Nesterov", () -> new Sgd(0.05f).momentum(0.9f).nesterov(true)));
    list.add(new Method("Adam", () -> Adam.adam(0.02f)));
    list.add(new Method("AdamW", () -> Adam.adamW(0.02f)));
    list.add(new Method("Adafactor", () -> new Adafactor().learningRate(0.02f).scaleParameter(false)));
    list.add(new Method("Adafactor-relative-beta1", () -> new Adafactor().beta1(0.9f)));
    list.add(new Method("LRG-Adam", () -> LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f)));
    list.add(new Method("LRG-Adam-right",
        () -> LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f).side(ProjectionSide.RIGHT)));
    list.add(new Method("GaLore-Adam", () -> LowRankAdam.galore(0.02f, 3).updateInterval(4).scale(1f)));
    list.add(new Method("GaLore-Adam-randomized",
        () -> LowRankAdam.galore(0.02f, 3).updateInterval(4).scale(1f).randomizedSvd(2, 1)));
    // The factored accumulation, forced (the cost model keeps these small matrices eager), with weight decay so
    // that the factor's scale c moves too.
    list.add(new Method("LRG-Adam-factored", () -> LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f)
        .weightDecay(0.1f).accumulation(LowRankAdam.Accumulation.FACTORED)));
    list.add(new Method("LRG-Adam-right-factored", () -> LowRankAdam.lrg(0.02f, 3).updateInterval(4).scale(1f)
        .side(ProjectionSide.RIGHT).accumulation(LowRankAdam.Accumulation.FACTORED)));
    list.add(new Method("GaLore-Adam-factored", () -> LowRankAdam.galore(0.02f, 3).updateInterval(4).scale(1f)
        .weightDecay(0.1f).accumulation(LowRankAdam.Accumulation.FACTORED)));
    list.add(new Method("LoRA-Adam", () -> new LoraAdam(0.02f, 3).scale(2f)));
    list.add(new Method("Flora", () -> new Flora().learningRate(0.02f).scaleParameter(false)
        .compressedMomentum(0.9f, 3).kappa(4)));
    list.add(new Method("Flora-full-momentum-unfactored", () -> new Flora().momentum(0.9f)
        .factoredSecondMoment(false).weightDecay(1e-4f)));
    list.add(new Method("APOLLO", () -> Apollo.apollo(0.02f, 3).updateInterval(4)));
    list.add(new Method("APOLLO-Mini", () -> Apollo.mini(0.005f).updateInterval(4).weightDecay(1e-4f)));
    return list;
  }

  /** A fixed classification problem: {@code classes} Gaussian clusters in {@code in} dimensions. */
  public static final class Problem {
    public final int in;
    public final int classes;
    public final int count;
    public final float[] x;
    public final int[] labels;

    Problem(long seed, int in, int classes, int count) {
      this.in = in;
      this.classes = classes;
      this.count = count;
      Random rnd = new Random(seed);
      float[][] centers = new float[classes][in];
      for (float[] c : centers) {
        for (int j = 0; j < in; j++) {
          c[j] = (float) (2 * rnd.nextGaussian());
        }
      }
      x = new float[count * in];
      labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = rnd.nextInt(classes);
        for (int j = 0; j < in; j++) {
          x[i * in + j] = centers[labels[i]][j] + (float) (0.5 * rnd.nextGaussian());
        }
      }
    }
  }

  public static final Problem PROBLEM = new Problem(42, 6, 4, 64);

  /** Linear(6, 10), ReLU, Linear(10, 4): every matrix has min(m, n) ≥ 4 &gt; the rank 3 used above. */
  public static Sequential mlp() {
    return new Sequential(new Linear(PROBLEM.in, 10), new Relu(), new Linear(10, PROBLEM.classes));
  }

  /** LSTM(2 → 8) reading a sample of the problem as 3 steps of 2 features, then Linear(8, 4). */
  public static Sequential lstm() {
    return new Sequential(new Lstm(2, 8, 3), new Linear(8, PROBLEM.classes));
  }

  /** A model of the tests by name, made fresh for each trainer. */
  public static final class Model {
    public final String name;
    public final Supplier<Sequential> make;

    Model(String name, Supplier<Sequential> make) {
      this.name = name;
      this.make = make;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Model> models() {
    List<Model> list = new ArrayList<>();
    list.add(new Model("MLP", TrainTesting::mlp));
    list.add(new Model("LSTM", TrainTesting::lstm));
    return list;
  }
  /** Every (implementation, method, model): the cases of the tests that train each method on each model. */
  public static List<Arguments> implementationsMethodsModels() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : Implementations.all().toArray(Candidate[]::new)) {
      for (Method m : methods()) {
        for (Model model : models()) {
          cases.add(Arguments.of(c, m, model));
        }
      }
    }
    return cases;
  }


  public static Trainer trainer(Kernels k, Sequential model, Optimizer optimizer, int maxBatch, long seed) {
    return Trainer.builder(model, maxBatch).kernels(k).seed(seed).group(optimizer, model.parameters()).build();
  }

  /** A copy of every buffer and counter of the training state, by name, in visiting order. */
  public static Map<String, Object> snapshot(Trainer trainer) {
    Map<String, Object> state = new LinkedHashMap<>();
    trainer.visitState(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        state.put(name, data.clone());
      }

      @Override
      public long counter(String name, long value) {
        state.put(name, value);
        return value;
      }
    });
    return state;
  }

  /** Writes a {@link #snapshot} back into a trainer built the same way. */
  static void restore(Trainer trainer, Map<String, Object> state) {
    trainer.visitState(new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        float[] saved = (float[]) state.get(name);
        System.arraycopy(saved, 0, data, 0, data.length);
      }

      @Override
      public long counter(String name, long value) {
        return (Long) state.get(name);
      }
    });
  }

  /** Bit-for-bit equality of two snapshots. */
  public static void assertSameState(Map<String, Object> want, Map<String, Object> got) {
    assertEquals(want.keySet(), got.keySet());
    for (Map.Entry<String, Object> e : want.entrySet()) {
      Object g = got.get(e.getKey());
      if (e.getValue() instanceof float[]) {
        float[] w = (float[]) e.getValue();
        float[] a = (float[]) g;
        assertEquals(w.length, a.length, e.getKey());
        for (int i = 0; i < w.length; i++) {
          assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(a[i]),
              () -> e.getKey() + " differs: " + java.util.Arrays.toString(w) + " vs " + java.util.Arrays.toString(a));
        }
      } else {
        assertEquals(e.getValue(), g, e.getKey());
      }
    }
  }

  /** The loss on samples [start, start + size) of the problem. */
  static float loss(Trainer t, int start, int size) {
    return t.loss(PROBLEM.x, start * PROBLEM.in, PROBLEM.labels, start, size);
  }

  /** One step on samples [start, start + size) of the problem. */
  public static float step(Trainer t, int start, int size) {
    return t.step(PROBLEM.x, start * PROBLEM.in, PROBLEM.labels, start, size);
  }
}
