package org.lrgrad.ffm;

import static org.lrgrad.ffm.lrgrad_h.LRGRAD_ADAM_GALORE;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_ADAM_TORCH;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_ERROR_ARGUMENT;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_ERROR_VARIANT;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_ERROR_WORKSPACE;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_NOT_FINITE;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_OK;
import static org.lrgrad.ffm.lrgrad_h.LRGRAD_VARIANT_NEON;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.lrgrad.jni.NativeLibrary;
import org.lrgrad.kernels.AdamBiasCorrection;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.ReferenceKernels;

/**
 * The contract on lrgrad's native library through the Foreign Function &amp; Memory API: the same exported
 * {@code lrgrad_*} functions (NEON variant) that the {@code jni} kernels call, reached through the bindings jextract
 * generated from {@code lrgrad.h} ({@code lrgrad_h}, package-private: the raw entry points are not public API). The
 * low-rank forms and the linear algebra are the contract's Java defaults, running on the native sgemm; softmax
 * cross-entropy and Adafactor, which the library does not have, are inherited from {@link ReferenceKernels}
 * (bounds-checked Java, safe against labels rewritten during a call).
 *
 * <p>{@link NativeLibrary#load()} finds, loads (into this class loader) and version-checks the library; the
 * generated bindings then find its symbols through {@link java.lang.foreign.SymbolLookup#loaderLookup()}, whatever
 * the library's origin.
 *
 * <p>Two linkages. A {@link Linker.Option#critical(boolean) critical} downcall passes Java arrays straight to C as
 * heap segments (no copy), but no safepoint can happen while it runs: every other thread that needs one (a garbage
 * collection, a deoptimization) waits for it to return. So critical downcalls are kept short: an sgemm of at most
 * {@link #CRITICAL_SGEMM_MULTIPLY_ADDS} multiply-adds, and the element-wise operations in pieces of at most
 * {@link #CRITICAL_ELEMENTS} elements (each piece the same arithmetic, so the result is the same bits). A larger
 * sgemm copies its matrices into this thread's off-heap buffer and makes a plain downcall, during which the JVM
 * reaches safepoints freely (the copies are O(mk + kn + mn) beside the product's O(mnk)). The heap segments come
 * from {@link HeapSegments}, which remembers them per thread, and the off-heap buffer and the sgemm workspace are
 * per thread and grow only, so a call in the steady state allocates nothing. The step-only scalars of Adam come
 * from {@link AdamBiasCorrection}, as in the reference.
 *
 * <p>The contract's public methods have checked every argument before an {@code ...Unchecked} method runs, so
 * nothing invalid crosses; a status other than {@code LRGRAD_OK} becomes {@link IllegalArgumentException} or
 * {@link IllegalStateException} (the library rejected what the contract accepted: a bug).
 */
public final class FfmKernels extends ReferenceKernels {

  /**
   * The largest sgemm (m·n·k multiply-adds) that runs as a critical downcall: 2^22, a 161³ product, took 0.55 ms
   * through ffm on the 2-core build machine under load (a 1536³ one, all critical before, held every safepoint for
   * up to 989 ms, by -Xlog:safepoint beside a loop of them).
   */
  static final long CRITICAL_SGEMM_MULTIPLY_ADDS = 1L << 22;

  /**
   * The longest piece of an element-wise operation per critical downcall: an Adam step over 2^16 elements (the
   * slowest, memory-bound) took about 1 ms there under the same load. Pieces keep the number of remembered heap
   * segments small (a layer of 2^20 weights is 16 pieces per array).
   */
  static final int CRITICAL_ELEMENTS = 1 << 16;

  /** How a call reaches C; see the class comment. */
  enum Linkage {
    /** Heap segments, no copy; no safepoint until it returns. */
    CRITICAL,
    /** Copies into this thread's off-heap buffer and a plain downcall: safepoints go on meanwhile. */
    OFF_HEAP
  }

  /** The linkage sgemm uses for an m × n × k product. */
  static Linkage sgemmLinkage(int m, int n, int k) {
    return (long) m * n * k <= CRITICAL_SGEMM_MULTIPLY_ADDS ? Linkage.CRITICAL : Linkage.OFF_HEAP;
  }

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

