package org.lrgrad.kernels.testing;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.Kernels;

/**
 * Every implementation of the contract this JVM knows, for {@code @MethodSource}: an operation's test class runs
 * over all of them. One that cannot run here is reported as skipped, with its reason, never as passed.
 */
public final class Implementations {
  /** For {@code @MethodSource(Implementations.ALL)}: {@link #all} by its fully qualified name. */
  public static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";

  private Implementations() {}

  /**
   * Limits {@link #all} to the named implementations (comma-separated), e.g. {@code jni,jni-scalar}: a module that
   * runs these tests on its own kernels (bridge-jni) need not run them again on the others.
   */
  public static final String ONLY_PROPERTY = "lrgrad.test.kernels";

  /** Every candidate, highest priority first (see {@link #ALL}), or those {@link #ONLY_PROPERTY} names. */
  public static Stream<Candidate> all() {
    String only = System.getProperty(ONLY_PROPERTY, "");
    if (only.isEmpty()) {
      return KernelProvider.candidates().stream();
    }
    List<String> names = Arrays.asList(only.split(","));
    return KernelProvider.candidates().stream().filter(c -> names.contains(c.name()));
  }

  /** The candidate's kernels, or the test is aborted (reported skipped) with the reason it cannot run here. */
  public static Kernels require(Candidate candidate) {
    Assumptions.assumeTrue(candidate.isAvailable(),
        () -> "kernels '" + candidate.name() + "' skipped: " + candidate.unavailableReason());
    return candidate.kernels();
  }

  public static Kernels reference() {
    return KernelProvider.get("reference");
  }
}
