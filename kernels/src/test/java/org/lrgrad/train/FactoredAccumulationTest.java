package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.ReferenceKernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.LowRankAdam.Accumulation;
import org.lrgrad.train.checkpoint.Checkpoint;
import org.lrgrad.train.checkpoint.CheckpointException;
import org.lrgrad.train.memory.MemoryTag;

/**
 * The factored accumulation of LRG and GaLore (W = c·W₀ + P·A between refreshes) trains the model the eager form
 * trains, up to float rounding; reading the weights merges; the cost model picks the form the FLOP counts of
 * {@code LowRankSlot} say. The shared training tests (non-finite policy, checkpoints, determinism, zero allocation)
 * run the factored form too, through {@link TrainTesting#methods()}.
 */
class FactoredAccumulationTest {
  private static final int IN = 24;
  private static final int HIDDEN = 32;
  private static final int CLASSES = 5;
  private static final int BATCH = 8;
  private static final int STEPS = 12;

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Candidate c : Implementations.all().toArray(Candidate[]::new)) {
      for (String method : new String[] {"LRG", "LRG-left", "GaLore", "GaLore-right"}) {
        for (String model : new String[] {"MLP", "LSTM"}) {
          cases.add(Arguments.of(c, method, model));
        }
      }
    }
    return cases;
  }

  private static LowRankAdam optimizer(String method, Accumulation accumulation) {
    LowRankAdam o = method.startsWith("LRG") ? LowRankAdam.lrg(0.01f, 4) : LowRankAdam.galore(0.01f, 4);
    // LRG and GaLore both default to each matrix's smaller side; the other variant fixes one side for all.
    if (method.endsWith("right")) {
      o.side(ProjectionSide.RIGHT);
    } else if (method.endsWith("left")) {
      o.side(ProjectionSide.LEFT);
    }
    // T = 5 puts two refreshes (merges) inside the run; weight decay moves c.
    return o.updateInterval(5).scale(1f).weightDecay(0.05f).accumulation(accumulation);
  }

  private static Supplier<Sequential> model(String name) {
    if (name.equals("MLP")) {
      return () -> new Sequential(new Linear(IN, HIDDEN), new Relu(), new Linear(HIDDEN, HIDDEN), new Relu(),
          new Linear(HIDDEN, CLASSES));
    }
    return () -> new Sequential(new Lstm(IN / 4, HIDDEN, 4), new Linear(HIDDEN, CLASSES));
  }

  private static final float[] X;
  private static final int[] LABELS;

  static {
    Random rnd = new Random(3);
    X = new float[STEPS * BATCH * IN];
    LABELS = new int[STEPS * BATCH];
    for (int i = 0; i < X.length; i++) {
      X[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < LABELS.length; i++) {
      LABELS[i] = rnd.nextInt(CLASSES);
    }
  }

  private static Trainer trainer(Kernels k, String method, String model, Accumulation accumulation) {
    return TrainTesting.trainer(k, model(model).get(), optimizer(method, accumulation), BATCH, 11);
  }

  private static float[] train(Trainer t, int steps) {
    float[] losses = new float[steps];
    for (int s = 0; s < steps; s++) {
      losses[s] = t.step(X, s * BATCH * IN, LABELS, s * BATCH, BATCH);
    }
    return losses;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void factoredTrainsWhatEagerTrainsWithinRounding(Candidate candidate, String method, String model) {
    Kernels k = Implementations.require(candidate);
    Trainer eager = trainer(k, method, model, Accumulation.EAGER);
    Trainer factored = trainer(k, method, model, Accumulation.FACTORED);
    float[] eagerLosses = train(eager, STEPS);
    float[] factoredLosses = train(factored, STEPS);
    for (int s = 0; s < STEPS; s++) {
      assertEquals(eagerLosses[s], factoredLosses[s], 1e-4f * Math.max(1f, Math.abs(eagerLosses[s])),
          "loss of step " + s);
    }
    // Steps 5 and 10 merged at their refresh; steps 11 and 12 are still factored and data() merges them.
    List<Parameter> ep = eager.model().parameters();
    List<Parameter> fp = factored.model().parameters();
    boolean anyDiffers = false;
    for (int i = 0; i < ep.size(); i++) {
      float[] want = ep.get(i).data();
      float[] got = fp.get(i).data();
      for (int j = 0; j < want.length; j++) {
        assertEquals(want[j], got[j], 2e-5f * Math.max(1f, Math.abs(want[j])), ep.get(i).name() + "[" + j + "]");
        anyDiffers |= want[j] != got[j];
      }
    }
    // The parity above is not the eager form in disguise: the sums run in another order, so some bits differ.
    assertTrue(anyDiffers, "factored weights equal the eager ones bit for bit: is the factored form in use?");
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("cases")
  void readingTheWeightsMergesAndChangesNoOutput(Candidate candidate, String method, String model) {
    Kernels k = Implementations.require(candidate);
    Trainer t = trainer(k, method, model, Accumulation.FACTORED);
    train(t, 3);
    Map<String, Object> before = TrainTesting.snapshot(t);
    float[] factorBefore = (float[]) before.get("0.weight_ih.update_factor");
    if (factorBefore == null) {
      factorBefore = (float[]) before.get("0.weight.update_factor");
    }
    assertFalse(allZero(factorBefore), "three steps left a factor to merge");
    float[] logitsBefore = new float[BATCH * CLASSES];
    t.predict(X, 0, BATCH, logitsBefore, 0);

    t.mergeFactoredUpdates();
    Map<String, Object> merged = TrainTesting.snapshot(t);
    float[] logitsAfter = new float[BATCH * CLASSES];
    t.predict(X, 0, BATCH, logitsAfter, 0);
    for (int i = 0; i < logitsBefore.length; i++) {
      assertEquals(logitsBefore[i], logitsAfter[i], 1e-5f * Math.max(1f, Math.abs(logitsBefore[i])), "logit " + i);
    }
    for (Map.Entry<String, Object> e : merged.entrySet()) {
      if (e.getKey().endsWith(".update_factor")) {
        assertTrue(allZero((float[]) e.getValue()), e.getKey() + " after the merge");
      } else if (e.getKey().endsWith(".weight_scale")) {
        assertArrayEquals(new float[] {1f}, (float[]) e.getValue(), e.getKey() + " after the merge");
      }
    }
    // A second merge, and data(), change nothing more.
    t.mergeFactoredUpdates();
    for (Parameter p : t.model().parameters()) {
      p.data();
    }
    TrainTesting.assertSameState(merged, TrainTesting.snapshot(t));
  }

  /**
   * On the right side the projected gradient R = dYᵀ·(x·Qᵀ) takes x·Qᵀ from the layer's forward: one product x·Qᵀ
   * per matrix and step (the forward's, or the gradient's at a refresh step, whose forward has no factor to add),
   * where forming it again would make two on every step between refreshes.
   */
  @Test
  void theRightSideFormsXTimesQTransposedOncePerStep() {
    Map<String, Integer> products = new TreeMap<>();
    Kernels counting = new ReferenceKernels() {
      @Override
      protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
          int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (!transA && transB && m == BATCH && n == 4) {
          products.merge("x(" + m + "x" + k + ")·Qᵀ", 1, Integer::sum);
        }
        super.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
    };
    train(trainer(counting, "LRG-right", "MLP", Accumulation.FACTORED), STEPS);
    // Inputs of 24 (the first layer) and of 32 (the hidden and the output layers), each matrix once per step.
    assertEquals(Map.of("x(8x24)·Qᵀ", STEPS, "x(8x32)·Qᵀ", 2 * STEPS), products);
  }

  @Test
  void copyFromSetsTheWholeWeightsOfAFactoredMatrix() {
    Kernels k = Implementations.reference();
    Trainer t = trainer(k, "LRG", "MLP", Accumulation.FACTORED);
    train(t, 2);
    Parameter w = t.model().parameters().get(0);
    float[] values = new float[w.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 1e-3f;
    }
    w.copyFrom(values, 0);
    float[] read = new float[w.size()];
    w.copyTo(read, 0);
    assertArrayEquals(values, read);
  }

  @Test
  void theLedgerCountsTheFactorAndItsScaleAsWeights() {
    Kernels k = Implementations.reference();
    Trainer eager = trainer(k, "LRG", "MLP", Accumulation.EAGER);
    Trainer factored = trainer(k, "LRG", "MLP", Accumulation.FACTORED);
    // LRG's smaller side: the factor has the larger dimension times rank 4 (B m×r for HIDDEN×IN and HIDDEN×HIDDEN,
    // projected on the right; A r×n for CLASSES×HIDDEN, on the left); c one float each; rows×r of workspace.
    long factorFloats = 4L * HIDDEN + 4L * HIDDEN + 4L * HIDDEN + 3;
    assertEquals(eager.ledger().liveBytes(MemoryTag.WEIGHTS) + 4 * factorFloats,
        factored.ledger().liveBytes(MemoryTag.WEIGHTS));
    long rankRowFloats = 3L * BATCH * 4;
    assertEquals(eager.ledger().liveBytes(MemoryTag.WORKSPACE) + 4 * rankRowFloats,
        factored.ledger().liveBytes(MemoryTag.WORKSPACE));
  }

  @Test
  void theCostModelFactorsLargeMatricesAtSmallBatchesOnly() {
    // The study's MLP at batch 32, rank 64: both 1024-wide layers factored, the 10×1024 output eager.
    assertEquals(List.of(true, false, true, false, false, false), factoredFlags(32, 64));
    // At a batch of 2048 rows the factored bound exceeds the eager cost everywhere.
    assertEquals(List.of(false, false, false, false, false, false), factoredFlags(2048, 64));
  }

  private static List<Boolean> factoredFlags(int batch, int rank) {
    Sequential model = new Sequential(new Linear(784, 1024), new Relu(), new Linear(1024, 1024), new Relu(),
        new Linear(1024, 10));
    Trainer t = Trainer.builder(model, batch).kernels(Implementations.reference()).group(LowRankAdam.lrg(0.01f, rank),
        model.parameters()).build();
    List<Boolean> flags = new ArrayList<>();
    for (String line : t.configuration().split("\n")) {
      if (line.startsWith("0.") || line.startsWith("2.") || line.startsWith("4.")) {
        flags.add(line.endsWith(", factored accumulation"));
      }
    }
    return flags;
  }

  @Test
  void aCheckpointOfOneFormIsNotRestoredIntoTheOther() throws IOException {
    Kernels k = Implementations.reference();
    Trainer eager = trainer(k, "LRG", "MLP", Accumulation.EAGER);
    Trainer factored = trainer(k, "LRG", "MLP", Accumulation.FACTORED);
    assertNotEquals(eager.configuration(), factored.configuration());
    train(factored, 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(factored, out);
    Map<String, Object> eagerBefore = TrainTesting.snapshot(eager);
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> Checkpoint.restore(eager, new ByteArrayInputStream(out.toByteArray()), "factored"));
    assertTrue(e.getMessage().contains("factored accumulation"), e.getMessage());
    TrainTesting.assertSameState(eagerBefore, TrainTesting.snapshot(eager));
  }

  @Test
  void accumulationRejectsNullNamingTheArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LowRankAdam.lrg(0.01f, 4).accumulation(null));
    assertTrue(e.getMessage().contains("accumulation"), e.getMessage());
  }

  private static boolean allZero(float[] a) {
    for (float v : a) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }
}
