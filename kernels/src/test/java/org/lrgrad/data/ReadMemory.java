package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

/**
 * The memory a reader may take for a corrupt header: a few times the bytes it was actually given, plus a fixed
 * allowance for its buffers, never what the header declares. Measured with HotSpot's per-thread allocation counter on
 * a second read of the same input, so that loading classes on a path's first use does not count.
 * Public for the bench module's readers (the IDX reader), which use it through the kernels test jar.
 */
public final class ReadMemory {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  /** Stream buffers (64 KiB each, a few of them), chunks, messages, and what the fuzzer's hooks allocate. */
  private static final long FIXED = 2 << 20;

  /** A read of one input: what it returns, or the exception it throws. */
  public interface Read {
    Object run() throws Exception;
  }

  private ReadMemory() {}

  /**
   * Runs {@code read} twice and returns what the second run returned or threw; fails unless that run allocated at
   * most 4·{@code given} + 2 MiB.
   */
  public static Object boundedBy(long given, Read read) {
    outcome(read);
    long start = THREADS.getCurrentThreadAllocatedBytes();
    Object outcome = outcome(read);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - start;
    assertTrue(allocated <= 4 * given + FIXED, () -> "allocated " + allocated + " bytes for " + given
        + " bytes of input (bound 4 x input + " + FIXED + "), outcome " + outcome);
    return outcome;
  }

  private static Object outcome(Read read) {
    try {
      return read.run();
    } catch (Exception e) {
      return e;
    }
  }
}
