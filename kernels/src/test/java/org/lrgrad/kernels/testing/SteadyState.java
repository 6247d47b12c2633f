package org.lrgrad.kernels.testing;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes a piece of code allocates on the calling thread once the JIT has compiled it.
 *
 * <p>A fixed warm-up cannot tell when that is: Vector API code allocates a boxed vector per operation until C2 has
 * compiled it (the interpreter and C1 do not turn vectors into registers), C2 compiles in the background, and on a
 * loaded machine its queue can hold a method for seconds. So a window of calls is repeated until one allocates
 * nothing, up to a deadline. Code that allocates in compiled form allocates in every window and fails at the
 * deadline; the JVM's rare charge of a few hundred bytes of its own to the thread shows in one window only.
 */
public final class SteadyState {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** The longest one measurement waits for a window that allocates nothing. */
  private static final long DEADLINE_NANOS = 60_000_000_000L;

  private SteadyState() {}

  /**
   * Runs {@code window} until a run of it allocates no byte on this thread (returns 0), or the deadline passes
   * (returns the fewest bytes any run allocated, never 0).
   */
  public static long leastBytesAllocated(Runnable window) {
    if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
      throw new IllegalStateException("this JVM must count allocated bytes per thread");
    }
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    long least = Long.MAX_VALUE;
    do {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      window.run();
      least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
    } while (least != 0 && System.nanoTime() < deadline);
    return least;
  }
}
