package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment end to end in a tiny configuration (small models, few steps): the terminal table, the verdicts, the
 * JSON report and the PNG chart, and what they must say whatever the numbers are.
 */
class ExperimentTest {
  private static final int STEPS = 6;
  private static final String[] LABELS = {"SGD", "Momentum", "Adam", "LRG-Adam", "GaLore-Adam", "LoRA-Adam"};

  @TempDir
  static Path dir;
  private static String output;
  private static String errors;
  private static int status;
  private static JsonObject json;

  /** What a run printed and returned. */
  record Outcome(int status, String out, String err) {}

  static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Experiment.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void runTiny() throws IOException {
    Outcome outcome = run("--model", "both", "--mlp-hidden", "24", "--lstm-hidden", "8", "--pretrain-steps", "20",
        "--steps", String.valueOf(STEPS), "--batch", "16", "--rank", "4", "--update-interval", "3", "--progress",
        "none", "--json", dir.resolve("report.json").toString(), "--chart", dir.resolve("chart.png").toString());
    status = outcome.status();
    output = outcome.out();
    errors = outcome.err();
    try (Reader r = Files.newBufferedReader(dir.resolve("report.json"), StandardCharsets.UTF_8)) {
      json = JsonParser.parseReader(r).getAsJsonObject();
    }
  }

