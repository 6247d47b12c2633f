package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.KernelProvider;

class OnDeviceKernelsTest {

  @Test
  void runsOnJniWhenAvailableElseOnTheReferenceNeverOnTheVectorApi() {
    OnDeviceKernels.Choice choice = OnDeviceKernels.choose(KernelProvider.candidates());
    boolean jniAvailable = false;
    for (KernelProvider.Candidate c : KernelProvider.candidates()) {
      jniAvailable |= c.name().equals("jni") && c.isAvailable();
    }
    if (jniAvailable) {
      assertEquals("jni", choice.kernels.name());
      assertEquals(Level.INFO, choice.level);
    } else {
      assertEquals("reference", choice.kernels.name());
      assertEquals(Level.WARNING, choice.level);
      assertTrue(choice.message.contains("pure-Java kernels ('reference')"), choice.message);
      assertTrue(choice.message.contains("the JNI kernels are unavailable: "), choice.message);
    }
    assertSame(OnDeviceKernels.get(), OnDeviceKernels.get());
    assertEquals(choice.kernels.name(), OnDeviceKernels.get().name());
  }
}
