package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * adafactorStep on every implementation, against Hugging Face's Adafactor as vectors/README.md (adafactor_steps)
 * writes it, in float64: factored second moment, with and without the first moment, parameter scaling, relative
 * steps from {@link AdafactorSchedule}, the update clip active and inactive, weight decay.
 */
class AdafactorStepTest {
  private static final double U = Tolerance.U;

  /** One configuration; {@code relativeStep} ignores lr; {@code clipActive} null: either, else asserted. */
  private static final class Hyper {
    final String name;
    final float lr, eps1, eps2, clipThreshold, beta1, weightDecay, decayRate, gradScale, paramScale;
    final boolean relativeStep, warmupInit, scaleParameter;
    final Boolean clipActive;

    Hyper(String name, float lr, boolean relativeStep, boolean warmupInit, boolean scaleParameter, float eps1,
        float eps2, float clipThreshold, Boolean clipActive, float beta1, float weightDecay, float gradScale,
        float paramScale) {
      this.name = name;
      this.lr = lr;
      this.relativeStep = relativeStep;
      this.warmupInit = warmupInit;
      this.scaleParameter = scaleParameter;
      this.eps1 = eps1;
      this.eps2 = eps2;
      this.clipThreshold = clipThreshold;
      this.clipActive = clipActive;
      this.beta1 = beta1;
      this.weightDecay = weightDecay;
      this.decayRate = -0.8f;
      this.gradScale = gradScale;
      this.paramScale = paramScale;
    }

    @Override
    public String toString() {
      return name + " (lr=" + lr + " relativeStep=" + relativeStep + " warmupInit=" + warmupInit + " scaleParameter="
          + scaleParameter + " eps1=" + eps1 + " eps2=" + eps2 + " clipThreshold=" + clipThreshold + " beta1="
          + beta1 + " weightDecay=" + weightDecay + ")";
    }
  }

  private static final Hyper[] CASES = {
      new Hyper("plain", 0.01f, false, false, false, 1e-30f, 1e-3f, 1f, null, 0f, 0f, 1f, 1f),
      new Hyper("relative step", 0f, true, false, true, 1e-30f, 1e-3f, 1f, null, 0.9f, 0f, 1f, 1f),
      new Hyper("warmup", 0f, true, true, true, 1e-30f, 1e-3f, 1f, null, 0.5f, 0.05f, 1f, 1f),
      new Hyper("clip active", 0.05f, false, false, false, 1e-30f, 1e-3f, 0.25f, true, 0f, 0f, 1f, 1f),
      new Hyper("clip inactive", 0.05f, false, false, false, 1e-30f, 1e-3f, 100f, false, 0.9f, 0f, 1f, 1f),
      new Hyper("weight decay", 0.02f, false, false, true, 1e-30f, 1e-3f, 1f, null, 0f, 0.1f, 1f, 1f),
      // g² comparable to eps1: eps1's place in the row and column means is visible.
      new Hyper("large eps1", 0.01f, false, false, false, 1e-3f, 1e-3f, 1f, null, 0f, 0f, 0.03f, 1f),
      // rms(p) < eps2: the step size is lr·eps2.
      new Hyper("tiny parameters", 0.1f, false, false, true, 1e-30f, 1e-3f, 1f, null, 0f, 0.2f, 1f, 1e-4f),
  };
  private static final int[][] SHAPES = {{1, 1}, {1, 17}, {17, 1}, {2, 3}, {3, 2}, {7, 13}, {13, 7}, {8, 8},
      {9, 16}, {16, 33}, {33, 16}, {31, 65}, {65, 31}, {129, 9}, {1, 257}, {257, 3}, {64, 64}};
  private static final int[] STEPS = {1, 2, 3, 4, 100};

  /** Expected values of one step, with the bound of each, and the update's rms before clipping. */
  private static final class Expected {
    final double[][] want = new double[4][], bound = new double[4][];
    double updateRms;
  }

