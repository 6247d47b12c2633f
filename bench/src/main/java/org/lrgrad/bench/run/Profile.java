package org.lrgrad.bench.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.lrgrad.bench.implementations.SgemmImplementations;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What a run measures and how long: {@code smoke} runs every benchmark once, in-process, with one short iteration
 * (CI's check that the whole pipeline works, not a measurement); {@code quick} is a representative subset in about
 * 11 minutes on 2 cores (2026-12-06); {@code full} is every shape of the issue (an hour or more).
 */
public enum Profile {
  SMOKE(0, 0, TimeValue.milliseconds(0), 1, TimeValue.milliseconds(20)) {
    @Override
    List<Job> jobs(Implementations available) {
      List<String> oneThread = available.sgemm(1);
      return present(
          Job.of(PEAK).build(),
          Job.of(BANDWIDTH).build(),
          square(oneThread, 1).param("size", 64).param("transpose", "NN", "NT", "TN", "TT").build(),
          lowRank(oneThread, 1).param("m", 1024).param("r", 4).param("n", 1024).param("transpose", "NN").build(),
          // In a fork: the only way to give lrgrad's kernels another thread count.
          square(withoutReference(available.sgemm(2)), 2).param("size", 64).param("transpose", "NN").build(),
          steps(available.kernels()).param("layer", "1024x1024").build(),
          // One whole step of two optimizers on the targets' kernels, or else on the first available.
          training(subjectOrFirst(available.kernels())).param("optimizer", "sgd", "lrg-adam").build(),
          calls(available.kernels()).build(),
          // A layer small enough for the exact SVD to take milliseconds.
          refresh(available.kernels()).param("method", REFRESH_METHODS).param("layer", "256x128").build());
    }
  },
  QUICK(1, 2, TimeValue.milliseconds(500), 3, TimeValue.milliseconds(500)) {
    @Override
    List<Job> jobs(Implementations available) {
      List<String> oneThread = available.sgemm(1);
      List<String> fast = withoutReference(oneThread);
      List<String> kernels = available.kernels();
      return present(
          Job.of(PEAK).build(),
          square(oneThread, 1).param("size", 256, 512).param("transpose", "NN").build(),
          square(fast, 1).param("size", 1024).param("transpose", "NN").build(),
          // The top of the targets' range, 2048, on the subject and OpenBLAS only (a call takes 0.1 s).
          square(subjectAndBaseline(oneThread), 1).param("size", 2048).param("transpose", "NN").build(),
          square(withoutReference(available.sgemm(2)), 2).param("size", 1024).param("transpose", "NN").build(),
          Job.of(BANDWIDTH).build(),
          lowRank(fast, 1).param("m", 4096).param("r", 16, 64).param("n", 4096).param("transpose", "NN").build(),
          // Both skinny forms at r = 4 … 64 on the subject and OpenBLAS: the targets' ratio and the bandwidth roof.
          lowRank(subjectAndBaseline(oneThread), 1).param("form", "expand", "project").param("m", 1024)
              .param("r", 4, 8, 16, 32, 64).param("n", 1024).param("transpose", "NN").build(),
          steps(kernels.stream().filter(QUICK_STEP_KERNELS::contains).toList()).param("layer", LAYERS).build(),
          steps(kernels.contains(REFERENCE) ? List.of(REFERENCE) : List.of()).param("layer", "1024x1024").build(),
          calls(kernels.stream().filter(CALL_KERNELS::contains).toList()).build(),
          // 8 warm-up iterations: the Vector API code of a whole step needs some thousand steps to be compiled.
          training(kernels.stream().filter(TRAINING_KERNELS::contains).toList()).param("optimizer", OPTIMIZER_IDS)
              .iterations(8, 3).build(),
          // Before and after: LRG and GaLore with the eager accumulation; LRG-Adam's ranks.
          training(subject(kernels)).param("optimizer", "lrg-adam", "galore-adam").param("accumulation", "eager")
              .iterations(8, 3).build(),
          training(subject(kernels)).param("optimizer", "lrg-adam").param("rank", LRG_RANKS).iterations(8, 3).build(),
          refresh(subject(kernels)).param("method", "randomized", "random").param("layer", "1024x1024", "4096x1024")
              .build(),
          // 15 to 25 s per call on these layers: one warm-up call and one measured.
          refresh(subject(kernels)).param("method", "exact").param("layer", "1024x1024", "4096x1024")
              .iterations(1, 1).build());
    }
  },
  FULL(1, 3, TimeValue.seconds(1), 5, TimeValue.seconds(1)) {
    @Override
    List<Job> jobs(Implementations available) {
      List<Job> jobs = new ArrayList<>();
      jobs.add(Job.of(PEAK).build());
      jobs.add(Job.of(BANDWIDTH).build());
      for (int threads : new int[] {1, 2}) {
        List<String> all = available.sgemm(threads);
        List<String> fast = withoutReference(all);
        // The reference is the single-threaded oracle; at 2048³ one call takes ~15 s, so it stops at 1024.
        jobs.add(square(threads == 1 ? all : fast, threads).param("size", 64, 128, 256, 512, 1024)
            .param("transpose", TRANSPOSES).build());
        jobs.add(square(fast, threads).param("size", 2048).param("transpose", TRANSPOSES).build());
        jobs.add(lowRank(threads == 1 ? all : fast, threads).param("form", "expand", "project")
            .param("m", 1024, 4096).param("r", 4, 8, 16, 32, 64).param("n", 1024, 4096).param("transpose", "NN")
            .build());
      }
      jobs.add(steps(available.kernels()).param("layer", LAYERS).build());
      jobs.add(calls(available.kernels()).build());
      jobs.add(training(available.kernels()).param("optimizer", OPTIMIZER_IDS).build());
      jobs.add(training(available.kernels()).param("optimizer", "lrg-adam", "galore-adam")
          .param("accumulation", "eager").build());
      jobs.add(training(available.kernels()).param("optimizer", "lrg-adam").param("rank", LRG_RANKS).build());
      jobs.add(refresh(available.kernels()).param("method", "randomized", "random").param("layer", LAYERS).build());
      // The exact SVD has no matrix product for the kernels to speed up (TopSubspace.exact): the same code for all.
      jobs.add(refresh(subject(available.kernels())).param("method", "exact").param("layer", LAYERS)
          .iterations(1, 3).build());
      return present(jobs.toArray(new Job[0]));
    }
  };

  static final String PEAK = "PeakBenchmark";
  static final String SQUARE = "SgemmBenchmark";
  static final String LOW_RANK = "LowRankSgemmBenchmark";
  static final String STEPS = "OptimizerStepBenchmark";
  static final String CALLS = "CallOverheadBenchmark";
  static final String REFRESH = "ProjectorRefreshBenchmark";
  static final String TRAINING = "TrainingStepBenchmark";
  static final String BANDWIDTH = "BandwidthBenchmark";
  static final String[] OPTIMIZER_IDS = {"sgd", "momentum", "adam", "lrg-adam", "galore-adam", "lora-adam"};
  /** LRG-Adam's ranks beside the study's 64 (which the per-optimizer job measures). */
  static final int[] LRG_RANKS = {16, 32, 128, 256, 512};
  /** Whole training steps: the Java kernels the targets are about and the two bridges to the native code. */
  static final List<String> TRAINING_KERNELS = List.of("vector", "jni", "ffm");
  /** The kernels the report's targets are about. */
  static final String SUBJECT = "vector";
  /** lrgrad's plain-Java kernels: single-threaded, and slow enough to be measured on small shapes only. */
  static final String REFERENCE = "reference";
  static final String[] TRANSPOSES = {"NN", "NT", "TN", "TT"};
  static final String[] LAYERS = {"1024x1024", "2048x512", "4096x1024"};
  static final String[] STEP_IDS = {"sgd", "momentum", "adam", "adamw", "adafactor", "lowrank-adam"};
  static final String[] CALL_SHAPES = {"sgemm-1", "sgemm-4", "sgemm-16", "adam-4x4"};
  /** The bridges (JNI and FFM, the same native code) against the Java kernels, in the quick profile. */
  static final List<String> CALL_KERNELS = List.of("jni", "ffm", SUBJECT, REFERENCE);
  static final String[] REFRESH_METHODS = {"exact", "randomized", "random"};
  /**
   * The optimizer steps of the quick profile run on the Java kernels the targets are about and the native ones that
   * Android runs (the reference adds one layer); the others in {@code full}, to keep {@code quick} near 10 minutes.
   */
  static final List<String> QUICK_STEP_KERNELS = List.of(SUBJECT, "jni");

  /** JMH forks per parameter combination; 0 runs in this JVM (a job at another thread count still forks once). */
  final int forks;
  final int warmupIterations;
  final TimeValue warmupTime;
  final int measurementIterations;
  final TimeValue measurementTime;

  Profile(int forks, int warmupIterations, TimeValue warmupTime, int measurementIterations,
      TimeValue measurementTime) {
    this.forks = forks;
    this.warmupIterations = warmupIterations;
    this.warmupTime = warmupTime;
    this.measurementIterations = measurementIterations;
    this.measurementTime = measurementTime;
  }

  /** The jobs of this profile over the implementations that can run here. */
  abstract List<Job> jobs(Implementations available);

  /** The profile named on the command line (smoke, quick, full). */
  public static Profile named(String name) {
    for (Profile profile : values()) {
      if (profile.id().equals(name)) {
        return profile;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + name + "'; known: smoke, quick, full");
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What the implementations that can run here are, as a profile needs to know it. */
  interface Implementations {
    /** sgemm implementations (lrgrad's kernels, then the peers) that can run at this thread count. */
    List<String> sgemm(int threads);

    /** lrgrad's kernels that can run here. */
    List<String> kernels();
  }

  private static Job.Builder square(List<String> implementations, int threads) {
    return Job.of(SQUARE).param("implementation", implementations).param("threads", threads);
  }

  private static Job.Builder lowRank(List<String> implementations, int threads) {
    return Job.of(LOW_RANK).param("implementation", implementations).param("threads", threads);
  }

  private static Job.Builder steps(List<String> kernels) {
    return Job.of(STEPS).param("implementation", kernels).param("step", STEP_IDS).param("rank", 16)
        .param("threads", 1);
  }

  private static Job.Builder training(List<String> kernels) {
    return Job.of(TRAINING).param("implementation", kernels).param("rank", 64).param("accumulation", "auto")
        .param("threads", 1);
  }

  private static Job.Builder calls(List<String> kernels) {
    return Job.of(CALLS).param("implementation", kernels).param("call", CALL_SHAPES);
  }

  private static Job.Builder refresh(List<String> kernels) {
    return Job.of(REFRESH).param("implementation", kernels).param("rank", 16).param("threads", 1);
  }

  /** The targets' kernels when they can run here, else nothing. */
  private static List<String> subject(List<String> kernels) {
    return kernels.contains(SUBJECT) ? List.of(SUBJECT) : List.of();
  }

  /** The targets' kernels and the peer they are compared with (OpenBLAS), those of them that can run here. */
  private static List<String> subjectAndBaseline(List<String> implementations) {
    return implementations.stream().filter(name -> name.equals(SUBJECT)
        || name.equals(SgemmImplementations.BASELINE)).toList();
  }

  private static List<String> subjectOrFirst(List<String> kernels) {
    return kernels.contains(SUBJECT) ? List.of(SUBJECT) : kernels.stream().limit(1).toList();
  }

  private static List<String> withoutReference(List<String> implementations) {
    return implementations.stream().filter(name -> !name.equals(REFERENCE)).toList();
  }

  /** The jobs that have something to run. */
  private static List<Job> present(Job... jobs) {
    return Arrays.stream(jobs).filter(Objects::nonNull).toList();
  }
}
