package org.lrgrad.bench.implementations;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lrgrad.kernels.KernelProvider;

/**
 * Every sgemm the benchmarks know, by name: lrgrad's kernels as {@link KernelProvider#candidates()} lists them
 * (so {@code jni}, {@code ffm} or any other registered implementation appears by itself), then the peers
 * {@value OpenBlasSgemm#NAME}, {@value EjmlSgemm#NAME} and {@value NetlibSgemm#NAME}.
 */
public final class SgemmImplementations {

  /** The peer that every result is compared with (the "ratio to OpenBLAS" of the report). */
  public static final String BASELINE = OpenBlasSgemm.NAME;

  private static final List<String> PEERS = List.of(OpenBlasSgemm.NAME, EjmlSgemm.NAME, NetlibSgemm.NAME);

  private SgemmImplementations() {}

  /** lrgrad's kernels (highest priority first), then the peers. */
  public static List<String> names() {
    List<String> names = new ArrayList<>(kernelNames());
    names.addAll(PEERS);
    return Collections.unmodifiableList(names);
  }

  /** lrgrad's kernels only, highest priority first. */
  public static List<String> kernelNames() {
    return KernelProvider.candidates().stream().map(KernelProvider.Candidate::name).toList();
  }

  public static List<String> peerNames() {
    return PEERS;
  }

  /**
   * Opens an implementation at a thread count (for lrgrad's kernels see {@link LrgradKernels#open}), or says why
   * it cannot run here.
   *
   * @throws IllegalArgumentException when the name is not one of {@link #names()}
   */
  public static Sgemm open(String name, int threads) throws UnavailableException {
    LrgradKernels.requireThreads(threads);
    return switch (name) {
      case OpenBlasSgemm.NAME -> OpenBlasSgemm.open(threads);
      case EjmlSgemm.NAME -> EjmlSgemm.open(threads);
      case NetlibSgemm.NAME -> NetlibSgemm.open(threads);
      default -> new ContractSgemm(LrgradKernels.open(name, threads));
    };
  }

  /**
   * Why {@code name} cannot run at {@code threads} threads, or null when it can. Decided in this JVM without
   * fixing its thread count, so a runner can plan forks that each run another count.
   */
  public static String unavailableReason(String name, int threads) {
    try {
      switch (name) {
        case OpenBlasSgemm.NAME -> OpenBlas.get();
        case EjmlSgemm.NAME -> EjmlSgemm.open(1);
        case NetlibSgemm.NAME -> NetlibSgemm.open(threads);
        default -> {
          return LrgradKernels.forkUnavailableReason(name);
        }
      }
      return null;
    } catch (UnavailableException e) {
      return e.getMessage();
    }
  }

  /** OpenBLAS's build description (version, kernel, thread limit), or why it is unavailable. */
  public static String openBlasConfig() {
    try {
      return OpenBlas.get().config();
    } catch (UnavailableException e) {
      return "unavailable: " + e.getMessage();
    }
  }
}
