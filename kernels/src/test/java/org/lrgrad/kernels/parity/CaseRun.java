package org.lrgrad.kernels.parity;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.lrgrad.data.NpyArray;
import org.lrgrad.data.Npz;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Matrix;

/**
 * One case run on one implementation in one {@link Layout}: copies the stored inputs into kernel arguments and
 * checks the results against the stored outputs with the case's tolerance, |got − want| ≤ abs + rel·|want| for every
 * element (the vectors' README, "Checking").
 */
final class CaseRun {
  final VectorCase vectorCase;
  final Kernels kernels;
  final Layout layout;
  private final Npz arrays;

  CaseRun(VectorCase vectorCase, Kernels kernels, Layout layout) {
    this.vectorCase = vectorCase;
    this.kernels = kernels;
    this.layout = layout;
    this.arrays = vectorCase.arrays();
  }

  private String context() {
    return vectorCase.name + " [" + kernels.name() + ", " + layout + "]";
  }

  /** The stored array {@code name}, which must have {@code rank} dimensions. */
  NpyArray stored(String name, int rank) {
    NpyArray a = arrays.get(name);
    if (a.shape().length != rank) {
      fail(context() + ": array '" + name + "' is " + a + ", expected " + rank + " dimensions");
    }
    return a;
  }

  /** A stored 2-D array as a matrix argument (padded leading dimension in the shifted layout). */
  Matrix matrix(String name) {
    NpyArray a = stored(name, 2);
    return copyOf(a.floats(), a.shape()[0], a.shape()[1], layout.pad);
  }

  /** A stored 2-D array as a contiguous tensor (for element-wise kernels), at the layout's offset. */
  Matrix tensor(String name) {
    NpyArray a = stored(name, 2);
    return copyOf(a.floats(), a.shape()[0], a.shape()[1], 0);
  }

  /** A stored 1-D array as a contiguous vector at the layout's offset. */
  Matrix vector(String name) {
    NpyArray a = stored(name, 1);
    return copyOf(a.floats(), 1, a.shape()[0], 0);
  }

  /** A stored 1-D int32 array, copied at the layout's offset. */
  int[] intVector(String name) {
    int[] values = stored(name, 1).ints();
    int[] out = new int[layout.offset + values.length];
    Arrays.fill(out, Integer.MIN_VALUE);
    System.arraycopy(values, 0, out, layout.offset, values.length);
    return out;
  }

  /** Copies step {@code t} of the stored stack {@code name} (T×rows×cols) into {@code into}'s cells. */
  void copyStep(String name, int t, Matrix into) {
    NpyArray a = stored(name, 3);
    checkStepShape(name, a, into);
    fill(into, a.floats(), t * into.rows * into.cols);
  }

  /** An output matrix whose cells hold NaN, so that a kernel that reads before writing fails the check. */
  Matrix output(int rows, int cols) {
    return Matrix.filled(rows, cols, layout.offset, layout.pad, Float.NaN);
  }

  /** A contiguous state tensor (moments, factors) that starts at 0. */
  Matrix zeros(int rows, int cols) {
    return Matrix.filled(rows, cols, layout.offset, 0, 0f);
  }

  /** A workspace of {@code floats} floats at the layout's offset, holding NaN. */
  float[] workspace(int floats) {
    float[] work = new float[layout.offset + floats];
    Arrays.fill(work, Float.NaN);
    return work;
  }

  private Matrix copyOf(float[] values, int rows, int cols, int pad) {
    Matrix m = Matrix.filled(rows, cols, layout.offset, pad, 0f);
    fill(m, values, 0);
    return m;
  }

  private static void fill(Matrix m, float[] values, int start) {
    for (int i = 0; i < m.rows; i++) {
      for (int j = 0; j < m.cols; j++) {
        m.set(i, j, values[start + i * m.cols + j]);
      }
    }
  }

  private void checkStepShape(String name, NpyArray a, Matrix m) {
    int[] s = a.shape();
    if (s[1] != m.rows || s[2] != m.cols) {
      fail(context() + ": array '" + name + "' is " + a + ", expected steps of " + m.rows + "x" + m.cols);
    }
  }

  /** {@code got} (every cell) against the stored 2-D or 1-D output {@code name}. */
  void check(String name, Matrix got) {
    NpyArray want = arrays.get(name);
    if (want.size() != got.rows * got.cols) {
      fail(context() + ": array '" + name + "' is " + want + ", the result is " + got.rows + "x" + got.cols);
    }
    compare(name, want, 0, got);
  }

  /** {@code got} against step {@code t} of the stored stack {@code name} (T×rows×cols). */
  void checkStep(String name, int t, Matrix got) {
    NpyArray want = stored(name, 3);
    checkStepShape(name, want, got);
    compare(name, want, t * got.rows * got.cols, got);
  }

  /** A scalar result against the stored 0-d output {@code name}. */
  void checkScalar(String name, double got) {
    NpyArray want = stored(name, 0);
    double w = want.toDoubles()[0];
    double bound = vectorCase.abs + vectorCase.rel * Math.abs(w);
    if (!(Math.abs(got - w) <= bound)) {
      fail(context() + ": " + name + " got " + got + ", want " + w + ", |got - want| = " + Math.abs(got - w)
          + " > tolerance " + vectorCase.abs + " + " + vectorCase.rel + "*|want| = " + bound);
    }
  }

  private void compare(String name, NpyArray want, int start, Matrix got) {
    double[] w = want.toDoubles();
    int bad = 0, worstI = -1, worstJ = -1;
    double worst = 0;
    for (int i = 0; i < got.rows; i++) {
      for (int j = 0; j < got.cols; j++) {
        double wij = w[start + i * got.cols + j];
        double excess = Math.abs(got.get(i, j) - wij) / (vectorCase.abs + vectorCase.rel * Math.abs(wij));
        if (Double.isNaN(excess)) {
          excess = Double.POSITIVE_INFINITY;
        }
        if (excess > 1.0) {
          bad++;
          if (excess > worst) {
            worst = excess;
            worstI = i;
            worstJ = j;
          }
        }
      }
    }
    if (bad > 0) {
      double g = got.get(worstI, worstJ), wij = w[start + worstI * got.cols + worstJ];
      double bound = vectorCase.abs + vectorCase.rel * Math.abs(wij);
      fail(context() + ": " + name + index(want.shape(), start + worstI * got.cols + worstJ) + " got " + g
          + ", want " + wij + ", |got - want| = " + Math.abs(g - wij) + " > tolerance " + vectorCase.abs + " + "
          + vectorCase.rel + "*|want| = " + bound + " (the worst of " + bad + " of " + got.rows * got.cols
          + " elements outside the tolerance, " + worst + "x the bound)");
    }
    got.assertCanariesIntact(context() + ": " + name);
  }

  /** A flat row-major index as [i, j, ...] in {@code shape}. */
  private static String index(int[] shape, int flat) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return Arrays.toString(idx);
  }
}