  /** The downcall handles, made once the library is loaded (their class initializes on first use). */
  private static final class Downcalls {
    static final int VARIANT = LRGRAD_VARIANT_NEON();
    static final MethodHandle SGEMM_WORKSPACE_SIZE =
        critical(lrgrad_h.lrgrad_sgemm_workspace_size$address(), lrgrad_h.lrgrad_sgemm_workspace_size$descriptor());
    static final MethodHandle SGEMM = critical(lrgrad_h.lrgrad_sgemm$address(), lrgrad_h.lrgrad_sgemm$descriptor());
    /** Not critical, and its pointers passed as raw addresses (longs) into the off-heap buffer: no slice objects. */
    static final MethodHandle SGEMM_OFF_HEAP = Linker.nativeLinker().downcallHandle(
        lrgrad_h.lrgrad_sgemm$address(), addressesAsLongs(lrgrad_h.lrgrad_sgemm$descriptor()));
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
    static final MethodHandle ALL_FINITE =
        critical(lrgrad_h.lrgrad_all_finite$address(), lrgrad_h.lrgrad_all_finite$descriptor());

    private static MethodHandle critical(MemorySegment address, FunctionDescriptor descriptor) {
      return Linker.nativeLinker().downcallHandle(address, descriptor, Linker.Option.critical(true));
    }

    private static FunctionDescriptor addressesAsLongs(FunctionDescriptor descriptor) {
      MemoryLayout[] arguments = descriptor.argumentLayouts().toArray(new MemoryLayout[0]);
      for (int i = 0; i < arguments.length; i++) {
        if (arguments[i] instanceof AddressLayout) {
          arguments[i] = ValueLayout.JAVA_LONG;
        }
      }
      return FunctionDescriptor.of(descriptor.returnLayout().orElseThrow(), arguments);
    }
  }

  /** This thread's sgemm workspace (critical calls) and off-heap buffer (the others); both only grow. */
  private static final class Scratch {
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    float[] workspace = new float[0];
    MemorySegment offHeap = MemorySegment.NULL;

    float[] workspace(long floats) {
      if (workspace.length < floats) {
        workspace = new float[Math.toIntExact(floats)];
      }
      return workspace;
    }

