package org.lrgrad.kernels.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.AdafactorSchedule;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.LowRankOps;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.train.Adam;
import org.lrgrad.train.Linear;
import org.lrgrad.train.Optimizer;
import org.lrgrad.train.Parameter;
import org.lrgrad.train.Relu;
import org.lrgrad.train.Sequential;
import org.lrgrad.train.Sgd;
import org.lrgrad.train.Trainer;

/**
 * Every case of the PyTorch vectors (the repository's {@code test-vectors/pytorch}, see its README) on every
 * implementation, run through the kernel contract (family {@code mlp_train} through the training API,
 * {@link Trainer}): once with packed arrays and once with every array at a non-zero offset (matrix arguments with
 * padded leading dimensions too). The cases come from {@code cases.json}, whatever it holds.
 */
class PyTorchParityTest {
  /** One case on one implementation; its display name is the case's name and the implementation's. */
  static final class Run {
    final VectorCase vectorCase;
    final Candidate candidate;

    Run(VectorCase vectorCase, Candidate candidate) {
      this.vectorCase = vectorCase;
      this.candidate = candidate;
    }

    @Override
    public String toString() {
      return vectorCase.name + " [" + candidate.name() + "]";
    }
  }

  static List<Run> runs() {
    List<Run> runs = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    Implementations.all().forEach(candidates::add);
    for (VectorCase c : VectorCase.readAll(VectorsFolder.locate())) {
      for (Candidate k : candidates) {
        runs.add(new Run(c, k));
      }
    }
    return runs;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void matchesPyTorch(Run run) {
    execute(run, Layout.PACKED);
  }

  @ParameterizedTest(name = "{0} at offsets")
  @MethodSource("runs")
  void matchesPyTorchAtOffsets(Run run) {
    execute(run, Layout.SHIFTED);
  }

  private static void execute(Run run, Layout layout) {
    VectorCase c = run.vectorCase;
    Kernels kernels = Implementations.require(run.candidate);
    CaseRun r = new CaseRun(c, kernels, layout);
    switch (c.family) {
      case "sgemm":
        sgemm(r);
        break;
      case "linear":
        linear(r);
        break;
      case "softmax_xent":
        softmaxCrossEntropy(r);
        break;
      case "adam_steps":
        adamSteps(r);
        break;
      case "momentum_steps":
        momentumSteps(r);
        break;
      case "galore_adamw_steps":
        galoreAdamWSteps(r);
        galoreAdamWStepsFactored(new CaseRun(c, kernels, layout));
        break;
      case "lora_grad":
        loraGradients(r);
        break;
      case "adafactor_steps":
        adafactorSteps(r);
        break;
      case "mlp_train":
        mlpTrain(r);
        break;
      default:
        Assumptions.abort(c.name + ": unknown family '" + c.family + "': this test does not know how to run it");
    }
  }

  /** C_out = alpha·op(A)·op(B) + beta·C, against both the float32 and the float64 result. */
  private static void sgemm(CaseRun r) {
    VectorCase c = r.vectorCase;
    int m = c.integer("M"), n = c.integer("N"), k = c.integer("K");
    boolean ta = c.flag("transA"), tb = c.flag("transB");
    Matrix a = r.matrix("A"), b = r.matrix("B"), out = r.matrix("C");
    r.kernels.sgemm(ta, tb, m, n, k, c.real("alpha"), a.data, a.off, a.ld, b.data, b.off, b.ld, c.real("beta"),
        out.data, out.off, out.ld);
    r.check("C_out", out);
    r.check("C_out64", out);
  }

  /** y = x·Wᵀ + b; dx = dy·W; dW = dyᵀ·x; db = column sums of dy. */
  private static void linear(CaseRun r) {
    Kernels k = r.kernels;
    Matrix x = r.matrix("x"), w = r.matrix("W"), b = r.vector("b"), dy = r.matrix("dy");
    int batch = x.rows, in = x.cols, out = w.rows;
    Matrix y = r.output(batch, out);
    k.sgemm(false, true, batch, out, in, 1f, x.data, x.off, x.ld, w.data, w.off, w.ld, 0f, y.data, y.off, y.ld);
    k.biasAdd(batch, out, b.data, b.off, y.data, y.off, y.ld);
    r.check("y", y);
    Matrix dx = r.output(batch, in);
    k.sgemm(false, false, batch, in, out, 1f, dy.data, dy.off, dy.ld, w.data, w.off, w.ld, 0f, dx.data, dx.off,
        dx.ld);
    r.check("dx", dx);
    Matrix dw = r.output(out, in);
    k.sgemm(true, false, out, in, batch, 1f, dy.data, dy.off, dy.ld, x.data, x.off, x.ld, 0f, dw.data, dw.off,
        dw.ld);
    r.check("dW", dw);
    Matrix db = r.output(1, out);
    k.biasGradient(batch, out, dy.data, dy.off, dy.ld, db.data, db.off);
    r.check("db", db);
  }

  /** Mean cross-entropy of softmax(logits) and its gradient. */
  private static void softmaxCrossEntropy(CaseRun r) {
    VectorCase c = r.vectorCase;
    if (c.has("reduction") && !c.text("reduction").equals("mean")) {
      Assumptions.abort(c.name + ": reduction '" + c.text("reduction") + "'; the contract computes the mean");
    }
    Matrix logits = r.matrix("logits");
    int[] labels = r.intVector("labels");
    Matrix dlogits = r.output(logits.rows, logits.cols);
    float loss = r.kernels.softmaxCrossEntropy(logits.rows, logits.cols, logits.data, logits.off, logits.ld, labels,
        r.layout.offset, dlogits.data, dlogits.off, dlogits.ld);
    r.checkScalar("loss", loss);
    r.check("dlogits", dlogits);
  }

  /** torch.optim.Adam (L2 weight decay) or AdamW (decoupled), every step's parameters. */
  private static void adamSteps(CaseRun r) {
    VectorCase c = r.vectorCase;
    requireOff(c, "amsgrad");
    requireOff(c, "maximize");
    boolean decoupled;
    String optimizer = c.text("optimizer");
    if (optimizer.equals("Adam")) {
      decoupled = false;
    } else if (optimizer.equals("AdamW")) {
      decoupled = true;
    } else {
      throw new AssertionError(c.name + ": adam_steps with optimizer '" + optimizer + "', expected Adam or AdamW");
    }
    Matrix p = r.tensor("P");
    int len = p.rows * p.cols;
    Matrix g = r.zeros(p.rows, p.cols), m = r.zeros(p.rows, p.cols), v = r.zeros(p.rows, p.cols);
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      r.copyStep("grads", t, g);
      r.kernels.adamStep(len, t + 1, c.real("lr"), c.real("beta1"), c.real("beta2"), c.real("eps"),
          c.real("weight_decay"), decoupled, AdamConvention.TORCH, p.data, p.off, g.data, g.off, m.data, m.off,
          v.data, v.off);
      r.checkStep("params_after", t, p);
    }
  }

