package org.lrgrad.kernels;

/**
 * The argument checks of the kernel contract, written once. Every message names the argument, the expected and
 * the actual value. Nothing here writes; {@link Kernels} runs all checks of a call before the implementation
 * touches any output.
 */
public final class Checks {
  private Checks() {}

  /** A size that may be zero (an empty operation). */
  public static void nonNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + "=" + value + " must be >= 0");
    }
  }

  /** A size that must be at least one. */
  public static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + "=" + value + " must be >= 1");
    }
  }

  /** The number of elements of a contiguous rows×cols tensor, which must fit in a Java array's int index. */
  public static int elements(String rowsName, int rows, String colsName, int cols) {
    long count = (long) rows * cols;
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(rowsName + "=" + rows + " times " + colsName + "=" + cols + " is " + count
          + " elements, more than an array holds (" + Integer.MAX_VALUE + ")");
    }
    return (int) count;
  }

  /** The rank of a low-rank method: 1 ≤ r ≤ min(m, n). */
  public static void rank(int r, int m, int n) {
    int limit = Math.min(m, n);
    if (r < 1 || r > limit) {
      throw new IllegalArgumentException("r=" + r + " must be in [1, min(m, n)=" + limit + "] (m=" + m + ", n=" + n + ")");
    }
  }

  /** The shape of a low-rank operation: a side, an m×n matrix and a rank r in [1, min(m, n)]. */
  public static void lowRankShape(ProjectionSide side, int m, int n, int r) {
    notNull("side", side);
    positive("m", m);
    positive("n", n);
    rank(r, m, n);
  }

  public static void finite(String name, float value) {
    if (Float.isNaN(value) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(name + "=" + value + " must be finite");
    }
  }

  /**
   * Every element of {@code values} finite, else an {@link IllegalArgumentException} naming the first that is not:
   * "{@code what} element i is NaN; {@code rule}".
   */
  public static void allFinite(String what, float[] values, String rule) {
    for (int i = 0; i < values.length; i++) {
      if (Float.isNaN(values[i]) || Float.isInfinite(values[i])) {
        throw new IllegalArgumentException(what + " element " + i + " is " + values[i] + "; " + rule);
      }
    }
  }

  public static void finiteNonNegative(String name, float value) {
    finite(name, value);
    if (value < 0f) {
      throw new IllegalArgumentException(name + "=" + value + " must be >= 0");
    }
  }

  public static void finitePositive(String name, float value) {
    finite(name, value);
    if (!(value > 0f)) {
      throw new IllegalArgumentException(name + "=" + value + " must be > 0");
    }
  }

  /** A decay or momentum factor in [0, 1). */
  public static void unitInterval(String name, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(name + "=" + value + " must be in [0, 1)");
    }
  }

  public static void notNull(String name, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  /**
   * A row-major matrix of {@code rows × cols} stored in {@code array} from {@code offset} with leading dimension
   * {@code ld}: element (i, j) is at {@code offset + i*ld + j}. {@code ld ≥ max(1, cols)} is required even for an
   * empty matrix (as BLAS does), so that a wrong leading dimension is caught on every shape.
   *
   * @param what the argument as the caller names it, with context, e.g. {@code "A (transA=false)"}
   */
  public static void matrix(String what, String arrayName, float[] array, int offset, int rows, int cols,
      String ldName, int ld) {
    notNull(arrayName, array);
    if (offset < 0) {
      throw new IndexOutOfBoundsException(arrayName + "Off=" + offset + " must be >= 0 for " + what);
    }
    int minLd = Math.max(1, cols);
    if (ld < minLd) {
      throw new IllegalArgumentException(ldName + "=" + ld + " < " + minLd + " (its columns) for " + what + ", a "
          + rows + "x" + cols + " matrix");
    }
    extent(what, arrayName, array.length, offset, rows, cols, ld);
  }

  /** A contiguous vector of {@code length} floats from {@code offset}. */
  public static void vector(String arrayName, float[] array, int offset, int length) {
    notNull(arrayName, array);
    if (offset < 0) {
      throw new IndexOutOfBoundsException(arrayName + "Off=" + offset + " must be >= 0");
    }
    extent(arrayName, arrayName, array.length, offset, 1, length, Math.max(1, length));
  }

  /** A contiguous vector of {@code length} ints from {@code offset}. */
  public static void vector(String arrayName, int[] array, int offset, int length) {
    notNull(arrayName, array);
    if (offset < 0) {
      throw new IndexOutOfBoundsException(arrayName + "Off=" + offset + " must be >= 0");
    }
    extent(arrayName, arrayName, array.length, offset, 1, length, Math.max(1, length));
  }

  private static void extent(String what, String arrayName, int arrayLength, int offset, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) {
      if (offset > arrayLength) {
        throw new IndexOutOfBoundsException(arrayName + "Off=" + offset + " > " + arrayName + ".length="
            + arrayLength + " for " + what);
      }
      return;
    }
    long end = end(offset, rows, cols, ld);
    if (end > arrayLength) {
      throw new IndexOutOfBoundsException(what + " needs " + arrayName + ".length >= " + end + " (offset " + offset
          + " + (" + rows + " rows - 1) * ld " + ld + " + " + cols + " cols), but " + arrayName + ".length="
          + arrayLength);
    }
  }

  /** One past the last index a checked, non-empty matrix touches (its first is its offset). */
  private static long end(int offset, int rows, int cols, int ld) {
    return (long) offset + (long) (rows - 1) * ld + cols;
  }

  /**
   * An output must not overlap an input in the same array: the kernels read inputs while writing outputs, so an
   * overlap would give results that depend on the implementation's order. Exact aliasing (same offset, same shape)
   * is allowed only where a kernel documents it, and callers pass {@code exactAliasAllowed} then.
   */
  public static void noOverlap(String outName, float[] out, int outOff, int outRows, int outCols, int outLd,
      String inName, float[] in, int inOff, int inRows, int inCols, int inLd, boolean exactAliasAllowed) {
    if (out != in || out == null) {
      return;
    }
    if (exactAliasAllowed && outOff == inOff && outRows == inRows && outCols == inCols && outLd == inLd) {
      return;
    }
    if (outRows == 0 || outCols == 0 || inRows == 0 || inCols == 0) {
      return; // an empty matrix touches nothing
    }
    long outEnd = end(outOff, outRows, outCols, outLd), inEnd = end(inOff, inRows, inCols, inLd);
    if (outOff < inEnd && inOff < outEnd) {
      throw new IllegalArgumentException(outName + " [" + outOff + ", " + outEnd + ") overlaps " + inName + " ["
          + inOff + ", " + inEnd + ") in the same array" + (exactAliasAllowed ? " (only exact aliasing is allowed)"
          : ""));
    }
  }

  /** {@link #noOverlap} for contiguous vectors of the same length. */
  public static void noOverlap(String outName, float[] out, int outOff, String inName, float[] in, int inOff,
      int length, boolean exactAliasAllowed) {
    noOverlap(outName, out, outOff, 1, length, Math.max(1, length), inName, in, inOff, 1, length,
        Math.max(1, length), exactAliasAllowed);
  }

  /** {@link #noOverlap} for contiguous vectors of different lengths; no aliasing allowed. */
  public static void noOverlap(String outName, float[] out, int outOff, int outLength, String inName, float[] in,
      int inOff, int inLength) {
    noOverlap(outName, out, outOff, 1, outLength, Math.max(1, outLength), inName, in, inOff, 1, inLength,
        Math.max(1, inLength), false);
  }

  /** A workspace of at least {@code required} floats. */
  public static void workspace(String arrayName, float[] work, int offset, int required) {
    notNull(arrayName, work);
    if (offset < 0) {
      throw new IndexOutOfBoundsException(arrayName + "Off=" + offset + " must be >= 0");
    }
    if ((long) offset + required > work.length) {
      throw new IndexOutOfBoundsException(arrayName + " needs " + required + " floats from " + arrayName + "Off="
          + offset + ", but " + arrayName + ".length=" + work.length);
    }
  }

  /** Step counters of optimizers are 1-based. */
  public static void step(int step) {
    if (step < 1) {
      throw new IllegalArgumentException("step=" + step + " must be >= 1 (the first step is 1)");
    }
  }
}
