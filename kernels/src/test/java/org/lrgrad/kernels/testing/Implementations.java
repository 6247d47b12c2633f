package org.lrgrad.kernels.testing;

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

  /** Every candidate, highest priority first (see {@link #ALL}). */
  public static Stream<Candidate> all() {
    return KernelProvider.candidates().stream();
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
