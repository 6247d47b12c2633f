package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.lrgrad.data.HostileNpz;

/**
 * Weights archives built to exhaust memory: each is refused with an exception naming the array, and reading it
 * allocates a few times the archive's size at most, because each member's name and header are checked against the
 * model before its data is inflated (the facade used to inflate the whole archive first: 2 GiB for the first one).
 */
class HostileWeightsTest {
  private static final String MODEL = "mlp 8-16-4";
  private static final long GIB = 1L << 30;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Reads {@code archive} as the weights of {@link #MODEL} twice; the second read must allocate ≤ 4 × its size + 2 MiB. */
  private static Exception refused(Class<? extends Exception> type, String fragment, byte[] archive) {
    read(archive);
    long start = THREADS.getCurrentThreadAllocatedBytes();
    Exception e = read(archive);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - start;
    assertTrue(allocated <= 4L * archive.length + (2 << 20), "allocated " + allocated + " bytes for an archive of "
        + archive.length + ": " + e);
    assertTrue(type.isInstance(e), "expected " + type.getSimpleName() + ", got " + e);
    assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "': " + e.getMessage());
    return e;
  }

  private static Exception read(byte[] archive) {
    try {
      OnDeviceTrainer.builder(MODEL).weights(new ByteArrayInputStream(archive), "hostile.npz");
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  /** The model's four arrays, all zeros (well formed, checksums right), as the start of a hostile archive. */
  private static HostileNpz modelWeights() {
    return new HostileNpz().member("0.weight.npy", HostileNpz.float32Header("(16, 8)"), 4 * 128)
        .member("0.bias.npy", HostileNpz.float32Header("(16,)"), 4 * 16)
        .member("2.weight.npy", HostileNpz.float32Header("(4, 16)"), 4 * 64)
        .member("2.bias.npy", HostileNpz.float32Header("(4,)"), 4 * 4);
  }

  @Test
  void theModelsOwnArraysBuiltThisWayAreAccepted() throws IOException {
    OnDeviceTrainer.builder(MODEL).weights(new ByteArrayInputStream(modelWeights().build()), "zeros.npz").build()
        .close();
  }

  @Test
  void aMemberThatInflatesToTwoGibibytes() {
    byte[] bomb = new HostileNpz().member("0.weight.npy", HostileNpz.float32Header("(536870912,)"), 2 * GIB)
        .build();
    refused(IllegalArgumentException.class, "array '0.weight' has shape [536870912], 'mlp 8-16-4' needs [16, 8]",
        bomb);
  }

  @Test
  void aMemberThatInflatesBeyondTheShapeItsHeaderDeclares() {
    byte[] bomb = new HostileNpz().member("0.weight.npy", HostileNpz.float32Header("(16, 8)"), 2 * GIB).build();
    refused(IOException.class, "hostile.npz member '0.weight.npy': has extra bytes", bomb);
  }

  @Test
  void anUnexpectedExtraMember() {
    byte[] archive = modelWeights().member("extra.npy", HostileNpz.float32Header("(536870912,)"), 2 * GIB).build();
    refused(IllegalArgumentException.class, "unexpected [extra]", archive);
  }

  @Test
  void twoHundredMembersOf64Mebibytes() {
    HostileNpz many = new HostileNpz();
    for (int i = 0; i < 200; i++) {
      many.member("m" + i + ".npy", HostileNpz.float32Header("(16777216,)"), 64L << 20);
    }
    refused(IllegalArgumentException.class, "unexpected [m0]", many.build());
  }
}
