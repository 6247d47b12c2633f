package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;

/**
 * The provider builds only what is asked for, keeps a failure's reason so a bad request fails the same way every
 * time, and names the artifact that provides the native bridges when they are missing.
 */
class KernelProviderLazinessTest {
  /** A factory that counts its builds; it fails with {@code failure} when that is not null. */
  private static final class CountingFactory implements KernelFactory {
    final String name;
    final int priority;
    final RuntimeException failure;
    int builds;

    CountingFactory(String name, int priority, RuntimeException failure) {
      this.name = name;
      this.priority = priority;
      this.failure = failure;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public Kernels create() {
      builds++;
      if (failure != null) {
        throw failure;
      }
      return new ReferenceKernels();
    }
  }

  @Test
  void onlyTheRequestedCandidateIsBuilt() {
    CountingFactory fast = new CountingFactory("fast", 100, null);
    CountingFactory slow = new CountingFactory("slow", 0, null);
    List<Candidate> candidates = KernelProvider.lazyCandidates(Arrays.asList(slow, fast));
    assertEquals("[fast, slow]", candidates.toString(), "highest priority first, without building any");
    assertEquals(0, fast.builds + slow.builds);
    Kernels forced = KernelProvider.chooseDefault(candidates, "slow");
    assertEquals(0, fast.builds, "forcing 'slow' builds nothing else");
    assertEquals(1, slow.builds);
    assertEquals(forced, KernelProvider.chooseDefault(candidates, "slow"), "built once, then the same object");
    assertEquals(1, slow.builds);
  }

  @Test
  void aFailingCandidateGivesTheSameClearErrorEveryTime() {
    CountingFactory broken = new CountingFactory("broken", 100, new IllegalStateException("no such device"));
    CountingFactory slow = new CountingFactory("slow", 0, null);
    List<Candidate> candidates = KernelProvider.lazyCandidates(Arrays.asList(broken, slow));
    for (int attempt = 0; attempt < 3; attempt++) {
      BadInput.watching().rejects(IllegalStateException.class, () -> KernelProvider.chooseDefault(candidates,
          "broken"), "-Dlrgrad.kernels=broken was requested, but it is unavailable: failed to start:"
          + " java.lang.IllegalStateException: no such device");
      BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.chooseDefault(candidates,
          "foo"), "unknown kernels 'foo'; known: [broken, slow]");
    }
    assertEquals(1, broken.builds, "the reason is kept, the factory is not asked again");
  }

  /** The real provider: a forced unknown name is the same exception on every call, never an Error. */
  @Test
  void aBadForcedNameThrowsTheSameExceptionEveryTime() {
    for (int attempt = 0; attempt < 3; attempt++) {
      BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.chooseDefault(
          KernelProvider.candidates(), "foo"), "unknown kernels 'foo'; known: ");
    }
  }

  /** Without lrgrad-bridge-jni (the kernels module's own tests) the message says to add it. */
  @Test
  void aMissingBridgeNamesItsArtifact() {
    boolean bridgePresent = false;
    for (Candidate c : KernelProvider.candidates()) {
      bridgePresent |= c.name().equals("jni");
    }
    if (bridgePresent) {
      assertEquals("jni", KernelProvider.candidates().stream().filter(c -> c.name().equals("jni")).findFirst()
          .get().name());
      return;
    }
    for (String name : new String[] {"jni", "jni-scalar", "ffm"}) {
      BadInput.watching().rejects(IllegalArgumentException.class, () -> KernelProvider.get(name),
          "kernels '" + name + "' come with the lrgrad-bridge-jni artifact, which is not on the class path: add"
          + " lrgrad-bridge-jni");
    }
  }

  /**
   * In a fresh JVM, asking for {@code reference} loads no class of the Vector API layer, the JNI loader or the FFM
   * layer (those that exist on this class path: in bridge-jni's test run, all of them).
   */
  @Test
  void askingForTheReferenceLoadsNothingElse() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xlog:class+load=info:stdout");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LazyProviderChild.class.getName());
    command.add("reference");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      output = bytes.toString(StandardCharsets.UTF_8);
    }
    assertEquals(0, process.waitFor(), output);
    assertTrue(output.contains("got reference"), output);
    assertTrue(output.contains(" org.lrgrad.kernels.ReferenceKernels "), "the log lists loaded classes");
    // JniKernels itself may be loaded (the jni factory names its variant enum, nested in it); the class that loads
    // the native library must not be.
    for (String forbidden : new String[] {"org.lrgrad.kernels.vector.VectorKernels", "org.lrgrad.jni.NativeLibrary",
        "org.lrgrad.ffm.FfmKernels"}) {
      assertFalse(output.contains(" " + forbidden + " "), forbidden + " was loaded");
    }
  }
}
