package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The experiment's split on the embedded data: determinism, disjointness, the user's shift and class mix. */
class PersonalizationSplitTest {
  private static Dataset data;
  private static PersonalizationSplit split;

  @BeforeAll
  static void load() throws IOException {
    data = FashionMnist.embedded();
    split = PersonalizationSplit.create(data, 11);
  }

  private static void assertSameImages(LabeledImages a, LabeledImages b) {
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.label(i), b.label(i), "label " + i);
      for (int p = 0; p < a.featureSize(); p++) {
        if (a.pixel(i, p) != b.pixel(i, p)) {
          assertEquals(a.pixel(i, p), b.pixel(i, p), "image " + i + " pixel " + p);
        }
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
    PersonalizationSplit again = PersonalizationSplit.create(data, 11);
    assertArrayEquals(split.userTrainIndices(), again.userTrainIndices());
    assertArrayEquals(split.userTestIndices(), again.userTestIndices());
    assertEquals(split.userShift().toString(), again.userShift().toString());
    assertSameImages(split.userTrain(), again.userTrain());
    assertSameImages(split.userTest(), again.userTest());
    assertSameImages(split.populationTest(), again.populationTest());
    PersonalizationSplit other = PersonalizationSplit.create(data, 12);
    assertFalse(Arrays.equals(split.userTrainIndices(), other.userTrainIndices()));
    assertFalse(split.userShift().toString().equals(other.userShift().toString()));
  }

  @Test
  void theUsersSetsAreDisjointAndThePopulationTestIsTheRest() {
    assertEquals(PersonalizationSplit.DEFAULT_USER_TRAIN, split.userTrain().size());
    assertEquals(PersonalizationSplit.DEFAULT_USER_TEST, split.userTest().size());
    boolean[] taken = new boolean[data.test().size()];
    for (int[] part : new int[][] {split.userTrainIndices(), split.userTestIndices()}) {
      for (int i : part) {
        assertFalse(taken[i], "test image " + i + " given to the user twice");
        taken[i] = true;
      }
    }
    int[] rest = new int[data.test().size() - 850];
    int k = 0;
    for (int i = 0; i < taken.length; i++) {
      if (!taken[i]) {
        rest[k++] = i;
      }
    }
    assertEquals(rest.length, k);
    assertSameImages(data.test().subset(rest, "rest"), split.populationTest());
    assertSame(data.train(), split.populationTrain());
  }

  @Test
  void theUsersImagesAreTheChosenTestImagesShifted() {
    LabeledImages test = data.test();
    UserShift shift = split.userShift();
    byte[] expected = new byte[784];
    byte[] source = new byte[784];
    int changed = 0;
    int[] indices = split.userTestIndices();
    for (int k = 0; k < indices.length; k++) {
      for (int p = 0; p < 784; p++) {
        source[p] = (byte) test.pixel(indices[k], p);
      }
      shift.apply(source, 0, expected, 0, 28, 28);
      assertEquals(test.label(indices[k]), split.userTest().label(k));
      for (int p = 0; p < 784; p++) {
        assertEquals(expected[p] & 0xff, split.userTest().pixel(k, p), "user test image " + k + " pixel " + p);
        changed += (expected[p] & 0xff) != (source[p] & 0xff) ? 1 : 0;
      }
    }
    assertTrue(changed > indices.length * 784 / 2, "the shift changes most pixels: " + changed);
  }

  /** Each class's count is within one of total·weight, they sum to the total, and follow the user's class order. */
  private static void assertMix(LabeledImages set, double[] weights, int[] order) {
    int[] counts = set.classCounts();
    assertEquals(set.size(), Arrays.stream(counts).sum());
    for (int c = 0; c < counts.length; c++) {
      assertTrue(Math.abs(counts[c] - set.size() * weights[c]) < 1, "class " + c + ": " + counts[c] + " vs "
          + set.size() * weights[c]);
    }
    for (int r = 1; r < order.length; r++) {
      assertTrue(counts[order[r]] <= counts[order[r - 1]], "rank " + r + " " + Arrays.toString(counts));
    }
  }

  @Test
  void theUsersClassMixIsSkewedAsDesigned() {
    double[] weights = split.userClassWeights();
    int[] order = split.userClassOrder();
    assertEquals(1, Arrays.stream(weights).sum(), 1e-12);
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
    for (int r = 1; r < order.length; r++) {
      assertEquals(PersonalizationSplit.DEFAULT_CLASS_DECAY, weights[order[r]] / weights[order[r - 1]], 1e-12);
    }
    assertMix(split.userTrain(), weights, order);
    assertMix(split.userTest(), weights, order);
    int[] counts = split.userTest().classCounts();
    assertTrue(counts[order[0]] >= 5 * counts[order[9]], Arrays.toString(counts));
  }

