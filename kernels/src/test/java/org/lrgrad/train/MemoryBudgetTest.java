package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;

/** A memory budget is checked before anything is allocated; when it is too small, the error names a rank that fits. */
class MemoryBudgetTest {
  private final Kernels k = Implementations.reference();

  private static Sequential model() {
    return new Sequential(new Linear(64, 48), new Relu(), new Linear(48, 10));
  }

  private long planBytes(Optimizer optimizer) {
    Sequential model = model();
    return Trainer.builder(model, 8).kernels(k).group(optimizer, model.parameters()).plan().liveBytes();
  }

  @Test
  void tooSmallBudgetNamesTheLargestRankThatFitsAndAllocatesNothing() {
    long atRank10 = planBytes(new LoraAdam(1e-3f, 10));
    long atRank11 = planBytes(new LoraAdam(1e-3f, 11));
    assertTrue(atRank10 < atRank11);
    Sequential model = model();
    Trainer.Builder builder = Trainer.builder(model, 8).kernels(k).memoryBudget(atRank10)
        .group(new LoraAdam(1e-3f, 16), model.parameters());
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, builder::build);
    assertEquals(10, e.fittingRank());
    assertEquals(atRank10, e.budgetBytes());
    assertEquals(planBytes(new LoraAdam(1e-3f, 16)), e.requiredBytes());
    assertTrue(e.getMessage().contains("rank 10 would fit"), e.getMessage());
    assertTrue(e.getMessage().contains(String.format(Locale.ROOT, "%,d", atRank10)), e.getMessage());
    // Nothing was allocated: the parameters have no storage, and the model can still be built.
    assertThrows(IllegalStateException.class, () -> model.parameters().get(0).data());
    Trainer trainer = Trainer.builder(model, 8).kernels(k).memoryBudget(atRank10)
        .group(new LoraAdam(1e-3f, 10), model.parameters()).build();
    assertEquals(atRank10, trainer.ledger().liveBytes(), "a budget met exactly is enough");
  }

  @Test
  void lowRankGroupsShrinkTheirRankToo() {
    long atRank5 = planBytes(LowRankAdam.lrg(1e-3f, 5));
    Sequential model = model();
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
        () -> Trainer.builder(model, 8).kernels(k).memoryBudget(atRank5)
            .group(LowRankAdam.lrg(1e-3f, 32), model.parameters()).build());
    assertEquals(5, e.fittingRank());
  }

  @Test
  void withoutLowRankGroupNoRankIsOffered() {
    Sequential model = model();
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
        () -> Trainer.builder(model, 8).kernels(k).memoryBudget(1000).group(Adam.adam(1e-3f), model.parameters())
            .build());
    assertEquals(0, e.fittingRank());
    assertTrue(e.getMessage().contains("no group is low-rank"), e.getMessage());
  }

  @Test
  void whenEvenRankOneIsTooLargeTheErrorSaysSo() {
    long atRank1 = planBytes(new LoraAdam(1e-3f, 1));
    Sequential model = model();
    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
        () -> Trainer.builder(model, 8).kernels(k).memoryBudget(atRank1 - 1)
            .group(new LoraAdam(1e-3f, 8), model.parameters()).build());
    assertEquals(0, e.fittingRank());
    String want = String.format(Locale.ROOT, "no rank fits: even rank 1 needs %,d bytes", atRank1);
    assertTrue(e.getMessage().contains(want), e.getMessage());
  }

  @Test
  void aBudgetOfNoBytesOrFewerIsRejected() {
    for (long bytes : new long[] {-1, 0, Long.MIN_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Trainer.builder(model(), 8).memoryBudget(bytes));
      assertEquals("memoryBudget=" + bytes + " bytes must be > 0", e.getMessage());
    }
  }
}
