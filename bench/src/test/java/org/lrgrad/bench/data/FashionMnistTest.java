package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded subset (always) and Debian's full set (only where the package is installed; skipped with the reason
 * elsewhere).
 */
class FashionMnistTest {
  private static final String NOT_INSTALLED = "Debian package dataset-fashion-mnist is not installed here ("
      + FashionMnist.DEBIAN_FOLDER + "): apt-get install dataset-fashion-mnist";

  @TempDir
  File dir;

  private static int[] filled(int value) {
    int[] a = new int[FashionMnist.CLASSES];
    java.util.Arrays.fill(a, value);
    return a;
  }

  @Test
  void theEmbeddedSubsetHasTheDocumentedCountsAndBalance() throws IOException {
    Dataset data = FashionMnist.embedded();
    assertEquals(6000, data.train().size());
    assertEquals(2000, data.test().size());
    assertArrayEquals(filled(600), data.train().classCounts());
    assertArrayEquals(filled(200), data.test().classCounts());
    assertEquals(28, data.train().rows());
    assertEquals(28, data.train().cols());
    assertEquals(784, data.test().featureSize());
    assertTrue(data.origin().startsWith("embedded Fashion-MNIST subset, class-balanced (6000 train, 2000 test"),
        data.origin());
  }

  @Test
  void theEmbeddedImagesLookLikeFashionMnist() throws IOException {
    // Real photographs of clothing: a black border (corners ~0), a bright object in the middle, many grey levels.
    LabeledImages test = FashionMnist.embedded().test();
    long corners = 0;
    long centre = 0;
    boolean[] levels = new boolean[256];
    for (int i = 0; i < test.size(); i++) {
      corners += test.pixel(i, 0) + test.pixel(i, 27) + test.pixel(i, 27 * 28) + test.pixel(i, 28 * 28 - 1);
      centre += test.pixel(i, 14 * 28 + 14);
      for (int p = 0; p < 784; p++) {
        levels[test.pixel(i, p)] = true;
      }
    }
    int distinct = 0;
    for (boolean seen : levels) {
      distinct += seen ? 1 : 0;
    }
    assertTrue(corners / (4.0 * test.size()) < 5, "mean corner pixel " + corners / (4.0 * test.size()));
    assertTrue(centre / (double) test.size() > 60, "mean centre pixel " + centre / (double) test.size());
    assertEquals(256, distinct);
  }

  @Test
  void locateByName() throws IOException {
    assertTrue(FashionMnist.locate("embedded").origin().startsWith("embedded"));
    File missing = new File(dir, "none");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.locate(missing.getPath()));
    assertEquals("data folder " + missing + " does not exist", e.getMessage());
  }

  @Test
  void classNames() {
    assertEquals("T-shirt/top", FashionMnist.className(0));
    assertEquals("Ankle boot", FashionMnist.className(9));
    assertThrows(IndexOutOfBoundsException.class, () -> FashionMnist.className(10));
  }

  @Test
  void autoTakesDebiansFullSetWhenInstalledElseTheEmbeddedOne() throws IOException {
    Dataset data = FashionMnist.locate(null);
    if (FashionMnist.isDebianPackageInstalled()) {
      assertEquals(60000, data.train().size());
      assertTrue(data.origin().startsWith("Fashion-MNIST from Debian package dataset-fashion-mnist"), data.origin());
    } else {
      assertEquals(6000, data.train().size());
      assertTrue(data.origin().startsWith("embedded"), data.origin());
    }
  }

  @Test
  void withoutDebiansPackageItsAbsenceIsExplained() {
    assumeFalse(FashionMnist.isDebianPackageInstalled(),
        "Debian package dataset-fashion-mnist is installed here: its absence cannot be tested");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, FashionMnist::debianPackage);
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void debiansFullSet() throws IOException {
    assumeTrue(FashionMnist.isDebianPackageInstalled(), NOT_INSTALLED);
    Dataset data = FashionMnist.debianPackage();
    assertEquals(60000, data.train().size());
    assertEquals(10000, data.test().size());
    assertArrayEquals(filled(6000), data.train().classCounts());
    assertArrayEquals(filled(1000), data.test().classCounts());
    assertTrue(data.origin().contains(FashionMnist.DEBIAN_FOLDER), data.origin());
    assertEquals(data.train().size(), FashionMnist.locate("debian").train().size());
  }

  @Test
  void theEmbeddedSubsetIsDrawnFromDebiansFullSetInOrder() throws IOException {
    assumeTrue(FashionMnist.isDebianPackageInstalled(), NOT_INSTALLED);
    Dataset full = FashionMnist.debianPackage();
    Dataset embedded = FashionMnist.embedded();
    assertSubsequence(full.train(), embedded.train());
    assertSubsequence(full.test(), embedded.test());
  }

  /** Each image of {@code sub} is an image of {@code full} with the same label, at increasing positions. */
  private static void assertSubsequence(LabeledImages full, LabeledImages sub) {
    Map<ByteBuffer, List<Integer>> where = new HashMap<>();
    for (int i = 0; i < full.size(); i++) {
      where.computeIfAbsent(image(full, i), k -> new ArrayList<>()).add(i);
    }
    int previous = -1;
    for (int k = 0; k < sub.size(); k++) {
      int next = -1;
      for (int i : where.getOrDefault(image(sub, k), List.of())) {
        if (i > previous && full.label(i) == sub.label(k)) {
          next = i;
          break;
        }
      }
      assertTrue(next >= 0, "embedded image " + k + " is not in the full set after position " + previous);
      previous = next;
    }
  }

  private static ByteBuffer image(LabeledImages set, int i) {
    byte[] pixels = new byte[set.featureSize()];
    for (int p = 0; p < pixels.length; p++) {
      pixels[p] = (byte) set.pixel(i, p);
    }
    return ByteBuffer.wrap(pixels);
  }
}
