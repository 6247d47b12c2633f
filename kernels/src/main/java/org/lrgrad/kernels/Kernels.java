package org.lrgrad.kernels;

/**
 * The kernel contract: float32, row-major, arrays + offsets + leading dimensions, BLAS semantics.
 *
 * <p>Every public method is {@code final}: it checks all of its arguments once (see {@link Checks}), before any
 * write, and then calls a {@code protected} unchecked method that an implementation overrides. So every
 * implementation (reference, Vector API, JNI, FFM) sees only valid arguments and gives the same errors. A matrix
 * argument is (array, offset, leading dimension): element (i, j) is at {@code offset + i*ld + j}. Outputs must not
 * overlap inputs unless a method says that exact aliasing is allowed.
 *
 * <p>Implementations must be safe to call from several threads at once on disjoint outputs; they keep no mutable
 * state between calls that a caller could observe. A thread that writes a call's inputs or outputs while the call
 * runs races with it: what the call then computes is unspecified, as for any Java loop, but no implementation (the
 * native ones included) reads or writes outside the ranges checked before the call, so the JVM never crashes. The
 * one input that could steer an access, a label of {@link #softmaxCrossEntropy}, is read once and checked again
 * where it is used: rewritten out of range during the call, it makes the call throw, with the rows before it
 * possibly already written to {@code dlogits}.
 *
 * <p>The contract holds primitives only: the operations an implementation really specializes (sgemm, the
 * element-wise optimizer steps, the bias and ReLU passes, softmax cross-entropy, Adafactor, the finiteness check of
 * a gradient). The operations built
 * on sgemm or needing no specialization (the low-rank projections, the LoRA factor gradients, QR and the top-r
 * subspaces) are {@link LowRankOps}, written once for every implementation. An operation joins the contract only
 * when a specialized version is measured to pay.
 *
 * <p><b>Rounding: one rule per operation</b>, which every implementation (reference, Vector API, JNI in C and NEON,
 * FFM) and every test holds to:
 * <ul>
 *   <li>Element-wise operations ({@link #sgdStep}, {@link #momentumStep}, {@link #adamStep}, {@link #adamDirection},
 *       {@link #biasAdd}, {@link #relu}, {@link #reluBackward}) give the reference's result bit for bit: each
 *       product, sum, quotient and square root rounded to float on its own, in the reference's order, with no fused
 *       multiply-add; the scalars that depend only on the step count come from {@link AdamBiasCorrection} (double,
 *       rounded to float once), on every implementation, native ones included.</li>
 *   <li>{@link #biasGradient} sums each column in row order: bit for bit too. {@link #allFinite} is exact.</li>
 *   <li>Products and the reductions inside them ({@link #sgemm} and what is built on it: the low-rank forms,
 *       orthonormalization, top subspaces) are within the depth-scaled bound 2(k+2)·u·Σ|a·b| of the exact result
 *       (u = 2⁻²⁴, k the depth); the order of the sums, blocking and fused multiply-adds are the implementation's
 *       choice.</li>
 *   <li>{@link #softmaxCrossEntropy} and {@link #adafactorStep} have one implementation, the reference's (sums in
 *       double), which every other implementation inherits or reproduces.</li>
 * </ul>
 */
public abstract class Kernels {

  protected Kernels() {}

  /** The implementation's name as the provider knows it: {@code reference}, {@code vector}, {@code jni}, ... */
  public abstract String name();

