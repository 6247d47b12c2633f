package org.lrgrad.bench;

import org.openjdk.jmh.annotations.Param;

/**
 * The skinny sgemm of low-rank training: C (m×n) ← A (m×r)·B (r×n), a rank-r product taken back to a full layer
 * (a projector times the low-rank update, or LoRA's B·A).
 */
public class LowRankSgemmBenchmark extends AbstractSgemmBenchmark {

  @Param({"1024", "4096"})
  public int m;

  @Param({"4", "8", "16", "32", "64"})
  public int r;

  @Param({"1024", "4096"})
  public int n;

  @Override
  protected int m() {
    return m;
  }

  @Override
  protected int n() {
    return n;
  }

  @Override
  protected int k() {
    return r;
  }
}
