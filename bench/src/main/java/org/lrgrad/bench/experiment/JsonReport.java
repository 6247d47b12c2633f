package org.lrgrad.bench.experiment;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.bench.experiment.Study.Run;
import org.lrgrad.train.memory.MemoryTag;

/** The whole run as JSON (its fields are listed in bench/README.md): every figure of the table, and the losses. */
final class JsonReport {
  private JsonReport() {}

  static Map<String, Object> of(Report.Context context, Settings settings, List<ModelResult> results,
      List<List<Verdict>> verdicts, double seconds, double loadAverageAtEnd) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("date", context.date());
    root.put("arguments", context.arguments());
    root.put("kernels", context.kernels());
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cpu", context.machine().cpu());
    machine.put("cores", context.machine().cores());
    machine.put("os", context.machine().os());
    machine.put("java", context.machine().java());
    machine.put("loadAverageAtStart", context.loadAverageAtStart());
    machine.put("loadAverageAtEnd", loadAverageAtEnd);
    root.put("machine", machine);
    root.put("data", context.data());
    root.put("user", context.user());
    root.put("settings", settings(settings));
    List<Object> models = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      models.add(model(results.get(i), verdicts.get(i)));
    }
    root.put("models", models);
    root.put("seconds", seconds);
    return root;
  }

  private static Map<String, Object> settings(Settings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seed", s.seed());
    m.put("batch", s.batch());
    m.put("pretrainSteps", s.pretrainSteps());
    m.put("pretrainLearningRate", Settings.PRETRAIN_LEARNING_RATE);
    m.put("steps", s.steps());
    m.put("rank", s.rank());
    m.put("updateInterval", s.updateInterval());
    m.put("galoreProjector", s.exactSvd() ? "exact SVD" : "randomized SVD");
    m.put("mlpHidden", s.mlpHidden());
    m.put("lstmHidden", s.lstmHidden());
    m.put("claimRules", Claims.rules());
    return m;
  }

  private static Map<String, Object> model(ModelResult result, List<Verdict> verdicts) {
    Pretrained base = result.base();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", base.model().id);
    m.put("description", base.description());
    m.put("parameters", base.parameters());
    Map<String, Object> pretraining = new LinkedHashMap<>();
    pretraining.put("steps", base.steps());
    pretraining.put("seconds", base.seconds());
    pretraining.put("populationTestAccuracy", base.population().accuracy());
    pretraining.put("userTestAccuracy", base.user().accuracy());
    pretraining.put("losses", boxed(base.losses()));
    m.put("pretraining", pretraining);
    List<Object> runs = new ArrayList<>();
    for (Run run : result.runs()) {
      runs.add(run(run));
    }
    m.put("runs", runs);
    List<Object> claims = new ArrayList<>();
    for (Verdict v : verdicts) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("number", v.number());
      c.put("claim", v.claim());
      c.put("rule", v.rule());
      c.put("measured", v.measured());
      c.put("verdict", v.word());
      claims.add(c);
    }
    m.put("claims", claims);
    return m;
  }

  private static Map<String, Object> run(Run run) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", run.method().label);
    m.put("optimizer", run.optimizer());
    m.put("learningRate", run.learningRate());
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("peakBytes", run.peakBytes());
    Map<String, Long> byTag = new LinkedHashMap<>();
    for (MemoryTag tag : MemoryTag.values()) {
      byTag.put(tag.name(), run.bytesByTag().get(tag));
    }
    memory.put("bytesByTag", byTag);
    m.put("memory", memory);
    m.put("userTestAccuracyBefore", run.userBefore().accuracy());
    m.put("userTestAccuracyAfter", run.userAfter().accuracy());
    m.put("userTestLossAfter", run.userAfter().meanLoss());
    m.put("populationTestAccuracyAfter", run.populationAfter().accuracy());
    m.put("steps", run.steps());
    m.put("skippedSteps", run.skippedSteps());
    m.put("trainSeconds", run.trainSeconds());
    m.put("stepsPerSecond", run.stepsPerSecond());
    m.put("losses", boxed(run.losses()));
    return m;
  }

  private static List<Float> boxed(float[] values) {
    List<Float> list = new ArrayList<>(values.length);
    for (float v : values) {
      list.add(v);
    }
    return list;
  }

  static void write(Map<String, Object> report, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      // JSON has no NaN or infinity: a figure that is not finite (a skipped step's loss, the loss of a model whose
      // weights overflowed) is written as null.
      new GsonBuilder().setPrettyPrinting().serializeNulls()
          .registerTypeAdapter(Double.class, (JsonSerializer<Double>) (v, type, context) ->
              Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE)
          .registerTypeAdapter(Float.class, (JsonSerializer<Float>) (v, type, context) ->
              Float.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE)
          .create().toJson(report, w);
      w.write(System.lineSeparator());
    }
  }
}
