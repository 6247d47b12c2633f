package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.bench.data.IdxFiles.gzip;
import static org.lrgrad.bench.data.IdxFiles.imagesIdx;
import static org.lrgrad.bench.data.IdxFiles.labelsIdx;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the four IDX files of an MNIST-family data set in a folder the user names. */
class DatasetTest {
  @TempDir
  File dir;

  private void fourFiles(String prefix, String testName, boolean compressed, String suffix) {
    String gz = compressed ? ".gz" : "";
    IdxFiles.write(dir, prefix + "train-images" + suffix + "idx3-ubyte" + gz,
        compressed ? gzip(imagesIdx(4, 3, 3)) : imagesIdx(4, 3, 3));
    IdxFiles.write(dir, prefix + "train-labels" + suffix + "idx1-ubyte" + gz,
        compressed ? gzip(labelsIdx(0, 1, 2, 1)) : labelsIdx(0, 1, 2, 1));
    IdxFiles.write(dir, prefix + testName + "-images" + suffix + "idx3-ubyte" + gz,
        compressed ? gzip(imagesIdx(2, 3, 3)) : imagesIdx(2, 3, 3));
    IdxFiles.write(dir, prefix + testName + "-labels" + suffix + "idx1-ubyte" + gz,
        compressed ? gzip(labelsIdx(2, 0)) : labelsIdx(2, 0));
  }

  @Test
  void theUsualNamesGzip() throws IOException {
    fourFiles("", "t10k", true, "-");
    Dataset data = Dataset.fromFolder(dir, 3);
    assertEquals(4, data.train().size());
    assertEquals(2, data.test().size());
    assertEquals(2, data.test().label(0));
    assertEquals("folder " + dir + " (4 train, 2 test images)", data.origin());
    assertTrue(data.train().source().contains("train-images-idx3-ubyte.gz"), data.train().source());
  }

  @Test
  void rawFilesWithAPrefixAndTestForT10k() throws IOException {
    fourFiles("emnist-balanced-", "test", false, "-");
    Dataset data = Dataset.fromFolder(dir, 3);
    assertEquals(4, data.train().size());
    assertTrue(data.test().source().contains("emnist-balanced-test-images-idx3-ubyte"), data.test().source());
  }

  @Test
  void dottedNames() throws IOException {
    fourFiles("", "t10k", false, ".");
    assertEquals(2, Dataset.fromFolder(dir, 3).test().size());
  }

  @Test
  void aMissingFolder() {
    File missing = new File(dir, "nowhere");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Dataset.fromFolder(missing, 10));
    assertEquals("data folder " + missing + " does not exist", e.getMessage());
    File file = IdxFiles.write(dir, "file", new byte[1]);
    e = assertThrows(FileNotFoundException.class, () -> Dataset.fromFolder(file, 10));
    assertEquals("data folder " + file + " is not a folder", e.getMessage());
  }

  @Test
  void aFolderWithoutOneOfTheFiles() {
    fourFiles("", "t10k", true, "-");
    assertTrue(new File(dir, "t10k-labels-idx1-ubyte.gz").delete());
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Dataset.fromFolder(dir, 3));
    assertTrue(e.getMessage().startsWith("data folder " + dir + " has no t10k-labels-idx1-ubyte[.gz]"),
        e.getMessage());
  }

  @Test
  void twoCandidatesForOneFileAreRefused() {
    fourFiles("", "t10k", true, "-");
    IdxFiles.write(dir, "emnist-letters-train-images-idx3-ubyte.gz", gzip(imagesIdx(1, 3, 3)));
    IOException e = assertThrows(IOException.class, () -> Dataset.fromFolder(dir, 3));
    assertEquals("data folder " + dir + " has 2 candidates for train-images-idx3-ubyte: "
        + "[emnist-letters-train-images-idx3-ubyte.gz, train-images-idx3-ubyte.gz]; name a folder that holds one "
        + "data set", e.getMessage());
  }

  @Test
  void trainAndTestMustMatch() throws IOException {
    LabeledImages small = LabeledImages.of(Idx.read(new java.io.ByteArrayInputStream(imagesIdx(1, 2, 2)), "a"),
        Idx.read(new java.io.ByteArrayInputStream(labelsIdx(0)), "b"), 3);
    LabeledImages other = LabeledImages.of(Idx.read(new java.io.ByteArrayInputStream(imagesIdx(1, 3, 3)), "c"),
        Idx.read(new java.io.ByteArrayInputStream(labelsIdx(0)), "d"), 3);
    assertThrows(IllegalArgumentException.class, () -> new Dataset("x", small, other));
  }
}
