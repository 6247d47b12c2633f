package org.lrgrad.bench.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.lrgrad.data.Dataset;
import org.lrgrad.data.FashionMnist;
import org.lrgrad.data.PersonalizationSplit;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The README's main command: the paper's experiment on Fashion-MNIST. Pretrains a model on the population's images,
 * personalizes it for one user with SGD, Momentum, Adam, LRG-Adam, GaLore-Adam and LoRA-Adam, prints per method
 * the ledger's peak training memory (with its breakdown), the user's test accuracy before and after, the time and
 * the steps per second, and checks the seed's three claims against these numbers.
 */
@Command(name = "run-experiment.sh", mixinStandardHelpOptions = true, sortOptions = false,
    version = "lrgrad experiment 0.1.0",
    description = {"Pretrains a model on the population's Fashion-MNIST images, personalizes it for one user with"
        + " six optimizers (the same steps and batches from the same weights), and checks the seed's claims"
        + " (Gooneratne et al., ICASSP 2020) against the measured memory and accuracy.", ""})
public final class Experiment implements Callable<Integer> {
  /** The models {@code --model} can name. */
  enum ModelChoice {
    MLP, LSTM, BOTH
  }

  /** GaLore's projector. */
  enum Svd {
    RANDOMIZED, EXACT
  }

  @Spec
  private CommandSpec spec;

  @Option(names = "--model", defaultValue = "both", paramLabel = "MODEL",
      description = "mlp, lstm or both (default: ${DEFAULT-VALUE})")
  private ModelChoice model;

