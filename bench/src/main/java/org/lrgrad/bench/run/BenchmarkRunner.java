package org.lrgrad.bench.run;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.lrgrad.bench.implementations.LrgradKernels;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.lrgrad.bench.implementations.UnavailableException;
import org.lrgrad.bench.report.Report;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs a {@link Profile} (optionally narrowed by a benchmark filter and parameter values) through JMH with the GC
 * profiler, then writes, in one output folder, JMH's JSON ({@code results.json}), what the report needs to know
 * about the run ({@code run.json}) and the report itself ({@link Report}: {@code report.md} and its PNG charts).
 *
 * <p>Implementations that cannot run here are left out of the plan and listed, with the reason, in the report.
 * {@link org.lrgrad.bench.PeakBenchmark} always runs: the report's percentages of peak come from it.
 *
 * <pre>
 * usage: BenchmarkRunner smoke|quick|full [--include REGEX] [-p NAME=V1,V2]... [--out DIR] [--command TEXT]
 *     [--mca TEXT]
 * </pre>
 *
 * <p>{@code --mca} is the NEON micro-kernel's llvm-mca line (or why there is none) that {@code bench/run-benchmarks.sh}
 * computed before the run; the report shows it as it is.
 */
public final class BenchmarkRunner {

  /** What to run and where to write. */
  public record Settings(Profile profile, Pattern include, Map<String, List<String>> only, Path out,
      String command, String mca) {

    public Settings(Profile profile, Pattern include, Map<String, List<String>> only, Path out, String command) {
      this(profile, include, only, out, command, null);
    }
  }

  private BenchmarkRunner() {}