  @Test
  void aDecayOfOneGivesABalancedUser() {
    PersonalizationSplit balanced = PersonalizationSplit.create(data, 5, 100, 300, 1.0);
    int[] ten = new int[10];
    Arrays.fill(ten, 10);
    assertArrayEquals(ten, balanced.userTrain().classCounts());
    int[] thirty = new int[10];
    Arrays.fill(thirty, 30);
    assertArrayEquals(thirty, balanced.userTest().classCounts());
  }

  @Test
  void theShiftHurtsAPopulationModelAndTheUsersDataRepairsIt() {
    // A nearest-class-mean classifier stands in for a model: cheap, and like an MLP it reads pixels at fixed places.
    // Over eight users: on the same images, the shift costs accuracy, and means taken from the user's own few
    // shifted training images do better on the user's test images than the population's means do.
    float[][] populationMeans = means(data.train());
    double totalDrop = 0;
    double totalGain = 0;
    for (long seed = 1; seed <= 8; seed++) {
      PersonalizationSplit user = PersonalizationSplit.create(data, seed);
      double unshifted = accuracy(populationMeans, data.test().subset(user.userTestIndices(), "unshifted"));
      double shifted = accuracy(populationMeans, user.userTest());
      double personalized = accuracy(means(user.userTrain()), user.userTest());
      String numbers = "seed " + seed + ": unshifted " + unshifted + ", shifted " + shifted + ", user means "
          + personalized + " (" + user.userShift() + ")";
      assertTrue(shifted < unshifted - 0.03, numbers);
      assertTrue(personalized > shifted, numbers);
      totalDrop += unshifted - shifted;
      totalGain += personalized - shifted;
    }
    assertTrue(totalDrop / 8 > 0.05, "mean accuracy lost to the shift: " + totalDrop / 8);
    assertTrue(totalGain / 8 > 0.05, "mean accuracy regained from the user's data: " + totalGain / 8);
  }

  private static float[][] means(LabeledImages set) {
    float[][] sums = new float[set.classes()][set.featureSize()];
    int[] counts = set.classCounts();
    float[] x = new float[set.featureSize()];
    for (int i = 0; i < set.size(); i++) {
      set.copyImage(i, x, 0);
      for (int p = 0; p < x.length; p++) {
        sums[set.label(i)][p] += x[p] / counts[set.label(i)];
      }
    }
    return sums;
  }

  private static double accuracy(float[][] means, LabeledImages set) {
    float[] x = new float[set.featureSize()];
    int right = 0;
    for (int i = 0; i < set.size(); i++) {
      set.copyImage(i, x, 0);
      int best = -1;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int c = 0; c < means.length; c++) {
        double d = 0;
        for (int p = 0; p < x.length; p++) {
          d += (x[p] - means[c][p]) * (x[p] - means[c][p]);
        }
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      right += best == set.label(i) ? 1 : 0;
    }
    return right / (double) set.size();
  }

  @Test
  void aUserTheTestSplitCannotSupplyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PersonalizationSplit.create(data, 11, 250, 2000, 0.8));
    assertTrue(e.getMessage().startsWith("the user (250 train + 2000 test images, classDecay=0.8) needs "),
        e.getMessage());
    assertTrue(e.getMessage().contains(" but " + data.test().source() + " has 200; lower userTrainSize, "
        + "userTestSize or the skew"), e.getMessage());
  }

  @Test
  void badArgumentsAreNamed() {
    assertEquals("userTrainSize=0 must be >= 1", assertThrows(IllegalArgumentException.class,
        () -> PersonalizationSplit.create(data, 1, 0, 10, 0.8)).getMessage());
    assertEquals("userTestSize=-1 must be >= 1", assertThrows(IllegalArgumentException.class,
        () -> PersonalizationSplit.create(data, 1, 10, -1, 0.8)).getMessage());
    for (double decay : new double[] {0, 1.5, Double.NaN}) {
      assertEquals("classDecay=" + decay + " must be in (0, 1]", assertThrows(IllegalArgumentException.class,
          () -> PersonalizationSplit.create(data, 1, 10, 10, decay)).getMessage());
    }
  }
}
