package org.lrgrad.bench.report;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.lrgrad.bench.BandwidthBenchmark;
import org.lrgrad.bench.OptimizerStep;
import org.lrgrad.bench.OptimizerStepBenchmark;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.lrgrad.bench.report.Results.Result;
import org.lrgrad.bench.run.RunInfo;

/**
 * Turns a run's folder ({@code results.json} from JMH, {@code run.json} from the runner) into {@code report.md}
 * and PNG charts beside it. Every figure in the report is computed from those two files; run it again on a folder
 * to redraw a report.
 *
 * <pre>
 * usage: Report DIR
 * </pre>
 */
public final class Report {
  public static final String RESULTS = "results.json";
  public static final String RUN_INFO = "run.json";
  public static final String MARKDOWN = "report.md";

  /** The implementation the targets are about. */
  static final String SUBJECT = "vector";
  static final String SQUARE = "SgemmBenchmark";
  static final String LOW_RANK = "LowRankSgemmBenchmark";
  static final String STEPS = "OptimizerStepBenchmark";
  static final String PEAK = "PeakBenchmark";
  static final String CALLS = "CallOverheadBenchmark";
  static final String REFRESH = "ProjectorRefreshBenchmark";
  static final String TRAINING = "TrainingStepBenchmark";
  static final String BANDWIDTH = "BandwidthBenchmark";
  /**
   * T of the amortized low-rank step: {@code org.lrgrad.train.LowRankAdam}'s default update interval (GaLore's
   * paper's 200).
   */
  static final int REFRESH_INTERVAL = 200;

  private final RunInfo info;
  private final List<Gemm> gemms = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<Refresh> refreshes = new ArrayList<>();
  private final List<Training> trainings = new ArrayList<>();
  /** Single-core memory bandwidth in GB/s (BandwidthBenchmark's triad), NaN when not measured. */
  private double bandwidth = Double.NaN;
  private final double peak;
  private final double harnessBytesPerIteration;
  private final List<String> order;

  /**
   * One sgemm result: C (m×n) ← op(A) (m×k)·op(B) (k×n). {@code form} is {@code square}, or for the low-rank
   * products {@code expand} (m×r · r×n, so k is the rank) or {@code project} (r×m · m×n, so m is the rank).
   */
  record Gemm(String benchmark, String form, int m, int k, int n, String transpose, int threads,
      String implementation, double gflops, double error, double allocated) {
    String shape() {
      return benchmark.equals(SQUARE) ? Integer.toString(m) : m + "×" + k + "×" + n;
    }

    /** The rank of a low-rank product (its short side). */
    int rank() {
      return form.equals("project") ? m : k;
    }

    /** The layer a low-rank product belongs to: its two long sides. */
    String layer() {
      return form.equals("project") ? k + "×" + n : m + "×" + n;
    }

    /** The same product at the same thread count, whatever the implementation. */
    boolean sameCase(Gemm other) {
      return benchmark.equals(other.benchmark) && form.equals(other.form) && m == other.m && k == other.k
          && n == other.n && transpose.equals(other.transpose) && threads == other.threads;
    }
  }

  /** One optimizer-step result. */
  record Step(int m, int n, int rank, String step, String implementation, double micros, double error,
      double allocated, double iterationSeconds) {
    String layer() {
      return m + "×" + n;
    }

    long stateBytes() {
      return 4 * OptimizerStep.byId(step).stateFloats(m, n, rank);
    }
  }

  /** One whole training step of the study's MLP (TrainingStepBenchmark), steps per second. */
  record Training(String optimizer, int rank, String accumulation, String implementation, double stepsPerSecond,
      double error, double allocated) {
    boolean lowRank() {
      return optimizer.equals("lrg-adam") || optimizer.equals("galore-adam");
    }

    String label() {
      String text = optimizer;
      if (lowRank() || optimizer.equals("lora-adam")) {
        text += " (r = " + rank + (lowRank() && !accumulation.equals("auto") ? ", " + accumulation : "") + ")";
      }
      return text;
    }
  }

  /** One tiny contract call (CallOverheadBenchmark), ns per call. */
  record Call(String call, String implementation, double nanos, double error) {}

  /** One projector refresh (ProjectorRefreshBenchmark), ms per refresh. */
  record Refresh(int m, int n, int rank, String method, String implementation, double millis, double error) {
    String layer() {
      return m + "×" + n;
    }

    String methodText() {
      return switch (method) {
        case "exact" -> "GaLore, exact SVD";
        case "randomized" -> "GaLore, randomized SVD";
        case "random" -> "LRG, random";
        default -> method;
      };
    }
  }

