package org.lrgrad.bench.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.data.Dataset;
import org.lrgrad.bench.data.FashionMnist;
import org.lrgrad.bench.data.UserShift;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The README's main command: the paper's study on Fashion-MNIST. Pretrains each model once on the population's
 * images, chooses every method's learning rate on development users, personalizes it for every evaluated user with
 * each {@link Arm}, prints per arm the ledger's peak training memory (with its breakdown) and the accuracy gains over
 * users, and checks the paper's three claims by rules printed before the results. Every output path is checked
 * before the run.
 */
@Command(name = "run-experiment.sh", mixinStandardHelpOptions = true, sortOptions = false,
    version = "lrgrad experiment 0.2.0",
    description = {"Pretrains a model on the population's Fashion-MNIST images, personalizes it for many users with"
        + " each optimizer (the same steps and batches from the same weights; learning rates chosen on separate"
        + " development users) and checks the paper's claims (Gooneratne et al., ICASSP 2020) over the users.", ""})
public final class Experiment implements Callable<Integer> {
  /** The models {@code --model} can name. */
  enum ModelChoice {
    MLP, LSTM, BOTH
  }

  /** GaLore's projector. */
  enum Svd {
    RANDOMIZED, EXACT
  }

  /** LRG's projection side. */
  enum Side {
    LIBRARY, LEFT, SMALLER
  }

  /** What LRG does with Adam's moments at a refresh. */
  enum Moments {
    LIBRARY, KEPT, RESET
  }

  @Spec
  private CommandSpec spec;

  @Option(names = "--model", defaultValue = "both", paramLabel = "MODEL",
      description = "mlp, lstm or both (default: ${DEFAULT-VALUE})")
  private ModelChoice model;

  @Option(names = "--users", paramLabel = "N", defaultValue = "10",
      description = "evaluated users per model, 2 to " + MAX_USERS + " (default: ${DEFAULT-VALUE})")
  private int users;

  @Option(names = "--dev-users", paramLabel = "N", defaultValue = "2",
      description = "development users per model, on which every method's learning rate is chosen, 1 to "
          + MAX_DEV_USERS + " (default: ${DEFAULT-VALUE})")
  private int devUsers;