  @Override
  public String toString() {
    return name();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. sgemm

  /**
   * C ← α·op(A)·op(B) + β·C, with op(A) m×k and op(B) k×n. A is stored m×k (k×m when {@code transA}), B k×n (n×k
   * when {@code transB}), C m×n. With β = 0, C is not read (NaN in C does not leak). With k = 0, C ← β·C.
   */
  public final void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.nonNegative("k", k);
    Checks.finite("alpha", alpha);
    Checks.finite("beta", beta);
    int aRows = transA ? k : m, aCols = transA ? m : k;
    int bRows = transB ? n : k, bCols = transB ? k : n;
    // Constant descriptions: a concatenation here would allocate on every call, even a valid one.
    Checks.matrix(transA ? "A (transA=true)" : "A (transA=false)", "a", a, aOff, aRows, aCols, "lda", lda);
    Checks.matrix(transB ? "B (transB=true)" : "B (transB=false)", "b", b, bOff, bRows, bCols, "ldb", ldb);
    Checks.matrix("C", "c", c, cOff, m, n, "ldc", ldc);
    Checks.noOverlap("c", c, cOff, m, n, ldc, "a", a, aOff, aRows, aCols, lda, false);
    Checks.noOverlap("c", c, cOff, m, n, ldc, "b", b, bOff, bRows, bCols, ldb, false);
    if (m == 0 || n == 0) {
      return;
    }
    sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** {@link #sgemm} after its checks; m, n ≥ 1, k ≥ 0. */
  protected abstract void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Optimizer steps: element-wise, fused, over a flat tensor of len floats

  private static void checkTensors(int len, String n1, float[] a1, int o1, String n2, float[] a2, int o2) {
    Checks.nonNegative("len", len);
    Checks.vector(n1, a1, o1, len);
    Checks.vector(n2, a2, o2, len);
  }

  /** SGD (PyTorch, no momentum): g' = g + wd·p; p ← p − lr·g'. g is not modified. */
  public final void sgdStep(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    Checks.finiteNonNegative("lr", lr);
    Checks.finiteNonNegative("weightDecay", weightDecay);
    checkTensors(len, "p", p, pOff, "g", g, gOff);
    Checks.noOverlap("p", p, pOff, "g", g, gOff, len, false);
    if (len > 0) {
      sgdStepUnchecked(len, lr, weightDecay, p, pOff, g, gOff);
    }
  }

  protected abstract void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g,
      int gOff);

  /**
   * SGD with momentum, PyTorch semantics ({@code torch.optim.SGD}): g' = g + wd·p; on step 1 buf ← g', later
   * buf ← μ·buf + (1−dampening)·g'; the update is g' + μ·buf with Nesterov, buf otherwise; p ← p − lr·update.
   * {@code step} is 1-based. g is not modified. A new buf below the smallest normal float is stored as +0
   * ({@link Subnormals}).
   */
  public final void momentumStep(int len, int step, float lr, float momentum, float dampening, boolean nesterov,
      float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    Checks.step(step);
    Checks.finiteNonNegative("lr", lr);
    Checks.unitInterval("momentum", momentum);
    Checks.unitInterval("dampening", dampening);
    Checks.finiteNonNegative("weightDecay", weightDecay);
    if (nesterov && (momentum == 0f || dampening != 0f)) {
      throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening = 0, got momentum=" + momentum
          + ", dampening=" + dampening);
    }
    checkTensors(len, "p", p, pOff, "g", g, gOff);
    Checks.vector("buf", buf, bufOff, len);
    Checks.noOverlap("p", p, pOff, "g", g, gOff, len, false);
    Checks.noOverlap("buf", buf, bufOff, "g", g, gOff, len, false);
    Checks.noOverlap("buf", buf, bufOff, "p", p, pOff, len, false);
    if (len > 0) {
      momentumStepUnchecked(len, step, lr, momentum, dampening, nesterov, weightDecay, p, pOff, g, gOff, buf,
          bufOff);
    }
  }

