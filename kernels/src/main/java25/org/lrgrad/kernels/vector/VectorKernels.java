package org.lrgrad.kernels.vector;

import org.lrgrad.kernels.AdamBiasCorrection;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.ReferenceKernels;

/**
 * The contract on the Vector API: a blocked, packed sgemm with a register-tiled micro-kernel (see {@code
 * VectorLoops}), and vector loops for the element-wise operations, which compute the reference's bits (their tails
 * run the reference loops). Adafactor and softmax cross-entropy stay on the inherited reference loops: their cost is
 * in double-precision sums (and {@code Math.exp}) that must run in the reference's order to give its results.
 *
 * <p>One vector width per JVM ({@link VectorWidth}): {@code vector} is the JVM's preferred width, {@code vector-128}
 * is available only in a JVM started with {@code -Dlrgrad.vector.bits=128} (or whose preferred width is 128 bits);
 * the other name is then unavailable, with that reason.
 *
 * <p>An sgemm of at least {@value #PARALLEL_MIN_MULTIPLY_ADDS} multiply-adds is split into blocks of whole tiles of
 * C, run on the calling thread and on a shared pool of daemon threads; {@value #THREADS_PROPERTY} sets how many
 * threads one call uses (default: the available processors). Every element of C is computed by the same code in the
 * same order whatever the thread count, so results do not depend on it.
 *
 * <p>Like all Vector API code, these loops allocate a boxed vector per operation until C2 has compiled them (the
 * interpreter and C1 keep no vector in a register), which takes some thousands of calls; once compiled, no call
 * allocates.
 */
public class VectorKernels extends ReferenceKernels {
  /** The system property that sets how many threads a large sgemm uses (default: available processors). */
  public static final String THREADS_PROPERTY = "lrgrad.threads";

  /** Below this many multiply-adds (m·n·k), an sgemm runs on the calling thread alone. */
  static final long PARALLEL_MIN_MULTIPLY_ADDS = 1L << 22;

  /** Rows of Cᵀ per block of {@link #sgemmAsTranspose}, in tiles: at most 3072 × 128 floats (1.5 MiB) at 16 lanes. */
  private static final int TRANSPOSED_BLOCK_TILES = 256;

  private final String name;
  private final int threads;
  /** Each calling thread's split sgemm (see {@link SgemmParts}). */
  private final ThreadLocal<SgemmParts> splits = ThreadLocal.withInitial(SgemmParts::new);

  /**
   * @param bits 0 for {@code vector}, the JVM's preferred width, or 128 for {@code vector-128}; either must be the
   *     width this JVM runs ({@link VectorWidth})
   */
  public VectorKernels(int bits) throws KernelUnavailableException {
    this(bits, threadsFromProperty());
  }