  /** torch.optim.SGD with momentum (plain or Nesterov), every step's parameters. */
  private static void momentumSteps(CaseRun r) {
    VectorCase c = r.vectorCase;
    requireOff(c, "maximize");
    float dampening = c.has("dampening") ? c.real("dampening") : 0f;
    Matrix p = r.tensor("P");
    int len = p.rows * p.cols;
    Matrix g = r.zeros(p.rows, p.cols), buf = r.zeros(p.rows, p.cols);
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      r.copyStep("grads", t, g);
      r.kernels.momentumStep(len, t + 1, c.real("lr"), c.real("momentum"), dampening, c.flag("nesterov"),
          c.real("weight_decay"), p.data, p.off, g.data, g.off, buf.data, buf.off);
      r.checkStep("params_after", t, p);
    }
  }

  /**
   * GaLore's AdamW built from the contract: at every update_proj_gap-th step a new projector from the exact top
   * subspace of the gradient (signs canonical, so compared with params_after_canon); the low-rank gradient; Adam's
   * direction in GaLore's convention, in place; back-projected into W with alpha = −lr·scale. The moments are kept
   * across refreshes.
   */
  private static void galoreAdamWSteps(CaseRun r) {
    VectorCase c = r.vectorCase;
    if (c.has("proj_type") && !c.text("proj_type").equals("std")) {
      Assumptions.abort(c.name + ": proj_type '" + c.text("proj_type") + "'; the contract's projectors are GaLore's"
          + " 'std' ones");
    }
    if (c.has("correct_bias") && !c.flag("correct_bias")) {
      Assumptions.abort(c.name + ": correct_bias=false; AdamConvention.GALORE always corrects the bias");
    }
    Kernels k = r.kernels;
    Matrix w = r.matrix("W");
    int m = w.rows, n = w.cols, rank = c.integer("rank"), gap = c.integer("update_proj_gap");
    ProjectionSide side = ProjectionSide.galoreDefault(m, n);
    if (c.has("proj_side")) {
      assertEquals(c.text("proj_side"), side.name().toLowerCase(Locale.ROOT),
          c.name + ": GaLore's side for " + m + "x" + n);
    }
    float lr = c.real("lr"), weightDecay = c.real("weight_decay");
    Matrix g = r.output(m, n);
    Matrix proj = r.output(side.projectorRows(m, n, rank), side.projectorCols(m, n, rank));
    int lowRows = side.lowRankRows(m, n, rank), lowCols = side.lowRankCols(m, n, rank), lowLen = lowRows * lowCols;
    Matrix low = r.zeros(lowRows, lowCols), moment1 = r.zeros(lowRows, lowCols), moment2 = r.zeros(lowRows, lowCols);
    float[] work = r.workspace(LowRankOps.topSubspaceExactWorkspace(side, m, n, rank));
    float[] noGradient = new float[n];
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      r.copyStep("grads", t, g);
      if (t % gap == 0) {
        LowRankOps.topSubspaceExact(k, side, m, n, rank, g.data, g.off, g.ld, proj.data, proj.off, proj.ld, work,
            r.layout.offset);
      }
      LowRankOps.project(k, side, m, n, rank, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, low.data, low.off,
          lowCols);
      k.adamDirection(lowLen, t + 1, c.real("beta1"), c.real("beta2"), c.real("eps"), AdamConvention.GALORE,
          low.data, low.off, moment1.data, moment1.off, moment2.data, moment2.off, low.data, low.off);
      LowRankOps.projectBackAccumulate(k, side, m, n, rank, -lr * c.real("scale"), proj.data, proj.off, proj.ld,
          low.data, low.off, lowCols, w.data, w.off, w.ld);
      if (weightDecay != 0f) {
        // GaLore's AdamW decays after the step with the uncorrected lr: W ← W − lr·wd·W, an SGD step on a zero
        // gradient, row by row (W's rows are not contiguous in a padded layout).
        for (int i = 0; i < m; i++) {
          k.sgdStep(n, lr, weightDecay, w.data, w.off + i * w.ld, noGradient, 0);
        }
      }
      r.checkStep("params_after_canon", t, w);
    }
  }

  /**
   * The same GaLore steps in the trainer's factored accumulation (docs/method.md §5): W = c·W₀ + P·A, each step
   * adds −lr·scale·N to A and decays c and A; a refresh first merges (W₀ ← c·W₀ + P·A, A ← 0, c ← 1). Each step's
   * whole W, formed from the factors, must match PyTorch's as the eager form does.
   */
  private static void galoreAdamWStepsFactored(CaseRun r) {
    VectorCase c = r.vectorCase;
    if (c.has("proj_type") && !c.text("proj_type").equals("std")
        || c.has("correct_bias") && !c.flag("correct_bias")) {
      return; // the eager run above has aborted with the reason already
    }
    Kernels k = r.kernels;
    Matrix w0 = r.matrix("W");
    int m = w0.rows, n = w0.cols, rank = c.integer("rank"), gap = c.integer("update_proj_gap");
    ProjectionSide side = ProjectionSide.galoreDefault(m, n);
    float lr = c.real("lr"), weightDecay = c.real("weight_decay");
    Matrix g = r.output(m, n);
    Matrix whole = r.output(m, n);
    Matrix proj = r.output(side.projectorRows(m, n, rank), side.projectorCols(m, n, rank));
    int lowRows = side.lowRankRows(m, n, rank), lowCols = side.lowRankCols(m, n, rank), lowLen = lowRows * lowCols;
    Matrix low = r.zeros(lowRows, lowCols), moment1 = r.zeros(lowRows, lowCols), moment2 = r.zeros(lowRows, lowCols);
    Matrix factor = r.zeros(lowRows, lowCols);
    float scale = 1f;
    float[] work = r.workspace(LowRankOps.topSubspaceExactWorkspace(side, m, n, rank));
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      r.copyStep("grads", t, g);
      if (t % gap == 0) {
        if (t > 0) {
          scaleRows(w0, scale);
          LowRankOps.projectBackAccumulate(k, side, m, n, rank, 1f, proj.data, proj.off, proj.ld, factor.data,
              factor.off,
              factor.ld, w0.data, w0.off, w0.ld);
          scaleRows(factor, 0f);
          scale = 1f;
        }
        LowRankOps.topSubspaceExact(k, side, m, n, rank, g.data, g.off, g.ld, proj.data, proj.off, proj.ld, work,
            r.layout.offset);
      }
      LowRankOps.project(k, side, m, n, rank, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, low.data, low.off,
          lowCols);
      k.adamDirection(lowLen, t + 1, c.real("beta1"), c.real("beta2"), c.real("eps"), AdamConvention.GALORE,
          low.data, low.off, moment1.data, moment1.off, moment2.data, moment2.off, low.data, low.off);
      float alpha = -lr * c.real("scale");
      for (int i = 0; i < lowRows; i++) {
        for (int j = 0; j < lowCols; j++) {
          factor.data[factor.off + i * factor.ld + j] += alpha * low.data[low.off + i * lowCols + j];
        }
      }
      if (weightDecay != 0f) {
        scale -= lr * weightDecay * scale;
        scaleRows(factor, 1f - lr * weightDecay);
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          whole.data[whole.off + i * whole.ld + j] = scale * w0.data[w0.off + i * w0.ld + j];
        }
      }
      LowRankOps.projectBackAccumulate(k, side, m, n, rank, 1f, proj.data, proj.off, proj.ld, factor.data, factor.off,
          factor.ld, whole.data, whole.off, whole.ld);
      r.checkStep("params_after_canon", t, whole);
    }
  }

  private static void scaleRows(Matrix a, float by) {
    for (int i = 0; i < a.rows; i++) {
      for (int j = 0; j < a.cols; j++) {
        a.data[a.off + i * a.ld + j] *= by;
      }
    }
  }

  /**
   * LoRA with W_eff = W0 + s·B·A: y = x·W0ᵀ + s·(x·Aᵀ)·Bᵀ and dx = dy·W0 + s·(dy·B)·A through sgemm, dA and dB
   * through loraGradients.
   */
  private static void loraGradients(CaseRun r) {
    Kernels k = r.kernels;
    float s = r.vectorCase.real("scale");
    Matrix w0 = r.matrix("W0"), a = r.matrix("A"), b = r.matrix("B"), x = r.matrix("x"), dy = r.matrix("dy");
    int batch = x.rows, in = x.cols, out = w0.rows, rank = a.rows;

    Matrix y = r.output(batch, out), xa = r.output(batch, rank);
    k.sgemm(false, true, batch, out, in, 1f, x.data, x.off, x.ld, w0.data, w0.off, w0.ld, 0f, y.data, y.off, y.ld);
    k.sgemm(false, true, batch, rank, in, 1f, x.data, x.off, x.ld, a.data, a.off, a.ld, 0f, xa.data, xa.off, xa.ld);
    k.sgemm(false, true, batch, out, rank, s, xa.data, xa.off, xa.ld, b.data, b.off, b.ld, 1f, y.data, y.off, y.ld);
    r.check("y", y);

    Matrix dx = r.output(batch, in), dyb = r.output(batch, rank);
    k.sgemm(false, false, batch, in, out, 1f, dy.data, dy.off, dy.ld, w0.data, w0.off, w0.ld, 0f, dx.data, dx.off,
        dx.ld);
    k.sgemm(false, false, batch, rank, out, 1f, dy.data, dy.off, dy.ld, b.data, b.off, b.ld, 0f, dyb.data, dyb.off,
        dyb.ld);
    k.sgemm(false, false, batch, in, rank, s, dyb.data, dyb.off, dyb.ld, a.data, a.off, a.ld, 1f, dx.data, dx.off,
        dx.ld);
    r.check("dx", dx);

    Matrix da = r.output(rank, in), db = r.output(out, rank);
    float[] work = r.workspace(LowRankOps.loraGradientsWorkspace(batch, rank));
    LowRankOps.loraGradients(k, batch, out, in, rank, s, x.data, x.off, x.ld, dy.data, dy.off, dy.ld, a.data, a.off,
        a.ld, b.data, b.off, b.ld, da.data, da.off, da.ld, db.data, db.off, db.ld, work, r.layout.offset);
    r.check("dA", da);
    r.check("dB", db);
  }

  /** Hugging Face's Adafactor (factored second moment), every step's parameters. */
  private static void adafactorSteps(CaseRun r) {
    VectorCase c = r.vectorCase;
    boolean relativeStep = c.flag("relative_step");
    if (!relativeStep && !c.has("lr")) {
      fail(c.name + ": relative_step is false, so params.lr must be set");
    }
    float lr = c.has("lr") ? c.real("lr") : 0f;
    boolean firstMoment = c.has("beta1");
    float beta1 = firstMoment ? c.real("beta1") : 0f;
    Matrix p = r.tensor("P");
    int m = p.rows, n = p.cols;
    Matrix g = r.zeros(m, n), row = r.zeros(1, m), col = r.zeros(1, n);
    Matrix ema = firstMoment ? r.zeros(m, n) : null;
    int steps = r.stored("grads", 3).shape()[0];
    for (int t = 0; t < steps; t++) {
      int step = t + 1;
      r.copyStep("grads", t, g);
      r.kernels.adafactorStep(m, n, AdafactorSchedule.stepSize(step, lr, relativeStep, c.flag("warmup_init")),
          c.flag("scale_parameter"), c.real("eps1"), c.real("eps2"), AdafactorSchedule.beta2t(step,
              c.real("decay_rate")), c.real("clip_threshold"), beta1, c.real("weight_decay"), p.data, p.off,
          g.data, g.off, row.data, row.off, col.data, col.off, ema == null ? null : ema.data,
          ema == null ? 0 : ema.off);
      r.checkStep("params_after", t, p);
    }
  }

  /**
   * torch.nn.Sequential(Linear(in, hidden), ReLU(), Linear(hidden, classes)) trained through the training API on
   * this implementation: the stored initial weights, one group holding weights and biases with the case's optimizer,
   * {@code steps} steps on the fixed batch. The loss before each step, the loss after the last one, and the weights.
   */
  private static void mlpTrain(CaseRun r) {
    VectorCase c = r.vectorCase;
    Matrix x = r.tensor("x");
    int[] labels = r.intVector("labels");
    int batch = x.rows, in = x.cols, hidden = c.integer("hidden"), classes = c.integer("classes");
    Linear first = new Linear(in, hidden);
    Linear second = new Linear(hidden, classes);
    Sequential model = new Sequential(first, new Relu(), second);
    Trainer trainer = Trainer.builder(model, batch).kernels(r.kernels).group(mlpOptimizer(c), model.parameters())
        .build();
    Parameter[] params = {first.weight(), first.bias(), second.weight(), second.bias()};
    String[] names = {"W1", "b1", "W2", "b2"};
    for (int i = 0; i < params.length; i++) {
      Matrix initial = params[i].isMatrix() ? r.tensor(names[i]) : r.vector(names[i]);
      params[i].copyFrom(initial.data, initial.off);
    }
    int steps = c.integer("steps");
    Matrix losses = r.zeros(1, steps);
    for (int t = 0; t < steps; t++) {
      losses.set(0, t, trainer.step(x.data, x.off, labels, r.layout.offset, batch));
      assertFalse(trainer.lastStepSkipped(), () -> c.name + ": step " + trainer.completedSteps() + " was skipped");
    }
    r.check("losses", losses);
    r.checkScalar("loss_final", trainer.loss(x.data, x.off, labels, r.layout.offset, batch));
    for (int i = 0; i < params.length; i++) {
      Matrix after = r.zeros(params[i].rows(), params[i].cols());
      params[i].copyTo(after.data, after.off);
      r.check(names[i] + "_out", after);
    }
  }

  /** The case's torch.optim optimizer as the training API's. */
  private static Optimizer mlpOptimizer(VectorCase c) {
    String optimizer = c.text("optimizer");
    float lr = c.real("lr"), weightDecay = c.real("weight_decay");
    switch (optimizer) {
      case "SGD":
        requireOff(c, "maximize");
        if (c.has("dampening") && c.real("dampening") != 0f) {
          Assumptions.abort(c.name + ": dampening=" + c.real("dampening") + "; the training API's SGD has none");
        }
        return new Sgd(lr).momentum(c.real("momentum")).nesterov(c.flag("nesterov")).weightDecay(weightDecay);
      case "Adam":
      case "AdamW":
        requireOff(c, "amsgrad");
        requireOff(c, "maximize");
        Adam adam = optimizer.equals("Adam") ? Adam.adam(lr) : Adam.adamW(lr);
        return adam.betas(c.real("beta1"), c.real("beta2")).eps(c.real("eps")).weightDecay(weightDecay);
      default:
        throw new AssertionError(c.name + ": mlp_train with optimizer '" + optimizer
            + "', expected SGD, Adam or AdamW");
    }
  }

  /** A flag of torch's optimizers that the contract does not implement: the case is skipped when it is on. */
  private static void requireOff(VectorCase c, String flag) {
    if (c.has(flag) && c.flag(flag)) {
      Assumptions.abort(c.name + ": " + flag + "=true is not part of the kernel contract");
    }
  }
}
