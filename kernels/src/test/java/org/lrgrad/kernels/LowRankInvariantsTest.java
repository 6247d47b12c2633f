package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Subspaces;
import org.lrgrad.kernels.testing.Tolerance;

/**
 * docs/method.md §4 invariants 3, 5 and 7 as seeded property tests over many random shapes, on every implementation:
 * projectors are orthonormal; flipping projector signs leaves a GaLore-Adam update unchanged; a low-rank step is
 * never an ascent direction.
 */
class LowRankInvariantsTest {
  private static final String ALL = "org.lrgrad.kernels.testing.Implementations#all";
  private static final int SHAPES = 40;
  private static final int MAX_DIM = 48;

  /** The ways the library makes a projector. */
  enum Maker {
    /** LRG's: Gaussian, then orthonormalize (left side only: P is m×r). */
    ORTHONORMALIZED_GAUSSIAN,
    EXACT,
    RANDOMIZED
  }

  /** A random shape {m, n, r} with 1 ≤ r ≤ min(m, n). */
  private static int[] randomShape(Random rnd) {
    int m = 1 + rnd.nextInt(MAX_DIM), n = 1 + rnd.nextInt(MAX_DIM);
    return new int[] {m, n, 1 + rnd.nextInt(Math.min(m, n))};
  }

