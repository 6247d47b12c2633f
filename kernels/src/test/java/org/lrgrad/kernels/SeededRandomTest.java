package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeededRandomTest {

  @Test
  void sameSeedSameSequenceAndStateResumes() {
    SeededRandom a = new SeededRandom(123), b = new SeededRandom(123);
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
    long saved = a.state();
    double next = a.nextGaussian();
    SeededRandom resumed = new SeededRandom(0);
    resumed.setState(saved);
    assertEquals(next, resumed.nextGaussian(), 0.0, "a restored state continues the same sequence");
  }

  @Test
  void staticFillDrawsWhatTheInstanceDraws() {
    float[] viaInstance = new float[1001], viaStatic = new float[1001];
    SeededRandom r = new SeededRandom(77);
    r.fillGaussian(viaInstance, 1, 1000, 0.5f);
    long end = SeededRandom.fillGaussian(77, viaStatic, 1, 1000, 0.5f);
    assertArrayEquals(viaInstance, viaStatic);
    assertEquals(r.state(), end, "both end in the same state");
  }

  @Test
  void gaussiansHaveTheRightMoments() {
    SeededRandom r = new SeededRandom(9);
    int n = 200_000;
    double sum = 0, squares = 0, fourth = 0;
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian();
      sum += g;
      squares += g * g;
      fourth += g * g * g * g;
    }
    double mean = sum / n, variance = squares / n - mean * mean;
    // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, fourth moment √(96/n) ≈ 0.022.
    assertEquals(0.0, mean, 0.01, "mean");
    assertEquals(1.0, variance, 0.016, "variance");
    assertEquals(3.0, fourth / n, 0.11, "fourth moment (normal: 3)");
  }

  @Test
  void nextIntIsInRangeAndCoversIt() {
    SeededRandom r = new SeededRandom(5);
    int[] counts = new int[7];
    for (int i = 0; i < 70_000; i++) {
      counts[r.nextInt(7)]++;
    }
    for (int c : counts) {
      assertTrue(Math.abs(c - 10_000) < 500, "count " + c + " of 10000 expected");
    }
    assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
  }
}
