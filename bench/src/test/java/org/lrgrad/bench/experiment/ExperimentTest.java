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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study end to end in a tiny configuration (small models, few steps, three users): the terminal tables, the
 * verdicts, the JSON report and the PNG chart, and what they must say whatever the numbers are; and the refusals of
 * bad options and output paths before anything runs.
 */
class ExperimentTest {
  private static final int USERS = 3;
  private static final String[] MAIN = {"SGD", "Momentum", "Adam", "Head-Adam", "LRG-Adam", "GaLore-Adam",
      "LoRA-Adam", "Flora", "APOLLO", "APOLLO-Mini"};

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

  /** The tiny configuration, then {@code extra}. */
  static String[] tiny(String... extra) {
    List<String> args = new ArrayList<>(List.of("--mlp-hidden", "24", "--lstm-hidden", "8", "--pretrain-steps",
        "20", "--steps", "6", "--batch", "16", "--compressed-rank", "2", "--update-interval", "3", "--users",
        String.valueOf(USERS), "--dev-users", "1", "--progress", "none"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @BeforeAll
  static void runTiny() throws IOException {
    Outcome outcome = run(tiny("--model", "both", "--json", dir.resolve("report.json").toString()));
    status = outcome.status();
    output = outcome.out();
    errors = outcome.err();
    try (Reader r = Files.newBufferedReader(dir.resolve("report.json"), StandardCharsets.UTF_8)) {
      json = JsonParser.parseReader(r).getAsJsonObject();
    }
  }

  @Test
  void theRunSucceedsAndPrintsOneRowPerArmAndModelInEachTable() {
    assertEquals(0, status, errors + output);
    for (String label : MAIN) {
      Pattern results = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +[0-9.]+ +[0-9.]+ MiB +[-+][0-9.]+% +"
          + "[0-9.]+% -> [0-9.]+% +[-+][0-9.]+ \\([0-9.]+\\) +[-+][0-9.]+\\.\\.[-+][0-9.]+ +[0-9.]+% +[0-9.]+$");
      Pattern perUser = Pattern.compile("(?m)^  " + Pattern.quote(label) + "( +[0-9]+\\.[0-9]){" + USERS + "}$");
      Pattern memory = Pattern.compile("(?m)^  " + Pattern.quote(label) + "( +[0-9]+\\.[0-9]{2}){8}$");
      assertEquals(2, count(results, output), label + " results rows in:\n" + output);
      assertEquals(2, count(perUser, output), label + " per-user rows in:\n" + output);
      assertEquals(2, count(memory, output), label + " memory rows in:\n" + output);
    }
    assertTrue(output.contains("MLP 784-24-24-10"), output);
    assertTrue(output.contains("LSTM 28 steps of 28 pixels, hidden 8"), output);
  }

  @Test
  void theOutputSpeaksOfThePaperNeverOfTheSeedAsAPaper() {
    assertTrue(output.contains("the paper"), output);
    assertFalse(output.contains("the seed's"), output);
    assertFalse(output.contains("the seed:"), output);
  }

  @Test
  void everyModelGetsThreeVerdictsWithTheirRulesThatTheJsonRepeats() {
    Matcher m = Pattern.compile("(?m)^  claim ([123]) (PASS|FAIL|INCONCLUSIVE)  .*\\[rule: .+\\]$").matcher(output);
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
        assertFalse(c.get("rule").getAsString().isEmpty());
        if (c.get("number").getAsInt() == 3) {
          JsonArray interval = c.getAsJsonArray("interval");
          assertTrue(interval.get(0).getAsDouble() <= interval.get(1).getAsDouble(), interval.toString());
        }
      }
    }
    assertEquals(printed, written);
  }

