package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.SteadyState;

/**
 * Every entry point of the contract, called with valid arguments after warm-up, allocates nothing on the Java heap:
 * the checks, the kernels and the linear algebra together (a training step on a phone must make no garbage).
 * Measured with the thread's allocated-bytes counter, in windows of 20 calls repeated until the JIT has compiled the
 * call (see {@link SteadyState}); shapes stay small and single-threaded.
 */
class NoAllocationTest {

  private static float[] random(Random rnd, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = rnd.nextFloat() * 2f - 1f;
    }
    return a;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.lrgrad.kernels.testing.Implementations#all")
  void validCallsAllocateNothingInSteadyState(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(5);
    int m = 24, n = 20, r = 4, batch = 6;
    float[] a = random(rnd, m * n), b = random(rnd, m * n), c = random(rnd, m * m);
    float[] g = random(rnd, m * n), p = random(rnd, m * n), mom = new float[m * n], vel = new float[m * n];
    float[] x = random(rnd, batch * n), dy = random(rnd, batch * m), proj = random(rnd, m * r);
    float[] q = random(rnd, r * n), low = new float[Math.max(r * n, m * r)], work = new float[1 << 14];
    float[] fa = random(rnd, r * n), fb = random(rnd, m * r), ga = new float[r * n], gb = new float[m * r];
    float[] row = new float[m], col = new float[n], bias = random(rnd, n), logits = random(rnd, batch * n);
    int[] labels = {0, 3, 5, 7, 1, 2};
    Map<String, Runnable> calls = new LinkedHashMap<>();
    calls.put("sgemm", () -> k.sgemm(false, true, m, m, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, m));
    // A weight gradient dYᵀ·x, whose transposed A (dY) ends where its array ends; a batch through a layer, x·Wᵀ (the
    // vector kernels run it as its transpose, with gathers at 8 and 16 lanes); a shallow dY·B with B as stored.
    calls.put("sgemm TN", () -> k.sgemm(true, false, m, n, batch, 1f, dy, 0, m, x, 0, n, 0f, g, 0, n));
    calls.put("sgemm NT batch", () -> k.sgemm(false, true, batch, m, n, 1f, x, 0, n, a, 0, n, 1f, c, 0, m));
    calls.put("sgemm NN shallow", () -> k.sgemm(false, false, batch, n, r, 1f, dy, 0, r, q, 0, n, 1f, x, 0, n));
    calls.put("project", () -> LowRankOps.project(k, ProjectionSide.LEFT, m, n, r, proj, 0, r, g, 0, n, low, 0, n));
    calls.put("projectBackAccumulate", () -> LowRankOps.projectBackAccumulate(k, ProjectionSide.RIGHT, m, n, r, -0.01f,
        q, 0, n, low, 0, r, p, 0, n));
    calls.put("projectLinearGradient", () -> LowRankOps.projectLinearGradient(k, ProjectionSide.LEFT, batch, m, n, r, x,
        0, n, dy, 0, m, proj, 0, r, low, 0, n, work, 0));
    calls.put("loraGradients", () -> LowRankOps.loraGradients(k, batch, m, n, r, 2f, x, 0, n, dy, 0, m, fa, 0, n, fb, 0,
        r, ga, 0, n, gb, 0, r, work, 0));
    calls.put("sgdStep", () -> k.sgdStep(m * n, 0.01f, 0.1f, p, 0, g, 0));
    calls.put("momentumStep", () -> k.momentumStep(m * n, 2, 0.01f, 0.9f, 0f, true, 0f, p, 0, g, 0, mom, 0));
    calls.put("adamStep", () -> k.adamStep(m * n, 3, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true,
        AdamConvention.TORCH, p, 0, g, 0, mom, 0, vel, 0));
    calls.put("adamDirection", () -> k.adamDirection(r * n, 3, 0.9f, 0.999f, 1e-6f, AdamConvention.GALORE, low, 0,
        mom, 0, vel, 0, low, 0));
    calls.put("adafactorStep", () -> k.adafactorStep(m, n, 0.01f, true, 1e-30f, 1e-3f, 0.5f, 1f, 0.9f, 0f, p, 0,
        g, 0, row, 0, col, 0, mom, 0));
    calls.put("biasAdd", () -> k.biasAdd(batch, n, bias, 0, logits, 0, n));
    calls.put("biasGradient", () -> k.biasGradient(batch, n, logits, 0, n, bias, 0));
    calls.put("relu", () -> k.relu(batch * n, logits, 0, x, 0));
    calls.put("reluBackward", () -> k.reluBackward(batch * n, logits, 0, x, 0, x, 0));
    calls.put("allFinite", () -> k.allFinite(m * n, g, 0));
    calls.put("softmaxCrossEntropy", () -> k.softmaxCrossEntropy(batch, n, logits, 0, n, labels, 0, dy, 0, n));
    calls.put("orthonormalize", () -> LowRankOps.orthonormalize(k, m, r, proj, 0, r, work, 0));
    calls.put("orthonormalizeRows", () -> LowRankOps.orthonormalizeRows(k, r, n, q, 0, n, work, 0));
    calls.put("topSubspaceExact", () -> LowRankOps.topSubspaceExact(k, ProjectionSide.RIGHT, m, n, r, g, 0, n, q, 0, n,
        work, 0));
    calls.put("topSubspaceRandomized", () -> LowRankOps.topSubspaceRandomized(k, ProjectionSide.LEFT, m, n, r, 2, 1,
        42L, g, 0, n, proj, 0, r, work, 0));
    assertTrue(LowRankOps.topSubspaceExactWorkspace(ProjectionSide.RIGHT, m, n, r) <= work.length,
        "workspace large enough");
    for (int i = 0; i < 2000; i++) {
      for (Runnable call : calls.values()) {
        call.run(); // warm-up: every call together, and any lazily created per-thread buffers
      }
    }
    StringBuilder allocating = new StringBuilder();
    for (Map.Entry<String, Runnable> call : calls.entrySet()) {
      Runnable twentyCalls = () -> {
        for (int i = 0; i < 20; i++) {
          call.getValue().run();
        }
      };
      long allocated = SteadyState.leastBytesAllocated(twentyCalls);
      if (allocated != 0) {
        allocating.append(' ').append(call.getKey()).append('=').append(allocated);
      }
    }
    assertEquals("", allocating.toString(), k + ": bytes allocated by 20 calls of each contract entry point");
  }
}
