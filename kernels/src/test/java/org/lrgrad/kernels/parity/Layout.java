package org.lrgrad.kernels.parity;

/**
 * How a case's arrays are placed for the kernels: packed (offset 0, leading dimension = columns), or shifted, each
 * array copied into a larger one at a non-zero offset, with padded leading dimensions for the matrix arguments. The
 * cells around the data hold canaries ({@link org.lrgrad.kernels.testing.Matrix}).
 */
enum Layout {
  PACKED(0, 0),
  SHIFTED(5, 3);

  /** Where every array's data starts. */
  final int offset;
  /** Extra columns in the leading dimension of matrix arguments (element-wise tensors stay contiguous). */
  final int pad;

  Layout(int offset, int pad) {
    this.offset = offset;
    this.pad = pad;
  }

  @Override
  public String toString() {
    return offset == 0 && pad == 0 ? "packed" : "offset " + offset + ", ld +" + pad;
  }
}