  @Test
  void theJsonHoldsTheUsersAndEveryArmsPerUserAccuracies() {
    assertEquals(USERS, json.get("users").getAsInt());
    assertEquals(1, json.get("devUsers").getAsInt());
    JsonArray models = json.getAsJsonArray("models");
    assertEquals("mlp", models.get(0).getAsJsonObject().get("model").getAsString());
    assertEquals("lstm", models.get(1).getAsJsonObject().get("model").getAsString());
    for (JsonElement model : models) {
      JsonObject m = model.getAsJsonObject();
      assertEquals(USERS, m.getAsJsonArray("users").size());
      List<String> labels = new ArrayList<>();
      Map<String, long[]> peaks = new java.util.HashMap<>();
      for (JsonElement a : m.getAsJsonArray("arms")) {
        JsonObject arm = a.getAsJsonObject();
        labels.add(arm.get("arm").getAsString());
        JsonArray after = arm.getAsJsonArray("userTestAccuracyAfter");
        assertEquals(USERS, after.size());
        double sum = 0;
        for (JsonElement x : after) {
          assertTrue(x.getAsDouble() >= 0 && x.getAsDouble() <= 1, x.toString());
          sum += x.getAsDouble();
        }
        assertEquals(sum / USERS, arm.get("meanUserTestAccuracyAfter").getAsDouble(), 1e-12);
        JsonObject memory = arm.getAsJsonObject("memory");
        long tags = 0;
        for (String tag : memory.getAsJsonObject("bytesByTag").keySet()) {
          tags += memory.getAsJsonObject("bytesByTag").get(tag).getAsLong();
        }
        assertEquals(memory.get("peakBytes").getAsLong(), tags, "nothing is released, so peak = sum");
        assertTrue(memory.get("fusedUpdates").getAsBoolean());
        peaks.put(arm.get("arm").getAsString(), new long[] {memory.get("peakBytes").getAsLong(),
            memory.get("unfusedPeakBytes").getAsLong(), memory.getAsJsonObject("bytesByTag").get("GRADIENTS")
            .getAsLong()});
      }
      // Fusing never costs memory, and saves Adam's full gradients (all but the largest layer's are transient).
      for (Map.Entry<String, long[]> e : peaks.entrySet()) {
        assertTrue(e.getValue()[0] <= e.getValue()[1], e.getKey());
      }
      assertTrue(peaks.get("Adam")[0] < peaks.get("Adam")[1], "Adam fused vs unfused");
      // Head-Adam's frozen parameters have no gradient: less of it than Adam's, even unfused.
      assertTrue(peaks.get("Head-Adam")[1] < peaks.get("Adam")[1], "Head-Adam vs Adam unfused");
      assertEquals(List.of(MAIN), labels.subList(0, MAIN.length));
      // The development users chose every main arm's rate from the same number of candidates.
      for (JsonElement t : m.getAsJsonArray("learningRateTuning")) {
        assertEquals(Method.GRID_SIZE, t.getAsJsonObject().getAsJsonArray("grid").size());
      }
      assertEquals(MAIN.length, m.getAsJsonArray("learningRateTuning").size());
    }
  }

  /** Development users and evaluated users are different draws: no seed is shared. */
  @Test
  void developmentUsersAreNeverEvaluated() {
    Settings s = new Settings(List.of(ModelKind.MLP), 8, 8, 0, 1, 8, 7, 50, 20, 1,
        org.lrgrad.bench.data.UserShift.Strength.MILD, 2, 3, false, null, null, false, java.util.Map.of());
    java.util.Set<Long> evaluated = new java.util.HashSet<>();
    for (int u = 0; u < s.users(); u++) {
      evaluated.add(s.userSeed(u, false));
    }
    assertEquals(s.users(), evaluated.size());
    for (int d = 0; d < s.devUsers(); d++) {
      assertFalse(evaluated.contains(s.userSeed(d, true)), "dev user " + d);
    }
  }

  /**
   * The optimizer state the ledger reports: none for SGD, one buffer per weight for Momentum, two for Adam; the
   * weights are the same for the three, and so are their gradients, fewer than one per weight because the updates
   * are fused (the layers share transient gradient buffers).
   */
  @Test
  void theDenseMethodsStateSizesFollowTheMethodTable() {
    for (JsonElement model : json.getAsJsonArray("models")) {
      JsonArray arms = model.getAsJsonObject().getAsJsonArray("arms");
      long parameterBytes = 4L * model.getAsJsonObject().get("parameters").getAsLong();
      long[] expectedState = {0, parameterBytes, 2 * parameterBytes};
      for (int i = 0; i < expectedState.length; i++) {
        JsonObject byTag = arms.get(i).getAsJsonObject().getAsJsonObject("memory").getAsJsonObject("bytesByTag");
        assertEquals(parameterBytes, byTag.get("WEIGHTS").getAsLong(), MAIN[i]);
        long gradients = arms.get(0).getAsJsonObject().getAsJsonObject("memory").getAsJsonObject("bytesByTag")
            .get("GRADIENTS").getAsLong();
        assertTrue(gradients > 0 && gradients < parameterBytes, "SGD's fused gradients " + gradients);
        assertEquals(gradients, byTag.get("GRADIENTS").getAsLong(), MAIN[i]);
        assertEquals(expectedState[i], byTag.get("OPTIMIZER_STATE").getAsLong(), MAIN[i]);
      }
    }
  }