  @Test
  void theRunSucceedsAndPrintsOneRowPerMethodAndModelInBothTables() {
    assertEquals(0, status, errors + output);
    for (String label : LABELS) {
      // The results table (before -> after) and the memory table (six numbers and the peak), once per model.
      Pattern results = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +[0-9.]+ +[0-9.]+ MiB +[-+][0-9.]+% +"
          + "[0-9.]+% -> [0-9.]+% +[0-9.]+% +[0-9.]+ +[0-9.]+$");
      Pattern memory = Pattern.compile("(?m)^  " + Pattern.quote(label) + "( +[0-9]+\\.[0-9]{2}){7}$");
      assertEquals(2, count(results, output), label + " results rows in:\n" + output);
      assertEquals(2, count(memory, output), label + " memory rows in:\n" + output);
    }
    assertTrue(output.contains("MLP 784-24-24-10"), output);
    assertTrue(output.contains("LSTM 28 steps of 28 pixels, hidden 8"), output);
  }

  @Test
  void everyModelGetsThreeVerdictsThatTheJsonRepeats() {
    Matcher m = Pattern.compile("(?m)^  claim ([123]) (PASS|FAIL)  ").matcher(output);
    List<String> printed = new ArrayList<>();
    while (m.find()) {
      printed.add(m.group(1) + m.group(2));
    }
    assertEquals(6, printed.size(), output);
    List<String> written = new ArrayList<>();
    for (JsonElement model : json.getAsJsonArray("models")) {
      for (JsonElement claim : model.getAsJsonObject().getAsJsonArray("claims")) {
        JsonObject c = claim.getAsJsonObject();
        written.add(c.get("number").getAsInt() + c.get("verdict").getAsString());
      }
    }
    assertEquals(printed, written);
  }

  @Test
  void theJsonHoldsTheSettingsAndEveryRunWithItsMemoryAccuracyAndLosses() {
    assertEquals(STEPS, json.getAsJsonObject("settings").get("steps").getAsInt());
    assertEquals(4, json.getAsJsonObject("settings").get("rank").getAsInt());
    assertFalse(json.get("kernels").getAsString().isEmpty());
    assertTrue(json.getAsJsonObject("machine").get("cores").getAsInt() >= 1);
    JsonArray models = json.getAsJsonArray("models");
    assertEquals("mlp", models.get(0).getAsJsonObject().get("model").getAsString());
    assertEquals("lstm", models.get(1).getAsJsonObject().get("model").getAsString());
    for (JsonElement model : models) {
      JsonArray runs = model.getAsJsonObject().getAsJsonArray("runs");
      assertEquals(LABELS.length, runs.size());
      for (int i = 0; i < LABELS.length; i++) {
        JsonObject run = runs.get(i).getAsJsonObject();
        assertEquals(LABELS[i], run.get("method").getAsString());
        JsonObject memory = run.getAsJsonObject("memory");
        long sum = 0;
        for (String tag : memory.getAsJsonObject("bytesByTag").keySet()) {
          sum += memory.getAsJsonObject("bytesByTag").get(tag).getAsLong();
        }
        assertEquals(memory.get("peakBytes").getAsLong(), sum, LABELS[i] + ": nothing is released, so peak = sum");
        assertEquals(STEPS, run.getAsJsonArray("losses").size());
        assertEquals(STEPS, run.get("steps").getAsInt());
        assertEquals(0, run.get("skippedSteps").getAsInt());
        double accuracy = run.get("userTestAccuracyAfter").getAsDouble();
        assertTrue(accuracy >= 0 && accuracy <= 1, LABELS[i] + " accuracy " + accuracy);
        assertTrue(run.get("stepsPerSecond").getAsDouble() > 0);
      }
    }
  }

  /**
   * Every method starts from the same pretrained weights and sees the same first batch, and none changes what the
   * model computes before its first update (LoRA's B starts at 0): so the first losses and the scores before
   * personalization are the same for all six.
   */
  @Test
  void everyMethodStartsFromTheSameModel() {
    for (JsonElement model : json.getAsJsonArray("models")) {
      JsonArray runs = model.getAsJsonObject().getAsJsonArray("runs");
      JsonObject first = runs.get(0).getAsJsonObject();
      for (JsonElement r : runs) {
        JsonObject run = r.getAsJsonObject();
        assertEquals(first.getAsJsonArray("losses").get(0).getAsFloat(),
            run.getAsJsonArray("losses").get(0).getAsFloat(), run.get("method").getAsString());
        assertEquals(first.get("userTestAccuracyBefore").getAsDouble(),
            run.get("userTestAccuracyBefore").getAsDouble(), run.get("method").getAsString());
      }
      assertEquals(model.getAsJsonObject().getAsJsonObject("pretraining").get("userTestAccuracy").getAsDouble(),
          first.get("userTestAccuracyBefore").getAsDouble());
    }
  }

  /**
   * The optimizer state the ledger reports follows docs/method.md §2 for the element-wise methods: none for SGD, one
   * buffer per weight for Momentum, two for Adam; and the weights are the same for the three.
   */
  @Test
  void theDenseMethodsStateSizesFollowTheMethodTable() {
    for (JsonElement model : json.getAsJsonArray("models")) {
      JsonArray runs = model.getAsJsonObject().getAsJsonArray("runs");
      long parameterBytes = 4L * model.getAsJsonObject().get("parameters").getAsLong();
      long[] expectedState = {0, parameterBytes, 2 * parameterBytes};
      for (int i = 0; i < expectedState.length; i++) {
        JsonObject byTag = runs.get(i).getAsJsonObject().getAsJsonObject("memory").getAsJsonObject("bytesByTag");
        assertEquals(parameterBytes, byTag.get("WEIGHTS").getAsLong(), LABELS[i]);
        assertEquals(parameterBytes, byTag.get("GRADIENTS").getAsLong(), LABELS[i]);
        assertEquals(expectedState[i], byTag.get("OPTIMIZER_STATE").getAsLong(), LABELS[i]);
      }
    }
  }

  @Test
  void theChartIsAPngWithOneRowOfTwoPanelsPerModel() throws IOException {
    BufferedImage image = ImageIO.read(dir.resolve("chart.png").toFile());
    assertNotNull(image, "chart.png is not an image ImageIO can read");
    assertEquals(2 * Chart.PANEL_WIDTH, image.getWidth());
    assertEquals(2 * Chart.PANEL_HEIGHT, image.getHeight());
    int background = image.getRGB(0, 0);
    int differing = 0;
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        differing += image.getRGB(x, y) != background ? 1 : 0;
      }
    }
    assertTrue(differing > 1000, "the chart is nearly blank: " + differing + " sampled pixels drawn");
  }

  @Test
  void theSweepScoresEveryRateOfEveryMethodAndNamesTheBest() {
    Outcome sweep = run("--sweep", "--model", "mlp", "--mlp-hidden", "16", "--pretrain-steps", "5", "--steps", "3",
        "--batch", "8", "--rank", "2", "--progress", "none");
    assertEquals(0, sweep.status(), sweep.err() + sweep.out());
    for (Method method : Method.values()) {
      Pattern line = Pattern.compile("(?m)^  " + Pattern.quote(method.label) + " *(  lr [0-9.]+ +[0-9.]+% / [0-9.]+)"
          + "{" + method.sweepGrid().length + "}  -> [0-9.]+$");
      assertEquals(1, count(line, sweep.out()), method.label + " in:\n" + sweep.out());
    }
    assertTrue(sweep.out().contains("trained on 200 of the user's training images, scored on the other 50"),
        sweep.out());
    assertTrue(sweep.out().contains("chosen for MLP: --lr sgd="), sweep.out());
  }

  /**
   * A learning rate that blows the weights up makes the losses non-finite: the trainer skips those steps, the table
   * says so, and the JSON stays valid (a non-finite loss is written as null).
   */
  @Test
  void skippedStepsAreReportedAndNonFiniteLossesWrittenAsNull() throws IOException {
    Path report = dir.resolve("diverged.json");
    Outcome o = run("--model", "mlp", "--mlp-hidden", "16", "--pretrain-steps", "5", "--steps", "4", "--batch", "8",
        "--rank", "2", "--lr", "sgd=1e30", "--progress", "none", "--json", report.toString());
    assertEquals(0, o.status(), o.err() + o.out());
    JsonObject sgd;
    try (Reader r = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
      sgd = JsonParser.parseReader(r).getAsJsonObject().getAsJsonArray("models").get(0).getAsJsonObject()
          .getAsJsonArray("runs").get(0).getAsJsonObject();
    }
    long skipped = sgd.get("skippedSteps").getAsLong();
    assertTrue(skipped > 0, "SGD at lr 1e30 skipped no step");
    assertTrue(o.out().contains("SGD skipped " + skipped + " of its 4 steps"), o.out());
    assertTrue(sgd.getAsJsonArray("losses").asList().stream().anyMatch(JsonElement::isJsonNull), sgd.toString());
  }

  @Test
  void badOptionsAreRefusedWithTheReasonAndExitStatus2() {
    assertRefused(2, "--model", "cnn");
    assertRefused(2, "--steps=0 must be >= 1", "--steps", "0");
    assertRefused(2, "--pretrain-steps=-1 must be >= 0", "--pretrain-steps", "-1");
    assertRefused(2, "unknown method 'bogus'", "--lr", "bogus=0.1");
    assertRefused(2, "must be a finite rate > 0", "--lr", "adam=-1");
    assertRefused(2, "unknown kernels 'nope'", "--kernels", "nope");
    assertRefused(2, "--sweep prints its table only", "--sweep", "--json", "sweep.json");
    Path nowhere = dir.resolve("missing-folder").resolve("report.json");
    assertRefused(2, "cannot write " + nowhere + ": the folder " + nowhere.getParent() + " does not exist", "--json",
        nowhere.toString());
  }

  @Test
  void aMissingDataFolderFailsWithItsNameAndWritesNothing() {
    Path missing = dir.resolve("no-such-folder");
    Path report = dir.resolve("not-written.json");
    Outcome o = run("--data", missing.toString(), "--json", report.toString(), "--progress", "none");
    assertEquals(1, o.status(), o.err());
    assertTrue(o.err().contains("error: data folder " + missing + " does not exist"), o.err());
    assertFalse(Files.exists(report));
  }

  private static void assertRefused(int expectedStatus, String message, String... args) {
    Outcome o = run(args);
    assertEquals(expectedStatus, o.status(), String.join(" ", args) + ": " + o.err());
    assertTrue(o.err().contains(message), String.join(" ", args) + ": " + o.err());
    assertTrue(o.out().isEmpty(), "nothing is run: " + o.out());
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
