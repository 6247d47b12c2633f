package org.lrgrad.jni;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.KernelArgumentFuzzing;

/**
 * Fuzzes the contract's argument checks against array lengths on the native implementations (jni, jni-scalar, ffm;
 * the kernels module's {@code KernelArgumentsFuzzTest} covers the Java ones): a wrong length, offset or leading
 * dimension must be refused in Java before native code runs, and a valid call must match the reference. See
 * {@link KernelArgumentFuzzing}.
 */
class NativeKernelArgumentsFuzzTest {
  private static final List<Kernels> IMPLEMENTATIONS = new ArrayList<>();

  /** The implementations {@code lrgrad.test.kernels} names; one that cannot run here skips the target with its reason. */
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
