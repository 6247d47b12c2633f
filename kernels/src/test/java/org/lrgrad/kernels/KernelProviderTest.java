package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;

/** The provider: the known candidates and their order, lookup by name, forcing, and the one-line fallback log. */
class KernelProviderTest {
  private final Kernels fastKernels = new ReferenceKernels();
  private final Kernels slowKernels = new ReferenceKernels();

  private static Candidate available(String name, int priority, Kernels kernels) {
    return new Candidate(name, priority, kernels, null);
  }

  private static Candidate unavailable(String name, int priority, String reason) {
    return new Candidate(name, priority, null, reason);
  }

  /** Runs the choice with a handler on the provider's logger and returns what it logged. */
  private static List<LogRecord> logged(Runnable choice) {
    KernelProvider.candidates(); // initializes the provider, whose static logger is the one we attach to
    Logger logger = Logger.getLogger(KernelProvider.class.getName());
    List<LogRecord> records = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    boolean parents = logger.getUseParentHandlers();
    logger.addHandler(handler);
    logger.setUseParentHandlers(false);
    try {
      choice.run();
    } finally {
      logger.removeHandler(handler);
      logger.setUseParentHandlers(parents);
    }
    return records;
  }

  @Test
  void candidatesAreVectorThenVector128ThenReferenceByPriority() {
    List<String> names = new ArrayList<>();
    int previous = Integer.MAX_VALUE;
    for (Candidate c : KernelProvider.candidates()) {
      names.add(c.name());
      assertTrue(c.priority() <= previous, "candidates sorted by priority, highest first: " + names);
      previous = c.priority();
      assertEquals(c.isAvailable(), c.unavailableReason() == null, c.name() + ": a reason exactly when unavailable");
    }
    int vector = names.indexOf("vector"), vector128 = names.indexOf("vector-128"), reference = names.indexOf(
        "reference");
    assertTrue(vector >= 0 && vector < vector128 && vector128 < reference, "vector > vector-128 > reference: "
        + names);
    assertEquals("reference", KernelProvider.get("reference").name());
    assertTrue(KernelProvider.candidates().get(reference).isAvailable(), "the reference runs everywhere");
  }

