package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.lrgrad.train.MemoryBudgetExceededException;

/** Each kind of bad input: a clear exception, and the trainer left as it was (or clearly closed). */
class BadInputTest {
  private static final String MODEL = "mlp 8-16-4";

  private static OnDeviceTrainer trainer(byte[] npz) throws IOException {
    return OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(npz)).maxBatch(4).build();
  }

  /** Asserts the trainer's weights and counters are unchanged and that it still trains. */
  private static void assertUnchangedAndUsable(OnDeviceTrainer t, byte[] npz) throws IOException {
    assertArrayEquals(npz, Clusters.export(t));
    assertEquals(0, t.completedSteps());
    t.trainStep(new float[2 * 8], new int[] {0, 3}, 2);
    assertEquals(1, t.completedSteps(), "the trainer stays usable");
  }

  @Test
  void labelsOutOfRange() throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 1);
    try (OnDeviceTrainer t = trainer(npz)) {
      IllegalArgumentException step = assertThrows(IllegalArgumentException.class,
          () -> t.trainStep(new float[2 * 8], new int[] {0, 4}, 2));
      assertEquals("labels[1]=4 must be in [0, classes=4)", step.getMessage());
      int[] labels = {0, 1, 2, 3, 0, 1, -1};
      IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
          () -> t.fit(new float[7 * 8], labels, 7, 1, null));
      assertEquals("labels[6]=-1 must be in [0, classes=4)", fit.getMessage(),
          "fit checks every label before its first step");
      IllegalArgumentException eval = assertThrows(IllegalArgumentException.class,
          () -> t.evaluate(new float[2 * 8], new int[] {9, 0}, 2));
      assertEquals("labels[0]=9 must be in [0, classes=4)", eval.getMessage());
      assertUnchangedAndUsable(t, npz);
    }
  }

  @Test
  void batchesOfTheWrongSize() throws IOException {
    byte[] npz = Clusters.randomWeights(MODEL, 0.5f, 2);
    try (OnDeviceTrainer t = trainer(npz)) {
      IndexOutOfBoundsException shortX = assertThrows(IndexOutOfBoundsException.class,
          () -> t.trainStep(new float[8], new int[] {0, 1}, 2));
      assertTrue(shortX.getMessage().contains("x.length >= 16"), shortX.getMessage());
      IndexOutOfBoundsException shortLabels = assertThrows(IndexOutOfBoundsException.class,
          () -> t.trainStep(new float[16], new int[] {0}, 2));
      assertTrue(shortLabels.getMessage().contains("labels"), shortLabels.getMessage());
      IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
          () -> t.trainStep(new float[5 * 8], new int[5], 5));
      assertEquals("batch=5 > maxBatch=4 this trainer was built for", tooBig.getMessage());
      IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
          () -> t.trainStep(new float[8], new int[1], 0));
      assertTrue(zero.getMessage().contains("batch=0 must be >= 1"), zero.getMessage());
      IllegalArgumentException epochs = assertThrows(IllegalArgumentException.class,
          () -> t.fit(new float[8], new int[1], 1, 0, null));
      assertTrue(epochs.getMessage().contains("epochs=0 must be >= 1"), epochs.getMessage());
      assertUnchangedAndUsable(t, npz);
    }
  }

  private static byte[] npz(String... namesAndShapes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndShapes.length; i += 3) {
        zip.putNextEntry(new ZipEntry(namesAndShapes[i] + ".npy"));
        String descr = namesAndShapes[i + 1];
        String shape = namesAndShapes[i + 2];
        int count = Arrays.stream(shape.replaceAll("[(),]", " ").trim().split(" +")).mapToInt(Integer::parseInt)
            .reduce(1, (a, b) -> a * b);
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        header = header + " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        zip.write(header.getBytes("ISO-8859-1"));
        zip.write(new byte[count * (descr.equals("<f8") ? 8 : 4)]);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static void assertRefused(Class<? extends Exception> type, String expected, byte[] npz) {
    Exception e = assertThrows(type, () -> OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(npz)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void weightsOfTheWrongSizeOrFormat() throws IOException {
    // The well-formed archive this test's writer makes is accepted: the refusals below are about their one defect.
    OnDeviceTrainer.builder(MODEL).weights(ByteBuffer.wrap(npz("0.weight", "<f4", "(16, 8)", "0.bias", "<f4",
        "(16,)", "2.weight", "<f4", "(4, 16)", "2.bias", "<f4", "(4,)"))).build().close();

    assertRefused(IllegalArgumentException.class, "array '2.weight' has shape [16, 4], 'mlp 8-16-4' needs [4, 16]",
        npz("0.weight", "<f4", "(16, 8)", "0.bias", "<f4", "(16,)", "2.weight", "<f4", "(16, 4)", "2.bias", "<f4",
            "(4,)"));
    assertRefused(IllegalArgumentException.class, "missing [2.bias]",
        npz("0.weight", "<f4", "(16, 8)", "0.bias", "<f4", "(16,)", "2.weight", "<f4", "(4, 16)"));
    assertRefused(IllegalArgumentException.class, "unexpected [extra]",
        npz("0.weight", "<f4", "(16, 8)", "0.bias", "<f4", "(16,)", "2.weight", "<f4", "(4, 16)", "2.bias", "<f4",
            "(4,)", "extra", "<f4", "(1,)"));
    assertRefused(IllegalArgumentException.class, "array '0.bias' is float64, the weights must be float32",
        npz("0.weight", "<f4", "(16, 8)", "0.bias", "<f8", "(16,)", "2.weight", "<f4", "(4, 16)", "2.bias", "<f4",
            "(4,)"));
    assertRefused(IOException.class, "not an npz (ZIP) archive", "not an archive".getBytes("ISO-8859-1"));
    byte[] good = Clusters.randomWeights(MODEL, 0.5f, 3);
    assertRefused(IOException.class, "weights buffer: the npz archive ends early", Arrays.copyOf(good, good.length / 2));

    byte[] nan = Clusters.randomWeights("mlp 8-4", 0.5f, 3);
    ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
    float[][] w = {new float[32], new float[4]};
    w[1][2] = Float.NaN;
    WeightsNpz.write(rewritten, ModelDescription.parse("mlp 8-4"), w);
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder("mlp 8-4").weights(new ByteArrayInputStream(rewritten.toByteArray()), "w"));
    assertEquals("w array '0.bias' element 2 is NaN; weights must be finite", e.getMessage());
    Exception other = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder("mlp 8-16-4").weights(ByteBuffer.wrap(nan)));
    assertTrue(other.getMessage().contains("does not hold the weights of 'mlp 8-16-4'"), other.getMessage());
  }

  @Test
  void aDescriptionThatDoesNotParse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder("mlp 784-128-"));
    assertTrue(e.getMessage().startsWith("model description 'mlp 784-128-' at character 12: expected a width"),
        e.getMessage());
  }

  @Test
  void badSettings() {
    OnDeviceTrainer.Builder b = OnDeviceTrainer.builder(MODEL);
    assertEquals("learningRate=0.0 must be > 0",
        assertThrows(IllegalArgumentException.class, () -> b.learningRate(0f)).getMessage());
    assertEquals("rank=0 must be >= 1", assertThrows(IllegalArgumentException.class, () -> b.rank(0)).getMessage());
    assertEquals("maxBatch=-1 must be >= 1",
        assertThrows(IllegalArgumentException.class, () -> b.maxBatch(-1)).getMessage());
  }

  /** Sizes that overflow an int or exhaust the heap are refused up front, before anything is allocated. */
  @Test
  void sizesBeyondTheLimitsAreRefusedNamingThem() {
    // About 3.3 GB of weights: without a budget this died with OutOfMemoryError; the default budget refuses it.
    MemoryBudgetExceededException wide = assertThrows(MemoryBudgetExceededException.class,
        () -> OnDeviceTrainer.builder("mlp 784-1048576-10").optimizer("SGD").build());
    assertTrue(wide.budgetBytes() == Runtime.getRuntime().maxMemory() / OnDeviceTrainer.Builder.DEFAULT_BUDGET_DIVISOR,
        wide.getMessage());
    // maxBatch × 16 activations overflow an int: this was a bare ArithmeticException.
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder(MODEL).maxBatch(1 << 30).build());
    assertTrue(batch.getMessage().startsWith("maxBatch=1073741824 is too large for "), batch.getMessage());
    assertTrue(batch.getMessage().contains("more than 2147483647 values"), batch.getMessage());
    // 2^20 · 2^20 weights cannot be one array, whatever the budget.
    IllegalArgumentException matrix = assertThrows(IllegalArgumentException.class,
        () -> OnDeviceTrainer.builder("mlp 1048576-1048576-10"));
    assertTrue(matrix.getMessage().contains("layer 0's weight (1048576x1048576) has 1099511627776 values, expected"
        + " at most 2147483639"), matrix.getMessage());
  }

  @Test
  void useAfterCloseIsRefusedClearly() throws IOException {
    OnDeviceTrainer t = OnDeviceTrainer.builder(MODEL).build();
    t.close();
    t.close(); // idempotent
    t.cancel(); // harmless
    assertTrue(t.isClosed());
    Executable[] calls = {
        () -> t.trainStep(new float[8], new int[1], 1),
        () -> t.fit(new float[8], new int[1], 1, 1, null),
        () -> t.evaluate(new float[8], new int[1], 1),
        () -> t.predict(new float[8], 0),
        () -> t.exportWeights(new ByteArrayOutputStream()),
        () -> t.weights("0.weight"),
        () -> t.visitState(null),
        t::completedSteps,
        t::skippedSteps,
        t::lastStepSkipped,
        t::memoryBytes,
        t::description,
        t::method,
        t::maxBatch,
        t::kernelsName};
    for (Executable call : calls) {
      IllegalStateException e = assertThrows(IllegalStateException.class, call);
      assertEquals("this trainer of 'mlp 8-16-4' is closed", e.getMessage());
    }
  }
}
