package org.lrgrad.bench;

/**
 * The JVM flags of every benchmark fork (constants, for the {@code @Fork} annotations): the Vector API module,
 * native access for FFM (OpenBLAS) and JNI, and JMH 1.37's field-offset reads through sun.misc.Unsafe, which JDK 25
 * warns about unless allowed.
 */
final class ForkFlags {
  static final String ADD_MODULES = "--add-modules";
  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
  static final String UNSAFE_ACCESS = "--sun-misc-unsafe-memory-access=allow";

  private ForkFlags() {}
}