  /**
   * One step from the state the kernel holds, in float64, exactly as README's adafactor_steps lists it, given the
   * step size {@code lr} before parameter scaling and β2 of this step. Bounds: the row and column means are sums
   * of n and m positive terms; the update's rms and rms(p) are sums of m·n squares; each relative error carries
   * into the update multiplicatively.
   */
  private static Expected oracle(Hyper h, float lr, float beta2t, int m, int n, Matrix p, Matrix g, Matrix row,
      Matrix col, Matrix ema) {
    int len = m * n;
    double squares = 0;
    for (int k = 0; k < len; k++) {
      squares += (double) p.get(0, k) * p.get(0, k);
    }
    double stepSize = h.scaleParameter ? lr * Math.max(h.eps2, Math.sqrt(squares / len)) : lr;
    Expected e = new Expected();
    double[] rowNew = new double[m], colNew = new double[n];
    double rowSum = 0;
    for (int i = 0; i < m; i++) {
      double mean = 0;
      for (int j = 0; j < n; j++) {
        mean += (double) g.get(0, i * n + j) * g.get(0, i * n + j) + h.eps1;
      }
      rowNew[i] = beta2t * (double) row.get(0, i) + (1.0 - beta2t) * (mean / n);
      rowSum += rowNew[i];
    }
    for (int j = 0; j < n; j++) {
      double mean = 0;
      for (int i = 0; i < m; i++) {
        mean += (double) g.get(0, i * n + j) * g.get(0, i * n + j) + h.eps1;
      }
      colNew[j] = beta2t * (double) col.get(0, j) + (1.0 - beta2t) * (mean / m);
    }
    double rowMean = rowSum / m;
    double[] update = new double[len];
    double updateSquares = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        update[i * n + j] = g.get(0, i * n + j) / Math.sqrt(rowNew[i] / rowMean) / Math.sqrt(colNew[j]);
        updateSquares += update[i * n + j] * update[i * n + j];
      }
    }
    e.updateRms = Math.sqrt(updateSquares / len);
    double scale = stepSize / Math.max(1.0, e.updateRms / h.clipThreshold);

    double relDirection = 2 * (m + n + 20) * U;
    double relRmsUpdate = relDirection + (len + 4) * U;
    double relStepSize = (h.scaleParameter ? (len + 4) * U : 0) + 2 * U;
    double relUpdate = relDirection + relRmsUpdate + relStepSize + 4 * U;
    e.want[0] = new double[len];
    e.bound[0] = new double[len];
    e.want[1] = rowNew;
    e.bound[1] = new double[m];
    e.want[2] = colNew;
    e.bound[2] = new double[n];
    e.want[3] = new double[h.beta1 != 0f ? len : 0];
    e.bound[3] = new double[e.want[3].length];
    for (int i = 0; i < m; i++) {
      e.bound[1][i] = Tolerance.forDot(n + 8, rowNew[i]);
    }
    for (int j = 0; j < n; j++) {
      e.bound[2][j] = Tolerance.forDot(m + 8, colNew[j]);
    }
    for (int k = 0; k < len; k++) {
      double u = scale * update[k];
      double uAbs = Math.abs(u), uError = uAbs * relUpdate;
      if (h.beta1 != 0f) {
        double old = ema.get(0, k);
        u = h.beta1 * old + (1.0 - h.beta1) * u;
        uAbs = h.beta1 * Math.abs(old) + (1.0 - h.beta1) * uAbs;
        uError = Tolerance.forTerms(uAbs) + (1.0 - h.beta1) * uError;
        e.want[3][k] = u;
        e.bound[3][k] = uError;
      }
      double pk = p.get(0, k), decay = h.weightDecay * stepSize;
      e.want[0][k] = pk - decay * pk - u;
      e.bound[0][k] = Tolerance.forTerms(Math.abs(pk) * (1 + decay) + uAbs) + uError
          + decay * Math.abs(pk) * relStepSize;
    }
    return e;
  }

  /** README's step size before parameter scaling: min(warmupInit ? 1e-6·k : 1e-2, 1/√k), or lr. */
  private static double relativeStepSize(Hyper h, int step) {
    return h.relativeStep ? Math.min(h.warmupInit ? 1e-6 * step : 1e-2, 1.0 / Math.sqrt(step)) : h.lr;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void matchesFloat64OracleOverShapesStepsAndOptions(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(40);
    for (int[] shape : SHAPES) {
      int m = shape[0], n = shape[1], len = m * n;
      for (Hyper h : CASES) {
        Matrix p = Matrix.vector(rnd, len, rnd.nextInt(8), -h.paramScale, h.paramScale);
        Matrix row = Matrix.vector(rnd, m, rnd.nextInt(8), 0f, 0f);
        Matrix col = Matrix.vector(rnd, n, rnd.nextInt(8), 0f, 0f);
        Matrix ema = Matrix.vector(rnd, h.beta1 != 0f ? len : 0, rnd.nextInt(8), 0f, 0f);
        for (int step : STEPS) {
          Matrix g = Matrix.vector(rnd, len, rnd.nextInt(8), -h.gradScale, h.gradScale);
          Matrix gBefore = g.copy();
          float lr = AdafactorSchedule.stepSize(step, h.lr, h.relativeStep, h.warmupInit);
          float beta2t = AdafactorSchedule.beta2t(step, h.decayRate);
          String context = kernels + " adafactorStep " + m + "x" + n + " step=" + step + " " + h + " offsets p="
              + p.off + " g=" + g.off + " row=" + row.off + " col=" + col.off + " ema=" + ema.off;
          // The schedule's float scalars against README's formulas (one float rounding each).
          double wantLr = relativeStepSize(h, step), wantBeta2 = 1 - Math.pow(step, h.decayRate);
          assertEquals(wantLr, lr, U * wantLr, context + " step size");
          assertEquals(wantBeta2, beta2t, U, context + " beta2t");

          Expected e = oracle(h, lr, beta2t, m, n, p, g, row, col, ema);
          if (h.clipActive != null && step == 1) {
            assertEquals(h.clipActive, e.updateRms > h.clipThreshold, context + ": the update's rms is "
                + e.updateRms + ", the case means the clip to be " + (h.clipActive ? "active" : "inactive"));
          }
          kernels.adafactorStep(m, n, lr, h.scaleParameter, h.eps1, h.eps2, beta2t, h.clipThreshold, h.beta1,
              h.weightDecay, p.data, p.off, g.data, g.off, row.data, row.off, col.data, col.off, ema.data, ema.off);
          Tolerance.assertClose(context + " p", p, e.want[0], e.bound[0]);
          Tolerance.assertClose(context + " row", row, e.want[1], e.bound[1]);
          Tolerance.assertClose(context + " col", col, e.want[2], e.bound[2]);
          Tolerance.assertClose(context + " ema", ema, e.want[3], e.bound[3]);
          p.assertCanariesIntact(context + " p");
          row.assertCanariesIntact(context + " row");
          col.assertCanariesIntact(context + " col");
          ema.assertCanariesIntact(context + " ema");
          g.assertUnchanged(context + " g", gBefore);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void withoutFirstMomentEmaIsNeitherReadNorWritten(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(41);
    int m = 5, n = 11;
    Matrix g = Matrix.vector(rnd, m * n, 2, -1f, 1f);
    Matrix ema = Matrix.filled(1, m * n, 1, 0, Float.NaN);
    Matrix emaBefore = ema.copy();
    Matrix[] p = {Matrix.vector(rnd, m * n, 3, -1f, 1f), null};
    p[1] = p[0].copy();
    float[][] row = {new float[m], new float[m]}, col = {new float[n], new float[n]};
    kernels.adafactorStep(m, n, 0.01f, true, 1e-30f, 1e-3f, 0f, 1f, 0f, 0.1f, p[0].data, p[0].off, g.data, g.off,
        row[0], 0, col[0], 0, null, 0);
    kernels.adafactorStep(m, n, 0.01f, true, 1e-30f, 1e-3f, 0f, 1f, 0f, 0.1f, p[1].data, p[1].off, g.data, g.off,
        row[1], 0, col[1], 0, ema.data, ema.off);
    ema.assertUnchanged("beta1=0: ema", emaBefore);
    p[1].assertUnchanged("beta1=0: the same step with ema null and with an ema of NaN", p[0]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroGradientLeavesParametersUnchanged(Candidate candidate) {
    // eps1 keeps the row and column factors positive, so 0/√(row/mean(row))/√col is 0, not NaN.
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(42);
    int m = 9, n = 17;
    Matrix p = Matrix.vector(rnd, m * n, 1, -1f, 1f);
    Matrix before = p.copy();
    float[] row = new float[m], col = new float[n], ema = new float[m * n];
    for (int step = 1; step <= 3; step++) {
      kernels.adafactorStep(m, n, 0.01f, true, 1e-30f, 1e-3f, AdafactorSchedule.beta2t(step, -0.8f), 1f, 0.9f, 0f,
          p.data, p.off, new float[m * n], 0, row, 0, col, 0, ema, 0);
      p.assertUnchanged("zero gradient, step " + step, before);
    }
    for (float r : row) {
      assertTrue(r > 0f && r <= 1e-30f, "row factor " + r + " is eps1's running mean");
    }
  }

  @Test
  void scheduleFollowsHuggingFace() {
    assertEquals(0.01f, AdafactorSchedule.stepSize(1, 0.5f, true, false), "min(1e-2, 1/sqrt(1))");
    assertEquals((float) (1 / Math.sqrt(20000)), AdafactorSchedule.stepSize(20000, 0.5f, true, false),
        "1/sqrt(k) once below 1e-2");
    assertEquals((float) 3e-6, AdafactorSchedule.stepSize(3, 0.5f, true, true), "warmup: 1e-6·k");
    assertEquals(0.25f, AdafactorSchedule.stepSize(7, 0.25f, false, true), "lr itself without relativeStep");
    assertEquals(0f, AdafactorSchedule.beta2t(1, -0.8f), "the first step takes the mean as it is");
    // decayRate is the float nearest -0.8; beta2t is 1 − 10^decayRate rounded once to float.
    assertEquals(1 - Math.pow(10, (double) -0.8f), AdafactorSchedule.beta2t(10, -0.8f), U);
    BadInput bad = BadInput.watching();
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    bad.rejects(iae, () -> AdafactorSchedule.stepSize(0, 0.1f, true, false), "step=0", ">= 1");
    bad.rejects(iae, () -> AdafactorSchedule.stepSize(1, -0.1f, false, false), "lr=-0.1", ">= 0");
    bad.rejects(iae, () -> AdafactorSchedule.stepSize(1, Float.NaN, false, false), "lr=NaN");
    bad.rejects(iae, () -> AdafactorSchedule.beta2t(0, -0.8f), "step=0");
    bad.rejects(iae, () -> AdafactorSchedule.beta2t(1, 0f), "decayRate=0.0", "< 0");
    bad.rejects(iae, () -> AdafactorSchedule.beta2t(1, 0.5f), "decayRate=0.5");
    bad.rejects(iae, () -> AdafactorSchedule.beta2t(1, Float.NaN), "decayRate=NaN");
    bad.rejects(iae, () -> AdafactorSchedule.beta2t(1, Float.NEGATIVE_INFINITY), "decayRate=-Infinity");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void badArgumentsAreRejectedBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(43);
    // m = 3, n = 4: p, g, ema hold 12 floats, row 3, col 4.
    float[] p = BadInput.array(rnd, 12), g = BadInput.array(rnd, 12), e = BadInput.array(rnd, 12);
    float[] r = BadInput.array(rnd, 3), c = BadInput.array(rnd, 4), s = BadInput.array(rnd, 30);
    BadInput bad = BadInput.watching(p, g, e, r, c, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.adafactorStep(0, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        0, e, 0), "m=0", ">= 1");
    bad.rejects(iae, () -> k.adafactorStep(3, -4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "n=-4", ">= 1");
    bad.rejects(iae, () -> k.adafactorStep(65536, 65536, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0,
        r, 0, c, 0, e, 0), "m=65536", "n=65536");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, -0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "lr=-0.01", ">= 0");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, Float.NaN, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r,
        0, c, 0, e, 0), "lr=NaN", "finite");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, -1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "eps1=-1.0E-30", ">= 0");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, Float.POSITIVE_INFINITY, 0.5f, 1f, 0.9f, 0f,
        p, 0, g, 0, r, 0, c, 0, e, 0), "eps2=Infinity", "finite");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 1.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "beta2t=1.5", "[0, 1]");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, Float.NaN, 1f, 0.9f, 0f, p, 0, g, 0, r,
        0, c, 0, e, 0), "beta2t=NaN", "[0, 1]");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, -0.1f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "beta2t=-0.1");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 0f, 0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "clipThreshold=0.0", "> 0");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, Float.POSITIVE_INFINITY, 0.9f,
        0f, p, 0, g, 0, r, 0, c, 0, e, 0), "clipThreshold=Infinity");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 1f, 0f, p, 0, g, 0, r, 0, c,
        0, e, 0), "beta1=1.0", "[0, 1)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, -0.9f, 0f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "beta1=-0.9");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, -0.1f, p, 0, g, 0, r, 0,
        c, 0, e, 0), "weightDecay=-0.1", ">= 0");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, null, 0, g, 0, r, 0,
        c, 0, e, 0), "p must not be null");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, null, 0, r, 0,
        c, 0, e, 0), "g must not be null");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, null, 0,
        c, 0, e, 0), "row must not be null");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0,
        null, 0, e, 0), "col must not be null");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        0, null, 0), "ema must not be null");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, -1, g, 0, r, 0,
        c, 0, e, 0), "pOff=-1");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 1, g, 0, r, 0, c,
        0, e, 0), "p.length >= 13", "p.length=12");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 2, r, 0, c,
        0, e, 0), "g.length >= 14", "g.length=12");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 1, c,
        0, e, 0), "row.length >= 4", "row.length=3");
    bad.rejects(oob, () -> k.adafactorStep(4, 3, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        0, e, 0), "row.length >= 4", "row.length=3");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        -2, e, 0), "colOff=-2");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        1, e, 0), "col.length >= 5", "col.length=4");
    bad.rejects(oob, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, c,
        0, e, 3), "ema.length >= 15", "ema.length=12");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, s, 0, s, 11, r, 0,
        c, 0, e, 0), "p [0, 12) overlaps g [11, 23)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, s, 0, s, 10,
        c, 0, e, 0), "row [10, 13) overlaps g [0, 12)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, s, 0, r, 0, s,
        8, e, 0), "col [8, 12) overlaps g [0, 12)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, s, 12, g, 0, s, 22,
        c, 0, e, 0), "row [22, 25) overlaps p [12, 24)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, s, 12, g, 0, r, 0,
        s, 9, e, 0), "col [9, 13) overlaps p [12, 24)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, s, 0, s,
        2, e, 0), "col [2, 6) overlaps row [0, 3)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, s, 0, r, 0, c,
        0, s, 6), "ema [6, 18) overlaps g [0, 12)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, s, 18, g, 0, r, 0,
        c, 0, s, 7), "ema [7, 19) overlaps p [18, 30)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, s, 0, c,
        0, s, 1), "row [0, 3) overlaps ema [1, 13)");
    bad.rejects(iae, () -> k.adafactorStep(3, 4, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0, g, 0, r, 0, s,
        10, s, 0), "col [10, 14) overlaps ema [0, 12)");
  }
}
