package org.lrgrad.kernels.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.data.NpyArray;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.train.Apollo;
import org.lrgrad.train.Flora;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.SlotHarness;

/**
 * The APOLLO / APOLLO-Mini and Flora cases ({@code test-vectors/lowrank2}, made from the authors' code) on every
 * implementation, through the training API's own slots: the stored gradient of each step enters as G = dYᵀ·X with X
 * the identity (exact), so the slot's gradient path runs too, once with packed arrays and once with X and dY at an
 * offset with padded leading dimensions. The projections the reference code drew are injected in place of ours; the
 * step at which each was first used is checked against the schedule the slots derive from the step count.
 */
class LowRank2ParityTest {
  static List<PyTorchParityTest.Run> runs() {
    List<PyTorchParityTest.Run> runs = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    Implementations.all().forEach(candidates::add);
    for (VectorCase c : VectorCase.readAll(VectorsFolder.locate("lowrank2"))) {
      for (Candidate k : candidates) {
        runs.add(new PyTorchParityTest.Run(c, k));
      }
    }
    return runs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void matchesTheAuthorsCode(PyTorchParityTest.Run run) {
    execute(run, Layout.PACKED);
  }

  @ParameterizedTest(name = "{0} at offsets")
  @MethodSource("runs")
  void matchesTheAuthorsCodeAtOffsets(PyTorchParityTest.Run run) {
    execute(run, Layout.SHIFTED);
  }

  private static void execute(PyTorchParityTest.Run run, Layout layout) {
    VectorCase c = run.vectorCase;
    CaseRun r = new CaseRun(c, Implementations.require(run.candidate), layout);
    switch (c.family) {
      case "apollo_steps":
        steps(r, apollo(c), projectionSteps(r, c.integer("update_proj_gap"), 0));
        break;
      case "flora_steps":
        boolean compressed = c.flag("compressed_momentum");
        steps(r, flora(c), compressed ? projectionSteps(r, c.integer("kappa"), -1) : null);
        break;
      default:
        Assumptions.abort(c.name + ": unknown family '" + c.family + "': this test does not know how to run it");
    }
  }

  /** The case's APOLLOAdamW settings as an {@link Apollo}. */
  private static Optimizer apollo(VectorCase c) {
    if (!c.text("proj").equals("random") || !c.text("proj_type").equals("std")) {
      Assumptions.abort(c.name + ": proj=" + c.text("proj") + ", proj_type=" + c.text("proj_type") + "; only the"
          + " random projection of type std is implemented");
    }
    Apollo.ScaleType type;
    switch (c.text("scale_type")) {
      case "channel":
        type = Apollo.ScaleType.CHANNEL;
        break;
      case "tensor":
        type = Apollo.ScaleType.TENSOR;
        break;
      default:
        throw new AssertionError(c.name + ": scale_type '" + c.text("scale_type") + "'");
    }
    String side = c.text("proj_side");
    assertEquals(c.integer("m") >= c.integer("n") ? "right" : "left", side, c.name + ": projection side");
    // The reference multiplies by the square root of its scale; ours is the factor itself.
    return Apollo.apollo(c.real("lr"), c.integer("rank")).scaleType(type)
        .scale((float) Math.sqrt(c.number("scale"))).betas(c.real("beta1"), c.real("beta2")).eps(c.real("eps"))
        .weightDecay(c.real("weight_decay")).correctBias(c.flag("correct_bias")).scaleFront(c.flag("scale_front"))
        .normGrowthLimiter(!c.flag("disable_nl")).updateInterval(c.integer("update_proj_gap"));
  }

  /** The case's Flora settings; the momentum mode is the one the reference code ended up using. */
  private static Optimizer flora(VectorCase c) {
    if (c.has("quantization") && c.flag("quantization")) {
      Assumptions.abort(c.name + ": quantization=true is not implemented");
    }
    Flora flora = new Flora();
    if (!c.flag("relative_step")) {
      flora.learningRate(c.real("lr"));
    }
    flora.scaleParameter(c.flag("scale_parameter")).warmupInit(c.flag("warmup_init"))
        .eps(c.real("eps1"), c.real("eps2")).clipThreshold(c.real("clip_threshold"))
        .decayRate(c.real("decay_rate")).weightDecay(c.real("weight_decay"))
        .factoredSecondMoment(c.flag("factored_second_moment")).kappa(c.integer("kappa"));
    if (c.flag("compressed_momentum")) {
      String side = c.text("proj_side");
      assertEquals(c.integer("m") < c.integer("n") ? "left" : "right", side, c.name + ": projection side");
      flora.compressedMomentum(c.real("beta1"), c.integer("rank"));
    } else if (c.flag("first_moment")) {
      flora.momentum(c.real("beta1"));
    }
    return flora;
  }

  /**
   * The stored projections, after checking that projection e was first used at step index e·interval + shift
   * (shift −1 for Flora, whose projection e ≥ 1 takes over at the step whose 1-based number is e·κ).
   */
  private static float[][] projectionSteps(CaseRun r, int interval, int shift) {
    NpyArray projs = r.stored("projs", 3);
    int[] firstUse = r.stored("proj_steps", 1).ints();
    int[] shape = projs.shape();
    int size = shape[1] * shape[2];
    float[] all = projs.floats();
    float[][] list = new float[shape[0]][];
    for (int e = 0; e < shape[0]; e++) {
      assertEquals(e == 0 ? 0 : e * interval + shift, firstUse[e],
          r.vectorCase.name + ": step index at which projection " + e + " was first used");
      list[e] = new float[size];
      System.arraycopy(all, e * size, list[e], 0, size);
    }
    return list;
  }

  private static void steps(CaseRun r, Optimizer optimizer, float[][] projections) {
    Kernels k = r.kernels;
    Matrix w0 = r.tensor("W");
    int m = w0.rows, n = w0.cols;
    SlotHarness slot = SlotHarness.of(k, optimizer, m, n, 0);
    if (projections != null) {
      slot.useProjections(projections);
    }
    slot.setWeights(w0.data, w0.off);
    Matrix x = Matrix.filled(n, n, r.layout.offset, r.layout.pad, 0f);
    for (int i = 0; i < n; i++) {
      x.set(i, i, 1f);
    }
    Matrix g = r.zeros(m, n);
    Matrix dy = Matrix.filled(n, m, r.layout.offset, r.layout.pad, 0f);
    Matrix after = r.zeros(m, n);
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      r.copyStep("grads", t, g);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          dy.set(j, i, g.get(i, j));
        }
      }
      assertTrue(slot.step(k, n, x.data, x.off, x.ld, dy.data, dy.off, dy.ld),
          () -> r.vectorCase.name + ": a finite gradient was not applied");
      slot.weights(after.data, after.off);
      r.checkStep("params_after", t, after);
    }
    x.assertCanariesIntact(r.vectorCase.name + ": X");
    dy.assertCanariesIntact(r.vectorCase.name + ": dY");
  }
}