  @Test
  void namesMatchInAnyCaseAndANullNameIsRefused() {
    assertEquals("reference", KernelProvider.get("Reference").name());
    assertEquals("reference", KernelProvider.get("REFERENCE").name());
    List<Candidate> candidates = Arrays.asList(available("fast", 10, fastKernels), available("slow", 0, slowKernels));
    assertSame(slowKernels, KernelProvider.chooseDefault(candidates, "SLOW"), "a forced name in another case");
    BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.get(null),
        "kernels name must not be null");
  }

  /** Asking for 128-bit vectors makes vector-128 the default: it ranks with vector, above the native kernels. */
  @Test
  void vector128RanksWithVectorWhenTheJvmAsksFor128Bits() {
    assertEquals(10, KernelProvider.vector128Priority(null));
    assertEquals(10, KernelProvider.vector128Priority("256"));
    assertEquals(10, KernelProvider.vector128Priority(""));
    int vectorPriority = -1, vector128Priority = -1;
    for (Candidate c : KernelProvider.candidates()) {
      if (c.name().equals("vector")) {
        vectorPriority = c.priority();
      } else if (c.name().equals("vector-128")) {
        vector128Priority = c.priority();
      }
    }
    assertEquals(vectorPriority, KernelProvider.vector128Priority("128"));
    assertEquals(vectorPriority, KernelProvider.vector128Priority(" 128 "));
    assertEquals(vectorPriority, KernelProvider.vector128Priority("+128"), "read as the Vector API layer reads it");
    assertEquals(vectorPriority, KernelProvider.vector128Priority("0128"));
    assertEquals(10, KernelProvider.vector128Priority("128 bits"));
    assertEquals(256, KernelProvider.vectorBits(" 256 "), "the one reading of the property");
    assertEquals(-1, KernelProvider.vectorBits("128 bits"));
    assertEquals(-1, KernelProvider.vectorBits(""));
    boolean asked = "128".equals(System.getProperty("lrgrad.vector.bits"));
    assertEquals(asked ? vectorPriority : 10, vector128Priority, "this JVM's vector-128 (lrgrad.vector.bits="
        + System.getProperty("lrgrad.vector.bits") + ")");
  }

  @Test
  void unknownNameIsRejectedNamingTheKnownOnes() {
    BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.get("simd"),
        "unknown kernels 'simd'", "vector", "vector-128", "reference");
    List<Candidate> candidates = Arrays.asList(available("fast", 10, fastKernels), available("slow", 0, slowKernels));
    BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.chooseDefault(candidates,
        "simd"), "unknown kernels 'simd'", "[fast, slow]");
  }

  @Test
  void forcingPicksTheNamedImplementationWithoutLogging() {
    List<Candidate> candidates = Arrays.asList(available("fast", 10, fastKernels), available("slow", 0, slowKernels));
    List<LogRecord> records = logged(() -> {
      assertSame(fastKernels, KernelProvider.chooseDefault(candidates, null), "the highest priority by default");
      assertSame(fastKernels, KernelProvider.chooseDefault(candidates, ""), "an empty property forces nothing");
      assertSame(slowKernels, KernelProvider.chooseDefault(candidates, "slow"), "forced");
    });
    assertEquals(0, records.size(), "nothing skipped, nothing logged: " + records);
  }

  @Test
  void forcingAnUnavailableImplementationThrowsWithItsReason() {
    List<Candidate> candidates = Arrays.asList(unavailable("fast", 10, "no SIMD on this JVM; fix: use JDK 25"),
        available("slow", 0, slowKernels));
    BadInput.watching().rejects(IllegalStateException.class, () -> KernelProvider.chooseDefault(candidates, "fast"),
        "-Dlrgrad.kernels=fast", "unavailable", "no SIMD on this JVM; fix: use JDK 25");
  }

  @Test
  void fallbackLogsOneWarningLineNamingWhatWasSkippedAndWhy() {
    List<Candidate> candidates = Arrays.asList(unavailable("fast", 10, "no SIMD on this JVM"),
        unavailable("faster", 5, "library not found"), available("slow", 0, slowKernels));
    List<LogRecord> records = logged(
        () -> assertSame(slowKernels, KernelProvider.chooseDefault(candidates, null), "the best available"));
    assertEquals(1, records.size(), "one log record: " + records);
    LogRecord record = records.get(0);
    assertEquals(Level.WARNING, record.getLevel());
    String message = record.getMessage();
    assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    for (String part : new String[] {"'slow'", "'fast'", "no SIMD on this JVM", "'faster'", "library not found"}) {
      assertTrue(message.contains(part), "the warning names " + part + ": " + message);
    }
  }

  @Test
  void noAvailableImplementationIsAnError() {
    List<Candidate> candidates = Arrays.asList(unavailable("fast", 10, "no SIMD"), unavailable("slow", 0, "gone"));
    BadInput.watching().rejects(IllegalStateException.class, () -> KernelProvider.chooseDefault(candidates, null),
        "no kernels available", "'fast' is unavailable: no SIMD", "'slow' is unavailable: gone");
  }

  @Test
  void anUnavailableCandidateThrowsItsReasonWhenAskedForKernels() {
    Candidate c = unavailable("jni", 50, "liblrgrad.so not found on java.library.path");
    assertFalse(c.isAvailable());
    assertEquals("liblrgrad.so not found on java.library.path", c.unavailableReason());
    BadInput.watching().rejects(IllegalStateException.class, c::kernels, "kernels 'jni' are unavailable",
        "liblrgrad.so not found on java.library.path");
    Candidate ok = available("slow", 0, slowKernels);
    assertTrue(ok.isAvailable());
    assertNull(ok.unavailableReason());
    assertSame(slowKernels, ok.kernels());
    for (Candidate real : KernelProvider.candidates()) {
      if (!real.isAvailable()) {
        assertNotNull(real.unavailableReason());
        BadInput.watching().rejects(IllegalStateException.class, () -> KernelProvider.get(real.name()),
            real.unavailableReason());
      }
    }
  }
}
