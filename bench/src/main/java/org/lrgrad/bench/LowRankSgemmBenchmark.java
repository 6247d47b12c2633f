package org.lrgrad.bench;

import org.openjdk.jmh.annotations.Param;

/**
 * The skinny sgemm of low-rank training, in two forms: {@code expand}, C (m×n) ← A (m×r)·B (r×n), a rank-r product
 * taken back to a full layer (a projector times the low-rank update, or LoRA's B·A); {@code project}, C (r×n) ← A
 * (r×m)·B (m×n), a full matrix projected onto r directions (PᵀG). Both move far more bytes per FLOP than a square
 * product: the report puts their memory-bandwidth roof beside the peak.
 */
public class LowRankSgemmBenchmark extends AbstractSgemmBenchmark {

  /** {@code expand} (m×r·r×n) or {@code project} (r×m·m×n). */
  @Param({"expand"})
  public String form;

  @Param({"1024", "4096"})
  public int m;

  @Param({"4", "8", "16", "32", "64"})
  public int r;

  @Param({"1024", "4096"})
  public int n;

  private boolean projects() {
    switch (form) {
      case "expand":
        return false;
      case "project":
        return true;
      default:
        throw new IllegalArgumentException("form=" + form + " must be expand or project");
    }
  }

  @Override
  protected int m() {
    return projects() ? r : m;
  }

  @Override
  protected int n() {
    return n;
  }

  @Override
  protected int k() {
    return projects() ? m : r;
  }
}