  /** @param threads the most threads one sgemm uses (≥ 1) */
  VectorKernels(int bits, int threads) throws KernelUnavailableException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads=" + threads + " must be >= 1");
    }
    if (VectorWidth.PROBLEM != null) {
      throw new KernelUnavailableException(VectorWidth.PROBLEM);
    }
    int running = VectorWidth.bits();
    if (bits == 0) {
      if (running != VectorWidth.PREFERRED_BITS) {
        throw new KernelUnavailableException("this JVM runs the Vector API kernels at " + running + " bits (-D"
            + VectorWidth.BITS_PROPERTY + "=" + running + "), one width per JVM: it offers vector-" + running
            + "; fix: vector, at the preferred " + VectorWidth.PREFERRED_BITS + " bits, runs in a JVM started"
            + " without that property");
      }
      this.name = "vector";
    } else if (bits == VectorWidth.NARROW_BITS) {
      if (running != bits) {
        throw new KernelUnavailableException("this JVM runs the Vector API kernels at " + running + " bits"
            + " (vector), one width per JVM; fix: vector-" + bits + " runs in a JVM started with -D"
            + VectorWidth.BITS_PROPERTY + "=" + bits);
      }
      this.name = "vector-" + bits;
    } else {
      throw new KernelUnavailableException("bits=" + bits + " must be 0 (vector, the preferred width) or "
          + VectorWidth.NARROW_BITS + " (vector-" + VectorWidth.NARROW_BITS + ")");
    }
    this.threads = threads;
  }

  private static int threadsFromProperty() {
    String value = System.getProperty(THREADS_PROPERTY);
    if (value == null) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int threads = Integer.parseInt(value.trim());
      if (threads >= 1) {
        return threads;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + value + " must be an integer >= 1");
  }

  @Override
  public String name() {
    return name;
  }

  /** Floats per vector. */
  public int lanes() {
    return VectorLoops.lanes();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // sgemm

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    if (k == 0) {
      // C ← β·C: no products to vectorize.
      super.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    if (VectorLoops.swaps(transB, m, n, k)) {
      sgemmAsTranspose(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else {
      gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
  }

  /**
   * C ← α·op(A)·Bᵀ + β·C as Cᵀ ← α·B·op(A)ᵀ + β·Cᵀ ({@link VectorLoops#swaps} says when and why), with Cᵀ in this
   * thread's workspace, a block of C's columns at a time: copied in when β reads it, computed, copied back. The
   * blocks are whole tiles of Cᵀ's rows, so each element is computed as without them.
   */
  private void sgemmAsTranspose(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    int block = VectorLoops.tileRows() * TRANSPOSED_BLOCK_TILES;
    GemmWorkspace ws = GemmWorkspace.current();
    ws.transposed = GemmWorkspace.atLeast(ws.transposed, Math.min(block, n) * m);
    float[] t = ws.transposed;
    for (int j0 = 0; j0 < n; j0 += block) {
      int cols = Math.min(block, n - j0);
      if (beta != 0f) {
        VectorLoops.transpose(m, cols, c, cOff + j0, ldc, t, 0, m);
      }
      // B's rows j0 … j0+cols are the A side as stored; op(A)ᵀ is the B side (stored transposed unless A is).
      gemm(false, !transA, cols, m, k, alpha, b, bOff + j0 * ldb, ldb, a, aOff, lda, beta, t, 0, m);
      VectorLoops.transpose(cols, m, t, 0, m, c, cOff + j0, ldc);
    }
  }

  /** The product on this thread, or split over the pool. */
  private void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    int parts = sgemmParts(m, n, k);
    if (parts == 1) {
      VectorLoops.gemmBlock(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    // Disjoint blocks of whole tiles: each element is computed by the same code in the same order as on one thread.
    boolean byRows = splitsRows(m, n);
    SgemmParts split = splits.get();
    split.set(parts, byRows, byRows ? VectorLoops.tileRows() : VectorLoops.tileCols(), byRows ? m : n,
        tilesAlong(byRows, m, n), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    try {
      WorkerPool.run(parts, split);
    } finally {
      split.forgetArrays();
    }
  }

  /**
   * The blocks of one split sgemm, as a {@link WorkerPool.Part}: one per calling thread, reused, so that a split call
   * allocates nothing (a lambda capturing the arguments would be a new object per call).
   */
  private final class SgemmParts implements WorkerPool.Part {
    private int parts;
    private boolean byRows;
    private int unit;
    private int extent;
    private int tiles;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float alpha;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] b;
    private int bOff;
    private int ldb;
    private float beta;
    private float[] c;
    private int cOff;
    private int ldc;

    void set(int parts, boolean byRows, int unit, int extent, int tiles, boolean transA, boolean transB, int m, int n,
        int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff,
        int ldc) {
      this.parts = parts;
      this.byRows = byRows;
      this.unit = unit;
      this.extent = extent;
      this.tiles = tiles;
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.beta = beta;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
    }

    /** Drops the caller's arrays, so that a thread's idle split keeps none of them alive. */
    void forgetArrays() {
      a = null;
      b = null;
      c = null;
    }

    @Override
    public void run(int q) {
      int from = Math.min(extent, tiles * q / parts * unit);
      int to = Math.min(extent, tiles * (q + 1) / parts * unit);
      if (byRows) {
        VectorLoops.gemmBlock(transA, transB, from, to, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      } else {
        VectorLoops.gemmBlock(transA, transB, 0, m, from, to, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
    }
  }

  /** Into how many blocks an m×n×k sgemm is split (1: it runs on the calling thread). */
  int sgemmParts(int m, int n, int k) {
    if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MULTIPLY_ADDS) {
      return 1;
    }
    return Math.max(1, Math.min(threads, tilesAlong(splitsRows(m, n), m, n) / 2));
  }

  /** Splits along the dimension with more tiles, so that each block keeps many. */
  private boolean splitsRows(int m, int n) {
    return (long) m * VectorLoops.tileCols() >= (long) n * VectorLoops.tileRows();
  }

  private int tilesAlong(boolean rows, int m, int n) {
    int unit = rows ? VectorLoops.tileRows() : VectorLoops.tileCols();
    return ((rows ? m : n) + unit - 1) / unit;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Element-wise: the vector loops, then the reference on the remainder.

  @Override
  protected void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    int done = VectorLoops.sgdStep(len, lr, weightDecay, p, pOff, g, gOff);
    if (done < len) {
      super.sgdStepUnchecked(len - done, lr, weightDecay, p, pOff + done, g, gOff + done);
    }
  }

  @Override
  protected void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    int done = VectorLoops.momentumStep(len, step == 1, lr, momentum, dampening, nesterov, weightDecay, p, pOff, g,
        gOff, buf, bufOff);
    if (done < len) {
      super.momentumStepUnchecked(len - done, step, lr, momentum, dampening, nesterov, weightDecay, p, pOff + done,
          g, gOff + done, buf, bufOff + done);
    }
  }

  @Override
  protected void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff) {
    int done = VectorLoops.adamStep(len, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, convention,
        AdamBiasCorrection.stepScale(convention, lr, beta1, beta2, step),
        AdamBiasCorrection.sqrtBiasCorrection2(beta2, step), p, pOff, g, gOff, m, mOff, v, vOff);
    if (done < len) {
      super.adamStepUnchecked(len - done, step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
          convention, p, pOff + done, g, gOff + done, m, mOff + done, v, vOff + done);
    }
  }

  @Override
  protected void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    int done = VectorLoops.adamDirection(len, beta1, beta2, eps, convention,
        AdamBiasCorrection.stepScale(convention, 1f, beta1, beta2, step),
        AdamBiasCorrection.sqrtBiasCorrection2(beta2, step), g, gOff, m, mOff, v, vOff, out, outOff);
    if (done < len) {
      super.adamDirectionUnchecked(len - done, step, beta1, beta2, eps, convention, g, gOff + done, m, mOff + done,
          v, vOff + done, out, outOff + done);
    }
  }

  @Override
  protected void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff) {
    int done = VectorLoops.relu(len, x, xOff, y, yOff);
    if (done < len) {
      super.reluUnchecked(len - done, x, xOff + done, y, yOff + done);
    }
  }

  @Override
  protected void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    int done = VectorLoops.reluBackward(len, x, xOff, dy, dyOff, dx, dxOff);
    if (done < len) {
      super.reluBackwardUnchecked(len - done, x, xOff + done, dy, dyOff + done, dx, dxOff + done);
    }
  }

  @Override
  protected void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    int done = VectorLoops.biasAdd(rows, cols, bias, biasOff, y, yOff, ldy);
    if (done < cols) {
      super.biasAddUnchecked(rows, cols - done, bias, biasOff + done, y, yOff + done, ldy);
    }
  }

  @Override
  protected void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db, int dbOff) {
    int done = VectorLoops.biasGradient(rows, cols, dy, dyOff, lddy, db, dbOff);
    if (done < cols) {
      super.biasGradientUnchecked(rows, cols - done, dy, dyOff + done, lddy, db, dbOff + done);
    }
  }

  @Override
  protected boolean allFiniteUnchecked(int len, float[] x, int xOff) {
    int done = VectorLoops.finitePrefix(len, x, xOff);
    return done >= 0 && (done == len || super.allFiniteUnchecked(len - done, x, xOff + done));
  }
}
