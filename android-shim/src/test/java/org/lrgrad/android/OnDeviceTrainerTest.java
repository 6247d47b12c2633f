package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.Evaluation;
import org.lrgrad.train.MemoryBudgetExceededException;
import org.lrgrad.train.Methods;
import org.lrgrad.train.TrainingRun;

class OnDeviceTrainerTest {
  private static final String MODEL = "mlp 8-16-4";
  private static final int FEATURES = 8;
  private static final int CLASSES = 4;

  private static float learningRateFor(Methods.Method method) {
    switch (method.name()) {
      case "SGD":
      case "Momentum":
      case "Nesterov":
        return 0.05f;
      case "Adafactor":
        return 0.01f;
      default:
        return 0.02f;
    }
  }

  static List<Methods.Method> methods() {
    return Methods.all();
  }

  @ParameterizedTest
  @MethodSource("methods")
  void everyMethodLearnsSeparableClusters(Methods.Method method) {
    SeededRandom random = new SeededRandom(7);
    float[] centres = Clusters.centres(CLASSES, FEATURES, random);
    Clusters train = Clusters.around(centres, CLASSES, 400, 0.5f, random);
    Clusters test = Clusters.around(centres, CLASSES, 400, 0.5f, random);
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).optimizer(method.name())
        .learningRate(learningRateFor(method)).maxBatch(16).seed(3).build()) {
      Evaluation before = trainer.evaluate(test.x(), test.labels(), test.count());
      TrainingRun run = trainer.fit(train.x(), train.labels(), train.count(), 8, null);
      Evaluation after = trainer.evaluate(test.x(), test.labels(), test.count());
      assertEquals(8 * 25, run.steps());
      assertFalse(run.cancelled());
      assertEquals(8 * 25, trainer.completedSteps());
      assertTrue(after.loss() < 0.5 * before.loss(), method + ": " + before + " -> " + after);
      assertTrue(after.accuracy() > 0.9, method + ": " + after);
      assertEquals(method, trainer.method());
    }
  }

  /**
   * A training step allocates nothing on the Java heap (phones pay for garbage). The JVM now and then charges a few
   * bytes of its own to a thread, so one of three windows of 20 steps must show exactly 0 (a real allocation shows
   * in every window), as the kernels module's allocation tests do.
   */
  @Test
  void aTrainingStepAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    SeededRandom random = new SeededRandom(12);
    Clusters batch = Clusters.around(Clusters.centres(CLASSES, FEATURES, random), CLASSES, 16, 0.5f, random);
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).maxBatch(16).build()) {
      for (int i = 0; i < 50; i++) {
        trainer.trainStep(batch.x(), batch.labels(), 16);
      }
      long least = Long.MAX_VALUE;
      for (int window = 0; window < 3 && least != 0; window++) {
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 20; i++) {
          trainer.trainStep(batch.x(), batch.labels(), 16);
        }
        least = Math.min(least, threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before);
      }
      assertEquals(0, least, "bytes allocated by 20 steps on " + trainer.kernelsName());
    }
  }

  @Test
  void lrgAdamIsTheDefault() {
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).build()) {
      assertEquals("LRG-Adam", trainer.method().name());
      assertEquals(32, trainer.maxBatch());
      assertTrue(List.of("jni", "reference").contains(trainer.kernelsName()), trainer.kernelsName());
    }
  }

  /**
   * The point of the facade: a model trained on everyone's data fails a user whose classes sit elsewhere, and a
   * few steps on that user's examples, starting from the exported weights, fix it.
   */
  @Test
  void personalizationFromExportedWeightsRecoversAccuracyForAShiftedUser() throws IOException {
    SeededRandom random = new SeededRandom(11);
    float[] population = Clusters.centres(CLASSES, FEATURES, random);
    byte[] global;
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).optimizer("Adam").learningRate(0.02f)
        .maxBatch(16).build()) {
      Clusters everyone = Clusters.around(population, CLASSES, 800, 0.5f, random);
      trainer.fit(everyone.x(), everyone.labels(), everyone.count(), 3, null);
      global = Clusters.export(trainer);
    }
    float[] user = new float[population.length];
    for (int c = 0; c < CLASSES; c++) {
      System.arraycopy(population, ((c + 1) % CLASSES) * FEATURES, user, c * FEATURES, FEATURES);
    }
    Clusters userTrain = Clusters.around(user, CLASSES, 64, 0.5f, random);
    Clusters userTest = Clusters.around(user, CLASSES, 400, 0.5f, random);
    try (OnDeviceTrainer personal = OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(global))
        .learningRate(0.05f).maxBatch(16).build()) {
      Evaluation before = personal.evaluate(userTest.x(), userTest.labels(), userTest.count());
      assertTrue(before.accuracy() < 0.2, "the global model should fail this user: " + before);
      personal.fit(userTrain.x(), userTrain.labels(), userTrain.count(), 40, null);
      Evaluation after = personal.evaluate(userTest.x(), userTest.labels(), userTest.count());
      assertTrue(after.accuracy() > 0.9, "after personalization with LRG-Adam: " + after);
    }
  }

  @Test
  void weightsLoadFromAFileAStreamOrABufferAndExportAsTheyWereLoaded(@TempDir Path dir) throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 21);
    Path file = dir.resolve("model.npz");
    Files.write(file, npz);
    ByteBuffer buffer = ByteBuffer.allocateDirect(npz.length + 3);
    buffer.put(new byte[] {1, 2, 3}).put(npz).flip();
    buffer.position(3);
    List<OnDeviceTrainer> trainers = new ArrayList<>();
    trainers.add(OnDeviceTrainer.builder(MODEL).weights(file.toFile()).build());
    trainers.add(OnDeviceTrainer.builder(MODEL).weights(new ByteArrayInputStream(npz), "stream").build());
    trainers.add(OnDeviceTrainer.builder(MODEL).weights(buffer).build());
    assertEquals(3, buffer.position(), "the buffer's position does not move");
    for (OnDeviceTrainer t : trainers) {
      assertArrayEquals(npz, Clusters.export(t), "the archive exports byte for byte as written");
    }
    // Flushed, not closed: a buffered stream holds the whole archive when exportWeights returns.
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(sink, 1 << 20);
    trainers.get(0).exportWeights(buffered);
    assertArrayEquals(npz, sink.toByteArray(), "flushed through a buffered stream");
    buffered.write(7);
    buffered.flush();
    assertEquals(npz.length + 1, sink.size(), "the stream is still open");
    float[] w = trainers.get(0).weights("2.weight");
    assertEquals(CLASSES * 16, w.length);
    w[0] += 1;
    assertNotEquals(w[0], trainers.get(0).weights("2.weight")[0], "weights(name) returns a copy");
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> trainers.get(0).weights("1.weight"));
    assertTrue(unknown.getMessage().contains("no parameter '1.weight'"), unknown.getMessage());
    trainers.forEach(OnDeviceTrainer::close);
  }

  @Test
  void exportedWeightsReloadIntoAnEquivalentTrainer() throws IOException {
    SeededRandom random = new SeededRandom(4);
    Clusters data = Clusters.around(Clusters.centres(CLASSES, FEATURES, random), CLASSES, 64, 0.7f, random);
    try (OnDeviceTrainer trained = OnDeviceTrainer.builder(MODEL).optimizer("LoRA-Adam").learningRate(0.05f)
        .rank(2).maxBatch(16).build()) {
      trained.fit(data.x(), data.labels(), data.count(), 3, null);
      Evaluation expected = trained.evaluate(data.x(), data.labels(), data.count());
      try (OnDeviceTrainer reloaded = OnDeviceTrainer.builder(MODEL)
          .weights(new ByteArrayInputStream(Clusters.export(trained)), "export").build()) {
        Evaluation actual = reloaded.evaluate(data.x(), data.labels(), data.count());
        assertEquals(expected.correct(), actual.correct());
        assertEquals(expected.loss(), actual.loss(), 1e-5, "the export is the weight LoRA runs, W0 + s·B·A");
      }
    }
  }

  @Test
  void predictAgreesWithEvaluate() {
    SeededRandom random = new SeededRandom(5);
    Clusters data = Clusters.around(Clusters.centres(CLASSES, FEATURES, random), CLASSES, 100, 1.5f, random);
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).seed(9).maxBatch(7).build()) {
      int correct = 0;
      for (int i = 0; i < data.count(); i++) {
        correct += trainer.predict(data.x(), i * FEATURES) == data.labels()[i] ? 1 : 0;
      }
      assertEquals(correct, trainer.evaluate(data.x(), data.labels(), data.count()).correct());
    }
  }

  @Test
  void aNonFiniteBatchIsSkippedAndChangesNothing() throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 2);
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(npz)).build()) {
      float[] x = new float[2 * FEATURES];
      x[3] = Float.NaN;
      trainer.trainStep(x, new int[] {0, 1}, 2);
      assertTrue(trainer.lastStepSkipped());
      assertEquals(1, trainer.skippedSteps());
      assertEquals(0, trainer.completedSteps());
      assertArrayEquals(npz, Clusters.export(trainer));
    }
  }

  @Test
  void theMemoryBudgetRefusesASetupThatDoesNotFitAndNamesARankThatDoes() {
    String model = "mlp 256-128-10";
    long full;
    try (OnDeviceTrainer t = OnDeviceTrainer.builder(model).rank(64).build()) {
      full = t.memoryBytes();
    }
    long budget = full - 10_000;
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
        () -> OnDeviceTrainer.builder(model).rank(64).memoryBudget(budget).build());
    assertEquals(full, e.requiredBytes());
    assertTrue(e.fittingRank() > 0 && e.fittingRank() < 64, e.getMessage());
    assertTrue(e.getMessage().contains("rank " + e.fittingRank() + " would fit"), e.getMessage());
    try (OnDeviceTrainer fits = OnDeviceTrainer.builder(model).rank(e.fittingRank()).memoryBudget(budget).build()) {
      assertTrue(fits.memoryBytes() <= budget);
    }
    MemoryBudgetExceededException adam = assertThrows(MemoryBudgetExceededException.class,
        () -> OnDeviceTrainer.builder(model).optimizer("Adam").memoryBudget(1000).build());
    assertTrue(adam.getMessage().contains("no group is low-rank"), adam.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder(model).memoryBudget(0));
    assertEquals("memoryBudget=0 bytes must be > 0", zero.getMessage());
  }

  @Test
  void anUnknownOptimizerNameListsTheMethods() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder(MODEL).optimizer("lrg-adamw"));
    assertEquals("method 'lrg-adamw' is unknown; expected one of (any case): SGD, Momentum, Nesterov, Adam, AdamW,"
        + " Adafactor, LRG-Adam, GaLore-Adam, LoRA-Adam, Flora, APOLLO, APOLLO-Mini", e.getMessage());
    try (OnDeviceTrainer trainer = OnDeviceTrainer.builder(MODEL).optimizer("galore-ADAM").build()) {
      assertEquals("GaLore-Adam", trainer.method().name(), "names match ignoring case");
    }
  }
}