  @Option(names = "--shift", paramLabel = "KIND", defaultValue = "mild",
      description = "how far each user's images are from the population's: mild (the base model still serves the"
          + " user) or strong (re-learning) (default: ${DEFAULT-VALUE})")
  private UserShift.Strength shift;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "100",
      description = "personalization steps per method and user, 1 to " + MAX_STEPS + " (default: ${DEFAULT-VALUE})")
  private int steps;

  @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = "400",
      description = "Adam steps on the population's images first, 0 to " + MAX_PRETRAIN_STEPS
          + " (default: ${DEFAULT-VALUE})")
  private int pretrainSteps;

  @Option(names = "--compressed-rank", paramLabel = "R", defaultValue = "32",
      description = "r of LRG-Adam's compressed operating point, 1 to " + MAX_HIDDEN
          + " (the other two are found from the ledger) (default: ${DEFAULT-VALUE})")
  private int compressedRank;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "the random number generator's seed: initial weights, users, batch order, bootstrap (default:"
          + " ${DEFAULT-VALUE})")
  private long seed;

  @Option(names = "--threads", paramLabel = "N",
      description = "personalizations run at once, 1 to the number of cores (default: at most 2)")
  private Integer threads;

  @Option(names = "--data", defaultValue = "embedded", paramLabel = "SOURCE",
      description = "embedded (the subset inside the library), debian (package dataset-fashion-mnist), auto, or a"
          + " folder holding the four IDX files (default: ${DEFAULT-VALUE})")
  private String data;

  @Option(names = "--kernels", paramLabel = "NAME",
      description = "the kernel implementation (reference, vector, vector-128, ...; default: the provider's choice,"
          + " or -Dlrgrad.kernels)")
  private String kernels;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32",
      description = "samples per step, 1 to " + MAX_BATCH + " (default: ${DEFAULT-VALUE})")
  private int batch;

  @Option(names = "--mlp-hidden", paramLabel = "H", defaultValue = "1024",
      description = "the MLP's hidden widths, 1 to " + MAX_HIDDEN + " (default: ${DEFAULT-VALUE})")
  private int mlpHidden;

  @Option(names = "--lstm-hidden", paramLabel = "H", defaultValue = "128",
      description = "the LSTM's hidden size, 1 to " + MAX_LSTM_HIDDEN + " (default: ${DEFAULT-VALUE})")
  private int lstmHidden;

  @Option(names = "--update-interval", defaultValue = "50", paramLabel = "T",
      description = "LRG and GaLore recompute their projectors every T steps, 1 to " + MAX_STEPS
          + " (default: ${DEFAULT-VALUE})")
  private int updateInterval;

  @Option(names = "--lrg-side", defaultValue = "library", paramLabel = "SIDE",
      description = "LRG projects left (always the output side), smaller (each matrix's smaller side, GaLore's"
          + " rule) or as the library's default does (default: ${DEFAULT-VALUE})")
  private Side lrgSide;

  @Option(names = "--lrg-moments", defaultValue = "library", paramLabel = "KIND",
      description = "LRG keeps or resets Adam's moments at each projector refresh, or does as the library's default"
          + " (default: ${DEFAULT-VALUE})")
  private Moments lrgMoments;

  @Option(names = "--galore-svd", defaultValue = "randomized", paramLabel = "KIND",
      description = "GaLore's projector: randomized or exact SVD (default: ${DEFAULT-VALUE})")
  private Svd galoreSvd;

  @Option(names = "--lr", paramLabel = "METHOD=RATE",
      description = "a fixed learning rate instead of the one chosen on the development users, e.g. --lr lrg=0.003"
          + " (methods: sgd, momentum, adam, head, lrg, galore, lora; rate in (0, 10])")
  private Map<String, Float> learningRates = new LinkedHashMap<>();

  @Option(names = "--extended",
      description = "also the rank sweep (LRG, GaLore and LoRA at r = 4, 16, 64, 256, ...) and the ablation of LRG's"
          + " settings (side, moments, refresh interval), all over the users: about 4 times the default run")
  private boolean extended;

  @Option(names = "--json", paramLabel = "FILE",
      description = "also write the results as JSON to FILE, and the chart beside it (FILE with .png) unless --chart")
  private Path json;

  @Option(names = "--chart", paramLabel = "FILE",
      description = "also draw the memory-accuracy chart and the memory by kind as a PNG in FILE")
  private Path chart;

  @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
      description = "progress on stderr: auto (a bar on a terminal, else a line per phase), bar, lines or none"
          + " (default: ${DEFAULT-VALUE})")
  private Progress.Mode progress;

  /** Ranges of the numeric options: what this study can do in minutes to hours on a small machine. */
  static final int MAX_USERS = 200, MAX_DEV_USERS = 20, MAX_STEPS = 10_000, MAX_PRETRAIN_STEPS = 100_000,
      MAX_BATCH = 250, MAX_HIDDEN = 4096, MAX_LSTM_HIDDEN = 1024;
  /** A learning rate above this diverges for every method here: refused as a typo. */
  static final float MAX_LEARNING_RATE = 10f;

  private final List<String> arguments;
  private final PrintStream out;
  private final PrintStream err;

  private Experiment(String[] arguments, PrintStream out, PrintStream err) {
    this.arguments = List.of(arguments);
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /** Runs the command with {@code args}; returns the exit status (0 done, 1 failed, 2 bad usage). */
  static int execute(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new Experiment(args, out, err)).setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
        .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
        // A usage error is one line and a pointer to the help, not the whole help.
        .setParameterExceptionHandler((e, line) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
          return 2;
        })
        .setExecutionExceptionHandler((e, line, parsed) -> {
          // Bad data or a failed write has a message for the user; anything else is a bug, shown whole.
          if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
              || e instanceof UncheckedIOException) {
            line.getErr().println("error: " + e.getMessage());
          } else {
            e.printStackTrace(line.getErr());
          }
          return 1;
        });
    return cli.execute(args);
  }

  private Settings settings() {
    range("--users", users, 2, MAX_USERS);
    range("--dev-users", devUsers, 1, MAX_DEV_USERS);
    range("--steps", steps, 1, MAX_STEPS);
    range("--pretrain-steps", pretrainSteps, 0, MAX_PRETRAIN_STEPS);
    range("--batch", batch, 1, MAX_BATCH);
    range("--mlp-hidden", mlpHidden, 1, MAX_HIDDEN);
    range("--lstm-hidden", lstmHidden, 1, MAX_LSTM_HIDDEN);
    range("--compressed-rank", compressedRank, 1, MAX_HIDDEN);
    range("--update-interval", updateInterval, 1, MAX_STEPS);
    int cores = Runtime.getRuntime().availableProcessors();
    int threadCount = threads == null ? Math.min(2, cores) : threads;
    range("--threads", threadCount, 1, cores);
    Path chartFile = chart;
    if (chartFile == null && json != null) {
      String name = json.getFileName().toString();
      chartFile = json.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name)
          + ".png");
    }
    // A long run must not end in a write that cannot happen: every output is checked now.
    try {
      if (json != null) {
        OutputFile.check("--json", json);
      }
      if (chartFile != null) {
        OutputFile.check(chart != null ? "--chart" : "the chart beside --json", chartFile);
      }
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (json != null && chartFile.toAbsolutePath().normalize().equals(json.toAbsolutePath().normalize())) {
      throw usage("--json and --chart name the same file " + json);
    }
    chart = chartFile;
    Map<Method, Float> rates = new EnumMap<>(Method.class);
    for (Map.Entry<String, Float> e : learningRates.entrySet()) {
      Method method;
      try {
        method = Method.byId(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw usage("--lr " + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
      }
      if (!(e.getValue() > 0) || !(e.getValue() <= MAX_LEARNING_RATE)) {
        throw usage("--lr " + e.getKey() + "=" + e.getValue() + " must be a rate in (0, " + MAX_LEARNING_RATE + "]");
      }
      rates.put(method, e.getValue());
    }
    List<ModelKind> models = model == ModelChoice.BOTH ? Arrays.asList(ModelKind.values())
        : List.of(ModelKind.valueOf(model.name()));
    return new Settings(models, mlpHidden, lstmHidden, pretrainSteps, steps, batch, seed, users, devUsers,
        threadCount, shift, compressedRank, updateInterval, galoreSvd == Svd.EXACT,
        lrgSide == Side.LIBRARY ? null : lrgSide == Side.SMALLER,
        lrgMoments == Moments.LIBRARY ? null : lrgMoments == Moments.RESET, extended, rates);
  }

  private void range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw usage(option + "=" + value + " must be in [" + min + ", " + max + "]");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private Kernels kernels() {
    if (kernels == null) {
      return KernelProvider.get();
    }
    try {
      return KernelProvider.get(kernels);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw usage("--kernels " + kernels + ": " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    Settings settings = settings();
    Kernels k = kernels();
    long start = System.nanoTime();
    double loadAtStart = Machine.loadAverage();
    Dataset dataset = FashionMnist.locate(data);
    Report.Context context = new Report.Context(OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        arguments, k.name(), Machine.current(), loadAtStart, dataset.origin());
    Report.header(out, context, settings);
    // The progress total counts the main arms; the extended run's extra arms add to it as they come.
    List<Arm> mainArms = Arm.list(settings, new Arm.Ranks(1, 1, 1), false, 1);
    long totalSteps = Study.totalSteps(settings, mainArms.size(),
        (int) mainArms.stream().filter(Arm::tuned).count());
    List<ModelResult> results = new ArrayList<>();
    try (Progress bar = Progress.create(progress, totalSteps, err); Study study = new Study(settings, k, bar)) {
      for (ModelKind m : settings.models()) {
        results.add(study.run(m, dataset));
      }
    }
    List<List<Verdict>> verdicts = new ArrayList<>();
    for (ModelResult result : results) {
      List<Verdict> modelVerdicts = Claims.check(result, settings.seed());
      verdicts.add(modelVerdicts);
      Report.model(out, result, modelVerdicts);
    }
    double seconds = (System.nanoTime() - start) * 1e-9;
    double loadAtEnd = Machine.loadAverage();
    if (json != null) {
      JsonReport.write(JsonReport.of(context, settings, results, verdicts, seconds, loadAtEnd), json);
    }
    if (chart != null) {
      Chart.write(results, chart);
    }
    Report.footer(out, seconds, loadAtEnd, json == null ? null : json.toString(),
        chart == null ? null : chart.toString());
    return 0;
  }
}
