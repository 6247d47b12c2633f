package org.lrgrad.kernels;

/**
 * How the provider finds an implementation of the contract. The built-in ones ({@code reference}, {@code vector},
 * {@code vector-128}) are known to {@link KernelProvider}; other modules (the JNI and FFM bridges) register theirs
 * through {@link java.util.ServiceLoader} ({@code META-INF/services/org.lrgrad.kernels.KernelFactory}).
 */
public interface KernelFactory {

  /** The name a user forces with {@code -Dlrgrad.kernels=NAME}. */
  String name();

  /** Higher is preferred when nothing is forced. */
  int priority();

  /**
   * Builds the implementation, or throws {@link KernelUnavailableException} saying why it cannot run on this JVM
   * and how to fix that.
   */
  Kernels create() throws KernelUnavailableException;
}