  Report(RunInfo info, List<Result> results) {
    this.info = info;
    double measuredPeak = Double.NaN;
    double harness = Double.NaN;
    for (Result r : results) {
      switch (r.benchmark()) {
        case PEAK -> {
          measuredPeak = Double.isNaN(measuredPeak) ? r.gflops() : Math.max(measuredPeak, r.gflops());
          harness = r.allocatedBytesPerCall() * r.score() * r.iterationSeconds();
        }
        case SQUARE -> gemms.add(new Gemm(SQUARE, "square", r.intParam("size"), r.intParam("size"), r.intParam("size"),
            r.param("transpose"), r.intParam("threads"), r.param("implementation"), r.gflops(), r.gflopsError(),
            r.allocatedBytesPerCall()));
        case LOW_RANK -> {
          boolean project = "project".equals(r.params().get("form"));
          int m = r.intParam("m"), rank = r.intParam("r");
          gemms.add(new Gemm(LOW_RANK, project ? "project" : "expand", project ? rank : m, project ? m : rank,
              r.intParam("n"), r.param("transpose"), r.intParam("threads"), r.param("implementation"), r.gflops(),
              r.gflopsError(), r.allocatedBytesPerCall()));
        }
        case BANDWIDTH -> bandwidth = Double.isNaN(bandwidth) ? r.score() * BandwidthBenchmark.BYTES_PER_CALL * 1e-9
            : Math.max(bandwidth, r.score() * BandwidthBenchmark.BYTES_PER_CALL * 1e-9);
        case STEPS -> {
          if (!r.unit().equals("us/op")) {
            throw new IllegalStateException("optimizer steps are read in us/op, got " + r.unit());
          }
          int[] mn = OptimizerStepBenchmark.parseLayer(r.param("layer"));
          steps.add(new Step(mn[0], mn[1], r.intParam("rank"), r.param("step"), r.param("implementation"),
              r.score(), r.error(), r.allocatedBytesPerCall(), r.iterationSeconds()));
        }
        case TRAINING -> {
          if (!r.unit().equals("ops/s")) {
            throw new IllegalStateException("training steps are read in ops/s, got " + r.unit());
          }
          trainings.add(new Training(r.param("optimizer"), r.intParam("rank"), r.param("accumulation"),
              r.param("implementation"), r.score(), r.error(), r.allocatedBytesPerCall()));
        }
        case CALLS -> calls.add(new Call(r.param("call"), r.param("implementation"), inUnit(r, "ns/op"), r.error()));
        case REFRESH -> {
          int[] mn = OptimizerStepBenchmark.parseLayer(r.param("layer"));
          refreshes.add(new Refresh(mn[0], mn[1], r.intParam("rank"), r.param("method"), r.param("implementation"),
              inUnit(r, "ms/op"), r.error()));
        }
        default -> { } // a benchmark this report does not know yet: in results.json, not in the tables
      }
    }
    peak = measuredPeak;
    harnessBytesPerIteration = harness;
    order = new ArrayList<>(SgemmImplementations.names());
    for (Gemm g : gemms) {
      if (!order.contains(g.implementation())) {
        order.add(g.implementation());
      }
    }
    gemms.sort(Comparator.comparing(Gemm::benchmark).thenComparingInt(Gemm::threads)
        .thenComparing(Gemm::transpose).thenComparingInt(Gemm::m).thenComparingInt(Gemm::n)
        .thenComparingInt(Gemm::k).thenComparingInt(g -> order.indexOf(g.implementation())));
    List<String> stepOrder = Arrays.stream(OptimizerStep.values()).map(OptimizerStep::id).toList();
    steps.sort(Comparator.comparingLong((Step s) -> (long) s.m() * s.n()).thenComparingInt(Step::m)
        .thenComparingInt(s -> stepOrder.indexOf(s.step())).thenComparingInt(s -> order.indexOf(s.implementation())));
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Report DIR   (DIR holds " + RESULTS + " and " + RUN_INFO + ")");
      System.exit(2);
    }
    System.out.println("report: " + write(Path.of(args[0])));
  }

  /** Reads the folder's results, writes {@value #MARKDOWN} and the charts into it; returns the Markdown's path. */
  public static Path write(Path dir) throws IOException {
    RunInfo info = new Gson().fromJson(Files.readString(dir.resolve(RUN_INFO), StandardCharsets.UTF_8),
        RunInfo.class);
    Report report = new Report(info, Results.read(dir.resolve(RESULTS)));
    List<String> charts = new Charts(dir).draw(report);
    Path markdown = dir.resolve(MARKDOWN);
    Files.writeString(markdown, report.markdown(charts), StandardCharsets.UTF_8);
    return markdown;
  }

  List<Gemm> gemms() {
    return gemms;
  }

  List<Step> steps() {
    return steps;
  }

  double peak() {
    return peak;
  }

  /** The 100% of a result at this thread count: threads × the measured single-core peak. */
  /**
   * GFLOP/s that the measured single-core bandwidth allows a product at most: 2·m·n·k FLOPs over the bytes it must
   * move at least, 4·(m·k + k·n + m·n) (each operand read once, C written once); NaN without a bandwidth figure.
   */
  double bandwidthRoof(Gemm g) {
    double flops = 2.0 * g.m() * g.n() * g.k();
    return bandwidth * flops / bytesMoved(g);
  }

  /** The bytes a product moves at least: every operand once. */
  static double bytesMoved(Gemm g) {
    return 4.0 * ((double) g.m() * g.k() + (double) g.k() * g.n() + (double) g.m() * g.n());
  }

  double peakAt(int threads) {
    return peak * threads;
  }

  List<String> implementationOrder() {
    return order;
  }

  /** OpenBLAS's GFLOP/s for the same product and thread count, NaN when it was not measured. */
  double baseline(Gemm g) {
    return gemms.stream().filter(o -> o.implementation().equals(SgemmImplementations.BASELINE) && o.sameCase(g))
        .mapToDouble(Gemm::gflops).findFirst().orElse(Double.NaN);
  }

  /**
   * What JMH itself allocates in one measured iteration, spread over the step's calls in it. Measured on
   * PeakBenchmark, whose body allocates nothing (its values live in vector registers), so all it shows is JMH's;
   * NaN when the peak was not measured.
   */
  double harnessBytesPerCall(Step s) {
    double callsPerIteration = Math.max(1, s.iterationSeconds() / (s.micros() * 1e-6));
    return harnessBytesPerIteration / callsPerIteration;
  }

  /** Adam's time on the same layer and implementation, NaN when it was not measured. */
  double adamMicros(Step s) {
    return adamMicros(s.m(), s.n(), s.implementation());
  }

  private double adamMicros(int m, int n, String implementation) {
    return steps.stream().filter(o -> o.step().equals(OptimizerStep.ADAM.id()) && o.m() == m && o.n() == n
        && o.implementation().equals(implementation)).mapToDouble(Step::micros).findFirst().orElse(Double.NaN);
  }

  String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# lrgrad benchmarks: ").append(info.profile()).append(" profile\n\n");
    if (info.profile().equals("smoke")) {
      md.append("**A smoke run**: every benchmark once, unwarmed, in one short iteration. It proves that the")
          .append(" benchmarks, the runner and this report work; its figures are not measurements.\n\n");
    }
    double busiest = info.loadAverage().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    if (busiest >= info.logicalCores()) {
      md.append("**A busy machine**: the load average reached ").append(format("%.1f", busiest)).append(" on ")
          .append(info.logicalCores()).append(" cores, so other processes took CPU time from these benchmarks, by")
          .append(" amounts that changed during the run (the peak measurement included). Wide error bars and more")
          .append(" than 100% of peak are the sign. Rerun on an idle machine before drawing conclusions.\n\n");
    }
    md.append("| | |\n|---|---|\n");
    row(md, "date", info.date());
    row(md, "command", "`" + info.command() + "`");
    row(md, "machine", info.cpu() + ", " + info.logicalCores() + " logical cores, " + info.os());
    row(md, "load average (1 min) at start, end", info.loadAverage().stream().map(l -> format("%.2f", l))
        .collect(Collectors.joining(", ")) + " (other processes compete for the cores when this exceeds 0)");
    row(md, "JVM", info.jdk());
    row(md, "OpenBLAS", info.openBlas());
    row(md, "JMH", info.iterations() + "; `-prof gc`");
    md.append('\n');

    md.append("## Peak\n\n");
    if (Double.isNaN(peak)) {
      md.append("Not measured in this run (PeakBenchmark missing): the % of peak columns are empty.\n\n");
    } else {
      md.append("Measured single-core peak: **").append(number(peak)).append(" GFLOP/s** (float32), by")
          .append(" `PeakBenchmark`: 12 independent chains of fused multiply-adds on the JVM's widest float vector,")
          .append(" from registers. This is 100% for one thread; for t threads, 100% is t times it.\n\n");
    }
    if (!Double.isNaN(bandwidth)) {
      md.append("Measured single-core memory bandwidth: **").append(number(bandwidth)).append(" GB/s**, by")
          .append(" `BandwidthBenchmark` (STREAM's triad over 64 MiB arrays, 12 bytes counted per element). The")
          .append(" low-rank products' bandwidth roof is this times their FLOPs per byte moved at least (2·m·n·k /")
          .append(" 4·(m·k + k·n + m·n)); their % of roof is of the lower of the two roofs.\n\n");
    }

    gemmSection(md, SQUARE, "## sgemm, square (m = n = k)", "size");
    gemmSection(md, LOW_RANK, "## sgemm, low-rank shapes (C m×n ← A m×r · B r×n)", "m×r×n");
    stepSection(md);
    trainingSection(md);
    refreshSection(md);
    callSection(md);
    mcaSection(md);
    targetSection(md);

    md.append("## Not measured\n\n");
    if (info.unavailable().isEmpty() && info.missing().isEmpty()) {
      md.append("Every implementation known here ran.\n");
    }
    // One line per implementation and reason, with every thread count it stands for.
    Map<List<String>, List<String>> threadsByReason = new LinkedHashMap<>();
    for (RunInfo.Unavailable u : info.unavailable()) {
      threadsByReason.computeIfAbsent(List.of(u.implementation(), u.reason()), key -> new ArrayList<>())
          .add(Integer.toString(u.threads()));
    }
    threadsByReason.forEach((key, threads) -> md.append("- `").append(key.get(0)).append("` at ")
        .append(String.join(", ", threads)).append(" thread(s): ").append(key.get(1)).append('\n'));
    for (String m : info.missing()) {
      md.append("- no result (an error; see the run's console output): ").append(m).append('\n');
    }
    md.append('\n');

    if (!charts.isEmpty()) {
      md.append("## Charts\n\n");
      for (String chart : charts) {
        md.append("![").append(chart).append("](").append(chart).append(")\n\n");
      }
    }
    return md.toString();
  }

  private void gemmSection(StringBuilder md, String benchmark, String title, String shapeHeader) {
    Map<String, List<Gemm>> groups = new LinkedHashMap<>();
    for (Gemm g : gemms) {
      if (g.benchmark().equals(benchmark)) {
        groups.computeIfAbsent(g.threads() + " thread(s), " + transposeText(g.transpose()), key -> new ArrayList<>())
            .add(g);
      }
    }
    if (groups.isEmpty()) {
      return;
    }
    md.append(title).append("\n\n");
    md.append("GFLOP/s = 2·m·n·k / time (± the 99.9% confidence half-width when JMH had samples for one); % of")
        .append(" peak = of threads × the measured single-core peak; × OpenBLAS = GFLOP/s ÷ OpenBLAS's in this run,")
        .append(" same product and threads; B/call = bytes allocated per call (`-prof gc`, the least of the measured")
        .append(" iterations: the steady state, after the JIT's compilations).\n\n");
    for (Map.Entry<String, List<Gemm>> group : groups.entrySet()) {
      md.append("### ").append(group.getKey()).append("\n\n");
      boolean roofs = benchmark.equals(LOW_RANK);
      md.append("| ").append(shapeHeader).append(" | implementation | GFLOP/s | % of peak | × OpenBLAS | B/call |")
          .append(roofs ? " bandwidth roof | % of roof |\n" : "\n");
      md.append("|---:|---|---:|---:|---:|---:|").append(roofs ? "---:|---:|\n" : "\n");
      for (Gemm g : group.getValue()) {
        md.append("| ").append(g.shape()).append(" | ").append(g.implementation()).append(" | ")
            .append(withError(g.gflops(), g.error())).append(" | ")
            .append(percent(g.gflops() / peakAt(g.threads()))).append(" | ")
            .append(ratio(g.gflops() / baseline(g))).append(" | ")
            .append(bytes(g.allocated())).append(" |");
        if (roofs) {
          double roof = bandwidthRoof(g);
          md.append(' ').append(number(roof)).append(" | ").append(percent(g.gflops() / Math.min(roof,
              peakAt(g.threads())))).append(" |");
        }
        md.append('\n');
      }
      md.append('\n');
    }
  }

  private void stepSection(StringBuilder md) {
    if (steps.isEmpty()) {
      return;
    }
    md.append("## Optimizer steps\n\n");
    md.append("Time per step on an m×n layer (µs, ± the 99.9% half-width); × Adam = this step's time ÷ Adam's,")
        .append(" same layer and implementation; state = persistent optimizer state (docs/method.md §2); B/step =")
        .append(" bytes allocated per step (`-prof gc`, the least of the measured iterations: the steady state, after")
        .append(" the JIT's compilations). `lowrank-adam` is the per-step work of LRG-Adam and")
        .append(" GaLore-Adam at rank r with a fixed projector (project, Adam direction, project back); the projector's")
        .append(" refresh is not in it (see Projector refresh).\n\n");
    md.append("JMH allocates on its own about ").append(bytes(harnessBytesPerIteration)).append(" B per measured")
        .append(" iteration (measured on PeakBenchmark, whose body allocates nothing), which `-prof gc` spreads over")
        .append(" the calls of that iteration: the column JMH's share is that amount per step. A step that allocates")
        .append(" nothing shows about its JMH's share; the exact zero is checked by the tests")
        .append(" (OptimizerStepTest).\n\n");
    md.append("| layer | step | implementation | µs per step | × Adam | state | B/step | JMH's share |\n");
    md.append("|---:|---|---|---:|---:|---:|---:|---:|\n");
    for (Step s : steps) {
      String step = s.step().equals(OptimizerStep.LOW_RANK_ADAM.id()) ? s.step() + " (r = " + s.rank() + ")"
          : s.step();
      md.append("| ").append(s.layer()).append(" | ").append(step).append(" | ").append(s.implementation())
          .append(" | ").append(withError(s.micros(), s.error())).append(" | ")
          .append(ratio(s.micros() / adamMicros(s))).append(" | ").append(stateText(s.stateBytes())).append(" | ")
          .append(bytes(s.allocated())).append(" | ").append(bytes(harnessBytesPerCall(s))).append(" |\n");
    }
    md.append('\n');
  }

  /** Steps per second of {@code optimizer} (rank 64 for the low-rank ones, the cost model's form), or NaN. */
  private double trainingRate(String optimizer, String implementation) {
    return trainings.stream().filter(t -> t.optimizer().equals(optimizer) && t.implementation().equals(implementation)
        && (t.rank() == 64 || !t.lowRank()) && t.accumulation().equals("auto")).mapToDouble(Training::stepsPerSecond)
        .findFirst().orElse(Double.NaN);
  }

  private void trainingSection(StringBuilder md) {
    if (trainings.isEmpty()) {
      return;
    }
    md.append("## Training steps\n\n");
    md.append("Whole training steps (`Trainer.step`: forward, loss, backward, update) of the study's MLP")
        .append(" 784-1024-1024-10 at batch 32, one thread, the study's settings (T = 50, GaLore's randomized SVD),")
        .append(" so refreshes are in the average; steps/s ± the 99.9% half-width; × SGD and × Adam = steps/s ÷")
        .append(" theirs, same kernels; `eager` = LRG's and GaLore's update written into W every step (the form")
        .append(" before the factored accumulation), otherwise the cost model's choice; B/step = bytes allocated per")
        .append(" step (`-prof gc`, the least of the measured iterations, JMH's share included).\n\n");
    md.append("| optimizer | implementation | steps/s | × SGD | × Adam | B/step |\n|---|---|---:|---:|---:|---:|\n");
    for (Training t : trainings) {
      md.append("| ").append(t.label()).append(" | ").append(t.implementation()).append(" | ")
          .append(withError(t.stepsPerSecond(), t.error())).append(" | ")
          .append(ratio(t.stepsPerSecond() / trainingRate("sgd", t.implementation()))).append(" | ")
          .append(ratio(t.stepsPerSecond() / trainingRate("adam", t.implementation()))).append(" | ")
          .append(bytes(t.allocated())).append(" |\n");
    }
    md.append('\n');
  }

  private static double inUnit(Result r, String unit) {
    if (!r.unit().equals(unit)) {
      throw new IllegalStateException(r.benchmark() + " is read in " + unit + ", got " + r.unit());
    }
    return r.score();
  }

  /** The low-rank step's time on the refresh's layer, rank and implementation, NaN when it was not measured. */
  double lowRankStepMicros(Refresh f) {
    return steps.stream().filter(s -> s.step().equals(OptimizerStep.LOW_RANK_ADAM.id()) && s.m() == f.m()
        && s.n() == f.n() && s.rank() == f.rank() && s.implementation().equals(f.implementation()))
        .mapToDouble(Step::micros).findFirst().orElse(Double.NaN);
  }

  /** The low-rank step with one refresh every {@value #REFRESH_INTERVAL} steps spread over them (µs). */
  double amortizedMicros(Refresh f) {
    return lowRankStepMicros(f) + 1000 * f.millis() / REFRESH_INTERVAL;
  }

  private void refreshSection(StringBuilder md) {
    if (refreshes.isEmpty()) {
      return;
    }
    md.append("## Projector refresh\n\n");
    md.append("One refresh of a low-rank optimizer's projector, timed alone (ms, ± the 99.9% half-width when JMH had")
        .append(" enough samples): GaLore's top-r subspace of a Gaussian gradient by the exact SVD")
        .append(" (`topSubspaceExact`: QR, then one-sided Jacobi) or the randomized one (`topSubspaceRandomized`, r + 10 probes, 2 power")
        .append(" iterations, the experiment's settings), on GaLore's side; LRG's seeded Gaussian m×r,")
        .append(" orthonormalized. Step = the `lowrank-adam` step above (same layer, r, implementation); amortized =")
        .append(" step + refresh / T with T = ").append(REFRESH_INTERVAL).append(" (`LowRankAdam`'s default); × Adam")
        .append(" = amortized ÷ Adam's step.\n\n");
    md.append("| layer | r | projector | implementation | ms per refresh | step µs | amortized µs | × Adam |\n");
    md.append("|---:|---:|---|---|---:|---:|---:|---:|\n");
    List<String> methodOrder = List.of("exact", "randomized", "random");
    List<Refresh> sorted = new ArrayList<>(refreshes);
    sorted.sort(Comparator.comparingLong((Refresh f) -> (long) f.m() * f.n()).thenComparingInt(Refresh::m)
        .thenComparingInt(f -> methodOrder.indexOf(f.method()))
        .thenComparingInt(f -> order.indexOf(f.implementation())));
    for (Refresh f : sorted) {
      double adam = adamMicros(f.m(), f.n(), f.implementation());
      md.append("| ").append(f.layer()).append(" | ").append(f.rank()).append(" | ").append(f.methodText())
          .append(" | ").append(f.implementation()).append(" | ").append(withError(f.millis(), f.error()))
          .append(" | ").append(number(lowRankStepMicros(f))).append(" | ").append(number(amortizedMicros(f)))
          .append(" | ").append(ratio(amortizedMicros(f) / adam)).append(" |\n");
    }
    md.append('\n');
  }

  private void callSection(StringBuilder md) {
    if (calls.isEmpty()) {
      return;
    }
    md.append("## Per-call overhead on tiny shapes\n\n");
    md.append("ns per contract call, one thread (± the 99.9% half-width): `sgemm-S` is C ← A·B with m = n = k = S,")
        .append(" `adam-4x4` one Adam step on 16 parameters. The arithmetic is a few ns, so this is the cost of the")
        .append(" call: the contract's argument checks, then the JNI transition and array pinning (`jni`), the FFM")
        .append(" downcall (`ffm`, the same native code), or the Java kernels' own dispatch. ffm − jni = the")
        .append(" difference of the two bridges.\n\n");
    List<String> implementations = new ArrayList<>();
    List<String> shapes = new ArrayList<>();
    for (Call c : calls) {
      if (!implementations.contains(c.implementation())) {
        implementations.add(c.implementation());
      }
      if (!shapes.contains(c.call())) {
        shapes.add(c.call());
      }
    }
    implementations.sort(Comparator.comparingInt(order::indexOf));
    md.append("| call | ").append(String.join(" | ", implementations)).append(" | ffm − jni |\n");
    md.append("|---|").append("---:|".repeat(implementations.size() + 1)).append('\n');
    for (String shape : shapes) {
      md.append("| ").append(shape).append(" |");
      for (String implementation : implementations) {
        Call c = call(shape, implementation);
        md.append(' ').append(c == null ? "—" : withError(c.nanos(), c.error())).append(" |");
      }
      Call jni = call(shape, "jni"), ffm = call(shape, "ffm");
      md.append(' ').append(jni == null || ffm == null ? "—" : signed(ffm.nanos() - jni.nanos())).append(" |\n");
    }
    md.append('\n');
  }

  private Call call(String shape, String implementation) {
    return calls.stream().filter(c -> c.call().equals(shape) && c.implementation().equals(implementation))
        .findFirst().orElse(null);
  }

  private void mcaSection(StringBuilder md) {
    md.append("## NEON micro-kernel (llvm-mca)\n\n");
    md.append(info.mca() == null ? "not available: the runner was started without `--mca` (bench/run-benchmarks.sh"
        + " passes the line of bridge-jni/scripts/mca.sh)" : info.mca()).append("\n\n");
  }

  /**
   * The targets, each with what this run measured, whether it is met and by how much (the margin of the
   * worst case where a target covers several shapes), or that this run did not measure it.
   */
  private void targetSection(StringBuilder md) {
    md.append("## Targets (issues 6 and 16), as measured in this run\n\n");
    md.append("By how much: for a lower bound, how far the measured value is above it (met) or below it (missed,")
        .append(" with the speed-up still needed); for an upper bound, how far below or above it. Where a target")
        .append(" covers several sizes, the margin is the worst one's.\n\n");
    md.append("| target | measured | met | by how much |\n|---|---|---|---|\n");
    Predicate<Gemm> subjectSquareNn = g -> g.benchmark().equals(SQUARE) && g.implementation().equals(SUBJECT)
        && g.transpose().equals("NN");

    Gemm at1024 = find(subjectSquareNn.and(g -> g.m() == 1024 && g.threads() == 1));
    double vsOpenBlas = at1024 == null ? Double.NaN : at1024.gflops() / baseline(at1024);
    target(md, "`vector` sgemm 1024³, 1 thread ≥ 75% of OpenBLAS 1 thread", percent(vsOpenBlas) + " of OpenBLAS",
        Double.isNaN(vsOpenBlas) ? null : vsOpenBlas >= 0.75, atLeast(vsOpenBlas, 0.75));

    List<String> scaling = new ArrayList<>();
    double worstScaling = Double.NaN;
    for (Gemm two : gemms.stream().filter(subjectSquareNn.and(g -> g.threads() == 2 && g.m() >= 1024)).toList()) {
      Gemm one = find(subjectSquareNn.and(g -> g.threads() == 1 && g.m() == two.m()));
      if (one != null) {
        double speedup = two.gflops() / one.gflops();
        scaling.add(two.m() + "³: " + ratio(speedup));
        worstScaling = Double.isNaN(worstScaling) ? speedup : Math.min(worstScaling, speedup);
      }
    }
    target(md, "`vector` 2 threads ≥ 1.8 × 1 thread, square ≥ 1024", String.join(", ", scaling),
        Double.isNaN(worstScaling) ? null : worstScaling >= 1.8, atLeast(worstScaling, 1.8));

    List<String> netlib = new ArrayList<>();
    double worstNetlib = Double.NaN;
    for (Gemm ours : gemms.stream().filter(subjectSquareNn.and(g -> g.threads() == 1 && g.m() >= 256)).toList()) {
      Gemm theirs = find(g -> g.implementation().equals("netlib") && g.sameCase(ours));
      if (theirs != null) {
        double speedup = ours.gflops() / theirs.gflops();
        netlib.add(ours.m() + ": " + ratio(speedup));
        worstNetlib = Double.isNaN(worstNetlib) ? speedup : Math.min(worstNetlib, speedup);
      }
    }
    target(md, "`vector` ≥ 3 × netlib VectorBLAS, every square size ≥ 256 (NN, 1 thread)", String.join(", ", netlib),
        Double.isNaN(worstNetlib) ? null : worstNetlib >= 3, atLeast(worstNetlib, 3));

    Step lowRank = steps.stream().filter(s -> s.implementation().equals(SUBJECT) && s.m() == 1024 && s.n() == 1024
        && s.rank() == 16 && s.step().equals(OptimizerStep.LOW_RANK_ADAM.id())).findFirst().orElse(null);
    double lowRankVsAdam = lowRank == null ? Double.NaN : lowRank.micros() / adamMicros(lowRank);
    String lowRankText = ratio(lowRankVsAdam);
    Refresh lrgRefresh = refreshes.stream().filter(f -> f.implementation().equals(SUBJECT) && f.m() == 1024
        && f.n() == 1024 && f.rank() == 16 && f.method().equals("random")).findFirst().orElse(null);
    if (lowRank != null && lrgRefresh != null) {
      lowRankText += " per step; " + ratio(amortizedMicros(lrgRefresh) / adamMicros(lowRank)) + " with LRG's refresh"
          + " amortized over T = " + REFRESH_INTERVAL;
    }
    target(md, "`vector` LRG-Adam step, 1024×1024, r = 16 ≤ 0.8 × Adam's time", lowRankText,
        Double.isNaN(lowRankVsAdam) ? null : lowRankVsAdam <= 0.8, atMost(lowRankVsAdam, 0.8));

    // Beyond JMH's own share, with a margin for its run-to-run spread (±25% measured here).
    List<Step> allocating = steps.stream().filter(s -> s.allocated() > 1.5 * harnessBytesPerCall(s) + 1).toList();
    boolean allocationKnown = !steps.isEmpty() && steps.stream().noneMatch(s -> Double.isNaN(s.allocated()))
        && !Double.isNaN(harnessBytesPerIteration);
    double worstExcess = allocating.stream().mapToDouble(s -> s.allocated() - harnessBytesPerCall(s)).max()
        .orElse(0);
    target(md, "every optimizer step allocates 0 bytes (steady state, `-prof gc`)", allocating.isEmpty()
        ? "every step within 1.5 × JMH's share" : allocating.stream().map(s -> s.step() + " " + s.layer() + " "
            + s.implementation() + ": " + bytes(s.allocated()) + " B").collect(Collectors.joining(", ")),
        allocationKnown ? allocating.isEmpty() : null, allocating.isEmpty() ? "0 B beyond JMH's share"
            : "up to " + bytes(worstExcess) + " B per step beyond JMH's share");
    double lrg = trainingRate("lrg-adam", SUBJECT);
    double vsSgd = lrg / trainingRate("sgd", SUBJECT);
    double vsAdam = lrg / trainingRate("adam", SUBJECT);
    target(md, "`vector` training step, study MLP, LRG-Adam (r = 64) ≥ 1.5 × SGD's steps/s", ratio(vsSgd) + " SGD's",
        Double.isNaN(vsSgd) ? null : vsSgd >= 1.5, atLeast(vsSgd, 1.5));
    target(md, "`vector` training step, study MLP, LRG-Adam (r = 64) ≥ 1.75 × Adam's steps/s", ratio(vsAdam)
        + " Adam's", Double.isNaN(vsAdam) ? null : vsAdam >= 1.75, atLeast(vsAdam, 1.75));
    sgemmTargets(md);
    md.append("| training throughput ≥ PyTorch CPU, same MLP and threads | measured by `bench/compare-pytorch.sh`,")
        .append(" not by this command | | |\n");
    md.append('\n');
  }

  /**
   * Issue 16's sgemm targets, against OpenBLAS on the kernel this run gave it (the OpenBLAS line above names it).
   * Where the compute target sits above the bandwidth roof of a shape whose operands cannot stay in cache between
   * calls, the row says so: that shape cannot reach it on this machine whatever the code does. Smaller shapes are
   * not judged by the roof: their operands stay in cache from one call to the next (on 2026-12-06 the expand form at
   * 1024×4×1024 ran at 110% of its roof).
   */
  private void sgemmTargets(StringBuilder md) {
    Predicate<Gemm> subject = g -> g.implementation().equals(SUBJECT) && g.transpose().equals("NN");
    Predicate<Gemm> square = g -> g.benchmark().equals(SQUARE);
    Predicate<Gemm> lowRank = g -> g.benchmark().equals(LOW_RANK);

    versusOpenBlas(md, "`vector` ≥ 1.0 × OpenBLAS, every square size 256…2048 (NN, 1 thread)",
        subject.and(square).and(g -> g.threads() == 1 && g.m() >= 256 && g.m() <= 2048), Gemm::shape, 1.0);

    Gemm at1024 = find(subject.and(square).and(g -> g.m() == 1024 && g.threads() == 1));
    double ofPeak = at1024 == null ? Double.NaN : at1024.gflops() / peakAt(1);
    target(md, "`vector` sgemm 1024³, 1 thread ≥ 85% of the measured peak", percent(ofPeak) + " of "
        + number(peakAt(1)) + " GFLOP/s", Double.isNaN(ofPeak) ? null : ofPeak >= 0.85, atLeast(ofPeak, 0.85));

    versusOpenBlas(md, "`vector` ≥ 1.2 × OpenBLAS, low-rank products r = 4…64 (both forms, 1 thread)",
        subject.and(lowRank).and(g -> g.threads() == 1 && g.rank() >= 4 && g.rank() <= 64),
        g -> g.form() + " " + g.shape(), 1.2);

    List<String> atRank16 = new ArrayList<>();
    double worst = Double.NaN;
    // The lowest roof among the shapes as large as one of the bandwidth benchmark's arrays, which no cache holds.
    Gemm roofBound = null;
    double beyondCaches = 4.0 * BandwidthBenchmark.FLOATS;
    for (Gemm g : gemms.stream().filter(subject.and(lowRank).and(x -> x.threads() == 1 && x.rank() == 16)).toList()) {
      double fraction = g.gflops() / peakAt(1);
      double roof = bandwidthRoof(g) / peakAt(1);
      atRank16.add(g.form() + " " + g.shape() + ": " + percent(fraction) + " (bandwidth roof " + percent(roof)
          + " of peak)");
      if (Double.isNaN(worst) || fraction < worst) {
        worst = fraction;
      }
      if (bytesMoved(g) >= beyondCaches && (roofBound == null || roof < bandwidthRoof(roofBound) / peakAt(1))) {
        roofBound = g;
      }
    }
    String margin = atLeast(worst, 0.6);
    double boundRoof = roofBound == null ? Double.NaN : bandwidthRoof(roofBound) / peakAt(1);
    if (!Double.isNaN(worst) && worst < 0.6 && boundRoof < 0.6) {
      margin += "; out of reach here: " + roofBound.form() + " " + roofBound.shape() + ", whose operands outgrow the"
          + " caches as the bandwidth benchmark's arrays do, has a bandwidth roof of " + percent(boundRoof)
          + " of peak, and this run reached " + percent(roofBound.gflops() / peakAt(1) / boundRoof) + " of it";
    }
    target(md, "`vector` low-rank products at r = 16 ≥ 60% of the measured peak (1 thread)",
        String.join(", ", atRank16), Double.isNaN(worst) ? null : worst >= 0.6, margin);

    versusOpenBlas(md, "`vector` 2 threads ≥ 1.0 × OpenBLAS 2 threads (square, NN)",
        subject.and(square).and(g -> g.threads() == 2), Gemm::shape, 1.0);
  }

  /** One target row: {@code vector}'s ratio to OpenBLAS on every product {@code which} selects, the worst judged. */
  private void versusOpenBlas(StringBuilder md, String target, Predicate<Gemm> which, Function<Gemm, String> label,
      double bound) {
    List<String> ratios = new ArrayList<>();
    double worst = Double.NaN;
    for (Gemm ours : gemms.stream().filter(which).toList()) {
      double versus = ours.gflops() / baseline(ours);
      if (!Double.isNaN(versus)) {
        ratios.add(label.apply(ours) + ": " + ratio(versus));
        worst = Double.isNaN(worst) ? versus : Math.min(worst, versus);
      }
    }
    target(md, target, String.join(", ", ratios), Double.isNaN(worst) ? null : worst >= bound, atLeast(worst, bound));
  }

  /** The margin of {@code value} over a lower bound. */
  static String atLeast(double value, double bound) {
    if (Double.isNaN(value)) {
      return "";
    }
    return value >= bound ? format("%.0f%% above", 100 * (value / bound - 1))
        : format("%.0f%% below", 100 * (1 - value / bound)) + " (needs " + ratio(bound / value) + " more)";
  }

  /** The margin of {@code value} under an upper bound. */
  static String atMost(double value, double bound) {
    if (Double.isNaN(value)) {
      return "";
    }
    return value <= bound ? format("%.0f%% under", 100 * (1 - value / bound))
        : format("%.0f%% over", 100 * (value / bound - 1)) + " (needs " + ratio(value / bound) + " less)";
  }

  private Gemm find(Predicate<Gemm> predicate) {
    return gemms.stream().filter(predicate).findFirst().orElse(null);
  }

  private static void target(StringBuilder md, String target, String measured, Boolean met, String margin) {
    md.append("| ").append(target).append(" | ").append(met == null ? "not measured in this run" : measured)
        .append(" | ").append(met == null ? "" : met ? "yes" : "**no**").append(" | ")
        .append(met == null ? "" : margin).append(" |\n");
  }

  static String signed(double value) {
    return Double.isNaN(value) ? "—" : (value >= 0 ? "+" : "−") + number(Math.abs(value));
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(Objects.toString(value, "")).append(" |\n");
  }

  static String transposeText(String transpose) {
    return "C ← " + (transpose.charAt(0) == 'T' ? "Aᵀ" : "A") + "·" + (transpose.charAt(1) == 'T' ? "Bᵀ" : "B")
        + " (" + transpose + ")";
  }

  static String format(String pattern, double value) {
    return String.format(Locale.ROOT, pattern, value);
  }

  /** Three significant digits at most, so that tables stay narrow. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    double magnitude = Math.abs(value);
    return magnitude >= 100 ? format("%.0f", value) : magnitude >= 10 ? format("%.1f", value)
        : magnitude >= 1 ? format("%.2f", value) : format("%.3f", value);
  }

  static String withError(double value, double error) {
    return Double.isNaN(error) || Double.isNaN(value) ? number(value) : number(value) + " ± " + number(error);
  }

  static String percent(double fraction) {
    return Double.isNaN(fraction) ? "—" : format("%.1f%%", 100 * fraction);
  }

  static String ratio(double ratio) {
    return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "—" : format("%.2f×", ratio);
  }

  /** Bytes per call: JMH's normalized rate is an average, so anything below half a byte is reported as 0. */
  static String bytes(double bytes) {
    return Double.isNaN(bytes) ? "—" : bytes < 0.5 ? "0" : format("%.0f", bytes);
  }

  static String stateText(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    return bytes < 1024 * 1024 ? format("%.1f KiB", bytes / 1024.0) : format("%.2f MiB", bytes / (1024.0 * 1024));
  }
}
