package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.TrainTesting.Method;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.checkpoint.Checkpoint;

/**
 * The same seed gives bit-identical training state (weights, optimizer state, counters), per implementation:
 * across runs in one JVM, and across JVMs started with {@code -Dlrgrad.threads=1} and {@code 2} (kernels read it
 * once per JVM, so each count gets a JVM of its own). A resumed run equals an uninterrupted one bit for bit in
 * {@code CheckpointTest#resumedRunIsBitIdenticalToAnUninterruptedOne}.
 */
class DeterminismTest {
  static final long SEED = 21;
  private static final int STEPS = 8;
  private static final int BATCH = 16;
  private static final int[] THREAD_COUNTS = {1, 2};
  /** Each thread count's child output, NAME to DIGEST; started once per JVM for every implementation. */
  private static final Map<Integer, Map<String, String>> CHILDREN = new HashMap<>();

  /** SHA-256 of the whole state (as a checkpoint) after training every optimizer of the tests from {@code seed}. */
  static String digest(Kernels kernels, long seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Method method : TrainTesting.methods()) {
        Trainer trainer = TrainTesting.trainer(kernels, TrainTesting.mlp(), method.make.get(), BATCH, seed);
        for (int step = 0; step < STEPS; step++) {
          TrainTesting.step(trainer, step * BATCH % TrainTesting.PROBLEM.count, BATCH);
        }
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        Checkpoint.save(trainer, state);
        sha.update(state.toByteArray());
      }
      StringBuilder hex = new StringBuilder();
      for (byte b : sha.digest()) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource(Implementations.ALL)
  void theSameSeedGivesBitIdenticalStateAcrossRunsAndThreadCounts(Candidate candidate) throws Exception {
    Kernels kernels = Implementations.require(candidate);
    String first = digest(kernels, SEED);
    assertEquals(first, digest(kernels, SEED), "a second run in the same JVM");
    assertNotEquals(first, digest(kernels, SEED + 1), "another seed must give another state");
    for (int threads : THREAD_COUNTS) {
      Map<String, String> child = child(threads);
      assertTrue(child.containsKey(candidate.name()), () -> "the JVM with lrgrad.threads=" + threads
          + " has no available '" + candidate.name() + "': " + child);
      assertEquals(first, child.get(candidate.name()), "a JVM with -Dlrgrad.threads=" + threads);
    }
  }

  /**
   * Runs {@link DeterminismChild} with this JVM's module and native-access options and lrgrad properties (the
   * implementations under test, a native library path), and {@code -Dlrgrad.threads=threads}.
   */
  private static synchronized Map<String, String> child(int threads) throws IOException, InterruptedException {
    Map<String, String> cached = CHILDREN.get(threads);
    if (cached != null) {
      return cached;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-modules") || argument.startsWith("--enable-native-access")) {
        command.add(argument);
      }
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("lrgrad.") && !name.equals("lrgrad.threads")) {
        command.add("-D" + name + "=" + System.getProperty(name));
      }
    }
    command.add("-Dlrgrad.threads=" + threads);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DeterminismChild.class.getName());
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
    assertEquals(0, process.exitValue(), () -> "the child JVM failed: " + output);
    Map<String, String> digests = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2) {
        digests.put(parts[0], parts[1]);
      }
    }
    CHILDREN.put(threads, digests);
    return digests;
  }
}
