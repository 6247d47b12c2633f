package org.lrgrad.bench.data;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lrgrad.kernels.Checks;

/** A training set and a test set of the same kind of images, and a sentence saying where they came from. */
public final class Dataset {
  /**
   * The file names of the MNIST family: {@code train-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte},
   * {@code emnist-letters-test-images-idx3-ubyte.gz}, {@code train-images.idx3-ubyte}, ...
   */
  private static final Pattern IDX_NAME =
      Pattern.compile("(?:.*-)?(train|t10k|test)-(images|labels)[-.]idx([13])-ubyte(?:\\.gz)?");

  private final String origin;
  private final LabeledImages train;
  private final LabeledImages test;

  public Dataset(String origin, LabeledImages train, LabeledImages test) {
    Checks.notNull("origin", origin);
    Checks.notNull("train", train);
    Checks.notNull("test", test);
    if (train.rows() != test.rows() || train.cols() != test.cols() || train.classes() != test.classes()) {
      throw new IllegalArgumentException("train (" + train.rows() + "x" + train.cols() + ", " + train.classes()
          + " classes) and test (" + test.rows() + "x" + test.cols() + ", " + test.classes()
          + " classes) must have the same image size and classes");
    }
    this.origin = origin;
    this.train = train;
    this.test = test;
  }

  /**
   * Reads the four IDX files (train/test images/labels, raw or gzip) of an MNIST-family data set from a folder.
   * They are found by their usual names, with any prefix ({@code emnist-balanced-}): the test files may be called
   * {@code t10k} or {@code test}.
   *
   * @param classes the number of classes (10 for MNIST, Fashion-MNIST and KMNIST; 47 for EMNIST balanced)
   */
  public static Dataset fromFolder(File folder, int classes) throws IOException {
    return fromFolder(folder, classes, "folder " + folder);
  }

  static Dataset fromFolder(File folder, int classes, String origin) throws IOException {
    Checks.notNull("folder", folder);
    if (!folder.exists()) {
      throw new FileNotFoundException("data folder " + folder + " does not exist");
    }
    if (!folder.isDirectory()) {
      throw new FileNotFoundException("data folder " + folder + " is not a folder");
    }
    String[] names = folder.list();
    if (names == null) {
      throw new IOException("data folder " + folder + " cannot be listed");
    }
    File trainImages = find(folder, names, true, true);
    File trainLabels = find(folder, names, true, false);
    File testImages = find(folder, names, false, true);
    File testLabels = find(folder, names, false, false);
    LabeledImages train = LabeledImages.read(trainImages, trainLabels, classes);
    LabeledImages test = LabeledImages.read(testImages, testLabels, classes);
    return new Dataset(String.format(Locale.ROOT, "%s (%d train, %d test images)", origin, train.size(),
        test.size()), train, test);
  }

  private static File find(File folder, String[] names, boolean train, boolean images) throws IOException {
    List<String> found = new ArrayList<>();
    for (String name : names) {
      Matcher m = IDX_NAME.matcher(name);
      if (m.matches() && m.group(1).equals("train") == train && m.group(2).equals("images") == images
          && m.group(3).equals(images ? "3" : "1")) {
        found.add(name);
      }
    }
    String wanted = (train ? "train" : "t10k") + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
    if (found.isEmpty()) {
      throw new FileNotFoundException("data folder " + folder + " has no " + wanted + "[.gz] (nor a name ending in "
          + "it, nor 'test' for 't10k'): it needs the four IDX files train-images-idx3-ubyte, "
          + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw or .gz");
    }
    if (found.size() > 1) {
      Collections.sort(found);
      throw new IOException("data folder " + folder + " has " + found.size() + " candidates for " + wanted + ": "
          + found + "; name a folder that holds one data set");
    }
    return new File(folder, found.get(0));
  }

  /** Where the data came from, e.g. {@code Debian package dataset-fashion-mnist (...)}; print it with results. */
  public String origin() {
    return origin;
  }

  public LabeledImages train() {
    return train;
  }

  public LabeledImages test() {
    return test;
  }

  @Override
  public String toString() {
    return origin;
  }
}
