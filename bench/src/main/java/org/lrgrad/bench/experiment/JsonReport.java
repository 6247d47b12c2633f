package org.lrgrad.bench.experiment;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializer;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ArmResult;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.bench.experiment.Study.Tuning;
import org.lrgrad.bench.experiment.Study.User;
import org.lrgrad.bench.experiment.Study.UserRun;
import org.lrgrad.bench.data.FashionMnist;
import org.lrgrad.bench.data.PersonalizationSplit;
import org.lrgrad.train.memory.MemoryTag;

/** The whole run as JSON (its fields are listed in bench/README.md): every figure of the tables, per user. */
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
    root.put("settings", settings(settings));
    root.put("users", settings.users());
    root.put("devUsers", settings.devUsers());
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
    m.put("users", s.users());
    m.put("devUsers", s.devUsers());
    m.put("threads", s.threads());
    m.put("shift", s.shift().name().toLowerCase(Locale.ROOT));
    m.put("batch", s.batch());
    m.put("pretrainSteps", s.pretrainSteps());
    m.put("pretrainLearningRate", Settings.PRETRAIN_LEARNING_RATE);
    m.put("steps", s.steps());
    m.put("compressedRank", s.compressedRank());
    m.put("updateInterval", s.updateInterval());
    m.put("lrgSide", s.lrgSideBySize() == null ? "library" : s.lrgSideBySize() ? "smaller" : "left");
    m.put("lrgMoments", s.lrgResetMoments() == null ? "library" : s.lrgResetMoments() ? "reset" : "kept");
    m.put("galoreProjector", s.exactSvd() ? "exact SVD" : "randomized SVD");
    m.put("mlpHidden", s.mlpHidden());
    m.put("lstmHidden", s.lstmHidden());
    m.put("learningRateGrid", Method.GRID_SIZE + " rates a factor " + Method.GRID_FACTOR + " apart per method");
    m.put("bootstrapResamples", Settings.BOOTSTRAP_RESAMPLES);
    m.put("extended", s.extended());
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
    pretraining.put("losses", boxed(base.losses()));
    m.put("pretraining", pretraining);
    Map<String, Object> points = new LinkedHashMap<>();
    points.put("thirdRank", result.points().ranks().third());
    points.put("thirdReachable", result.points().thirdReachable());
    points.put("momentumRank", result.points().ranks().momentum());
    points.put("compressedRank", result.points().ranks().compressed());
    points.put("adamPeakBytes", result.points().adamPeak());
    points.put("momentumPeakBytes", result.points().momentumPeak());
    m.put("operatingPoints", points);
    List<Object> users = new ArrayList<>();
    for (User u : result.users()) {
      PersonalizationSplit split = u.split();
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("user", u.index() + 1);
      user.put("seed", split.seed());
      user.put("shift", split.userShift().toString());
      user.put("mostFrequentClass", FashionMnist.className(split.userClassOrder()[0]));
      user.put("testAccuracyBefore", u.before().accuracy());
      user.put("testLossBefore", u.before().meanLoss());
      users.add(user);
    }
    m.put("users", users);
    List<Object> tuning = new ArrayList<>();
    for (Tuning t : result.tuning()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("arm", t.arm().label());
      entry.put("grid", boxed(t.grid()));
      entry.put("meanDevLoss", t.meanLoss());
      entry.put("meanDevAccuracy", t.meanAccuracy());
      entry.put("chosen", t.chosen());
      tuning.add(entry);
    }
    m.put("learningRateTuning", tuning);
    List<Object> arms = new ArrayList<>();
    for (ArmResult arm : result.arms()) {
      arms.add(arm(result, arm));
    }
    m.put("arms", arms);
    List<Object> claims = new ArrayList<>();
    for (Verdict v : verdicts) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("number", v.number());
      c.put("claim", v.claim());
      c.put("rule", v.rule());
      c.put("measured", v.measured());
      c.put("interval", v.interval());
      c.put("verdict", v.verdict());
      claims.add(c);
    }
    m.put("claims", claims);
    return m;
  }

  private static Map<String, Object> arm(ModelResult result, ArmResult arm) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("arm", arm.arm().label());
    m.put("method", arm.arm().method().label);
    m.put("point", arm.arm().point());
    m.put("rank", arm.arm().rank());
    m.put("settings", arm.arm().describe());
    m.put("learningRate", arm.learningRate());
    m.put("learningRateTuned", arm.arm().tuned());
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("fusedUpdates", true);
    memory.put("peakBytes", arm.peakBytes());
    memory.put("unfusedPeakBytes", arm.unfusedPeakBytes());
    Map<String, Long> byTag = new LinkedHashMap<>();
    for (MemoryTag tag : MemoryTag.values()) {
      byTag.put(tag.name(), arm.bytesByTag().get(tag));
    }
    memory.put("bytesByTag", byTag);
    m.put("memory", memory);
    List<Double> after = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> population = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    long skipped = 0;
    for (UserRun u : arm.users()) {
      after.add(u.after().accuracy());
      loss.add(u.after().meanLoss());
      population.add(u.populationAfter());
      seconds.add(u.trainSeconds());
      skipped += u.skippedSteps();
    }
    double[] gains = Report.gains(result, arm);
    m.put("meanUserTestAccuracyAfter", arm.meanAccuracy());
    m.put("meanGain", Report.mean(gains));
    m.put("sdGain", Report.sd(gains));
    m.put("userTestAccuracyAfter", after);
    m.put("userTestLossAfter", loss);
    m.put("populationTestAccuracyAfter", population);
    m.put("trainSeconds", seconds);
    m.put("skippedSteps", skipped);
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
    OutputFile.write(file, out -> {
      Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      // JSON has no NaN or infinity: a figure that is not finite (the loss of a model whose weights overflowed) is
      // written as null.
      new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
          .registerTypeAdapter(Double.class, (JsonSerializer<Double>) (v, type, context) ->
              Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE)
          .registerTypeAdapter(Float.class, (JsonSerializer<Float>) (v, type, context) ->
              Float.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE)
          .create().toJson(report, w);
      w.write(System.lineSeparator());
      w.flush();
    });
  }
}
