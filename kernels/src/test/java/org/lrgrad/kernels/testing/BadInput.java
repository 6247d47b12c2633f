package org.lrgrad.kernels.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/**
 * A rejected call as the contract promises it: exactly the expected exception type (an
 * {@link ArrayIndexOutOfBoundsException} from a kernel running off an array is not a check), a message naming the
 * argument and its values, and not one bit changed in any watched array.
 */
public final class BadInput {
  private final float[][] arrays;
  private final float[][] snapshots;

  private BadInput(float[][] arrays) {
    this.arrays = arrays;
    this.snapshots = new float[arrays.length][];
    for (int k = 0; k < arrays.length; k++) {
      snapshots[k] = arrays[k] == null ? null : arrays[k].clone();
    }
  }

  /** An array of exactly {@code length} values in [-1, 1), so that a test knows where it ends. */
  public static float[] array(Random rnd, int length) {
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      a[i] = rnd.nextFloat() * 2f - 1f;
    }
    return a;
  }

  /** Watches these arrays (nulls are ignored) as they are now: every rejected call must leave them so. */
  public static BadInput watching(float[]... arrays) {
    return new BadInput(arrays);
  }

  /** The call throws exactly {@code type}, its message contains every fragment, and no watched array changed. */
  public void rejects(Class<? extends RuntimeException> type, Executable call, String... fragments) {
    RuntimeException e = assertThrows(RuntimeException.class, call);
    assertEquals(type, e.getClass(), "exception type for: " + e);
    for (String fragment : fragments) {
      assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
          "message should contain '" + fragment + "': " + e.getMessage());
    }
    for (int k = 0; k < arrays.length; k++) {
      if (arrays[k] == null) {
        continue;
      }
      for (int i = 0; i < arrays[k].length; i++) {
        if (Float.floatToRawIntBits(arrays[k][i]) != Float.floatToRawIntBits(snapshots[k][i])) {
          fail("rejected call (" + e.getMessage() + ") changed watched array #" + k + " at index " + i + " from "
              + snapshots[k][i] + " to " + arrays[k][i]);
        }
      }
    }
  }
}
