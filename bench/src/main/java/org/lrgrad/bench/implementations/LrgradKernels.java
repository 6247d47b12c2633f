package org.lrgrad.bench.implementations;

import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.kernels.Kernels;

/** lrgrad's kernels by the name {@link KernelProvider} knows them, at a thread count. */
public final class LrgradKernels {

  /**
   * The property with which lrgrad's multi-threaded kernels read their thread count, once, when the provider first
   * builds them; so one JVM measures one thread count.
   */
  public static final String THREADS_PROPERTY = "lrgrad.threads";

  private LrgradKernels() {}

  /**
   * Sets {@value #THREADS_PROPERTY} (or checks that it already says {@code threads}), then returns the kernels.
   *
   * @throws IllegalArgumentException when no kernels have this name
   */
  public static Kernels open(String name, int threads) throws UnavailableException {
    configureThreads(threads);
    KernelProvider.Candidate candidate = candidate(name);
    if (!candidate.isAvailable()) {
      throw new UnavailableException(candidate.unavailableReason());
    }
    return candidate.kernels();
  }

  static KernelProvider.Candidate candidate(String name) {
    for (KernelProvider.Candidate candidate : KernelProvider.candidates()) {
      if (candidate.name().equals(name)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException("unknown implementation '" + name + "'; known: " + KernelProvider.candidates()
        + " and the peers " + SgemmImplementations.peerNames());
  }

  static void requireThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + " must be >= 1");
    }
  }

  /**
   * Call before anything asks {@link KernelProvider} for kernels: they read the property when they are built. A
   * JVM that already runs another count cannot change it.
   */
  public static void configureThreads(int threads) throws UnavailableException {
    requireThreads(threads);
    String wanted = Integer.toString(threads);
    String current = System.getProperty(THREADS_PROPERTY);
    if (current == null) {
      System.setProperty(THREADS_PROPERTY, wanted);
    } else if (!current.equals(wanted)) {
      throw new UnavailableException("this JVM's kernels run with -D" + THREADS_PROPERTY + "=" + current + ", not "
          + threads + ": they read it once, so each thread count needs its own JVM (a JMH fork)");
    }
  }
}
