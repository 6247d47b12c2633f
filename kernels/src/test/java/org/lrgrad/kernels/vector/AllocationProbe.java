package org.lrgrad.kernels.vector;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Kernels;

/**
 * Run by {@link VectorKernelsTest} in a JVM of its own: calls every vectorized operation of one width, with two
 * sgemm threads (the first product is above the split threshold), in batches until a whole batch allocates no byte on
 * the calling thread and the sgemm workers (the JIT compiles in the background, so the first batches do) or a
 * deadline passes, and prints the bytes of the last batch.
 */
final class AllocationProbe {
  static final String RESULT = "bytes allocated by the last batch: ";

  private AllocationProbe() {}

  public static void main(String[] args) throws Exception {
    Kernels kernels = VectorKernelsTest.vectorKernels(Integer.parseInt(args[0]), 2);
    Random rnd = new Random(17);
    int big = 260;
    float[] a = VectorKernelsTest.values(rnd, big * big, -1f, 1f);
    float[] b = VectorKernelsTest.values(rnd, big * big, -1f, 1f);
    float[] c = new float[big * big];
    float[] p = VectorKernelsTest.values(rnd, 1000, -1f, 1f), g = VectorKernelsTest.values(rnd, 1000, -1f, 1f);
    float[] m = new float[1000], v = new float[1000];
    // Shapes that take every path: packed A and B blocks, A read in place, B packed by groups, a shallow product,
    // transposed packing, edge tiles; the first one split over two threads.
    Runnable calls = () -> {
      kernels.sgemm(false, false, 200, 180, 150, 1f, a, 0, 150, b, 0, 180, 0f, c, 0, 180);
      kernels.sgemm(true, true, 45, 37, 260, 0.5f, a, 0, 45, b, 0, 260, 0.5f, c, 0, 37);
      kernels.sgemm(false, false, 20, 250, 100, 1f, a, 0, 100, b, 0, 250, 0f, c, 0, 250);
      kernels.sgemm(false, true, 9, 5, 3, 1f, a, 0, 3, b, 0, 3, -0.5f, c, 0, 5);
      kernels.sgdStep(999, 0.1f, 0.01f, p, 0, g, 0);
      kernels.momentumStep(999, 2, 0.1f, 0.9f, 0f, true, 0.01f, p, 0, g, 0, m, 0);
      kernels.adamStep(999, 3, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, AdamConvention.TORCH, p, 0, g, 0, m, 0, v,
          0);
      kernels.adamDirection(999, 3, 0.9f, 0.999f, 1e-8f, AdamConvention.GALORE, g, 0, m, 0, v, 0, g, 0);
      kernels.relu(999, p, 0, p, 0);
      kernels.reluBackward(999, p, 0, g, 0, g, 0);
      kernels.biasAdd(9, 99, p, 0, c, 0, 101);
      kernels.biasGradient(9, 99, c, 0, 101, p, 0);
    };
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    calls.run(); // starts the sgemm workers, whose allocations count too
    long[] counted = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t == Thread.currentThread() || t.getName().startsWith("lrgrad-sgemm-"))
        .mapToLong(Thread::threadId).toArray();
    if (counted.length < 2) {
      throw new IllegalStateException("no sgemm worker started: " + counted.length + " thread(s) counted");
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    long allocated;
    int batches = 0;
    do {
      long before = allocated(threads, counted);
      for (int i = 0; i < 50; i++) {
        calls.run();
      }
      allocated = allocated(threads, counted) - before;
      batches++;
    } while (allocated != 0 && System.nanoTime() < deadline);
    System.out.println(kernels + ": " + RESULT + allocated + " (50 rounds of calls, after " + batches + " batches, "
        + counted.length + " threads counted)");
  }

  /** The bytes these threads have allocated, one thread at a time: the array-valued query allocates its result. */
  private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids) {
    long total = 0;
    for (long id : ids) {
      total += threads.getThreadAllocatedBytes(id);
    }
    return total;
  }
}
