package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.lrgrad.data.FashionMnist;
import org.lrgrad.data.LabeledImages;
import org.lrgrad.data.PersonalizationSplit;

/** The sweep's held-out slice comes from the user's training images only, disjoint from what it trains on. */
class SweepTest {

  @Test
  void theHeldOutSliceIsAFifthOfTheUsersTrainingImagesAndDisjointFromTheRest() throws IOException {
    LabeledImages train = PersonalizationSplit.create(FashionMnist.embedded(), 1).userTrain();
    LabeledImages[] parts = Sweep.holdOut(train, 1);
    assertEquals(200, parts[0].size());
    assertEquals(50, parts[1].size());
    // Each of the user's images lands in exactly one part: match them by their pixels.
    int[] uses = new int[train.size()];
    for (LabeledImages part : parts) {
      for (int i = 0; i < part.size(); i++) {
        int found = indexOf(train, part, i);
        assertTrue(found >= 0, "image " + i + " of a part is not one of the user's training images");
        uses[found]++;
      }
    }
    for (int i = 0; i < uses.length; i++) {
      assertEquals(1, uses[i], "user training image " + i);
    }
  }

  @Test
  void tooFewImagesToHoldOutAreRefused() throws IOException {
    LabeledImages train = PersonalizationSplit.create(FashionMnist.embedded(), 1).userTrain();
    LabeledImages two = train.subset(new int[] {0, 1}, "two images");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sweep.holdOut(two, 1));
    assertTrue(e.getMessage().contains("the user has 2 training images"), e.getMessage());
  }

  private static int indexOf(LabeledImages all, LabeledImages part, int i) {
    for (int j = 0; j < all.size(); j++) {
      if (all.label(j) != part.label(i)) {
        continue;
      }
      boolean same = true;
      for (int p = 0; p < all.featureSize() && same; p++) {
        same = all.pixel(j, p) == part.pixel(i, p);
      }
      if (same) {
        return j;
      }
    }
    return -1;
  }
}
