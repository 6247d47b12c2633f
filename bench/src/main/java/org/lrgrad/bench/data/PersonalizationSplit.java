package org.lrgrad.bench.data;

import java.util.Locale;
import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.SeededRandom;

/**
 * The study's data (the shape of the paper's study): a general population whose images pretrain a
 * base model, and one user whose data differ in two ways, to be personalized for with a little data:
 * <ul>
 *   <li>the user's images pass through a fixed {@link UserShift} (rotation, shift, duller contrast), and
 *   <li>the user's classes have a different mix: with the classes in a seeded order, class of rank k has weight
 *       {@code classDecay^k} (one class about seven times as frequent as the rarest at the default 0.8, where the
 *       population is balanced).
 * </ul>
 * The user's images are drawn from the data set's <em>test</em> split, so the base model never trained on them, and
 * the population keeps the whole training split: {@link #populationTrain()} is {@code data.train()}; the user's
 * training and test sets are disjoint, follow the same class mix (apportioned exactly), and are shifted;
 * {@link #populationTest()} is the rest of the test split, unshifted. Everything follows from (data, seed, sizes,
 * decay).
 */
public final class PersonalizationSplit {
  public static final int DEFAULT_USER_TRAIN = 250;
  public static final int DEFAULT_USER_TEST = 600;
  public static final double DEFAULT_CLASS_DECAY = 0.8;

  private final long seed;
  private final UserShift shift;
  private final int[] classOrder;
  private final double[] classWeights;
  private final LabeledImages populationTrain;
  private final LabeledImages populationTest;
  private final LabeledImages userTrain;
  private final LabeledImages userTest;
  private final int[] userTrainIndices;
  private final int[] userTestIndices;

  private PersonalizationSplit(long seed, UserShift shift, int[] classOrder, double[] classWeights,
      LabeledImages populationTrain, LabeledImages populationTest, LabeledImages userTrain,
      LabeledImages userTest, int[] userTrainIndices, int[] userTestIndices) {
    this.seed = seed;
    this.shift = shift;
    this.classOrder = classOrder;
    this.classWeights = classWeights;
    this.populationTrain = populationTrain;
    this.populationTest = populationTest;
    this.userTrain = userTrain;
    this.userTest = userTest;
    this.userTrainIndices = userTrainIndices;
    this.userTestIndices = userTestIndices;
  }

  /** The split with the default sizes (250 user training, 600 user test images) and class decay 0.8. */
  public static PersonalizationSplit create(Dataset data, long seed) {
    return create(data, seed, DEFAULT_USER_TRAIN, DEFAULT_USER_TEST, DEFAULT_CLASS_DECAY);
  }

  /**
   * @param userTrainSize images the user personalizes with (≥ 1)
   * @param userTestSize held-out user images (≥ 1)
   * @param classDecay in (0, 1]: 1 gives the user a balanced mix; smaller values skew it more
   * @throws IllegalArgumentException when the test split has too few images of some class for the user's mix
   */
  public static PersonalizationSplit create(Dataset data, long seed, int userTrainSize, int userTestSize,
      double classDecay) {
    return create(data, seed, userTrainSize, userTestSize, classDecay, UserShift.Strength.STRONG);
  }

