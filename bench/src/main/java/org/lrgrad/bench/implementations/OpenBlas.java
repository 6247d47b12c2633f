package org.lrgrad.bench.implementations;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system's OpenBLAS (Debian's {@code libopenblas-dev}) through FFM: {@code cblas_sgemm} on the Java arrays
 * themselves (a critical downcall with heap access, so nothing is copied), and its thread-count controls.
 */
final class OpenBlas {

  /** Overrides where the library is looked for: the path of a {@code libopenblas.so}. */
  static final String PATH_PROPERTY = "lrgrad.openblas";
  static final String INSTALL = "apt-get install -y libopenblas-dev";

  private static final int CBLAS_ROW_MAJOR = 101;
  private static final int CBLAS_NO_TRANS = 111;
  private static final int CBLAS_TRANS = 112;

  private static OpenBlas instance;
  private static String unavailableReason;

  private final MethodHandle sgemm;
  private final MethodHandle setNumThreads;
  private final MethodHandle getNumThreads;
  private final String config;

  private OpenBlas(SymbolLookup library) throws Throwable {
    Linker linker = Linker.nativeLinker();
    sgemm = linker.downcallHandle(find(library, "cblas_sgemm"),
        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS,
            JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
        Linker.Option.critical(true));
    setNumThreads = linker.downcallHandle(find(library, "openblas_set_num_threads"),
        FunctionDescriptor.ofVoid(JAVA_INT));
    getNumThreads = linker.downcallHandle(find(library, "openblas_get_num_threads"), FunctionDescriptor.of(JAVA_INT));
    MethodHandle getConfig = linker.downcallHandle(find(library, "openblas_get_config"),
        FunctionDescriptor.of(ADDRESS));
    MethodHandle getCorename = linker.downcallHandle(find(library, "openblas_get_corename"),
        FunctionDescriptor.of(ADDRESS));
    config = cString((MemorySegment) getConfig.invokeExact()) + " (core " + cString(
        (MemorySegment) getCorename.invokeExact()) + ")";
  }

  private static MemorySegment find(SymbolLookup library, String symbol) {
    return library.find(symbol).orElseThrow(() -> new IllegalStateException("no symbol " + symbol));
  }

  private static String cString(MemorySegment pointer) {
    return pointer.reinterpret(Long.MAX_VALUE).getString(0);
  }

  /** The library, loaded once per JVM; throws with the reason and the install command when it cannot be. */
  static synchronized OpenBlas get() throws UnavailableException {
    if (instance == null && unavailableReason == null) {
      try {
        instance = load(libraryPath());
      } catch (UnavailableException e) {
        unavailableReason = e.getMessage();
      }
    }
    if (instance == null) {
      throw new UnavailableException(unavailableReason);
    }
    return instance;
  }

  /** Loads the library at {@code path} (null: no Debian path is known for this architecture). */
  static OpenBlas load(Path path) throws UnavailableException {
    if (path == null || !Files.exists(path)) {
      throw new UnavailableException("OpenBLAS is not installed " + (path == null ? "(no Debian path known for"
          + " os.arch=" + System.getProperty("os.arch") + ")" : "at " + path) + "; fix: " + INSTALL + " (or -D"
          + PATH_PROPERTY + "=/path/to/libopenblas.so)");
    }
    try {
      return new OpenBlas(SymbolLookup.libraryLookup(path, Arena.global()));
    } catch (Throwable e) {
      throw new UnavailableException("OpenBLAS at " + path + " did not load: " + e + "; fix: " + INSTALL
          + ", and run with --enable-native-access=ALL-UNNAMED", e);
    }
  }

  /** Debian's path of the library for this JVM's architecture, or the one the property names. */
  static Path libraryPath() {
    String forced = System.getProperty(PATH_PROPERTY);
    if (forced != null && !forced.isEmpty()) {
      return Path.of(forced);
    }
    String multiarch;
    switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> multiarch = "x86_64-linux-gnu";
      case "aarch64" -> multiarch = "aarch64-linux-gnu";
      default -> {
        return null;
      }
    }
    return Path.of("/usr/lib", multiarch, "libopenblas.so.0");
  }

  /** OpenBLAS's own description of its build: version, kernel (e.g. "Zen"), thread limit. */
  String config() {
    return config;
  }

  /**
   * What {@code OPENBLAS_NUM_THREADS} sets at load, set now for this process; checked by reading it back, since
   * OpenBLAS caps it at the limit it was built with.
   */
  void setThreads(int threads) throws UnavailableException {
    int actual;
    try {
      setNumThreads.invokeExact(threads);
      actual = (int) getNumThreads.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException("openblas_set_num_threads(" + threads + ") failed", e);
    }
    if (actual != threads) {
      throw new UnavailableException("OpenBLAS runs " + actual + " threads after openblas_set_num_threads("
          + threads + "): " + config);
    }
  }

  /** C ← op(A)·op(B), row-major, dense (see {@link Sgemm}); the arrays are passed to OpenBLAS in place. */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, MemorySegment a, MemorySegment b,
      MemorySegment c) {
    try {
      sgemm.invokeExact(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS, transB ? CBLAS_TRANS : CBLAS_NO_TRANS,
          m, n, k, 1f, a, transA ? m : k, b, transB ? k : n, 0f, c, n);
    } catch (Throwable e) {
      throw new IllegalStateException("cblas_sgemm failed", e);
    }
  }
}
