package org.lrgrad.bench.data;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import org.lrgrad.kernels.Checks;

/**
 * A set of grey-scale images with their class labels, as in MNIST and its relatives. Pixels are kept as the
 * files store them, unsigned bytes (a quarter of the memory of floats, which matters on a phone); they become
 * floats in [0, 1] (pixel / 255) when copied into a {@link Batch}. Image {@code i} is row-major, {@code rows × cols}
 * values. Immutable.
 */
public final class LabeledImages {
  private static final float[] UNIT = new float[256];

  static {
    for (int k = 0; k < 256; k++) {
      UNIT[k] = k / 255f;
    }
  }

  private final String source;
  private final byte[] pixels;
  private final int[] labels;
  private final int rows;
  private final int cols;
  private final int classes;

  /** Takes the arrays without copying; callers inside the package hand over arrays nobody else holds. */
  private LabeledImages(String source, byte[] pixels, int[] labels, int rows, int cols, int classes) {
    this.source = source;
    this.pixels = pixels;
    this.labels = labels;
    this.rows = rows;
    this.cols = cols;
    this.classes = classes;
  }

  /**
   * Pairs an images file and a labels file (raw or gzip IDX) and checks that they fit together.
   *
   * @param classes the number of classes: every label must be in [0, classes); 10 for MNIST and Fashion-MNIST
   */
  public static LabeledImages read(File images, File labels, int classes) throws IOException {
    Checks.notNull("images", images);
    Checks.notNull("labels", labels);
    return of(Idx.read(images), Idx.read(labels), classes);
  }

  /** {@link #read(File, File, int)} for two classpath resources (paths without a leading slash). */
  public static LabeledImages readResources(String images, String labels, int classes) throws IOException {
    return of(Idx.readResource(images), Idx.readResource(labels), classes);
  }

  /**
   * Pairs an IDX images array (count × rows × cols) with an IDX labels array (count), checking the shapes, the
   * counts and the label range; every error names the file at fault.
   */
  public static LabeledImages of(IdxArray images, IdxArray labels, int classes) throws IdxFormatException {
    Checks.notNull("images", images);
    Checks.notNull("labels", labels);
    if (classes < 1 || classes > 256) {
      throw new IllegalArgumentException("classes=" + classes + " must be in [1, 256] (labels are unsigned bytes)");
    }
    if (images.rank() != 3) {
      throw new IdxFormatException(images.source() + ": an images file has 3 dimensions (count, rows, cols), this "
          + "one has " + images.rank() + " " + Arrays.toString(images.dims())
          + (images.rank() == 1 ? ": is it a labels file?" : ""));
    }
    if (labels.rank() != 1) {
      throw new IdxFormatException(labels.source() + ": a labels file has 1 dimension (count), this one has "
          + labels.rank() + " " + Arrays.toString(labels.dims())
          + (labels.rank() == 3 ? ": is it an images file?" : ""));
    }
    int count = images.dim(0);
    if (count == 0) {
      throw new IdxFormatException(images.source() + ": holds no images (its count is 0)");
    }
    if (images.dim(1) == 0 || images.dim(2) == 0) {
      throw new IdxFormatException(images.source() + ": images of " + images.dim(1) + "x" + images.dim(2)
          + " pixels hold nothing");
    }
    if (labels.dim(0) != count) {
      throw new IdxFormatException("image/label count mismatch: " + images.source() + " holds " + count
          + " images but " + labels.source() + " holds " + labels.dim(0) + " labels");
    }
    int[] values = new int[count];
    int outside = 0;
    int firstOutside = -1;
    for (int i = 0; i < count; i++) {
      values[i] = labels.unsigned(i);
      if (values[i] >= classes) {
        outside++;
        if (firstOutside < 0) {
          firstOutside = i;
        }
      }
    }
    if (outside > 0) {
      throw new IdxFormatException(labels.source() + ": " + outside + " labels are outside [0, " + classes
          + "), the first is " + values[firstOutside] + " at index " + firstOutside);
    }
    return new LabeledImages(images.source() + " + " + labels.source(), images.data(), values, images.dim(1),
        images.dim(2), classes);
  }

  /** Where the images came from (file paths, resources, and how they were derived). */
  public String source() {
    return source;
  }

