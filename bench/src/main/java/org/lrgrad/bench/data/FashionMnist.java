package org.lrgrad.bench.data;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Locale;

/**
 * Fashion-MNIST (Zalando Research, MIT license): 28×28 grey images of clothing in 10 classes, 60,000 for training
 * and 10,000 for testing. Found in this order by {@link #locate(String)}: a folder the user names; the full set of
 * Debian's package {@code dataset-fashion-mnist} when it is installed; else the small subset embedded in this
 * library, so that nothing needs a download. Every {@link Dataset} says which one it is.
 */
public final class FashionMnist {
  public static final int CLASSES = 10;

  /** Where Debian's package {@code dataset-fashion-mnist} puts the four gzip IDX files. */
  public static final String DEBIAN_FOLDER = "/usr/share/datasets/fashion-mnist";

  /** The class-path folder of the embedded subset (see its README for how it was made). */
  public static final String EMBEDDED_FOLDER = "org/lrgrad/bench/data/fashion-mnist-subset/";

  /** The embedded subset: this many images per class in its training and test sets. */
  public static final int EMBEDDED_TRAIN_PER_CLASS = 600, EMBEDDED_TEST_PER_CLASS = 200;

  /** The seed of the embedded subset's draw. */
  static final long EMBEDDED_SEED = 20170825L;

  private static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot"};

  private FashionMnist() {}

  /** The name of class {@code label}, e.g. {@code Ankle boot} for 9. */
  public static String className(int label) {
    if (label < 0 || label >= CLASSES) {
      throw new IndexOutOfBoundsException("label=" + label + " must be in [0, " + CLASSES + ")");
    }
    return CLASS_NAMES[label];
  }

  /**
   * The data set a command-line option names: {@code null}, empty or {@code auto} for the first available of
   * Debian's package and the embedded subset; {@code embedded}; {@code debian}; or a folder's path.
   */
  public static Dataset locate(String choice) throws IOException {
    if (choice == null || choice.isEmpty() || choice.equals("auto")) {
      return isDebianPackageInstalled() ? debianPackage() : embedded();
    }
    if (choice.equals("embedded")) {
      return embedded();
    }
    if (choice.equals("debian")) {
      return debianPackage();
    }
    return Dataset.fromFolder(new File(choice), CLASSES);
  }

  /** The small subset inside this library, class-balanced: 600 training and 200 test images per class. */
  public static Dataset embedded() throws IOException {
    LabeledImages train = LabeledImages.readResources(EMBEDDED_FOLDER + "train-images-idx3-ubyte.gz",
        EMBEDDED_FOLDER + "train-labels-idx1-ubyte.gz", CLASSES);
    LabeledImages test = LabeledImages.readResources(EMBEDDED_FOLDER + "t10k-images-idx3-ubyte.gz",
        EMBEDDED_FOLDER + "t10k-labels-idx1-ubyte.gz", CLASSES);
    return new Dataset(String.format(Locale.ROOT, "embedded Fashion-MNIST subset, class-balanced (%d train, %d test "
        + "images, classpath:%s)", train.size(), test.size(), EMBEDDED_FOLDER), train, test);
  }

  /** Whether Debian's package seems installed: its folder holds the files. */
  public static boolean isDebianPackageInstalled() {
    return new File(DEBIAN_FOLDER, "train-images-idx3-ubyte.gz").isFile();
  }

  /** The full set from Debian's package {@code dataset-fashion-mnist}. */
  public static Dataset debianPackage() throws IOException {
    File folder = new File(DEBIAN_FOLDER);
    if (!isDebianPackageInstalled()) {
      throw new FileNotFoundException("Debian's package dataset-fashion-mnist is not installed (no " + folder
          + "/train-images-idx3-ubyte.gz); install it with: apt-get install dataset-fashion-mnist");
    }
    return Dataset.fromFolder(folder, CLASSES, "Fashion-MNIST from Debian package dataset-fashion-mnist, " + folder);
  }
}
