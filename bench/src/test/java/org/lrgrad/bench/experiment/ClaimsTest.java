package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lrgrad.bench.experiment.Claims.Interval;

/** The rules of the three verdicts, on made-up figures on either side of each threshold. */
class ClaimsTest {

  @Test
  void claim1PassesWithinFifteenPercentOfAThirdEitherWay() {
    // 1000 bytes for Adam: a saving of 28.05% to 37.95% passes.
    assertEquals("FAIL", Claims.savingOverAdam(720, 1000, 8).verdict()); // 28.0%
    assertEquals("PASS", Claims.savingOverAdam(719, 1000, 8).verdict()); // 28.1%
    assertEquals("PASS", Claims.savingOverAdam(670, 1000, 8).verdict()); // 33.0%
    assertEquals("PASS", Claims.savingOverAdam(621, 1000, 8).verdict()); // 37.9%
    assertEquals("FAIL", Claims.savingOverAdam(620, 1000, 8).verdict()); // 38.0%: twice as good is not "about"
    assertEquals("FAIL", Claims.savingOverAdam(333, 1000, 8).verdict());
    assertTrue(Claims.savingOverAdam(1200, 1000, 8).measured().contains("20.0% more"));
  }

  @Test
  void claim2PassesWithinFifteenPercentOfMomentumEitherWay() {
    assertEquals("FAIL", Claims.comparableToMomentum(849, 1000, 8).verdict());
    assertEquals("PASS", Claims.comparableToMomentum(850, 1000, 8).verdict());
    assertEquals("PASS", Claims.comparableToMomentum(1150, 1000, 8).verdict());
    assertEquals("FAIL", Claims.comparableToMomentum(1151, 1000, 8).verdict());
    assertEquals("FAIL", Claims.comparableToMomentum(440, 1000, 8).verdict());
  }

  /** {@code users} users of {@code images} images: a right where {@code i % period != 0}, b right on all. */
  private static boolean[][] pattern(int users, int images, int period, boolean allRight) {
    boolean[][] c = new boolean[users][images];
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < images; i++) {
        c[u][i] = allRight || i % period != 0;
      }
    }
    return c;
  }

  @Test
  void claim3PassesFailsOrIsInconclusiveByWhereTheIntervalLies() {
    boolean[][] all = pattern(10, 600, 10, true);
    boolean[][] ninety = pattern(10, 600, 10, false);
    assertEquals("PASS", Claims.accuracyOverMomentum(all, ninety, 1).verdict());
    assertEquals("FAIL", Claims.accuracyOverMomentum(ninety, all, 1).verdict());
    // Identical predictions: the interval is [0, 0], which is neither above nor below 0.
    Claims.Verdict same = Claims.accuracyOverMomentum(ninety, ninety, 1);
    assertEquals("INCONCLUSIVE", same.verdict());
    assertTrue(same.measured().contains("non-inferior within 1 point: yes"), same.measured());
  }

  @Test
  void aDifferenceOfOneUserAmongManyIsInconclusive() {
    // One user of ten much better with a, the others the same: the users' resampling makes the interval reach 0.
    boolean[][] a = pattern(10, 600, 10, false);
    boolean[][] b = pattern(10, 600, 10, false);
    a[3] = pattern(1, 600, 10, true)[0];
    Interval d = Claims.pairedBootstrap(a, b, 2000, 5);
    assertEquals(0.01, d.estimate(), 1e-12);
    assertEquals(0.0, d.low(), 1e-12);
    assertTrue(d.high() > 0.01, "high " + d.high());
    assertEquals("INCONCLUSIVE", Claims.accuracyOverMomentum(a, b, 5).verdict());
  }

  @Test
  void theIntervalOfAnImageLevelDifferenceShrinksWithMoreImages() {
    // Every user: a right on the even images, b on a random-looking half: image noise only.
    Interval few = Claims.pairedBootstrap(alternating(5, 60), alternating(5, 60, 7), 2000, 3);
    Interval many = Claims.pairedBootstrap(alternating(5, 6000), alternating(5, 6000, 7), 2000, 3);
    assertTrue(many.high() - many.low() < (few.high() - few.low()) / 3, few + " vs " + many);
    assertTrue(few.low() <= few.estimate() && few.estimate() <= few.high(), few.toString());
  }

  private static boolean[][] alternating(int users, int images) {
    boolean[][] c = new boolean[users][images];
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < images; i++) {
        c[u][i] = i % 2 == 0;
      }
    }
    return c;
  }

  private static boolean[][] alternating(int users, int images, int salt) {
    boolean[][] c = new boolean[users][images];
    for (int u = 0; u < users; u++) {
      for (int i = 0; i < images; i++) {
        c[u][i] = ((i * 2654435761L + salt * u) >>> 7 & 1) == 0;
      }
    }
    return c;
  }

  @Test
  void mismatchedUsersOrImagesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Claims.pairedBootstrap(new boolean[2][5], new boolean[3][5], 10, 1));
    assertTrue(e.getMessage().contains("a has 2, b has 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Claims.pairedBootstrap(new boolean[][] {new boolean[4]}, new boolean[][] {new boolean[5]}, 10, 1));
    assertTrue(e.getMessage().contains("user 0: a has 4 images, b has 5"), e.getMessage());
  }
}
