package org.lrgrad.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How profiles, filters and parameter values decide what runs. */
class PlanTest {

  /** A machine with every implementation but netlib at two threads (single-threaded) and a missing "jni". */
  private static final Profile.Implementations MACHINE = new Profile.Implementations() {
    @Override
    public List<String> sgemm(int threads) {
      return threads == 1 ? List.of("vector", "vector-128", "reference", "openblas", "ejml", "netlib")
          : List.of("vector", "vector-128", "reference", "openblas", "ejml");
    }

    @Override
    public List<String> kernels() {
      return List.of("vector", "vector-128", "reference");
    }
  };

  private static List<Job> plan(String... args) {
    return BenchmarkRunner.plan(BenchmarkRunner.parse(args), MACHINE);
  }

  @ParameterizedTest
  @EnumSource(Profile.class)
  void everyProfileMeasuresThePeakAndEveryBenchmarkAndEachJobHasOneThreadCount(Profile profile) {
    List<Job> jobs = profile.jobs(MACHINE);
    assertEquals(List.of("BandwidthBenchmark", "CallOverheadBenchmark", "LowRankSgemmBenchmark",
        "OptimizerStepBenchmark", "PeakBenchmark", "ProjectorRefreshBenchmark", "SgemmBenchmark",
        "TrainingStepBenchmark"), jobs.stream().map(Job::benchmark).distinct().sorted().toList());
    for (Job job : jobs) {
      int threads = job.threads();
      if (threads != 1) {
        assertFalse(job.params().get("implementation").contains("reference"), "the reference at 2 threads: " + job);
      }
    }
  }

  @Test
  void theReferenceStopsAt512InTheQuickProfile() {
    for (Job job : Profile.QUICK.jobs(MACHINE)) {
      if (job.benchmark().equals("SgemmBenchmark") && job.params().get("implementation").contains("reference")) {
        assertTrue(job.params().get("size").stream().allMatch(size -> Integer.parseInt(size) <= 512), job.toString());
      }
    }
  }

  @Test
  void theQuickProfileComparesTheBridgesWithTheJavaKernelsAndRunsTheExactSvdOnceWarm() {
    // vector-128 has no optimizer steps, tiny calls or refreshes in quick: the full profile measures it.
    List<Job> jobs = Profile.QUICK.jobs(MACHINE);
    Job calls = jobs.stream().filter(j -> j.benchmark().equals("CallOverheadBenchmark")).findFirst().orElseThrow();
    // jni and ffm are not on this machine; vector-128 is left to the full profile.
    assertEquals(List.of("vector", "reference"), calls.params().get("implementation"));
    assertEquals(List.of("sgemm-1", "sgemm-4", "sgemm-16", "adam-4x4"), calls.params().get("call"));
    List<Job> refresh = jobs.stream().filter(j -> j.benchmark().equals("ProjectorRefreshBenchmark")).toList();
    assertEquals(2, refresh.size(), refresh.toString());
    for (Job job : refresh) {
      assertEquals(List.of("vector"), job.params().get("implementation"));
      assertEquals(List.of("1024x1024", "4096x1024"), job.params().get("layer"));
      boolean exact = job.params().get("method").equals(List.of("exact"));
      assertEquals(exact ? new Job.Iterations(1, 1) : null, job.iterations(), job.toString());
    }
    List<Job> steps = jobs.stream().filter(j -> j.benchmark().equals("OptimizerStepBenchmark")).toList();
    assertEquals(List.of(List.of("vector"), List.of("reference")), steps.stream()
        .map(j -> j.params().get("implementation")).toList());
    // -p keeps the override.
    Job narrowed = refresh.get(1).restrictedTo(Map.of("layer", List.of("1024x1024")));
    assertEquals(refresh.get(1).iterations(), narrowed.iterations());
  }

  @Test
  void aFilterKeepsMatchingBenchmarksAndThePeak() {
    List<Job> jobs = plan("quick", "--include", "^SgemmBenchmark$");
    assertEquals(List.of("PeakBenchmark", "SgemmBenchmark"), jobs.stream().map(Job::benchmark).distinct().toList());
  }

  @Test
  void parameterValuesNarrowEveryJobThatHasTheParameter() {
    List<Job> jobs = plan("quick", "--include", "^SgemmBenchmark$", "-p", "implementation=reference,openblas,ejml",
        "-p", "size=256,512");
    // Kept: the one-thread job at 256 and 512 (reference, openblas, ejml); the 1024 jobs have no size left.
    assertEquals(2, jobs.size(), jobs.toString());
    Job square = jobs.get(1);
    assertEquals(List.of("reference", "openblas", "ejml"), square.params().get("implementation"));
    assertEquals(List.of("256", "512"), square.params().get("size"));
    assertEquals(6, square.combinations());
  }

  @Test
  void onlyUnavailableImplementationsThatTheRunWouldHaveMeasuredAreReported() {
    List<RunInfo.Unavailable> unavailable = List.of(new RunInfo.Unavailable("netlib", 2, "single-threaded"),
        new RunInfo.Unavailable("openblas", 1, "not installed"), new RunInfo.Unavailable("ejml", 1, "gone"));
    BenchmarkRunner.Settings oneThreadOpenBlas = BenchmarkRunner.parse(new String[] {"quick", "--include",
        "^SgemmBenchmark$", "-p", "threads=1", "-p", "implementation=reference,openblas"});
    assertEquals(List.of(unavailable.get(1)), BenchmarkRunner.wouldHaveRun(oneThreadOpenBlas, unavailable));
    assertEquals(unavailable, BenchmarkRunner.wouldHaveRun(BenchmarkRunner.parse(new String[] {"quick"}),
        unavailable));
  }

  @Test
  void restrictingAParameterToNothingDropsTheJob() {
    Job job = Job.of("SgemmBenchmark").param("implementation", "vector").param("size", 64).build();
    assertNull(job.restrictedTo(Map.of("size", List.of("128"))));
    assertEquals(job, job.restrictedTo(Map.of("layer", List.of("1024x1024"))));
    assertNull(Job.of("SgemmBenchmark").param("implementation", List.of()).build());
  }

  @Test
  void badCommandLinesAreRejectedWithTheReason() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchmarkRunner.parse(new String[0]))
        .getMessage().contains("no profile"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchmarkRunner.parse(new String[] {"fast"}))
        .getMessage().contains("smoke, quick, full"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> BenchmarkRunner.parse(new String[] {"quick", "-p", "size"})).getMessage().contains("NAME=V1,V2"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> BenchmarkRunner.parse(new String[] {"quick", "--include"})).getMessage().contains("needs a value"));
  }

  @Test
  void theMcaLineIsKeptAsGivenAndAbsentWithoutTheOption() {
    assertEquals("figure: 1.5 cycles", BenchmarkRunner.parse(new String[] {"quick", "--mca", "figure: 1.5 cycles"})
        .mca());
    assertNull(BenchmarkRunner.parse(new String[] {"quick"}).mca());
  }

  @Test
  void theOutputFolderDefaultsToATimestampedOneUnderBenchResults() {
    Path out = BenchmarkRunner.parse(new String[] {"smoke"}).out();
    assertTrue(out.toString().matches("bench/results/smoke-\\d{8}-\\d{6}"), out.toString());
  }
}