  /** The number of images. */
  public int size() {
    return labels.length;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Features per image: rows × cols. */
  public int featureSize() {
    return rows * cols;
  }

  public int classes() {
    return classes;
  }

  public int label(int i) {
    return labels[i];
  }

  /** Pixel {@code p} (row-major) of image {@code i}, in [0, 255]. */
  public int pixel(int i, int p) {
    return pixels[i * featureSize() + p] & 0xff;
  }

  /** How many images each class has. */
  public int[] classCounts() {
    int[] counts = new int[classes];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /** Writes image {@code i} as {@link #featureSize()} floats in [0, 1] to {@code dst[dstOff ..]}. */
  public void copyImage(int i, float[] dst, int dstOff) {
    checkIndex(i);
    Checks.vector("dst", dst, dstOff, featureSize());
    toUnit(i, dst, dstOff);
  }

  /**
   * Fills {@code batch} with the images {@code first, first+1, ...}: as many as fit, up to the end of the set (for
   * evaluation in order). Allocates nothing.
   *
   * @return how many examples the batch now holds ({@code batch.size()})
   */
  public int fill(Batch batch, int first) {
    checkBatch(batch);
    if (first < 0 || first >= size()) {
      throw new IndexOutOfBoundsException("first=" + first + " must be in [0, size=" + size() + ")");
    }
    int count = Math.min(batch.capacity(), size() - first);
    for (int b = 0; b < count; b++) {
      put(batch, b, first + b);
    }
    batch.setSize(count);
    return count;
  }

  /** Copies example {@code i} into row {@code row} of a batch already checked to match. */
  void put(Batch batch, int row, int i) {
    toUnit(i, batch.features(), row * featureSize());
    batch.labels()[row] = labels[i];
  }

  void checkBatch(Batch batch) {
    Checks.notNull("batch", batch);
    if (batch.featureSize() != featureSize()) {
      throw new IllegalArgumentException("batch.featureSize()=" + batch.featureSize() + " must equal the images' "
          + rows + "x" + cols + " = " + featureSize());
    }
  }

  private void toUnit(int i, float[] dst, int dstOff) {
    int n = featureSize();
    int base = i * n;
    for (int p = 0; p < n; p++) {
      dst[dstOff + p] = UNIT[pixels[base + p] & 0xff];
    }
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size()) {
      throw new IndexOutOfBoundsException("i=" + i + " must be in [0, size=" + size() + ")");
    }
  }

  /** The images at {@code indices}, in that order, copied; {@code source} says how they were chosen. */
  public LabeledImages subset(int[] indices, String source) {
    return mapped(indices, source, null);
  }

  /**
   * The images at {@code indices}, each passed through {@code shift} unless it is null, with their labels: how a
   * user's data is made from ordinary images.
   */
  LabeledImages mapped(int[] indices, String source, UserShift shift) {
    Checks.notNull("indices", indices);
    Checks.notNull("source", source);
    for (int k = 0; k < indices.length; k++) {
      if (indices[k] < 0 || indices[k] >= size()) {
        throw new IndexOutOfBoundsException("indices[" + k + "]=" + indices[k] + " must be in [0, size=" + size()
            + ")");
      }
    }
    int n = featureSize();
    byte[] outPixels = new byte[indices.length * n];
    int[] outLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      if (shift == null) {
        System.arraycopy(pixels, indices[k] * n, outPixels, k * n, n);
      } else {
        shift.apply(pixels, indices[k] * n, outPixels, k * n, rows, cols);
      }
      outLabels[k] = labels[indices[k]];
    }
    return new LabeledImages(source, outPixels, outLabels, rows, cols, classes);
  }

  /** Writes the images and the labels as two gzip IDX files (unsigned bytes), readable by {@link #read}. */
  public void writeGzip(File imagesFile, File labelsFile) throws IOException {
    Checks.notNull("imagesFile", imagesFile);
    Checks.notNull("labelsFile", labelsFile);
    byte[] labelBytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      labelBytes[i] = (byte) labels[i];
    }
    Idx.writeGzip(imagesFile, new int[] {size(), rows, cols}, pixels);
    Idx.writeGzip(labelsFile, new int[] {size()}, labelBytes);
  }

  @Override
  public String toString() {
    return size() + " images of " + rows + "x" + cols + ", " + classes + " classes, from " + source;
  }
}
