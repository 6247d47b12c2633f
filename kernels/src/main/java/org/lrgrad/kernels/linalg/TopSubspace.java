package org.lrgrad.kernels.linalg;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.ProjectionSide;

/** Top-r singular subspaces: exact (one-sided Jacobi SVD) and randomized (range finder + power iterations). */
public final class TopSubspace {
  private TopSubspace() {}

  public static int exactWorkspace(ProjectionSide side, int m, int n, int r) {
    throw new UnsupportedOperationException("TODO");
  }

  public static int randomizedWorkspace(ProjectionSide side, int m, int n, int r, int oversample) {
    throw new UnsupportedOperationException("TODO");
  }

  public static void exact(Kernels kernels, ProjectionSide side, int m, int n, int r, float[] g, int gOff, int ldg,
      float[] out, int outOff, int ldout, float[] work, int workOff) {
    throw new UnsupportedOperationException("TODO");
  }

  public static void randomized(Kernels kernels, ProjectionSide side, int m, int n, int r, int oversample,
      int powerIterations, long seed, float[] g, int gOff, int ldg, float[] out, int outOff, int ldout,
      float[] work, int workOff) {
    throw new UnsupportedOperationException("TODO");
  }
}