  /** As {@link #create(Dataset, long, int, int, double)}, with the user's shift drawn at {@code strength}. */
  public static PersonalizationSplit create(Dataset data, long seed, int userTrainSize, int userTestSize,
      double classDecay, UserShift.Strength strength) {
    Checks.notNull("data", data);
    Checks.notNull("strength", strength);
    Checks.positive("userTrainSize", userTrainSize);
    Checks.positive("userTestSize", userTestSize);
    if (!(classDecay > 0 && classDecay <= 1)) {
      throw new IllegalArgumentException("classDecay=" + classDecay + " must be in (0, 1]");
    }
    LabeledImages pool = data.test();
    int classes = pool.classes();
    SeededRandom random = new SeededRandom(seed);
    UserShift shift = UserShift.draw(random, strength);
    int[] order = new int[classes];
    for (int c = 0; c < classes; c++) {
      order[c] = c;
    }
    SeededDraws.shuffleFront(order, classes, random);
    double[] weights = new double[classes];
    double w = 1;
    for (int rank = 0; rank < classes; rank++) {
      weights[order[rank]] = w;
      w *= classDecay;
    }
    double sum = 0;
    for (double x : weights) {
      sum += x;
    }
    for (int c = 0; c < classes; c++) {
      weights[c] /= sum;
    }
    int[] trainCounts = SeededDraws.apportion(userTrainSize, weights);
    int[] testCounts = SeededDraws.apportion(userTestSize, weights);
    int[] userCounts = new int[classes];
    int[] none = new int[classes];
    for (int c = 0; c < classes; c++) {
      userCounts[c] = trainCounts[c] + testCounts[c];
    }
    int[][] drawn;
    try {
      drawn = SeededDraws.perClass(pool, userCounts, random, "the user (" + userTrainSize + " train + "
          + userTestSize + " test images, classDecay=" + classDecay + ")");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + "; lower userTrainSize, userTestSize or the skew", e);
    }
    int[] userTrainIndices = SeededDraws.merge(drawn, none, trainCounts);
    int[] userTestIndices = SeededDraws.merge(drawn, trainCounts, userCounts);
    boolean[] taken = new boolean[pool.size()];
    for (int[] part : drawn) {
      for (int i : part) {
        taken[i] = true;
      }
    }
    int[] rest = new int[pool.size() - userTrainIndices.length - userTestIndices.length];
    int k = 0;
    for (int i = 0; i < pool.size(); i++) {
      if (!taken[i]) {
        rest[k++] = i;
      }
    }
    String user = String.format(Locale.ROOT, "user (seed %d; %s; class mix decay %.3g)", seed, shift, classDecay);
    LabeledImages userTrain = pool.mapped(userTrainIndices, user + " train, drawn from " + pool.source(), shift);
    LabeledImages userTest = pool.mapped(userTestIndices, user + " test, drawn from " + pool.source(), shift);
    LabeledImages populationTest = pool.subset(rest, "population test: " + pool.source()
        + " without the user's images");
    return new PersonalizationSplit(seed, shift, order, weights, data.train(), populationTest, userTrain, userTest,
        userTrainIndices, userTestIndices);
  }

  public long seed() {
    return seed;
  }

  /** The transform every user image went through. */
  public UserShift userShift() {
    return shift;
  }

  /** The user's class probabilities (summing to 1), indexed by class. */
  public double[] userClassWeights() {
    return classWeights.clone();
  }

  /** The classes from the user's most frequent to the rarest. */
  public int[] userClassOrder() {
    return classOrder.clone();
  }

  /** The data the base model is pretrained on: the data set's whole training split. */
  public LabeledImages populationTrain() {
    return populationTrain;
  }

  /** The test split's images the user did not get, unshifted: how good the base model is for everyone else. */
  public LabeledImages populationTest() {
    return populationTest;
  }

  /** The user's few images to personalize with: shifted, with the user's class mix. */
  public LabeledImages userTrain() {
    return userTrain;
  }

  /** The user's held-out images: shifted, the same class mix, disjoint from {@link #userTrain()}. */
  public LabeledImages userTest() {
    return userTest;
  }

  /** Which images of the data set's test split became the user's training images, in order. */
  public int[] userTrainIndices() {
    return userTrainIndices.clone();
  }

  /** Which images of the data set's test split became the user's test images, in order. */
  public int[] userTestIndices() {
    return userTestIndices.clone();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "population: %d train, %d test; user: %d train, %d test; %s",
        populationTrain.size(), populationTest.size(), userTrain.size(), userTest.size(), userTest.source());
  }
}
