package org.lrgrad.kernels.vector;

import org.lrgrad.kernels.KernelProvider;

/**
 * Run by {@link VectorKernelsTest} in a JVM of its own, started with some {@code -Dlrgrad.vector.bits}: prints one
 * line per Vector API candidate, {@code name|available|reason}, since the width is chosen once per JVM.
 */
final class WidthProbe {
  private WidthProbe() {}

  public static void main(String[] args) {
    for (KernelProvider.Candidate c : KernelProvider.candidates()) {
      if (c.name().startsWith("vector")) {
        System.out.println(c.name() + "|" + c.isAvailable() + "|" + c.unavailableReason());
      }
    }
  }
}