  /** A gradient-like G: uniform entries, sometimes of low rank or with zero rows, so rank deficiency is covered. */
  private static Matrix randomGradient(Random rnd, int m, int n) {
    Matrix g = Matrix.random(rnd, m, n, rnd.nextInt(4), rnd.nextInt(3));
    int kind = rnd.nextInt(4);
    if (kind == 1) {
      // rank one
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          g.set(i, j, g.get(i, 0) * g.get(0, j));
        }
      }
    } else if (kind == 2) {
      for (int i = 0; i < m; i += 2) {
        for (int j = 0; j < n; j++) {
          g.set(i, j, 0f);
        }
      }
    }
    return g;
  }

  /** A projector for G made by {@code maker}, in a fresh padded matrix. */
  private static Matrix makeProjector(Kernels kernels, Maker maker, ProjectionSide side, int m, int n, int r,
      Matrix g, Random rnd) {
    Matrix proj = Matrix.filled(side.projectorRows(m, n, r), side.projectorCols(m, n, r), rnd.nextInt(3),
        rnd.nextInt(3), 0f);
    switch (maker) {
      case ORTHONORMALIZED_GAUSSIAN: {
        SeededRandom seeded = new SeededRandom(rnd.nextLong());
        for (int i = 0; i < m; i++) {
          seeded.fillGaussian(proj.data, proj.off + i * proj.ld, r, 1f);
        }
        float[] work = new float[LowRankOps.orthonormalizeWorkspace(m, r)];
        LowRankOps.orthonormalize(kernels, m, r, proj.data, proj.off, proj.ld, work, 0);
        break;
      }
      case EXACT: {
        float[] work = new float[LowRankOps.topSubspaceExactWorkspace(side, m, n, r)];
        LowRankOps.topSubspaceExact(kernels, side, m, n, r, g.data, g.off, g.ld, proj.data, proj.off, proj.ld, work, 0);
        break;
      }
      default: {
        int oversample = rnd.nextInt(6), powerIterations = rnd.nextInt(3);
        float[] work = new float[LowRankOps.topSubspaceRandomizedWorkspace(side, m, n, r, oversample)];
        LowRankOps.topSubspaceRandomized(kernels, side, m, n, r, oversample, powerIterations, rnd.nextLong(), g.data,
            g.off, g.ld, proj.data, proj.off, proj.ld, work, 0);
      }
    }
    return proj;
  }

  private static ProjectionSide sideFor(Maker maker, Random rnd) {
    return maker == Maker.ORTHONORMALIZED_GAUSSIAN ? ProjectionSide.LEFT
        : ProjectionSide.values()[rnd.nextInt(2)];
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void invariant3EveryProjectorIsOrthonormal(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(40);
    for (int c = 0; c < SHAPES; c++) {
      int[] s = randomShape(rnd);
      int m = s[0], n = s[1], r = s[2];
      Matrix g = randomGradient(rnd, m, n);
      for (Maker maker : Maker.values()) {
        ProjectionSide side = sideFor(maker, rnd);
        Matrix proj = makeProjector(kernels, maker, side, m, n, r, g, rnd);
        int len = side == ProjectionSide.LEFT ? m : n;
        double err = Subspaces.orthonormalityError(side, proj);
        double bound = 8 * (len + 2) * Tolerance.U;
        assertTrue(err <= bound, kernels + " " + maker + " " + side + " " + m + "x" + n + " r=" + r
            + ": max |PᵀP − I| = " + err + " > " + bound);
      }
    }
  }

  /**
   * Three GaLore-Adam steps (project, Adam direction with GaLore's ε placement, project back) on W with a fixed
   * projector; returns W after them.
   */
  private static float[] galoreAdam(Kernels kernels, ProjectionSide side, int m, int n, int r, Matrix proj,
      Matrix[] grads, float[] w0) {
    int rows = side.lowRankRows(m, n, r), cols = side.lowRankCols(m, n, r), len = rows * cols;
    float[] w = w0.clone(), low = new float[len], mom = new float[len], vel = new float[len];
    float lr = 0.01f, scale = 0.25f;
    for (int step = 1; step <= grads.length; step++) {
      Matrix g = grads[step - 1];
      LowRankOps.project(kernels, side, m, n, r, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, low, 0, cols);
      kernels.adamDirection(len, step, 0.9f, 0.999f, 1e-6f, AdamConvention.GALORE, low, 0, mom, 0, vel, 0, low, 0);
      LowRankOps.projectBackAccumulate(kernels, side, m, n, r, -lr * scale, proj.data, proj.off, proj.ld, low, 0, cols,
          w, 0, n);
    }
    return w;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void invariant5FlippingProjectorSignsLeavesGaloreAdamUpdatesUnchanged(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(50);
    for (int c = 0; c < SHAPES; c++) {
      int[] s = randomShape(rnd);
      int m = s[0], n = s[1], r = s[2], k = Math.min(m, n);
      // Distinct singular values, so the projector is determined up to the signs of its vectors.
      double[] sv = new double[k];
      for (int t = 0; t < k; t++) {
        sv[t] = 1 - 0.9 * t / k;
      }
      Matrix[] grads = new Matrix[3];
      for (int t = 0; t < grads.length; t++) {
        grads[t] = Subspaces.withSvd(Subspaces.randomOrthonormal(rnd, m, k), sv,
            Subspaces.randomOrthonormal(rnd, n, k), rnd.nextInt(3), rnd.nextInt(3));
      }
      float[] w0 = new float[m * n];
      for (int i = 0; i < w0.length; i++) {
        w0[i] = rnd.nextFloat() - 0.5f;
      }
      Maker maker = rnd.nextBoolean() ? Maker.EXACT : Maker.RANDOMIZED;
      ProjectionSide side = ProjectionSide.galoreDefault(m, n);
      Matrix proj = makeProjector(kernels, maker, side, m, n, r, grads[0], rnd);
      Matrix flipped = proj.copy();
      boolean anyFlipped = false;
      for (int t = 0; t < r; t++) {
        if (rnd.nextBoolean() || (t == r - 1 && !anyFlipped)) {
          anyFlipped = true;
          for (int i = 0; i < (side == ProjectionSide.LEFT ? m : n); i++) {
            if (side == ProjectionSide.LEFT) {
              flipped.set(i, t, -flipped.get(i, t));
            } else {
              flipped.set(t, i, -flipped.get(t, i));
            }
          }
        }
      }
      float[] w = galoreAdam(kernels, side, m, n, r, proj, grads, w0);
      float[] wFlipped = galoreAdam(kernels, side, m, n, r, flipped, grads, w0);
      double largest = 0;
      for (int i = 0; i < w.length; i++) {
        largest = Math.max(largest, Math.abs(w[i] - w0[i]));
      }
      String context = kernels + " " + maker + " " + side + " " + m + "x" + n + " r=" + r;
      assertTrue(largest > 0, context + ": the update is zero, so the comparison would prove nothing");
      // Negation is exact in floating point, so the only allowance is for an implementation that sums in a
      // sign-dependent order; the update itself is of order lr·scale·3.
      double bound = 1e-6 * largest;
      for (int i = 0; i < w.length; i++) {
        double diff = Math.abs((w[i] - w0[i]) - (wFlipped[i] - w0[i]));
        if (!(diff <= bound)) {
          fail(context + ": update at " + i + " is " + (w[i] - w0[i]) + " with the projector, "
              + (wFlipped[i] - w0[i]) + " with some of its vectors negated (|diff| = " + diff + " > " + bound + ")");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(ALL)
  void invariant7LowRankStepIsNeverAnAscentDirection(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(70);
    for (int c = 0; c < SHAPES; c++) {
      int[] s = randomShape(rnd);
      int m = s[0], n = s[1], r = s[2];
      Matrix g = randomGradient(rnd, m, n);
      for (Maker maker : Maker.values()) {
        ProjectionSide side = sideFor(maker, rnd);
        // The projector may come from another gradient: the invariant holds for any orthonormal P.
        Matrix source = rnd.nextBoolean() ? g : randomGradient(rnd, m, n);
        Matrix proj = makeProjector(kernels, maker, side, m, n, r, source, rnd);
        int rows = side.lowRankRows(m, n, r), cols = side.lowRankCols(m, n, r);
        float[] low = new float[rows * cols];
        LowRankOps.project(kernels, side, m, n, r, proj.data, proj.off, proj.ld, g.data, g.off, g.ld, low, 0, cols);
        float[] full = new float[m * n];
        LowRankOps.projectBackAccumulate(kernels, side, m, n, r, 1f, proj.data, proj.off, proj.ld, low, 0, cols, full,
            0, n);
        double inner = 0, normG2 = 0, normLow2 = 0;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            inner += (double) g.get(i, j) * full[i * n + j];
            normG2 += (double) g.get(i, j) * g.get(i, j);
          }
        }
        for (float x : low) {
          normLow2 += (double) x * x;
        }
        double bound = 4 * (m + n + r + 2) * Tolerance.U * normG2 + Double.MIN_NORMAL;
        String context = kernels + " " + maker + " " + side + " " + m + "x" + n + " r=" + r;
        assertTrue(Math.abs(inner - normLow2) <= bound,
            context + ": ⟨G, PPᵀG⟩ = " + inner + " but ‖PᵀG‖² = " + normLow2 + " (bound " + bound + ")");
        assertTrue(inner >= -bound, context + ": ⟨G, PPᵀG⟩ = " + inner + " < 0: an ascent direction");
        assertTrue(inner <= normG2 + bound, context + ": ⟨G, PPᵀG⟩ = " + inner + " > ‖G‖² = " + normG2
            + ": P is not an orthogonal projection");
      }
    }
  }
}
