package org.lrgrad.kernels;

import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;

/**
 * Started by {@link DeterminismTest} in a JVM of its own (its kernels read {@code lrgrad.threads} there): prints
 * {@code NAME DIGEST} for every available implementation.
 */
public final class DeterminismChild {
  private DeterminismChild() {}

  public static void main(String[] args) {
    Implementations.all().filter(Candidate::isAvailable)
        .forEach(c -> System.out.println(c.name() + " " + DeterminismTest.digest(c.kernels(), DeterminismTest.SEED)));
  }
}
