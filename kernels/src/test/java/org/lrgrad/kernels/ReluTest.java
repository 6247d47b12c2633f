package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.BadInput;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.kernels.testing.Matrix;
import org.lrgrad.kernels.testing.Sizes;

/**
 * relu and reluBackward on every implementation: exact results (no arithmetic but a comparison), zeros of both
 * signs, infinities, the smallest subnormals, NaN (kept, as PyTorch), across vector-lane tails, in place and out of
 * place.
 */
class ReluTest {
  /** Values where a comparison or a mask can go wrong: both zeros, subnormals, infinities, extremes. */
  private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN};

  /** torch.relu: NaN stays NaN (a comparison x > 0 would map it to 0 and hide a poisoned activation). */
  private static float relu(float x) {
    return Float.isNaN(x) ? x : x > 0f ? x : 0f;
  }

  /** PyTorch's threshold_backward: dy unless x <= 0, so a NaN x passes dy on. */
  private static float reluGradient(float x, float dy) {
    return Float.isNaN(x) || x > 0f ? dy : 0f;
  }

  /** Uniform values in [-1, 1), with special values at about one position in four. */
  private static Matrix input(Random rnd, int len) {
    Matrix x = Matrix.vector(rnd, len, rnd.nextInt(8), -1f, 1f);
    for (int j = 0; j < len; j++) {
      if (rnd.nextInt(4) == 0) {
        x.set(0, j, SPECIAL[rnd.nextInt(SPECIAL.length)]);
      }
    }
    return x;
  }

  /** Equal as values (NaN equals NaN); the sign of a zero result is not part of the contract. */
  private static void assertSame(String what, float want, float got) {
    boolean zeros = want == 0f && got == 0f;
    if (!zeros && Float.floatToIntBits(want) != Float.floatToIntBits(got)) {
      fail(what + ": got " + got + ", want " + want);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void reluIsMaxWithZero(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(90);
    for (int len : Sizes.ELEMENTWISE) {
      for (boolean inPlace : new boolean[] {false, true}) {
        Matrix x = input(rnd, len);
        Matrix xBefore = x.copy();
        Matrix y = inPlace ? x : Matrix.vector(rnd, len, rnd.nextInt(8), -9f, 9f);
        kernels.relu(len, x.data, x.off, y.data, y.off);
        String context = kernels + " relu len=" + len + (inPlace ? " in place" : "") + " xOff=" + x.off + " yOff="
            + y.off;
        for (int j = 0; j < len; j++) {
          float xj = xBefore.get(0, j);
          assertSame(context + " y[" + j + "] for x=" + xj, relu(xj), y.get(0, j));
        }
        y.assertCanariesIntact(context + " y");
        if (!inPlace) {
          x.assertUnchanged(context + " x", xBefore);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void reluBackwardPassesTheGradientWhereXIsPositiveOnly(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Random rnd = new Random(91);
    for (int len : Sizes.ELEMENTWISE) {
      for (boolean inPlace : new boolean[] {false, true}) {
        Matrix x = input(rnd, len);
        // Where x <= 0 the result is 0 even for dy = ±∞ or NaN: a mask multiplied in would give NaN there.
        Matrix dy = input(rnd, len);
        for (int j = 0; j < len; j++) {
          if (rnd.nextInt(8) == 0) {
            dy.set(0, j, Float.NaN);
          }
        }
        Matrix xBefore = x.copy(), dyBefore = dy.copy();
        Matrix dx = inPlace ? dy : Matrix.vector(rnd, len, rnd.nextInt(8), -9f, 9f);
        kernels.reluBackward(len, x.data, x.off, dy.data, dy.off, dx.data, dx.off);
        String context = kernels + " reluBackward len=" + len + (inPlace ? " dx = dy" : "") + " xOff=" + x.off
            + " dyOff=" + dy.off + " dxOff=" + dx.off;
        for (int j = 0; j < len; j++) {
          float xj = xBefore.get(0, j), dyj = dyBefore.get(0, j);
          assertSame(context + " dx[" + j + "] for x=" + xj + ", dy=" + dyj, reluGradient(xj, dyj), dx.get(0, j));
        }
        dx.assertCanariesIntact(context + " dx");
        x.assertUnchanged(context + " x", xBefore);
        if (!inPlace) {
          dy.assertUnchanged(context + " dy", dyBefore);
        }
      }
    }
  }

  /** NaN in every lane position and in the tail, for every length: relu keeps it, its gradient passes dy. */
  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void nanGoesThroughAsInPyTorch(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    for (int len = 1; len <= 19; len++) {
      for (int at = 0; at < len; at++) {
        float[] x = new float[len];
        float[] dy = new float[len];
        for (int j = 0; j < len; j++) {
          x[j] = j == at ? Float.NaN : -1f;
          dy[j] = 2f + j;
        }
        float[] y = new float[len];
        float[] dx = new float[len];
        kernels.relu(len, x, 0, y, 0);
        kernels.reluBackward(len, x, 0, dy, 0, dx, 0);
        for (int j = 0; j < len; j++) {
          String context = kernels + " len=" + len + " NaN at " + at + ", index " + j;
          assertSame(context + " relu", j == at ? Float.NaN : 0f, y[j]);
          assertSame(context + " reluBackward", j == at ? dy[j] : 0f, dx[j]);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void gradientAtExactlyZeroIsZero(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    float[] x = {0f, -0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE};
    float[] dy = {3f, -2f, Float.POSITIVE_INFINITY, 5f, 7f};
    float[] dx = new float[5];
    kernels.reluBackward(5, x, 0, dy, 0, dx, 0);
    float[] want = {0f, 0f, 0f, 5f, 0f};
    for (int j = 0; j < 5; j++) {
      assertSame("reluBackward at x=" + x[j], want[j], dx[j]);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void zeroLengthWritesNothing(Candidate candidate) {
    Kernels kernels = Implementations.require(candidate);
    Matrix y = Matrix.vector(new Random(92), 4, 1, -1f, 1f);
    Matrix before = y.copy();
    kernels.relu(0, new float[0], 0, y.data, y.data.length);
    kernels.reluBackward(0, new float[0], 0, new float[0], 0, y.data, y.data.length);
    y.assertUnchanged("len=0", before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void reluRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(93);
    float[] x = BadInput.array(rnd, 16), y = BadInput.array(rnd, 16), s = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(x, y, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.relu(-1, x, 0, y, 0), "len=-1", ">= 0");
    bad.rejects(iae, () -> k.relu(16, null, 0, y, 0), "x must not be null");
    bad.rejects(iae, () -> k.relu(16, x, 0, null, 0), "y must not be null");
    bad.rejects(oob, () -> k.relu(16, x, -1, y, 0), "xOff=-1");
    bad.rejects(oob, () -> k.relu(16, x, 0, y, -1), "yOff=-1");
    bad.rejects(oob, () -> k.relu(16, x, 1, y, 0), "x.length >= 17", "x.length=16");
    bad.rejects(oob, () -> k.relu(10, x, 0, y, 7), "y.length >= 17", "y.length=16");
    bad.rejects(iae, () -> k.relu(16, s, 0, s, 1), "y [1, 17) overlaps x [0, 16)", "only exact aliasing");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource(Implementations.ALL)
  void reluBackwardRejectsBadArgumentsBeforeAnyWrite(Candidate candidate) {
    Kernels k = Implementations.require(candidate);
    Random rnd = new Random(94);
    float[] x = BadInput.array(rnd, 16), dy = BadInput.array(rnd, 16), dx = BadInput.array(rnd, 16);
    float[] s = BadInput.array(rnd, 40);
    BadInput bad = BadInput.watching(x, dy, dx, s);
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    Class<IndexOutOfBoundsException> oob = IndexOutOfBoundsException.class;
    bad.rejects(iae, () -> k.reluBackward(-2, x, 0, dy, 0, dx, 0), "len=-2", ">= 0");
    bad.rejects(iae, () -> k.reluBackward(16, null, 0, dy, 0, dx, 0), "x must not be null");
    bad.rejects(iae, () -> k.reluBackward(16, x, 0, null, 0, dx, 0), "dy must not be null");
    bad.rejects(iae, () -> k.reluBackward(16, x, 0, dy, 0, null, 0), "dx must not be null");
    bad.rejects(oob, () -> k.reluBackward(16, x, 0, dy, -1, dx, 0), "dyOff=-1");
    bad.rejects(oob, () -> k.reluBackward(16, x, 0, dy, 0, dx, -1), "dxOff=-1");
    bad.rejects(oob, () -> k.reluBackward(16, x, 2, dy, 0, dx, 0), "x.length >= 18", "x.length=16");
    bad.rejects(oob, () -> k.reluBackward(16, x, 0, dy, 1, dx, 0), "dy.length >= 17", "dy.length=16");
    bad.rejects(oob, () -> k.reluBackward(13, x, 0, dy, 0, dx, 4), "dx.length >= 17", "dx.length=16");
    bad.rejects(iae, () -> k.reluBackward(16, x, 0, s, 0, s, 15), "dx [15, 31) overlaps dy [0, 16)",
        "only exact aliasing");
    // The contract allows dx to alias dy only, not x.
    bad.rejects(iae, () -> k.reluBackward(16, s, 4, dy, 0, s, 4), "dx [4, 20) overlaps x [4, 20)");
  }
}
