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

  /** The Vector API kernels at 128 bits. */
  static final String NARROW = "vector-128";

  private LrgradKernels() {}

  /**
   * Sets {@value #THREADS_PROPERTY} (or checks that it already says {@code threads}), and for {@value #NARROW}
   * {@value KernelProvider#VECTOR_BITS_PROPERTY} (with which the Vector API kernels choose their one width per JVM,
   * once: {@value #NARROW} runs where it says 128), then returns the kernels.
   *
   * @throws IllegalArgumentException when no kernels have this name
   */
  public static Kernels open(String name, int threads) throws UnavailableException {
    configureThreads(threads);
    if (name.equals(NARROW)) {
      configureNarrowWidth();
    }
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

  /**
   * Why {@code name} cannot run in a fork of this JVM, or null when it can: {@value #NARROW} can wherever
   * {@code vector} can, since its fork sets the width.
   */
  static String forkUnavailableReason(String name) {
    KernelProvider.Candidate candidate = candidate(name);
    if (candidate.isAvailable()) {
      return null;
    }
    if (name.equals(NARROW) && System.getProperty(KernelProvider.VECTOR_BITS_PROPERTY) == null) {
      KernelProvider.Candidate vector = candidate("vector");
      return vector.isAvailable() ? null : vector.unavailableReason();
    }
    return candidate.unavailableReason();
  }

  /** Whether {@code name} runs only in a JVM of its own: {@value #NARROW} where this JVM runs another width. */
  public static boolean needsOwnJvm(String name) {
    return name.equals(NARROW) && !candidate(name).isAvailable() && forkUnavailableReason(name) == null;
  }

  /** Call before anything asks {@link KernelProvider} for kernels, as {@link #configureThreads}. */
  private static void configureNarrowWidth() throws UnavailableException {
    String property = KernelProvider.VECTOR_BITS_PROPERTY;
    String current = System.getProperty(property);
    if (current == null) {
      System.setProperty(property, "128");
    } else if (!current.equals("128")) {
      throw new UnavailableException("this JVM's Vector API kernels run with -D" + property + "="
          + current + ", not 128: they read it once, so " + NARROW + " needs its own JVM (a JMH fork)");
    }
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