  @Option(names = "--rank", paramLabel = "R", defaultValue = "64",
      description = "r of LRG, GaLore and LoRA (default: ${DEFAULT-VALUE})")
  private int rank;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "150",
      description = "personalization steps per method (default: ${DEFAULT-VALUE})")
  private int steps;

  @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = "400",
      description = "Adam steps on the population's images first (default: ${DEFAULT-VALUE})")
  private int pretrainSteps;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "the user, the initial weights and the batch order (default: ${DEFAULT-VALUE})")
  private long seed;

  @Option(names = "--data", defaultValue = "embedded", paramLabel = "SOURCE",
      description = "embedded (the subset inside the library), debian (package dataset-fashion-mnist), auto, or a"
          + " folder holding the four IDX files (default: ${DEFAULT-VALUE})")
  private String data;

  @Option(names = "--kernels", paramLabel = "NAME",
      description = "the kernel implementation (reference, vector, vector-128, ...; default: the provider's choice,"
          + " or -Dlrgrad.kernels)")
  private String kernels;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "32",
      description = "samples per step (default: ${DEFAULT-VALUE})")
  private int batch;

  @Option(names = "--mlp-hidden", paramLabel = "H", defaultValue = "1024",
      description = "the MLP's hidden widths (default: ${DEFAULT-VALUE})")
  private int mlpHidden;

  @Option(names = "--lstm-hidden", paramLabel = "H", defaultValue = "256",
      description = "the LSTM's hidden size (default: ${DEFAULT-VALUE})")
  private int lstmHidden;

  @Option(names = "--update-interval", defaultValue = "50", paramLabel = "T",
      description = "LRG and GaLore recompute their projectors every T steps (default: ${DEFAULT-VALUE})")
  private int updateInterval;

  @Option(names = "--galore-svd", defaultValue = "randomized", paramLabel = "KIND",
      description = "GaLore's projector: randomized or exact SVD (default: ${DEFAULT-VALUE})")
  private Svd galoreSvd;

  @Option(names = "--lr", paramLabel = "METHOD=RATE",
      description = "a learning rate instead of the default, e.g. --lr lrg=0.003 (methods: sgd, momentum, adam,"
          + " lrg, galore, lora)")
  private Map<String, Float> learningRates = new LinkedHashMap<>();

  @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
  private Path json;

  @Option(names = "--chart", paramLabel = "FILE",
      description = "also draw the loss curves and the memory by kind as a PNG in FILE")
  private Path chart;

  @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
      description = "progress on stderr: auto (a bar on a terminal, else a line per phase), bar, lines or none"
          + " (default: ${DEFAULT-VALUE})")
  private Progress.Mode progress;

  @Option(names = "--sweep",
      description = "instead of the experiment, try each method's grid of learning rates on a held-out part of the"
          + " user's training images (how the defaults were chosen)")
  private boolean sweep;

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
        .setExecutionExceptionHandler((e, line, parsed) -> {
          // Bad data or a failed write has a message for the user; anything else is a bug, shown whole.
          if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            line.getErr().println("error: " + e.getMessage());
          } else {
            e.printStackTrace(line.getErr());
          }
          return 1;
        });
    return cli.execute(args);
  }

  private Settings settings() {
    positive("--rank", rank);
    positive("--steps", steps);
    positive("--batch", batch);
    positive("--mlp-hidden", mlpHidden);
    positive("--lstm-hidden", lstmHidden);
    positive("--update-interval", updateInterval);
    if (sweep && (json != null || chart != null)) {
      throw usage("--json and --chart report the experiment; --sweep prints its table only");
    }
    // A long run must not end in a folder that is not there.
    for (Path file : new Path[] {json, chart}) {
      Path folder = file == null ? null : file.toAbsolutePath().getParent();
      if (folder != null && !Files.isDirectory(folder)) {
        throw usage("cannot write " + file + ": the folder " + folder + " does not exist");
      }
    }
    if (pretrainSteps < 0) {
      throw usage("--pretrain-steps=" + pretrainSteps + " must be >= 0");
    }
    Map<Method, Float> rates = new EnumMap<>(Method.class);
    for (Map.Entry<String, Float> e : learningRates.entrySet()) {
      Method method;
      try {
        method = Method.byId(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw usage("--lr " + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
      }
      if (!(e.getValue() > 0) || Float.isInfinite(e.getValue())) {
        throw usage("--lr " + e.getKey() + "=" + e.getValue() + " must be a finite rate > 0");
      }
      rates.put(method, e.getValue());
    }
    List<ModelKind> models = model == ModelChoice.BOTH ? Arrays.asList(ModelKind.values())
        : List.of(ModelKind.valueOf(model.name()));
    return new Settings(models, mlpHidden, lstmHidden, pretrainSteps, steps, batch, seed, rank, updateInterval,
        galoreSvd == Svd.EXACT, rates);
  }

  private void positive(String option, int value) {
    if (value < 1) {
      throw usage(option + "=" + value + " must be >= 1");
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
  public Integer call() throws IOException {
    Settings settings = settings();
    Kernels k = kernels();
    long start = System.nanoTime();
    double loadAtStart = Machine.loadAverage();
    Dataset dataset = FashionMnist.locate(data);
    PersonalizationSplit split = PersonalizationSplit.create(dataset, settings.seed());
    Report.Context context = new Report.Context(OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        arguments, k.name(), Machine.current(), loadAtStart, dataset.origin(), describeUser(split));
    Report.header(out, context, settings);
    long totalSteps = sweep ? Sweep.totalSteps(settings)
        : settings.models().size() * (settings.pretrainSteps() + (long) Method.values().length * settings.steps());
    List<ModelResult> results = new ArrayList<>();
    List<String> sweepTable = null;
    try (Progress bar = Progress.create(progress, totalSteps, err)) {
      Study study = new Study(settings, k, bar);
      if (sweep) {
        sweepTable = Sweep.run(study, settings, split);
      } else {
        for (ModelKind m : settings.models()) {
          results.add(study.run(m, split));
        }
      }
    }
    if (sweepTable != null) {
      sweepTable.forEach(out::println);
      return 0;
    }
    List<List<Verdict>> verdicts = new ArrayList<>();
    for (ModelResult result : results) {
      List<Verdict> modelVerdicts = Claims.check(result);
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

  private static String describeUser(PersonalizationSplit split) {
    int[] order = split.userClassOrder();
    double[] weights = split.userClassWeights();
    int first = order[0];
    int last = order[order.length - 1];
    return String.format(Locale.ROOT, "seed %d: %s; class mix from %s (%.1f%%) to %s (%.1f%%); %d training and %d"
        + " test images, drawn from the data's test split; %d population test images", split.seed(),
        split.userShift(), FashionMnist.className(first), 100 * weights[first], FashionMnist.className(last),
        100 * weights[last], split.userTrain().size(), split.userTest().size(), split.populationTest().size());
  }
}