  protected abstract void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff);

  /** Adam's moments m and v: len floats each, apart from each other and from the gradient g. */
  private static void checkMoments(int len, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff) {
    Checks.vector("m", m, mOff, len);
    Checks.vector("v", v, vOff, len);
    Checks.noOverlap("m", m, mOff, "g", g, gOff, len, false);
    Checks.noOverlap("v", v, vOff, "g", g, gOff, len, false);
    Checks.noOverlap("v", v, vOff, "m", m, mOff, len, false);
  }

  private static void checkAdamHyper(int step, float beta1, float beta2, float eps, AdamConvention convention) {
    Checks.step(step);
    Checks.unitInterval("beta1", beta1);
    Checks.unitInterval("beta2", beta2);
    Checks.finiteNonNegative("eps", eps);
    Checks.notNull("convention", convention);
  }

  /**
   * One Adam or AdamW step on p with gradient g and moments m, v (see {@link AdamConvention}). With
   * {@code decoupledWeightDecay} false, weight decay is the L2 form (g' = g + wd·p, {@code torch.optim.Adam});
   * with true it is AdamW's decoupled decay, placed as the convention says. g is not modified. With ε &gt; 0 a
   * moment whose new value is below the smallest normal float is stored as +0
   * ({@link Subnormals#adamFloor}: subnormals cost x86 microcode assists; the step changes by less than
   * lr·1.2e-38/ε).
   */
  public final void adamStep(int len, int step, float lr, float beta1, float beta2, float eps, float weightDecay,
      boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g, int gOff,
      float[] m, int mOff, float[] v, int vOff) {
    checkAdamHyper(step, beta1, beta2, eps, convention);
    Checks.finiteNonNegative("lr", lr);
    Checks.finiteNonNegative("weightDecay", weightDecay);
    checkTensors(len, "p", p, pOff, "g", g, gOff);
    checkMoments(len, g, gOff, m, mOff, v, vOff);
    Checks.noOverlap("p", p, pOff, "g", g, gOff, len, false);
    Checks.noOverlap("m", m, mOff, "p", p, pOff, len, false);
    Checks.noOverlap("v", v, vOff, "p", p, pOff, len, false);
    if (len > 0) {
      adamStepUnchecked(len, step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, convention, p, pOff, g,
          gOff, m, mOff, v, vOff);
    }
  }

  protected abstract void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff);

  /**
   * Adam's moments and normalized direction without touching a parameter, for the low-rank methods: updates m and
   * v from g and writes d such that the step is p ← p − lr·full(d) (bias correction already folded into d, per
   * {@link AdamConvention}). {@code out} may be g itself (same offset), which saves the low-rank buffer. Moments
   * below the smallest normal float are stored as +0 when ε &gt; 0, as in {@link #adamStep}.
   */
  public final void adamDirection(int len, int step, float beta1, float beta2, float eps, AdamConvention convention,
      float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out, int outOff) {
    checkAdamHyper(step, beta1, beta2, eps, convention);
    Checks.nonNegative("len", len);
    Checks.vector("g", g, gOff, len);
    checkMoments(len, g, gOff, m, mOff, v, vOff);
    Checks.vector("out", out, outOff, len);
    Checks.noOverlap("out", out, outOff, "g", g, gOff, len, true);
    Checks.noOverlap("out", out, outOff, "m", m, mOff, len, false);
    Checks.noOverlap("out", out, outOff, "v", v, vOff, len, false);
    if (len > 0) {
      adamDirectionUnchecked(len, step, beta1, beta2, eps, convention, g, gOff, m, mOff, v, vOff, out, outOff);
    }
  }

  protected abstract void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff);

  /**
   * One Adafactor step (Shazeer &amp; Stern 2018, as Hugging Face's {@code Adafactor}) on an m×n parameter with a
   * factored second moment: row (m floats) and col (n floats) start at 0. The schedule scalars come from
   * {@link AdafactorSchedule}: {@code lr} is the (relative or absolute) step size before parameter scaling and
   * {@code beta2t} = 1 − k^decayRate. With {@code scaleParameter} the step size is lr·max(eps2, rms(p)).
   * {@code beta1} = 0 disables the first moment (then {@code ema} is not used and may be null).
   * p, g, ema are contiguous m×n; g is not modified.
   */
  public final void adafactorStep(int m, int n, float lr, boolean scaleParameter, float eps1, float eps2,
      float beta2t, float clipThreshold, float beta1, float weightDecay, float[] p, int pOff, float[] g, int gOff,
      float[] row, int rowOff, float[] col, int colOff, float[] ema, int emaOff) {
    Checks.positive("m", m);
    Checks.positive("n", n);
    Checks.finiteNonNegative("lr", lr);
    Checks.finiteNonNegative("eps1", eps1);
    Checks.finiteNonNegative("eps2", eps2);
    if (!(beta2t >= 0f && beta2t <= 1f)) {
      throw new IllegalArgumentException("beta2t=" + beta2t + " must be in [0, 1]");
    }
    Checks.finitePositive("clipThreshold", clipThreshold);
    Checks.unitInterval("beta1", beta1);
    Checks.finiteNonNegative("weightDecay", weightDecay);
    int len = Checks.elements("m", m, "n", n);
    checkTensors(len, "p", p, pOff, "g", g, gOff);
    Checks.vector("row", row, rowOff, m);
    Checks.vector("col", col, colOff, n);
    Checks.noOverlap("p", p, pOff, "g", g, gOff, len, false);
    Checks.noOverlap("row", row, rowOff, m, "g", g, gOff, len);
    Checks.noOverlap("col", col, colOff, n, "g", g, gOff, len);
    Checks.noOverlap("row", row, rowOff, m, "p", p, pOff, len);
    Checks.noOverlap("col", col, colOff, n, "p", p, pOff, len);
    Checks.noOverlap("col", col, colOff, n, "row", row, rowOff, m);
    if (beta1 != 0f) {
      Checks.vector("ema", ema, emaOff, len);
      Checks.noOverlap("ema", ema, emaOff, "g", g, gOff, len, false);
      Checks.noOverlap("ema", ema, emaOff, "p", p, pOff, len, false);
      Checks.noOverlap("row", row, rowOff, m, "ema", ema, emaOff, len);
      Checks.noOverlap("col", col, colOff, n, "ema", ema, emaOff, len);
    }
    adafactorStepUnchecked(m, n, lr, scaleParameter, eps1, eps2, beta2t, clipThreshold, beta1, weightDecay, p, pOff,
        g, gOff, row, rowOff, col, colOff, ema, emaOff);
  }

  protected abstract void adafactorStepUnchecked(int m, int n, float lr, boolean scaleParameter, float eps1,
      float eps2, float beta2t, float clipThreshold, float beta1, float weightDecay, float[] p, int pOff, float[] g,
      int gOff, float[] row, int rowOff, float[] col, int colOff, float[] ema, int emaOff);

  // ---------------------------------------------------------------------------------------------------------------
  // 3. Layer operations

  /** Y ← Y + 1·biasᵀ: adds bias (cols floats) to every row of Y (rows×cols). */
  public final void biasAdd(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.vector("bias", bias, biasOff, cols);
    Checks.matrix("Y (rows x cols)", "y", y, yOff, rows, cols, "ldy", ldy);
    Checks.noOverlap("y", y, yOff, rows, cols, ldy, "bias", bias, biasOff, 1, cols, Math.max(1, cols), false);
    if (rows > 0 && cols > 0) {
      biasAddUnchecked(rows, cols, bias, biasOff, y, yOff, ldy);
    }
  }

  protected abstract void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff,
      int ldy);

  /** The bias gradient: db ← column sums of dY (rows×cols); db is overwritten (zero when rows = 0). */
  public final void biasGradient(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db, int dbOff) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.matrix("dY (rows x cols)", "dy", dy, dyOff, rows, cols, "lddy", lddy);
    Checks.vector("db", db, dbOff, cols);
    Checks.noOverlap("db", db, dbOff, 1, cols, Math.max(1, cols), "dy", dy, dyOff, rows, cols, lddy, false);
    if (rows == 0) {
      // Empty sums, here for every implementation: with no rows, dY may be empty, and an implementation that works
      // in pieces of columns would otherwise have to know not to step through it.
      java.util.Arrays.fill(db, dbOff, dbOff + cols, 0f);
    } else if (cols > 0) {
      biasGradientUnchecked(rows, cols, dy, dyOff, lddy, db, dbOff);
    }
  }

  protected abstract void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db,
      int dbOff);

  /**
   * y ← max(x, 0) element-wise, and NaN where x is NaN, as {@code torch.relu}: a poisoned activation stays visible
   * to the training's non-finite check instead of turning into 0. y may be x itself (same offset).
   */
  public final void relu(int len, float[] x, int xOff, float[] y, int yOff) {
    Checks.nonNegative("len", len);
    Checks.vector("x", x, xOff, len);
    Checks.vector("y", y, yOff, len);
    Checks.noOverlap("y", y, yOff, "x", x, xOff, len, true);
    if (len > 0) {
      reluUnchecked(len, x, xOff, y, yOff);
    }
  }

  protected abstract void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff);

  /**
   * ReLU's gradient: dx ← dy where x &gt; 0 or x is NaN, else 0 (the derivative at exactly 0 is 0; NaN passes
   * dy on, as PyTorch's {@code threshold_backward}). x may be the pre-activation or ReLU's output (same mask). dx may be dy itself (same offset).
   */
  public final void reluBackward(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    Checks.nonNegative("len", len);
    Checks.vector("x", x, xOff, len);
    Checks.vector("dy", dy, dyOff, len);
    Checks.vector("dx", dx, dxOff, len);
    Checks.noOverlap("dx", dx, dxOff, "dy", dy, dyOff, len, true);
    Checks.noOverlap("dx", dx, dxOff, "x", x, xOff, len, false);
    if (len > 0) {
      reluBackwardUnchecked(len, x, xOff, dy, dyOff, dx, dxOff);
    }
  }

  protected abstract void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff);

  /**
   * Softmax cross-entropy with mean reduction ({@code torch.nn.functional.cross_entropy}): returns the mean over
   * the batch of −log softmax(logits[b])[labels[b]], and, when {@code dlogits} is not null, writes
   * dlogits ← (softmax(logits) − onehot(labels)) / batch. Each row's maximum is subtracted first, so large logits do
   * not overflow. Labels must lie in [0, classes); they are all checked before anything is written.
   */
  public final float softmaxCrossEntropy(int batch, int classes, float[] logits, int logitsOff, int ldlogits,
      int[] labels, int labelsOff, float[] dlogits, int dlogitsOff, int lddlogits) {
    Checks.positive("batch", batch);
    Checks.positive("classes", classes);
    Checks.matrix("logits (batch x classes)", "logits", logits, logitsOff, batch, classes, "ldlogits", ldlogits);
    Checks.vector("labels", labels, labelsOff, batch);
    for (int i = 0; i < batch; i++) {
      int label = labels[labelsOff + i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("labels[" + i + "]=" + label + " must be in [0, classes=" + classes + ")");
      }
    }
    if (dlogits != null) {
      Checks.matrix("dlogits (batch x classes)", "dlogits", dlogits, dlogitsOff, batch, classes, "lddlogits",
          lddlogits);
      Checks.noOverlap("dlogits", dlogits, dlogitsOff, batch, classes, lddlogits, "logits", logits, logitsOff, batch,
          classes, ldlogits, true);
    }
    return softmaxCrossEntropyUnchecked(batch, classes, logits, logitsOff, ldlogits, labels, labelsOff, dlogits,
        dlogitsOff, lddlogits);
  }

  protected abstract float softmaxCrossEntropyUnchecked(int batch, int classes, float[] logits, int logitsOff,
      int ldlogits, int[] labels, int labelsOff, float[] dlogits, int dlogitsOff, int lddlogits);

  // ---------------------------------------------------------------------------------------------------------------
  // 4. Checks

  /**
   * Whether x[xOff .. xOff+len) holds no infinity and no NaN (true when len = 0): the trainer's check of every
   * gradient before a step, which reads each element once. Written once in plain Java it cost 14% of an SGD step
   * of the study's MLP on the Vector API kernels (a loop with an exit per element is not vectorized by the JIT;
   * JFR, 2026-12-06).
   */
  public final boolean allFinite(int len, float[] x, int xOff) {
    Checks.nonNegative("len", len);
    Checks.vector("x", x, xOff, len);
    return len == 0 || allFiniteUnchecked(len, x, xOff);
  }

  protected abstract boolean allFiniteUnchecked(int len, float[] x, int xOff);
}
