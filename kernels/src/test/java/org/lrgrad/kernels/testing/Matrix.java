package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * A row-major matrix inside a larger array: a non-zero offset in front, a leading dimension wider than the row,
 * and a tail. Every cell that is not part of the matrix holds a canary (NaN with a payload) that a kernel must
 * neither read into a result (NaN would spread) nor write ({@link #assertCanariesIntact}).
 */
public final class Matrix {
  /** A NaN with a recognisable payload: reading it poisons results, overwriting it changes its bits. */
  public static final float CANARY = Float.intBitsToFloat(0x7fc0_beef);
  private static final int TAIL = 3;

  public final float[] data;
  public final int off;
  public final int rows;
  public final int cols;
  public final int ld;

  private Matrix(int rows, int cols, int off, int ld) {
    this.rows = rows;
    this.cols = cols;
    this.off = off;
    this.ld = ld;
    int extent = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
    this.data = new float[off + extent + TAIL];
    java.util.Arrays.fill(data, CANARY);
  }

  /** A rows×cols matrix at {@code off} with {@code ld = max(1, cols) + pad}, entries uniform in [-1, 1). */
  public static Matrix random(Random rnd, int rows, int cols, int off, int pad) {
    Matrix m = new Matrix(rows, cols, off, Math.max(1, cols) + pad);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m.set(i, j, rnd.nextFloat() * 2f - 1f);
      }
    }
    return m;
  }

  /** A rows×cols matrix whose cells all hold {@code value} (the canary too, to prove a kernel does not read them). */
  public static Matrix filled(int rows, int cols, int off, int pad, float value) {
    Matrix m = new Matrix(rows, cols, off, Math.max(1, cols) + pad);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m.set(i, j, value);
      }
    }
    return m;
  }

  /** A contiguous vector of {@code len} floats at offset {@code off}, uniform in [lo, hi). */
  public static Matrix vector(Random rnd, int len, int off, float lo, float hi) {
    Matrix m = new Matrix(1, len, off, Math.max(1, len));
    for (int j = 0; j < len; j++) {
      m.set(0, j, lo + rnd.nextFloat() * (hi - lo));
    }
    return m;
  }

  public float get(int i, int j) {
    return data[off + i * ld + j];
  }

  public void set(int i, int j, float v) {
    data[off + i * ld + j] = v;
  }

  /** Element (i, j) of op(this): the transpose when {@code trans}. */
  public double op(boolean trans, int i, int j) {
    return trans ? get(j, i) : get(i, j);
  }

  public Matrix copy() {
    Matrix m = new Matrix(rows, cols, off, ld);
    System.arraycopy(data, 0, m.data, 0, data.length);
    return m;
  }

  /** The live cells, row-major and packed. */
  public float[] packed() {
    float[] out = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = get(i, j);
      }
    }
    return out;
  }

  private boolean isLive(int index) {
    int rel = index - off;
    if (rel < 0 || rows == 0 || cols == 0) {
      return false;
    }
    int i = rel / ld, j = rel % ld;
    return i < rows && j < cols;
  }

  /** Every cell outside the matrix still holds the canary's exact bits. */
  public void assertCanariesIntact(String what) {
    for (int k = 0; k < data.length; k++) {
      if (!isLive(k) && Float.floatToRawIntBits(data[k]) != Float.floatToRawIntBits(CANARY)) {
        fail(what + ": canary at array index " + k + " was overwritten with " + data[k] + " (" + rows + "x" + cols
            + ", off=" + off + ", ld=" + ld + ")");
      }
    }
  }

  /** The array is bit for bit what it was (nothing written at all). */
  public void assertUnchanged(String what, Matrix before) {
    for (int k = 0; k < data.length; k++) {
      if (Float.floatToRawIntBits(data[k]) != Float.floatToRawIntBits(before.data[k])) {
        fail(what + ": array index " + k + " changed from " + before.data[k] + " to " + data[k]);
      }
    }
  }
}
