package org.lrgrad.bench;

import org.openjdk.jmh.annotations.Param;

/** Square sgemm, m = n = k = {@code size}. */
public class SgemmBenchmark extends AbstractSgemmBenchmark {

  @Param({"64", "128", "256", "512", "1024", "2048"})
  public int size;

  @Override
  protected int m() {
    return size;
  }

  @Override
  protected int n() {
    return size;
  }

  @Override
  protected int k() {
    return size;
  }
}