    /** At least {@code bytes}, 64-byte aligned; freed when this thread's Scratch is collected. */
    MemorySegment offHeap(long bytes) {
      if (offHeap.byteSize() < bytes) {
        offHeap = Arena.ofAuto().allocate(bytes, 64);
      }
      return offHeap;
    }
  }

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    long workspaceFloats;
    try {
      workspaceFloats = (long) Downcalls.SGEMM_WORKSPACE_SIZE.invokeExact(Downcalls.VARIANT, m, n, k);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    if (sgemmLinkage(m, n, k) == Linkage.OFF_HEAP) {
      sgemmOffHeap(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, workspaceFloats);
      return;
    }
    Scratch scratch = Scratch.CURRENT.get();
    MemorySegment workspace =
        workspaceFloats > 0 ? at(scratch.workspace(workspaceFloats), 0) : MemorySegment.NULL;
    int status;
    try {
      status = (int) Downcalls.SGEMM.invokeExact(Downcalls.VARIANT, flag(transA), flag(transB), m, n, k, alpha,
          at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc, workspace, workspaceFloats);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_sgemm");
  }

  /** Floats from a matrix's first element to its last: rows − 1 leading dimensions and one row. */
  private static long span(int rows, int cols, int ld) {
    return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
  }

  /** Bytes rounded up to 64, so that each matrix in the off-heap buffer starts on a cache line. */
  private static long lines(long floats) {
    return (floats * Float.BYTES + 63) & ~63L;
  }

  private static void sgemmOffHeap(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
      long workspaceFloats) {
    long spanA = span(transA ? k : m, transA ? m : k, lda);
    long spanB = span(transB ? n : k, transB ? k : n, ldb);
    long spanC = span(m, n, ldc);
    long atB = lines(spanA);
    long atC = atB + lines(spanB);
    long atWorkspace = atC + lines(spanC);
    MemorySegment buffer = Scratch.CURRENT.get().offHeap(atWorkspace + lines(workspaceFloats));
    MemorySegment.copy(a, aOff, buffer, ValueLayout.JAVA_FLOAT, 0, Math.toIntExact(spanA));
    MemorySegment.copy(b, bOff, buffer, ValueLayout.JAVA_FLOAT, atB, Math.toIntExact(spanB));
    // C's cells between rows are copied too, and not copied back: only C's own cells are written back, row by row,
    // so that another thread writing elsewhere in the same array (a disjoint output) loses nothing.
    MemorySegment.copy(c, cOff, buffer, ValueLayout.JAVA_FLOAT, atC, Math.toIntExact(spanC));
    long base = buffer.address();
    int status;
    try {
      status = (int) Downcalls.SGEMM_OFF_HEAP.invokeExact(Downcalls.VARIANT, flag(transA), flag(transB), m, n, k,
          alpha, base, lda, base + atB, ldb, beta, base + atC, ldc, base + atWorkspace, workspaceFloats);
    } catch (Throwable t) {
      throw unexpected(t);
    }
    check(status, "lrgrad_sgemm");
    for (int i = 0; i < m; i++) {
      MemorySegment.copy(buffer, ValueLayout.JAVA_FLOAT, atC + (long) i * ldc * Float.BYTES, c, cOff + i * ldc, n);
    }
  }

  @Override
  protected void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.SGD_STEP.invokeExact(Downcalls.VARIANT, piece, lr, weightDecay, at(p, pOff + done),
            at(g, gOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_sgd_step");
    }
  }

  @Override
  protected void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.MOMENTUM_STEP.invokeExact(Downcalls.VARIANT, piece, step, lr, momentum, dampening,
            flag(nesterov), weightDecay, at(p, pOff + done), at(g, gOff + done), at(buf, bufOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_momentum_step");
    }
  }

  @Override
  protected void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff) {
    float stepScale = AdamBiasCorrection.stepScale(convention, lr, beta1, beta2, step);
    float sqrtBc2 = AdamBiasCorrection.sqrtBiasCorrection2(beta2, step);
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.ADAM_STEP.invokeExact(Downcalls.VARIANT, piece, lr, beta1, beta2, eps, weightDecay,
            flag(decoupledWeightDecay), code(convention), stepScale, sqrtBc2, at(p, pOff + done),
            at(g, gOff + done), at(m, mOff + done), at(v, vOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_adam_step");
    }
  }

  @Override
  protected void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    float scale = AdamBiasCorrection.stepScale(convention, 1f, beta1, beta2, step);
    float sqrtBc2 = AdamBiasCorrection.sqrtBiasCorrection2(beta2, step);
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.ADAM_DIRECTION.invokeExact(Downcalls.VARIANT, piece, beta1, beta2, eps,
            code(convention), scale, sqrtBc2, at(g, gOff + done), at(m, mOff + done), at(v, vOff + done),
            at(out, outOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_adam_direction");
    }
  }

  @Override
  protected void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    int rowsPerPiece = Math.max(1, CRITICAL_ELEMENTS / cols);
    for (int done = 0; done < rows; done += rowsPerPiece) {
      int piece = Math.min(rowsPerPiece, rows - done);
      int status;
      try {
        status = (int) Downcalls.BIAS_ADD.invokeExact(Downcalls.VARIANT, piece, cols, at(bias, biasOff),
            at(y, yOff + done * ldy), ldy);
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_bias_add");
    }
  }

  /** In pieces of whole columns: each column's sum keeps its order. */
  @Override
  protected void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db,
      int dbOff) {
    int colsPerPiece = Math.max(1, CRITICAL_ELEMENTS / Math.max(1, rows));
    for (int done = 0; done < cols; done += colsPerPiece) {
      int piece = Math.min(colsPerPiece, cols - done);
      int status;
      try {
        status = (int) Downcalls.BIAS_GRADIENT.invokeExact(Downcalls.VARIANT, rows, piece, at(dy, dyOff + done), lddy,
            at(db, dbOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_bias_gradient");
    }
  }

  @Override
  protected void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff) {
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.RELU.invokeExact(Downcalls.VARIANT, piece, at(x, xOff + done), at(y, yOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_relu");
    }
  }

  @Override
  protected void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx,
      int dxOff) {
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.RELU_BACKWARD.invokeExact(Downcalls.VARIANT, piece, at(x, xOff + done),
            at(dy, dyOff + done), at(dx, dxOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      check(status, "lrgrad_relu_backward");
    }
  }

  /** Piece by piece, stopping at the first piece that is not all finite. */
  @Override
  protected boolean allFiniteUnchecked(int len, float[] x, int xOff) {
    for (int done = 0; done < len; done += CRITICAL_ELEMENTS) {
      int piece = Math.min(CRITICAL_ELEMENTS, len - done);
      int status;
      try {
        status = (int) Downcalls.ALL_FINITE.invokeExact(Downcalls.VARIANT, piece, at(x, xOff + done));
      } catch (Throwable t) {
        throw unexpected(t);
      }
      if (status == LRGRAD_NOT_FINITE()) {
        return false;
      }
      check(status, "lrgrad_all_finite");
    }
    return true;
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
    if (status == LRGRAD_ERROR_WORKSPACE()) {
      throw new IllegalStateException(function + " got a workspace smaller than lrgrad_sgemm_workspace_size (a bug"
          + " in lrgrad)");
    }
    if (status == LRGRAD_ERROR_ARGUMENT()) {
      throw new IllegalArgumentException(function + " rejected arguments that the Java contract accepted (a bug in"
          + " lrgrad)");
    }
    throw new IllegalStateException(function + " returned status " + status + " (LRGRAD_ERROR_VARIANT = "
        + LRGRAD_ERROR_VARIANT() + ": no such variant)");
  }
}
