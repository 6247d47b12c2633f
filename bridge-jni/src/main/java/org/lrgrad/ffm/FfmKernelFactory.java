package org.lrgrad.ffm;

import java.lang.reflect.InvocationTargetException;
import org.lrgrad.kernels.KernelFactory;
import org.lrgrad.kernels.KernelUnavailableException;
import org.lrgrad.kernels.Kernels;

/**
 * Registers the FFM kernels ({@code ffm}, priority 40: below {@code jni}, 50, which runs the same native code) with
 * {@link org.lrgrad.kernels.KernelProvider} through {@code META-INF/services/org.lrgrad.kernels.KernelFactory}.
 *
 * <p>This class compiles at the Android-safe release so that every JVM, Android's included, can load it from the
 * service file and be told why {@code ffm} cannot run there; {@link #IMPLEMENTATION} lives in the jar's Java 25
 * layer ({@code META-INF/versions/25}) and is reached only by reflection.
 */
public final class FfmKernelFactory implements KernelFactory {
  static final String IMPLEMENTATION = "org.lrgrad.ffm.FfmKernels";

  @Override
  public String name() {
    return "ffm";
  }

  @Override
  public int priority() {
    return 40;
  }

  @Override
  public Kernels create() throws KernelUnavailableException {
    try {
      Class.forName("java.lang.foreign.Linker");
    } catch (ClassNotFoundException | LinkageError e) {
      throw new KernelUnavailableException("this JVM (java.version=" + System.getProperty("java.version")
          + ", java.vm.name=" + System.getProperty("java.vm.name") + ") has no Foreign Function & Memory API;"
          + " fix: run on JDK 25 or newer, or use the jni kernels (Android has no FFM)");
    }
    Class<?> implementation;
    try {
      implementation = Class.forName(IMPLEMENTATION);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new KernelUnavailableException("the FFM layer (" + IMPLEMENTATION + ", in the jar's"
          + " META-INF/versions/25) did not load on java.version=" + System.getProperty("java.version") + " ("
          + e + "); fix: run on JDK 25 or newer with the lrgrad-bridge-jni jar on the class path");
    }
    try {
      return (Kernels) implementation.getConstructor().newInstance();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnsatisfiedLinkError) {
        throw new KernelUnavailableException(cause.getMessage(), cause);
      }
      throw new KernelUnavailableException("the FFM kernels failed to start: " + cause, cause);
    } catch (ReflectiveOperationException e) {
      throw new KernelUnavailableException("the FFM kernels failed to start: " + e, e);
    }
  }
}
