package org.lrgrad.kernels;

/**
 * Started by {@link KernelProviderLazinessTest} in a JVM of its own, so that no other test has loaded anything:
 * asks the provider for the kernels named in {@code args[0]} and prints their name.
 */
public final class LazyProviderChild {
  private LazyProviderChild() {}

  public static void main(String[] args) {
    System.out.println("got " + KernelProvider.get(args[0]).name());
  }
}
