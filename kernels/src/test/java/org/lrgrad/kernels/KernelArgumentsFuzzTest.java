package org.lrgrad.kernels;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.KernelArgumentFuzzing;

/**
 * Fuzzes the contract's argument checks against array lengths on the Java implementations of this JVM (reference
 * and vector; vector-128 where the JVM runs 128-bit vectors, as kernels' vector-128 Surefire execution does with the
 * corpus): see {@link KernelArgumentFuzzing}. bridge-jni's {@code NativeKernelArgumentsFuzzTest} runs the same body
 * on jni, jni-scalar and ffm.
 */
class KernelArgumentsFuzzTest {
  private static final List<Kernels> IMPLEMENTATIONS = new ArrayList<>();

  /** Every implementation this JVM knows; one that cannot run here skips the target with its reason. */
  @BeforeAll
  static void implementations() {
    IMPLEMENTATIONS.clear();
    Implementations.all().map(Implementations::require).forEach(IMPLEMENTATIONS::add);
  }

  @FuzzTest(maxDuration = "10s")
  void argumentsAreCheckedAgainstArrayLengths(FuzzedDataProvider data) {
    KernelArgumentFuzzing.fuzzOneCall(IMPLEMENTATIONS, data);
  }
}