  @Test
  void theJsonAloneAlsoWritesTheChartBesideIt() throws IOException {
    BufferedImage image = ImageIO.read(dir.resolve("report.png").toFile());
    assertNotNull(image, "report.png is not an image ImageIO can read");
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
  void badOptionsAreRefusedInOneLineWithTheReasonAndExitStatus2() {
    assertRefused("Invalid value for option '--model'", "--model", "cnn");
    assertRefused("--steps=0 must be in [1, 10000]", "--steps", "0");
    assertRefused("--pretrain-steps=-1 must be in [0, 100000]", "--pretrain-steps", "-1");
    assertRefused("--batch=100000 must be in [1, 250]", "--batch", "100000");
    assertRefused("--batch=2147483647 must be in [1, 250]", "--batch", "2147483647");
    assertRefused("--compressed-rank=5000 must be in [1, 4096]", "--compressed-rank", "5000");
    assertRefused("--users=1 must be in [2, 200]", "--users", "1");
    assertRefused("--threads=1000", "--threads", "1000");
    assertRefused("unknown method 'bogus'", "--lr", "bogus=0.1");
    assertRefused("must be a rate in (0, 10.0]", "--lr", "adam=-1");
    assertRefused("must be a rate in (0, 10.0]", "--lr", "adam=1e30");
    assertRefused("unknown kernels 'nope'", "--kernels", "nope");
    Path nowhere = dir.resolve("missing-folder").resolve("report.json");
    assertRefused("--json " + nowhere + ": the folder " + nowhere.getParent() + " does not exist", "--json",
        nowhere.toString());
  }

  @Test
  void aFolderAtTheChartOrJsonPathIsRefusedBeforeTheRunAndLeftAlone() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("empty-folder"));
    assertRefused("--chart " + folder + ": expected a regular file or a new name, found a folder", "--chart",
        folder.toString());
    assertRefused("--json " + folder + ": expected a regular file or a new name, found a folder", "--json",
        folder.toString());
    assertTrue(Files.isDirectory(folder), "the folder is still there");
  }

  @Test
  void aFifoAtTheChartPathIsRefusedAndLeftAlone() throws IOException, InterruptedException {
    Path fifo = dir.resolve("fifo.png");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    assertRefused("found something else", "--chart", fifo.toString());
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there");
  }

  @Test
  void anUnwritableFolderIsRefusedBeforeTheRun() throws IOException {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    locked.toFile().setWritable(false, false);
    try {
      if (Files.isWritable(locked)) {
        // Root writes anywhere: then a file the run cannot replace is the case left to check.
        Path blocker = Files.createDirectories(dir.resolve("json-is-a-folder"));
        assertRefused("found a folder", "--json", blocker.toString());
      } else {
        assertRefused("cannot create a file in " + locked, "--json", locked.resolve("r.json").toString());
      }
    } finally {
      locked.toFile().setWritable(true, false);
    }
  }

  @Test
  void anExistingReportIsReplacedAndNoTemporaryFileIsLeft() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("replace"));
    Path report = folder.resolve("r.json");
    Files.writeString(report, "old");
    Outcome o = run(tiny("--model", "mlp", "--json", report.toString()));
    assertEquals(0, o.status(), o.err());
    assertTrue(Files.readString(report).startsWith("{"), "replaced");
    // Written through a private temporary file, but readable by others like any new file.
    assertTrue(Files.getPosixFilePermissions(report).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
        Files.getPosixFilePermissions(report).toString());
    try (java.util.stream.Stream<Path> files = Files.list(folder)) {
      assertEquals(java.util.Set.of("r.json", "r.png"), files.map(p -> p.getFileName().toString())
          .collect(java.util.stream.Collectors.toSet()));
    }
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

  /** Refused with status 2, before anything ran: one line naming the problem and pointing at --help. */
  private static void assertRefused(String message, String... args) {
    Outcome o = run(args);
    assertEquals(2, o.status(), String.join(" ", args) + ": " + o.err());
    assertTrue(o.err().contains(message), String.join(" ", args) + ": " + o.err());
    assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    assertTrue(o.err().strip().endsWith("(see --help)"), o.err());
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
