package org.lrgrad.bench.implementations;

import java.lang.foreign.MemorySegment;

/** The peer {@code openblas}: the system's OpenBLAS at a given thread count. */
final class OpenBlasSgemm implements Sgemm {
  static final String NAME = "openblas";

  private final OpenBlas library;

  private OpenBlasSgemm(OpenBlas library) {
    this.library = library;
  }

  static Sgemm open(int threads) throws UnavailableException {
    OpenBlas library = OpenBlas.get();
    library.setThreads(threads);
    return new OpenBlasSgemm(library);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Call bind(boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    MemorySegment as = MemorySegment.ofArray(a), bs = MemorySegment.ofArray(b), cs = MemorySegment.ofArray(c);
    return () -> library.sgemm(transA, transB, m, n, k, as, bs, cs);
  }
}
