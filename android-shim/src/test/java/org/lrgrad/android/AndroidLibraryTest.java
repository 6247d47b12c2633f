package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;
import org.lrgrad.jni.NativeLibrary;

/**
 * This module's tests run on the AAR's own native library: jni/x86_64 on the host JVM, jni/arm64-v8a on the
 * emulated arm64 JVM (the build passes its path as {@code -Dlrgrad.native.path}), so the facade's suite is the test
 * of the libraries that ship.
 */
class AndroidLibraryTest {
  @Test
  void theFacadeRunsOnTheAarsLibraryForThisArchitecture() {
    String path = System.getProperty(NativeLibrary.PATH_PROPERTY);
    assertNotNull(path, "the build sets -D" + NativeLibrary.PATH_PROPERTY + " to the AAR's library");
    String abi = System.getProperty("os.arch").equals("aarch64") ? "arm64-v8a" : "x86_64";
    assertEquals(true, path.endsWith("/jni/" + abi + "/liblrgrad.so"), path);
    assertEquals("-D" + NativeLibrary.PATH_PROPERTY + "=" + path, NativeLibrary.load());
    assertEquals("jni", OnDeviceKernels.get().name());
  }
}
