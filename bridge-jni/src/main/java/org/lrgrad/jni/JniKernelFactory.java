package org.lrgrad.jni;

import org.lrgrad.kernels.KernelFactory;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.Kernels;

/**
 * Registers the JNI kernels with {@link org.lrgrad.kernels.KernelProvider} (through
 * {@code META-INF/services/org.lrgrad.kernels.KernelFactory}): {@code jni}, the NEON variant, preferred below the
 * Vector API ({@code vector}, 100) and above {@code vector-128} (10, or 100 in a JVM started with
 * {@code -Dlrgrad.vector.bits=128}); and {@code jni-scalar}, the scalar variant, for testing and comparison.
 */
public class JniKernelFactory implements KernelFactory {
  private final JniKernels.Variant variant;
  private final int priority;

  /** The {@code jni} kernels (NEON). */
  public JniKernelFactory() {
    this(JniKernels.Variant.NEON, 50);
  }

  JniKernelFactory(JniKernels.Variant variant, int priority) {
    this.variant = variant;
    this.priority = priority;
  }

  @Override
  public String name() {
    return variant.kernelsName();
  }

  @Override
  public int priority() {
    return priority;
  }

  /** Loads the native library; when it cannot, the loader's message (what was tried, how to fix it). */
  @Override
  public Kernels create() throws KernelUnavailableException {
    try {
      return new JniKernels(variant);
    } catch (UnsatisfiedLinkError e) {
      throw new KernelUnavailableException(e.getMessage(), e);
    }
  }

  /** The {@code jni-scalar} kernels: the library's plain C loops. */
  public static final class Scalar extends JniKernelFactory {
    public Scalar() {
      super(JniKernels.Variant.SCALAR, 20);
    }
  }
}
