package org.lrgrad.ffm;

import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_ADAM_GALORE;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_ADAM_TORCH;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_ERROR_ARGUMENT;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_ERROR_NO_MEMORY;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_ERROR_VARIANT;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_OK;
import static org.lrgrad.ffm.generated.lrgrad_h.LRGRAD_VARIANT_NEON;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.lrgrad.ffm.generated.lrgrad_h;
import org.lrgrad.jni.NativeLibrary;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.reference.ReferenceKernels;

/**
 * The contract on lrgrad's native library through the Foreign Function & Memory API: the same exported
 * {@code lrgrad_*} functions (NEON variant) that the {@code jni} kernels call, reached through the bindings jextract
 * generated from {@code lrgrad.h} ({@link lrgrad_h}). The low-rank forms and the linear algebra are the contract's
 * Java defaults, running on the native sgemm; softmax cross-entropy and Adafactor, which the library does not have,
 * are inherited from {@link ReferenceKernels} (bounds-checked Java, safe against labels rewritten during a call).
 *
 * <p>{@link NativeLibrary#load()} finds, loads (into this class loader) and version-checks the library; the
 * generated bindings then find its symbols through {@link java.lang.foreign.SymbolLookup#loaderLookup()}, whatever
 * the library's origin (an explicit path, {@code java.library.path} or the copy extracted from the jar).
 *
 * <p>Every operation passes Java arrays straight to C as heap segments, through downcall handles made here with
 * {@link Linker.Option#critical(boolean) critical(true)} from the generated addresses and descriptors (jextract
 * generates no linker options): no copy. The segments come from {@link HeapSegments}, which remembers them per
 * thread, so calls on arrays and offsets seen before allocate nothing. The contract's public
 * methods have checked every argument before an {@code ...Unchecked} method runs, so nothing invalid crosses; a
 * status other than {@code LRGRAD_OK} becomes {@link OutOfMemoryError} (no scratch memory) or
 * {@link IllegalArgumentException} (the library rejected what the contract accepted: a bug).
 */
public final class FfmKernels extends ReferenceKernels {

  /**
   * Loads the native library (see {@link NativeLibrary#load()}) and checks that it has the NEON variant.
   *
   * @throws UnsatisfiedLinkError when the library cannot be loaded or lacks the variant; the message says how to
   *     fix it
   */
  public FfmKernels() {
    String source = NativeLibrary.load();
    if (lrgrad_h.lrgrad_has_variant(LRGRAD_VARIANT_NEON()) == 0) {
      throw new UnsatisfiedLinkError("the native library loaded from " + source + " was built without the NEON"
          + " variant; fix: use the liblrgrad.so of the lrgrad-bridge-jni jar for " + NativeLibrary.platform());
    }
  }

  @Override
  public String name() {
    return "ffm";
  }

  /** The critical downcall handles, made once the library is loaded (their class initializes on first use). */
  private static final class Downcalls {
    static final int VARIANT = LRGRAD_VARIANT_NEON();
    static final MethodHandle SGEMM = critical(lrgrad_h.lrgrad_sgemm$address(), lrgrad_h.lrgrad_sgemm$descriptor());
    static final MethodHandle SGD_STEP =
        critical(lrgrad_h.lrgrad_sgd_step$address(), lrgrad_h.lrgrad_sgd_step$descriptor());
    static final MethodHandle MOMENTUM_STEP =
        critical(lrgrad_h.lrgrad_momentum_step$address(), lrgrad_h.lrgrad_momentum_step$descriptor());
    static final MethodHandle ADAM_STEP =
        critical(lrgrad_h.lrgrad_adam_step$address(), lrgrad_h.lrgrad_adam_step$descriptor());
    static final MethodHandle ADAM_DIRECTION =
        critical(lrgrad_h.lrgrad_adam_direction$address(), lrgrad_h.lrgrad_adam_direction$descriptor());
    static final MethodHandle BIAS_ADD =
        critical(lrgrad_h.lrgrad_bias_add$address(), lrgrad_h.lrgrad_bias_add$descriptor());
    static final MethodHandle BIAS_GRADIENT =
        critical(lrgrad_h.lrgrad_bias_gradient$address(), lrgrad_h.lrgrad_bias_gradient$descriptor());
    static final MethodHandle RELU = critical(lrgrad_h.lrgrad_relu$address(), lrgrad_h.lrgrad_relu$descriptor());
    static final MethodHandle RELU_BACKWARD =
        critical(lrgrad_h.lrgrad_relu_backward$address(), lrgrad_h.lrgrad_relu_backward$descriptor());

