package org.lrgrad.bench.data;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import org.lrgrad.kernels.SeededRandom;

/**
 * Builds the embedded Fashion-MNIST subset from the full set (Debian's package {@code dataset-fashion-mnist}): a
 * class-balanced draw of {@link FashionMnist#EMBEDDED_TRAIN_PER_CLASS} training and
 * {@link FashionMnist#EMBEDDED_TEST_PER_CLASS} test images per class, with a fixed seed, kept in the original
 * order, written as four gzip IDX files. Run once by a maintainer; the command is in the resource folder's README.
 */
public final class EmbeddedSubsetTool {
  private EmbeddedSubsetTool() {}

  /** Arguments: the output folder, then optionally the full set's folder (default: Debian's). */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: EmbeddedSubsetTool OUTPUT_FOLDER [FASHION_MNIST_FOLDER (default "
          + FashionMnist.DEBIAN_FOLDER + ")]");
      System.exit(2);
    }
    File out = new File(args[0]);
    File in = new File(args.length > 1 ? args[1] : FashionMnist.DEBIAN_FOLDER);
    Dataset full = Dataset.fromFolder(in, FashionMnist.CLASSES);
    if (!out.isDirectory() && !out.mkdirs()) {
      throw new IOException("cannot create " + out);
    }
    SeededRandom random = new SeededRandom(FashionMnist.EMBEDDED_SEED);
    LabeledImages train = balanced(full.train(), FashionMnist.EMBEDDED_TRAIN_PER_CLASS, random);
    LabeledImages test = balanced(full.test(), FashionMnist.EMBEDDED_TEST_PER_CLASS, random);
    train.writeGzip(new File(out, "train-images-idx3-ubyte.gz"), new File(out, "train-labels-idx1-ubyte.gz"));
    test.writeGzip(new File(out, "t10k-images-idx3-ubyte.gz"), new File(out, "t10k-labels-idx1-ubyte.gz"));
    System.out.println("from " + full.origin());
    System.out.println("train: " + train.size() + " images, per class " + Arrays.toString(train.classCounts()));
    System.out.println("test:  " + test.size() + " images, per class " + Arrays.toString(test.classCounts()));
    System.out.println("written to " + out);
  }

  private static LabeledImages balanced(LabeledImages full, int perClass, SeededRandom random) {
    int[] counts = new int[full.classes()];
    Arrays.fill(counts, perClass);
    int[][] drawn = SeededDraws.perClass(full, counts, random, "the embedded subset");
    int[] none = new int[counts.length];
    return full.subset(SeededDraws.merge(drawn, none, counts), perClass + " per class of " + full.source());
  }
}
