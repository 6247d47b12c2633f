package org.lrgrad.bench.data;

import java.util.Arrays;

/**
 * One IDX file's content: its dimensions and its unsigned-byte elements in row-major order (the last dimension
 * varies fastest), as stored. Read with {@link Idx}.
 */
public final class IdxArray {
  private final String source;
  private final int[] dims;
  private final byte[] data;

  IdxArray(String source, int[] dims, byte[] data) {
    this.source = source;
    this.dims = dims;
    this.data = data;
  }

  /** Where it was read from, e.g. a file path or {@code classpath:org/lrgrad/...}. */
  public String source() {
    return source;
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  /** The elements, not copied: unsigned bytes (read {@code data()[i] & 0xff}). */
  byte[] data() {
    return data;
  }

  /** Element {@code i} in row-major order, in [0, 255]. */
  public int unsigned(int i) {
    return data[i] & 0xff;
  }

  public int length() {
    return data.length;
  }

  @Override
  public String toString() {
    return source + " " + Arrays.toString(dims);
  }
}