    private static MethodHandle critical(MemorySegment address, FunctionDescriptor descriptor) {
      return Linker.nativeLinker().downcallHandle(address, descriptor, Linker.Option.critical(true));
    }
  }

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    int status;
    try {
      status = (int) Downcalls.SGEMM.invokeExact(Downcalls.VARIANT, flag(transA), flag(transB), m, n, k, alpha,
          at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_sgemm");
  }

  @Override
  protected void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    int status;
    try {
      status = (int) Downcalls.SGD_STEP.invokeExact(Downcalls.VARIANT, len, lr, weightDecay, at(p, pOff),
          at(g, gOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_sgd_step");
  }

  @Override
  protected void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    int status;
    try {
      status = (int) Downcalls.MOMENTUM_STEP.invokeExact(Downcalls.VARIANT, len, step, lr, momentum, dampening,
          flag(nesterov), weightDecay, at(p, pOff), at(g, gOff), at(buf, bufOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_momentum_step");
  }

  @Override
  protected void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff) {
    int status;
    try {
      status = (int) Downcalls.ADAM_STEP.invokeExact(Downcalls.VARIANT, len, step, lr, beta1, beta2, eps,
          weightDecay, flag(decoupledWeightDecay), code(convention), at(p, pOff), at(g, gOff), at(m, mOff),
          at(v, vOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_adam_step");
  }

  @Override
  protected void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    int status;
    try {
      status = (int) Downcalls.ADAM_DIRECTION.invokeExact(Downcalls.VARIANT, len, step, beta1, beta2, eps,
          code(convention), at(g, gOff), at(m, mOff), at(v, vOff), at(out, outOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_adam_direction");
  }

  @Override
  protected void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    int status;
    try {
      status = (int) Downcalls.BIAS_ADD.invokeExact(Downcalls.VARIANT, rows, cols, at(bias, biasOff), at(y, yOff),
          ldy);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_bias_add");
  }

  @Override
  protected void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db,
      int dbOff) {
    int status;
    try {
      status = (int) Downcalls.BIAS_GRADIENT.invokeExact(Downcalls.VARIANT, rows, cols, at(dy, dyOff), lddy,
          at(db, dbOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_bias_gradient");
  }

  @Override
  protected void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff) {
    int status;
    try {
      status = (int) Downcalls.RELU.invokeExact(Downcalls.VARIANT, len, at(x, xOff), at(y, yOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_relu");
  }

  @Override
  protected void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff) {
    int status;
    try {
      status = (int) Downcalls.RELU_BACKWARD.invokeExact(Downcalls.VARIANT, len, at(x, xOff), at(dy, dyOff),
          at(dx, dxOff));
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_relu_backward");
  }

  /** The heap segment of {@code array} from element {@code offset} on (this thread's, remembered). */
  private static MemorySegment at(float[] array, int offset) {
    return HeapSegments.current().of(array, offset);
  }

  private static int flag(boolean value) {
    return value ? 1 : 0;
  }

  private static int code(AdamConvention convention) {
    return convention == AdamConvention.TORCH ? LRGRAD_ADAM_TORCH() : LRGRAD_ADAM_GALORE();
  }

  /** A downcall throws nothing of its own: anything caught is passed on unchanged if unchecked. */
  private static RuntimeException unexpected(Throwable t) {
    if (t instanceof Error error) {
      throw error;
    }
    if (t instanceof RuntimeException runtime) {
      return runtime;
    }
    return new IllegalStateException("a downcall into lrgrad's native library failed", t);
  }

  private static void check(int status, String function) {
    if (status == LRGRAD_OK()) {
      return;
    }
    if (status == LRGRAD_ERROR_NO_MEMORY()) {
      throw new OutOfMemoryError(function + ": the native library could not allocate its scratch memory");
    }
    if (status == LRGRAD_ERROR_ARGUMENT()) {
      throw new IllegalArgumentException(function + " rejected arguments that the Java contract accepted (a bug in"
          + " lrgrad)");
    }
    throw new IllegalStateException(function + " returned status " + status + " (LRGRAD_ERROR_VARIANT = "
        + LRGRAD_ERROR_VARIANT() + ": no such variant)");
  }
}
