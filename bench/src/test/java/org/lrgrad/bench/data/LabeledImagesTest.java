package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.bench.data.IdxFiles.gzip;
import static org.lrgrad.bench.data.IdxFiles.idx;
import static org.lrgrad.bench.data.IdxFiles.imagesIdx;
import static org.lrgrad.bench.data.IdxFiles.labelsIdx;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing an images file with a labels file, pixels as floats, sequential batches. */
class LabeledImagesTest {
  @TempDir
  File dir;

  private static IdxArray array(byte[] bytes, String name) throws IOException {
    return Idx.read(new ByteArrayInputStream(bytes), name);
  }

  private LabeledImages threeImages() throws IOException {
    // 3 images of 2x3: image 1 is 0, 51, 102 / 153, 204, 255 (pixel / 255 = 0, 0.2, 0.4, 0.6, 0.8, 1).
    byte[] data = new byte[18];
    int[] image1 = {0, 51, 102, 153, 204, 255};
    for (int p = 0; p < 6; p++) {
      data[p] = (byte) 7;
      data[6 + p] = (byte) image1[p];
      data[12 + p] = (byte) 128;
    }
    File images = IdxFiles.write(dir, "i", idx(0x08, new int[] {3, 2, 3}, data));
    File labels = IdxFiles.write(dir, "l.gz", gzip(labelsIdx(4, 0, 9)));
    return LabeledImages.read(images, labels, 10);
  }

  @Test
  void pixelsBecomeUnitFloatsInRowMajorOrder() throws IOException {
    LabeledImages set = threeImages();
    assertEquals(3, set.size());
    assertEquals(2, set.rows());
    assertEquals(3, set.cols());
    assertEquals(6, set.featureSize());
    float[] out = {-1, -1, -1, -1, -1, -1, -1, -1};
    set.copyImage(1, out, 1);
    assertArrayEquals(new float[] {-1, 0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f, -1}, out);
    assertEquals(255, set.pixel(1, 5));
    assertEquals(0, set.label(1));
    assertEquals(9, set.label(2));
    int[] counts = set.classCounts();
    assertEquals(10, counts.length);
    assertEquals(1, counts[0]);
    assertEquals(1, counts[4]);
    assertEquals(1, counts[9]);
  }

  @Test
  void sequentialBatchesEndWithAShortOne() throws IOException {
    LabeledImages set = threeImages();
    Batch batch = new Batch(2, 6);
    assertEquals(0, batch.size());
    assertEquals(2, set.fill(batch, 0));
    assertArrayEquals(new int[] {4, 0}, batch.labels());
    assertEquals(7 / 255f, batch.features()[0]);
    assertEquals(1f, batch.features()[11]);
    assertEquals(1, set.fill(batch, 2));
    assertEquals(1, batch.size());
    assertEquals(9, batch.labels()[0]);
    assertEquals(128 / 255f, batch.features()[5]);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> set.fill(batch, 3));
    assertEquals("first=3 must be in [0, size=3)", e.getMessage());
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> set.fill(new Batch(2, 784), 0));
    assertEquals("batch.featureSize()=784 must equal the images' 2x3 = 6", wrong.getMessage());
  }

  @Test
  void aSubsetCopiesTheChosenImagesInOrder() throws IOException {
    LabeledImages set = threeImages();
    LabeledImages sub = set.subset(new int[] {2, 1}, "two");
    assertEquals("two", sub.source());
    assertEquals(2, sub.size());
    assertEquals(9, sub.label(0));
    assertEquals(255, sub.pixel(1, 5));
    assertEquals(128, sub.pixel(0, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> set.subset(new int[] {3}, "x"));
  }

  @Test
  void imagesAndLabelsMustPairUp() throws IOException {
    IdxArray images = array(imagesIdx(3, 2, 2), "imgs");
    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> LabeledImages.of(images, array(labelsIdx(1, 2), "lbls"), 10));
    assertEquals("image/label count mismatch: imgs holds 3 images but lbls holds 2 labels", e.getMessage());
  }

  @Test
  void labelsOutOfRangeAreCountedAndTheFirstNamed() throws IOException {
    IdxArray images = array(imagesIdx(4, 2, 2), "imgs");
    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> LabeledImages.of(images, array(labelsIdx(1, 10, 3, 200), "lbls"), 10));
    assertEquals("lbls: 2 labels are outside [0, 10), the first is 10 at index 1", e.getMessage());
  }

  @Test
  void filesSwappedOrOfTheWrongShape() throws IOException {
    IdxArray images = array(imagesIdx(2, 2, 2), "imgs");
    IdxArray labels = array(labelsIdx(1, 2), "lbls");
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> LabeledImages.of(labels, images, 10));
    assertEquals("lbls: an images file has 3 dimensions (count, rows, cols), this one has 1 [2]: is it a labels "
        + "file?", e.getMessage());
    IdxArray flat = array(idx(0x08, new int[] {2, 4}, new byte[8]), "flat");
    e = assertThrows(IdxFormatException.class, () -> LabeledImages.of(images, flat, 10));
    assertEquals("flat: a labels file has 1 dimension (count), this one has 2 [2, 4]", e.getMessage());
  }

  @Test
  void noImagesAtAll() throws IOException {
    IdxArray images = array(idx(0x08, new int[] {0, 28, 28}, new byte[0]), "none");
    IdxFormatException e = assertThrows(IdxFormatException.class,
        () -> LabeledImages.of(images, array(labelsIdx(), "lbls"), 10));
    assertEquals("none: holds no images (its count is 0)", e.getMessage());
  }

  @Test
  void classesMustFitInAByte() throws IOException {
    IdxArray images = array(imagesIdx(1, 1, 1), "i");
    IdxArray labels = array(labelsIdx(0), "l");
    assertThrows(IllegalArgumentException.class, () -> LabeledImages.of(images, labels, 0));
    assertThrows(IllegalArgumentException.class, () -> LabeledImages.of(images, labels, 257));
  }

  @Test
  void aWrittenSetReadsBack() throws IOException {
    LabeledImages set = threeImages();
    File images = new File(dir, "out-images.gz");
    File labels = new File(dir, "out-labels.gz");
    set.writeGzip(images, labels);
    LabeledImages back = LabeledImages.read(images, labels, 10);
    assertEquals(set.size(), back.size());
    for (int i = 0; i < set.size(); i++) {
      assertEquals(set.label(i), back.label(i));
      for (int p = 0; p < set.featureSize(); p++) {
        assertEquals(set.pixel(i, p), back.pixel(i, p));
      }
    }
  }

  @Test
  void theBatchChecksItsShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Batch(0, 784));
    assertEquals("capacity=0 must be >= 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Batch(1 << 20, 1 << 12));
    assertTrue(e.getMessage().contains("do not fit one array"), e.getMessage());
  }
}
