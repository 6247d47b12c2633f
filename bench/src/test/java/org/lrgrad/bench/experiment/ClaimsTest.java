package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lrgrad.bench.experiment.Claims.Verdict;
import org.lrgrad.bench.experiment.Study.ModelResult;
import org.lrgrad.bench.experiment.Study.Run;
import org.lrgrad.train.memory.MemoryTag;

/** The rules of the three verdicts, on made-up runs whose figures sit on either side of each threshold. */
class ClaimsTest {

  private static Run run(Method method, long peakBytes, boolean... correct) {
    int right = 0;
    for (boolean c : correct) {
      right += c ? 1 : 0;
    }
    Evaluation after = new Evaluation((double) right / correct.length, 1.0, correct);
    return new Study.Run(method, method.label, 0.1f, peakBytes, new EnumMap<>(MemoryTag.class), after, after, after,
        10, 0, 1.0, new float[10]);
  }

  @Test
  void claim1PassesFromASavingOfAThirdLessFifteenPercentOfIt() {
    assertEquals(0.2805, Claims.minimumSaving(), 1e-12);
    assertTrue(Claims.savingOverAdam(run(Method.LRG, 7_194), run(Method.ADAM, 10_000)).pass()); // 28.06%
    assertFalse(Claims.savingOverAdam(run(Method.LRG, 7_196), run(Method.ADAM, 10_000)).pass()); // 28.04%
    Verdict twice = Claims.savingOverAdam(run(Method.LRG, 3_400), run(Method.ADAM, 10_000));
    assertTrue(twice.pass());
    assertTrue(twice.measured().contains("66.0% less; 2.0x the seed's 33.0%"), twice.measured());
    assertFalse(Claims.savingOverAdam(run(Method.LRG, 11_000), run(Method.ADAM, 10_000)).pass());
  }

  @Test
  void claim2PassesUpToFifteenPercentAboveMomentumAndSaysWhetherWithinBothWays() {
    Verdict above = Claims.comparableToMomentum(run(Method.LRG, 11_500), run(Method.MOMENTUM, 10_000));
    assertTrue(above.pass());
    assertTrue(above.measured().contains("within +-15%: yes"), above.measured());
    assertFalse(Claims.comparableToMomentum(run(Method.LRG, 11_501), run(Method.MOMENTUM, 10_000)).pass());
    Verdict far = Claims.comparableToMomentum(run(Method.LRG, 5_000), run(Method.MOMENTUM, 10_000));
    assertTrue(far.pass());
    assertTrue(far.measured().contains("0.50 x (-50.0%; within +-15%: no)"), far.measured());
  }

  @Test
  void claim3NeedsAStrictlyHigherAccuracyAndCountsTheImagesOnlyOneGotRight() {
    boolean[] a = {true, true, false, true};
    boolean[] b = {true, false, true, false};
    Verdict better = Claims.accuracyOverMomentum(run(Method.LRG, 1, a), run(Method.MOMENTUM, 1, b));
    assertTrue(better.pass());
    assertTrue(better.measured().contains("LRG-Adam 75.0% vs Momentum 50.0% on 4 user test images (+25.0 points,"
        + " relative error -50.0%); only LRG-Adam right on 2 images, only Momentum on 1"), better.measured());
    boolean[] same = {false, true, true, true};
    assertFalse(Claims.accuracyOverMomentum(run(Method.LRG, 1, a), run(Method.MOMENTUM, 1, same)).pass(),
        "a tie does not beat momentum");
    assertFalse(Claims.accuracyOverMomentum(run(Method.LRG, 1, b), run(Method.MOMENTUM, 1, a)).pass());
  }

  @Test
  void checkReadsLrgAdamAndMomentumOfAModel() {
    List<Run> runs = List.of(run(Method.SGD, 100, true), run(Method.MOMENTUM, 300, false), run(Method.ADAM, 400, true),
        run(Method.LRG, 200, true), run(Method.GALORE, 250, true), run(Method.LORA, 220, true));
    List<Verdict> verdicts = Claims.check(new ModelResult(null, runs));
    assertEquals(3, verdicts.size());
    assertTrue(verdicts.get(0).pass(), verdicts.get(0).measured()); // 50% less than Adam
    assertTrue(verdicts.get(1).pass(), verdicts.get(1).measured()); // 0.67 x Momentum
    assertTrue(verdicts.get(2).pass(), verdicts.get(2).measured()); // 100% vs 0%
  }
}