  public static void main(String[] args) throws Exception {
    Settings settings;
    try {
      settings = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: BenchmarkRunner smoke|quick|full [--include REGEX] [-p NAME=V1,V2]... [--out DIR]"
          + " [--command TEXT] [--mca TEXT]");
      System.exit(2);
      return;
    }
    Path report = run(settings, System.out, VerboseMode.NORMAL);
    System.out.println("report: " + report);
  }

  static Settings parse(String[] args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("no profile given");
    }
    Profile profile = Profile.named(args[0]);
    Pattern include = null;
    Map<String, List<String>> only = new LinkedHashMap<>();
    Path out = null;
    String command = "BenchmarkRunner " + String.join(" ", args);
    String mca = null;
    for (int i = 1; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--include" -> include = Pattern.compile(value);
        case "--out" -> out = Path.of(value);
        case "--command" -> command = value;
        case "--mca" -> mca = value;
        case "-p" -> {
          int eq = value.indexOf('=');
          if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("-p " + value + ": expected NAME=V1,V2");
          }
          only.put(value.substring(0, eq), List.of(value.substring(eq + 1).split(",")));
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    if (out == null) {
      out = Path.of("bench", "results",
          profile.id() + "-" + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    return new Settings(profile, include, only, out, command, mca);
  }

  /** Runs the plan and writes everything into {@code settings.out()}; returns the report's path. */
  public static Path run(Settings settings, PrintStream log, VerboseMode verbosity)
      throws RunnerException, IOException {
    // JMH starts its forks with this JVM's command-line flags: a -Dlrgrad.threads there would pin every fork.
    String pinned = "-D" + LrgradKernels.THREADS_PROPERTY + "=";
    if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream().anyMatch(a -> a.startsWith(pinned))) {
      throw new IllegalStateException("start the runner without " + pinned + "N: each benchmark's threads parameter"
          + " sets it in its own fork");
    }
    // This JVM lists the kernels and runs the in-process (unforked) jobs: it is the one-thread JVM. Forks set their
    // own count, which this JVM does not pass on (it is not a command-line property).
    try {
      LrgradKernels.configureThreads(1);
    } catch (UnavailableException e) {
      throw new IllegalStateException("start the runner without -D" + LrgradKernels.THREADS_PROPERTY + ": " + e
          .getMessage(), e);
    }
    double loadAtStart = loadAverage();
    String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS)
        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    List<RunInfo.Unavailable> unavailable = new ArrayList<>();
    Profile.Implementations available = availability(unavailable);
    List<Job> jobs = plan(settings, available);
    unavailable = wouldHaveRun(settings, unavailable);
    int combinations = jobs.stream().mapToInt(Job::combinations).sum();
    log.println("lrgrad benchmarks: profile " + settings.profile().id() + ", " + jobs.size() + " JMH runs, "
        + combinations + " parameter combinations");
    for (RunInfo.Unavailable u : unavailable) {
      log.println("  not measured: " + u.implementation() + " at " + u.threads() + " thread(s): " + u.reason());
    }

    List<RunResult> results = new ArrayList<>();
    for (Job job : jobs) {
      log.println("== " + job.benchmark() + " " + job.params());
      results.addAll(new Runner(options(settings.profile(), job, verbosity).build()).run());
    }

    Files.createDirectories(settings.out());
    Path json = settings.out().resolve(Report.RESULTS);
    try (PrintStream out = new PrintStream(Files.newOutputStream(json), false, StandardCharsets.UTF_8)) {
      ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(results);
    }
    Profile profile = settings.profile();
    RunInfo info = new RunInfo(date, profile.id(), settings.command(), cpuModel(),
        Runtime.getRuntime().availableProcessors(), List.of(loadAtStart, loadAverage()),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        openBlasText(),
        profile.forks + " fork(s) per combination (0: in this JVM), " + profile.warmupIterations + " warm-up × "
            + profile.warmupTime + ", " + profile.measurementIterations + " measured × " + profile.measurementTime,
        unavailable, missing(jobs, results), settings.mca());
    Files.writeString(settings.out().resolve(Report.RUN_INFO),
        new GsonBuilder().setPrettyPrinting().create().toJson(info), StandardCharsets.UTF_8);
    return Report.write(settings.out());
  }

  /** OpenBLAS's build and kernel, with how bench/run-benchmarks.sh chose the kernel when it did. */
  private static String openBlasText() {
    String choice = System.getenv("LRGRAD_OPENBLAS_CHOICE");
    return SgemmImplementations.openBlasConfig() + (choice == null || choice.isEmpty() ? "" : "; " + choice);
  }

  /** The profile's jobs, narrowed by the filter and the parameter values; the peak is always measured. */
  static List<Job> plan(Settings settings, Profile.Implementations available) {
    List<Job> jobs = new ArrayList<>();
    for (Job job : settings.profile().jobs(available)) {
      boolean peak = job.benchmark().equals(Profile.PEAK);
      if (!peak && settings.include() != null && !settings.include().matcher(job.benchmark()).find()) {
        continue;
      }
      Job restricted = peak ? job : job.restrictedTo(settings.only());
      if (restricted != null) {
        jobs.add(restricted);
      }
    }
    return jobs;
  }

  /**
   * The unavailable implementations this run would have measured had they been available (a filter or -p may
   * leave some out anyway), so that the report lists only what it misses.
   */
  static List<RunInfo.Unavailable> wouldHaveRun(Settings settings, List<RunInfo.Unavailable> unavailable) {
    List<String> allKernels = SgemmImplementations.kernelNames();
    Profile.Implementations everything = new Profile.Implementations() {
      @Override
      public List<String> sgemm(int threads) {
        return SgemmImplementations.names();
      }

      @Override
      public List<String> kernels() {
        return allKernels;
      }
    };
    List<Job> wanted = plan(settings, everything);
    return unavailable.stream().filter(u -> wanted.stream().anyMatch(job -> job.threads() == u.threads()
        && job.params().getOrDefault("implementation", List.of()).contains(u.implementation()))).toList();
  }

  private static ChainedOptionsBuilder options(Profile profile, Job job, VerboseMode verbosity) {
    // An unforked job shares this one-thread JVM; any other thread count, or a vector width other than this JVM's
    // (vector-128), needs a JVM of its own.
    boolean ownJvm = job.threads() != 1
        || job.params().getOrDefault("implementation", List.of()).stream().anyMatch(LrgradKernels::needsOwnJvm);
    int forks = profile.forks == 0 && ownJvm ? 1 : profile.forks;
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("^" + Pattern.quote(job.className()) + "\\.")
        .forks(forks)
        .warmupIterations(job.iterations() == null ? profile.warmupIterations : job.iterations().warmup())
        .warmupTime(profile.warmupTime)
        .measurementIterations(job.iterations() == null ? profile.measurementIterations
            : job.iterations().measurement())
        .measurementTime(profile.measurementTime)
        .addProfiler(GCProfiler.class)
        // The smoke run is CI's check: any error fails it. A long run keeps the other results and the report lists
        // what is missing.
        .shouldFailOnError(profile == Profile.SMOKE)
        .verbosity(verbosity);
    for (Map.Entry<String, List<String>> param : job.params().entrySet()) {
      options.param(param.getKey(), param.getValue().toArray(new String[0]));
    }
    return options;
  }

  /** Decides, in this JVM, which implementations can run at 1 and 2 threads; records the others with the reason. */
  static Profile.Implementations availability(List<RunInfo.Unavailable> unavailable) {
    Map<Integer, List<String>> sgemm = new TreeMap<>();
    for (int threads : new int[] {1, 2}) {
      List<String> names = new ArrayList<>();
      for (String name : SgemmImplementations.names()) {
        String reason = SgemmImplementations.unavailableReason(name, threads);
        if (reason == null) {
          names.add(name);
        } else {
          unavailable.add(new RunInfo.Unavailable(name, threads, reason));
        }
      }
      sgemm.put(threads, List.copyOf(names));
    }
    List<String> kernels = SgemmImplementations.kernelNames().stream().filter(sgemm.get(1)::contains).toList();
    return new Profile.Implementations() {
      @Override
      public List<String> sgemm(int threads) {
        List<String> names = sgemm.get(threads);
        if (names == null) {
          throw new IllegalArgumentException("availability is known for 1 and 2 threads, not " + threads);
        }
        return names;
      }

      @Override
      public List<String> kernels() {
        return kernels;
      }
    };
  }

  /** Planned parameter combinations without a result, e.g. "SgemmBenchmark {implementation=ejml, size=64, ...}". */
  static List<String> missing(List<Job> jobs, Collection<RunResult> results) {
    List<String> missing = new ArrayList<>();
    for (Job job : jobs) {
      for (Map<String, String> combination : combinations(job.params())) {
        boolean measured = results.stream().anyMatch(result -> result.getParams().getBenchmark()
            .startsWith(job.className() + ".") && combination.entrySet().stream().allMatch(
                param -> param.getValue().equals(result.getParams().getParam(param.getKey()))));
        if (!measured) {
          missing.add(job.benchmark() + " " + combination);
        }
      }
    }
    return missing;
  }

  private static List<Map<String, String>> combinations(Map<String, List<String>> params) {
    List<Map<String, String>> combinations = new ArrayList<>();
    combinations.add(new TreeMap<>());
    for (Map.Entry<String, List<String>> param : params.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : combinations) {
        for (String value : param.getValue()) {
          Map<String, String> extended = new TreeMap<>(partial);
          extended.put(param.getKey(), value);
          next.add(extended);
        }
      }
      combinations = next;
    }
    return combinations;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux: the architecture below is all we know
    }
    return System.getProperty("os.arch");
  }
}
