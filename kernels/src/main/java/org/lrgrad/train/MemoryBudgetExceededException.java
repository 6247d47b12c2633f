package org.lrgrad.train;

import org.lrgrad.train.memory.MemoryPlan;

/**
 * The training setup does not fit the memory budget it was given. Thrown before anything is allocated; says what
 * is needed and, when a low-rank group could shrink, the largest rank that fits.
 */
public final class MemoryBudgetExceededException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient MemoryPlan plan;
  private final long budgetBytes;
  private final int fittingRank;

  MemoryBudgetExceededException(String message, MemoryPlan plan, long budgetBytes, int fittingRank) {
    super(message);
    this.plan = plan;
    this.budgetBytes = budgetBytes;
    this.fittingRank = fittingRank;
  }

  /** The exact plan of the setup as requested. */
  public MemoryPlan plan() {
    return plan;
  }

  public long requiredBytes() {
    return plan.liveBytes();
  }

  public long budgetBytes() {
    return budgetBytes;
  }

  /** The largest rank (for every low-rank group, at most its own) that fits, or 0 when none does. */
  public int fittingRank() {
    return fittingRank;
  }
}
