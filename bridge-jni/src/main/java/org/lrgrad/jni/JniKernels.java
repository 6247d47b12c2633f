package org.lrgrad.jni;

import org.lrgrad.kernels.AdamBiasCorrection;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.ReferenceKernels;

/**
 * The contract on lrgrad's native library ({@code liblrgrad.so}, through JNI): every operation the library has runs
 * in C, in the {@link Variant} chosen at construction; the rest (the low-rank forms, linear algebra) are the
 * contract's Java defaults, which run on the native sgemm. Softmax cross-entropy and Adafactor have no native
 * version: they are inherited from {@link ReferenceKernels}, whose every array access is bounds-checked (a label
 * rewritten by another thread after the contract's check can make the call throw, never read outside the logits).
 *
 * <p>The contract's public methods have checked every argument (lengths, offsets, overlaps) before an
 * {@code ...Unchecked} method is called, so nothing invalid crosses. The native side reaches the heap arrays
 * through {@code GetPrimitiveArrayCritical} (no copy on HotSpot or ART) and throws from C, after leaving the
 * critical region: {@link OutOfMemoryError} when it cannot reach an array, {@link IllegalArgumentException} if the
 * library rejects arguments the contract accepted (a bug). The step-only scalars of Adam come from
 * {@link AdamBiasCorrection}, as in the reference, so the C code computes no power or bias correction; sgemm's
 * packing workspace is a per-thread Java array (the library allocates nothing). A call allocates nothing on the
 * Java heap in the steady state.
 */
public final class JniKernels extends ReferenceKernels {

  /** Which of the library's implementations runs; the numbers are {@code LRGRAD_VARIANT_*} in {@code lrgrad.h}. */
  public enum Variant {
    /** Plain C loops: the native oracle. */
    SCALAR(0, "jni-scalar"),
    /** Arm NEON intrinsics (real NEON on aarch64, through SIMDe elsewhere). */
    NEON(1, "jni");

    final int code;
    final String kernelsName;

    Variant(int code, String kernelsName) {
      this.code = code;
      this.kernelsName = kernelsName;
    }

    /** The name the provider knows these kernels by. */
    public String kernelsName() {
      return kernelsName;
    }
  }

  /** {@code LRGRAD_ADAM_TORCH} and {@code LRGRAD_ADAM_GALORE} in {@code lrgrad.h}. */
  private static final int ADAM_TORCH = 0;
  private static final int ADAM_GALORE = 1;

  /** Per thread; an anonymous subclass, as ThreadLocal.withInitial is not in Android's API 24. */
  private static final ThreadLocal<float[]> WORKSPACE = new ThreadLocal<float[]>() {
    @Override
    protected float[] initialValue() {
      return new float[0];
    }
  };

  private final Variant variant;

  /**
   * Loads the native library (see {@link NativeLibrary#load()}) and checks that it has the variant.
   *
   * @throws UnsatisfiedLinkError when the library cannot be loaded or lacks the variant; the message says how to
   *     fix it
   */
  public JniKernels(Variant variant) {
    if (variant == null) {
      throw new IllegalArgumentException("variant must not be null");
    }
    String source = NativeLibrary.load();
    if (!hasVariant(variant.code)) {
      throw new UnsatisfiedLinkError("the native library loaded from " + source + " was built without the "
          + variant + " variant; fix: use the liblrgrad.so of the lrgrad-bridge-jni jar for "
          + NativeLibrary.platform());
    }
    this.variant = variant;
  }

  @Override
  public String name() {
    return variant.kernelsName;
  }

  /** The native implementation these kernels call. */
  public Variant variant() {
    return variant;
  }

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    sgemm(variant.code, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
        workspace(sgemmWorkspaceSize(variant.code, m, n, k)));
  }

  @Override
  protected void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    sgdStep(variant.code, len, lr, weightDecay, p, pOff, g, gOff);
  }

  @Override
  protected void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    momentumStep(variant.code, len, step, lr, momentum, dampening, nesterov, weightDecay, p, pOff, g, gOff, buf,
        bufOff);
  }

  @Override
  protected void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff) {
    adamStep(variant.code, len, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, code(convention),
        AdamBiasCorrection.stepScale(convention, lr, beta1, beta2, step),
        AdamBiasCorrection.sqrtBiasCorrection2(beta2, step), p, pOff, g, gOff, m, mOff, v, vOff);
  }

  @Override
  protected void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    adamDirection(variant.code, len, beta1, beta2, eps, code(convention),
        AdamBiasCorrection.stepScale(convention, 1f, beta1, beta2, step),
        AdamBiasCorrection.sqrtBiasCorrection2(beta2, step), g, gOff, m, mOff, v, vOff, out, outOff);
  }

  @Override
  protected void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    biasAdd(variant.code, rows, cols, bias, biasOff, y, yOff, ldy);
  }

  @Override
  protected void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db,
      int dbOff) {
    biasGradient(variant.code, rows, cols, dy, dyOff, lddy, db, dbOff);
  }

  @Override
  protected void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff) {
    relu(variant.code, len, x, xOff, y, yOff);
  }

  @Override
  protected void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff) {
    reluBackward(variant.code, len, x, xOff, dy, dyOff, dx, dxOff);
  }

  @Override
  protected boolean allFiniteUnchecked(int len, float[] x, int xOff) {
    return allFinite(variant.code, len, x, xOff);
  }

  /**
   * This thread's sgemm workspace, grown to at least {@code floats} (null when none is needed): a call in the steady
   * state allocates nothing, and the library allocates nothing at all. It holds NEON's packing panels, at most
   * (128 + 2048) × 256 floats (2.2 MB) per thread that multiplies.
   */
  private static float[] workspace(long floats) {
    if (floats <= 0) {
      return null;
    }
    float[] workspace = WORKSPACE.get();
    if (workspace.length < floats) {
      workspace = new float[Math.toIntExact(floats)];
      WORKSPACE.set(workspace);
    }
    return workspace;
  }

  private static int code(AdamConvention convention) {
    return convention == AdamConvention.TORCH ? ADAM_TORCH : ADAM_GALORE;
  }

  // One native method per operation of lrgrad.h; each pins its arrays, calls lrgrad_<operation> and throws on a
  // status other than LRGRAD_OK (jni/jni_kernels.c).

  private static native boolean hasVariant(int variant);

  private static native long sgemmWorkspaceSize(int variant, int m, int n, int k);

  private static native void sgemm(int variant, boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
      float[] workspace);

  private static native void sgdStep(int variant, int len, float lr, float weightDecay, float[] p, int pOff,
      float[] g, int gOff);

  private static native void momentumStep(int variant, int len, int step, float lr, float momentum,
      float dampening, boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf,
      int bufOff);

  private static native void adamStep(int variant, int len, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, int convention, float stepScale, float sqrtBc2, float[] p,
      int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff);

  private static native void adamDirection(int variant, int len, float beta1, float beta2, float eps,
      int convention, float scale, float sqrtBc2, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
      float[] out, int outOff);

  private static native void biasAdd(int variant, int rows, int cols, float[] bias, int biasOff, float[] y,
      int yOff, int ldy);

  private static native void biasGradient(int variant, int rows, int cols, float[] dy, int dyOff, int lddy,
      float[] db, int dbOff);

  private static native void relu(int variant, int len, float[] x, int xOff, float[] y, int yOff);

  private static native void reluBackward(int variant, int len, float[] x, int xOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  private static native boolean allFinite(int variant, int len, float[] x, int xOff);
}
