package org.lrgrad.train;

import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.BufferAllocator;
import org.lrgrad.train.memory.MemoryTag;

/**
 * A trainable tensor of a layer: a weight matrix (rows × cols, row-major, {@code torch.nn.Linear} layout: rows are
 * outputs) or a vector (a bias; 1 × cols). The optimizer of its group decides how its gradient is formed and kept
 * (full, projected, or through LoRA factors); layers reach that decision through the methods here, so a layer's
 * code does not depend on the optimizer.
 */
public final class Parameter {
  private final String localName;
  private final int rows;
  private final int cols;
  private final boolean matrix;
  private final int rowsPerSample;
  private String name;
  private float[] data;
  private Slot slot;

  /**
   * @param rowsPerSample how many rows of the (X, dY) pair that forms this matrix's gradient one sample of the batch
   *     contributes: 1 for a dense layer, the number of time steps for a recurrent one
   */
  Parameter(String localName, int rows, int cols, boolean matrix, int rowsPerSample) {
    Checks.elements("rows of " + localName, rows, "cols", cols);
    this.localName = localName;
    this.name = localName;
    this.rows = rows;
    this.cols = cols;
    this.matrix = matrix;
    this.rowsPerSample = rowsPerSample;
  }

  static Parameter matrix(String localName, int rows, int cols, int rowsPerSample) {
    return new Parameter(localName, rows, cols, true, rowsPerSample);
  }

  static Parameter vector(String localName, int length) {
    return new Parameter(localName, 1, length, false, 1);
  }

  void prefix(String prefix) {
    name = prefix + localName;
  }

  /** The name in its model, as PyTorch's {@code state_dict} spells it: {@code "0.weight"}, {@code "2.bias"}. */
  public String name() {
    return name;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public int size() {
    return rows * cols;
  }

  /** A 2-D weight, to which the low-rank methods apply; false for a bias. */
  public boolean isMatrix() {
    return matrix;
  }

  int rowsPerSample() {
    return rowsPerSample;
  }

  /**
   * The live values (row-major); the model must belong to a trainer. An optimizer that keeps low-rank updates
   * factored ({@link LowRankAdam.Accumulation#FACTORED}) folds them into this array first, so the array holds the
   * whole weights until the next training step (call again after training to read them again); writing into it
   * sets the weights.
   */
  public float[] data() {
    float[] values = values();
    if (slot != null) {
      slot.materialize();
    }
    return values;
  }

  /** The parameter's own array as training keeps it, without merging anything into it: W₀ of a factored slot. */
  float[] values() {
    if (data == null) {
      throw new IllegalStateException(name + " has no storage yet: build a Trainer for its model first");
    }
    return data;
  }

  /** Copies {@link #size()} values from {@code src[off ..]} into the parameter. */
  public void copyFrom(float[] src, int off) {
    Checks.vector("src", src, off, size());
    System.arraycopy(src, off, data(), 0, size());
  }

  /** Copies the parameter's {@link #size()} values into {@code dst[off ..]}. */
  public void copyTo(float[] dst, int off) {
    Checks.vector("dst", dst, off, size());
    System.arraycopy(data(), 0, dst, off, size());
  }

  @Override
  public String toString() {
    return name + (matrix ? " (" + rows + "x" + cols + ")" : " (" + cols + ")");
  }

  // --- for layers and the trainer -------------------------------------------------------------------------------

  void declare(BufferAllocator allocator) {
    data = allocator.floats(MemoryTag.WEIGHTS, name, size());
  }

  boolean isDeclared() {
    return data != null;
  }

  void bind(Slot slot) {
    this.slot = slot;
  }

  /** y ← x·W_effᵀ (+ y when {@code accumulate}); x is rows×cols, y rows×this.rows. */
  void forward(Kernels k, int n, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy, boolean accumulate) {
    slot.forward(k, n, x, xOff, ldx, y, yOff, ldy, accumulate);
  }

  /** dx ← dy·W_eff; dy is n×rows, dx n×cols. */
  void backwardInput(Kernels k, int n, float[] dy, int dyOff, int lddy, float[] dx, int dxOff, int lddx) {
    slot.backwardInput(k, n, dy, dyOff, lddy, dx, dxOff, lddx);
  }

  /** This matrix's gradient is G = dYᵀ·X (X n×cols, dY n×rows); called once per backward pass. */
  void gradient(Kernels k, int n, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    slot.gradient(k, n, x, xOff, ldx, dy, dyOff, lddy);
  }

  /** This vector's gradient is the column sums of dY (n×cols); called once per backward pass. */
  void gradientColumnSums(Kernels k, int n, float[] dy, int dyOff, int lddy) {
    slot.gradientColumnSums(k, n, dy, dyOff, lddy);
  }
}
