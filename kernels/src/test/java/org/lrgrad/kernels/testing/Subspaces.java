package org.lrgrad.kernels.testing;

import java.util.Random;
import org.lrgrad.kernels.ProjectionSide;

/**
 * Float64 helpers for tests of orthonormal bases and projectors: known orthonormal bases, matrices with a known SVD,
 * and measurements of a float32 projector (its vectors are the columns of P for {@link ProjectionSide#LEFT}, the
 * rows of Q for {@link ProjectionSide#RIGHT}).
 */
public final class Subspaces {
  private Subspaces() {}

  /** {@code count} orthonormal vectors of length {@code len} (count ≤ len): Gaussians, Gram–Schmidt twice. */
  public static double[][] randomOrthonormal(Random rnd, int len, int count) {
    double[][] q = new double[count][len];
    for (int t = 0; t < count; t++) {
      for (int i = 0; i < len; i++) {
        q[t][i] = rnd.nextGaussian();
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int s = 0; s < t; s++) {
          double d = dot(q[s], q[t]);
          for (int i = 0; i < len; i++) {
            q[t][i] -= d * q[s][i];
          }
        }
      }
      double norm = Math.sqrt(dot(q[t], q[t]));
      for (int i = 0; i < len; i++) {
        q[t][i] /= norm;
      }
    }
    return q;
  }

  /** G = Σ_t s[t]·u[t]·v[t]ᵀ (m×n) summed in float64, rounded once to float32, stored with an offset and padding. */
  public static Matrix withSvd(double[][] u, double[] s, double[][] v, int off, int pad) {
    int m = u[0].length, n = v[0].length;
    Matrix g = Matrix.filled(m, n, off, pad, 0f);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int t = 0; t < s.length; t++) {
          sum += u[t][i] * s[t] * v[t][j];
        }
        g.set(i, j, (float) sum);
      }
    }
    return g;
  }

  public static double dot(double[] x, double[] y) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += x[i] * y[i];
    }
    return sum;
  }

  /** Vector t of a projector: column t of P (LEFT) or row t of Q (RIGHT). */
  public static double[] vector(ProjectionSide side, Matrix proj, int t) {
    boolean left = side == ProjectionSide.LEFT;
    double[] v = new double[left ? proj.rows : proj.cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = left ? proj.get(i, t) : proj.get(t, i);
    }
    return v;
  }

  /** The projector's number of vectors: r. */
  public static int count(ProjectionSide side, Matrix proj) {
    return side == ProjectionSide.LEFT ? proj.cols : proj.rows;
  }

  /** max |VᵀV − I| over the projector's vectors V (PᵀP for LEFT, Q·Qᵀ for RIGHT), in float64. */
  public static double orthonormalityError(ProjectionSide side, Matrix proj) {
    int r = count(side, proj);
    double[][] vs = new double[r][];
    for (int t = 0; t < r; t++) {
      vs[t] = vector(side, proj, t);
    }
    double worst = 0;
    for (int s = 0; s < r; s++) {
      for (int t = s; t < r; t++) {
        worst = Math.max(worst, Math.abs(dot(vs[s], vs[t]) - (s == t ? 1 : 0)));
      }
    }
    return worst;
  }

  /** ‖P·Pᵀ − B·Bᵀ‖_F for orthonormal P (the projector's vectors) and orthonormal b[0..r): the distance of the spans. */
  public static double subspaceDistance(ProjectionSide side, Matrix proj, double[][] b) {
    int r = count(side, proj);
    int len = b[0].length;
    double[][] p = new double[r][];
    for (int t = 0; t < r; t++) {
      p[t] = vector(side, proj, t);
    }
    // ‖PPᵀ − BBᵀ‖_F² = r + r − 2‖PᵀB‖_F² for orthonormal P, B; computed directly to stay exact when P is not.
    double sum = 0;
    for (int i = 0; i < len; i++) {
      for (int j = 0; j < len; j++) {
        double d = 0;
        for (int t = 0; t < r; t++) {
          d += p[t][i] * p[t][j] - b[t][i] * b[t][j];
        }
        sum += d * d;
      }
    }
    return Math.sqrt(sum);
  }

  /** Index of the entry of largest magnitude (the first one on a tie). */
  public static int argMaxAbs(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (Math.abs(v[i]) > Math.abs(v[best])) {
        best = i;
      }
    }
    return best;
  }
}
