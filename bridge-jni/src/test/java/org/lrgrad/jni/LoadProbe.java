package org.lrgrad.jni;

/**
 * Loads the native library in a fresh JVM, as an application would, and prints where it came from (exit 0) or
 * the loader's error message (exit 3). {@link NativeLibraryTest} starts it with the properties under test.
 */
public final class LoadProbe {
  private LoadProbe() {}

  public static void main(String[] args) {
    try {
      System.out.println("loaded: " + NativeLibrary.load() + "; abi " + NativeLibrary.abiVersion());
    } catch (UnsatisfiedLinkError e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(3);
    }
  }
}
