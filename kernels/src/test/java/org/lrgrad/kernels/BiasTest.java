package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;
import org.lrgrad.kernels.testing.Tolerance;

/** biasAdd and biasGradient on every implementation, rows × columns across vector-lane tails, padded rows. */
class BiasTest {
  private static final int[] ROWS = {1, 2, 3, 7, 8, 9, 17, 33, 65, 257};

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void biasAddIsOneRoundedAdditionPerElement(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(80);
    for (int rows : ROWS) {
      for (int cols : Sizes.ELEMENTWISE) {
        Matrix bias = Matrix.vector(rnd, cols, rnd.nextInt(8), -1f, 1f);
        Matrix y = Matrix.random(rnd, rows, cols, rnd.nextInt(8), rnd.nextInt(5));
        Matrix biasBefore = bias.copy();
        double[] want = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            want[i * cols + j] = (double) y.get(i, j) + bias.get(0, j);
          }
        }
        kernels.biasAdd(rows, cols, bias.data, bias.off, y.data, y.off, y.ld);
        String context = kernels + " biasAdd " + rows + "x" + cols + " biasOff=" + bias.off + " yOff=" + y.off
            + " ldy=" + y.ld;
        // One float addition, correctly rounded: within half an ulp of the exact sum.
        Tolerance.assertClose(context + " Y", y, want, Tolerance.U, 0);
        y.assertCanariesIntact(context + " Y");
        bias.assertUnchanged(context + " bias", biasBefore);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void biasGradientIsTheColumnSums(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(81);
    for (int rows : ROWS) {
      for (int cols : Sizes.ELEMENTWISE) {
        Matrix dy = Matrix.random(rnd, rows, cols, rnd.nextInt(8), rnd.nextInt(5));
        // db is overwritten, not accumulated into: NaN in it must not leak.
        Matrix db = Matrix.filled(1, cols, rnd.nextInt(8), 0, Float.NaN);
        Matrix dyBefore = dy.copy();
        double[] want = new double[cols], bound = new double[cols];
        for (int j = 0; j < cols; j++) {
          double sum = 0, abs = 0;
          for (int i = 0; i < rows; i++) {
            sum += dy.get(i, j);
            abs += Math.abs(dy.get(i, j));
          }
          want[j] = sum;
          bound[j] = Tolerance.forDot(rows, abs);
        }
        kernels.biasGradient(rows, cols, dy.data, dy.off, dy.ld, db.data, db.off);
        String context = kernels + " biasGradient " + rows + "x" + cols + " dyOff=" + dy.off + " lddy=" + dy.ld
            + " dbOff=" + db.off;
        Tolerance.assertClose(context + " db", db, want, bound);
        db.assertCanariesIntact(context + " db");
        dy.assertUnchanged(context + " dY", dyBefore);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void emptyShapes(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(82);
    Matrix y = Matrix.random(rnd, 3, 5, 1, 1);
    Matrix yBefore = y.copy();
    float[] bias = BadInput.array(rnd, 5);
    kernels.biasAdd(0, 5, bias, 0, y.data, y.off, y.ld);
    kernels.biasAdd(3, 0, bias, 5, y.data, y.off, 1);
    y.assertUnchanged("biasAdd with rows=0 or cols=0", yBefore);
    // No rows: the column sums are empty sums, so db is zero (written, not left as it was).
    float[] db = {7f, 7f, 7f, 7f};
    kernels.biasGradient(0, 3, new float[0], 0, 3, db, 1);
    assertEquals(7f, db[0], "before dbOff");
    for (int j = 1; j < 4; j++) {
      assertEquals(0f, db[j], "rows=0: db[" + j + "]");
    }
    // Wider than ffm's pieces of 2^16 floats, with an empty dY: no piece may look past dY's end.
    float[] wide = new float[70001];
    java.util.Arrays.fill(wide, 7f);
    kernels.biasGradient(0, 70000, new float[0], 0, 70000, wide, 1);
    assertEquals(7f, wide[0], "before dbOff");
    for (int j = 1; j < wide.length; j++) {
      assertEquals(0f, wide[j], "rows=0, cols=70000: db[" + j + "]");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void biasAddRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(83);
    // rows = 4, cols = 6: Y 24 floats.
    float[] bias = BadInput.array(rnd, 6), y = BadInput.array(rnd, 24), s = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(bias, y, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.biasAdd(-1, 6, bias, 0, y, 0, 6), "rows=-1", ">= 0");
    bad.rejects(iae, () -> k.biasAdd(4, -6, bias, 0, y, 0, 6), "cols=-6", ">= 0");
    bad.rejects(iae, () -> k.biasAdd(4, 6, null, 0, y, 0, 6), "bias must not be null");
    bad.rejects(iae, () -> k.biasAdd(4, 6, bias, 0, null, 0, 6), "y must not be null");
    bad.rejects(iae, () -> k.biasAdd(4, 6, bias, 0, y, 0, 5), "ldy=5 < 6");
    bad.rejects(iae, () -> k.biasAdd(4, 0, bias, 0, y, 0, 0), "ldy=0 < 1");
    bad.rejects(oob, () -> k.biasAdd(4, 6, bias, -1, y, 0, 6), "biasOff=-1");
    bad.rejects(oob, () -> k.biasAdd(4, 6, bias, 0, y, -1, 6), "yOff=-1");
    bad.rejects(oob, () -> k.biasAdd(4, 6, bias, 1, y, 0, 6), "bias.length >= 7", "bias.length=6");
    bad.rejects(oob, () -> k.biasAdd(4, 6, bias, 0, y, 0, 7), "y.length >= 27", "y.length=24");
    bad.rejects(oob, () -> k.biasAdd(4, 6, bias, 0, y, 1, 6), "y.length >= 25", "y.length=24");
    bad.rejects(iae, () -> k.biasAdd(4, 6, s, 20, s, 0, 6), "y [0, 24) overlaps bias [20, 26)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void biasGradientRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(84);
    float[] dy = BadInput.array(rnd, 24), db = BadInput.array(rnd, 6), s = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(dy, db, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.biasGradient(-4, 6, dy, 0, 6, db, 0), "rows=-4", ">= 0");
    bad.rejects(iae, () -> k.biasGradient(4, -1, dy, 0, 6, db, 0), "cols=-1", ">= 0");
    bad.rejects(iae, () -> k.biasGradient(4, 6, null, 0, 6, db, 0), "dy must not be null");
    bad.rejects(iae, () -> k.biasGradient(4, 6, dy, 0, 6, null, 0), "db must not be null");
    bad.rejects(iae, () -> k.biasGradient(4, 6, dy, 0, 4, db, 0), "lddy=4 < 6");
    bad.rejects(oob, () -> k.biasGradient(4, 6, dy, -1, 6, db, 0), "dyOff=-1");
    bad.rejects(oob, () -> k.biasGradient(4, 6, dy, 0, 6, db, -1), "dbOff=-1");
    bad.rejects(oob, () -> k.biasGradient(4, 6, dy, 2, 6, db, 0), "dy.length >= 26", "dy.length=24");
    bad.rejects(oob, () -> k.biasGradient(4, 6, dy, 0, 6, db, 3), "db.length >= 9", "db.length=6");
    bad.rejects(iae, () -> k.biasGradient(4, 6, s, 10, 6, s, 30), "db [30, 36) overlaps dy [10, 34)");
  }
}
