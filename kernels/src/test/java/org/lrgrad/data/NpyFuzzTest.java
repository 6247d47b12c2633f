package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.lrgrad.data.NpyArray.DType;

/**
 * Fuzzes the NPY and NPZ readers: any bytes give arrays consistent with their headers or an {@link IOException} naming
 * the source, never another exception; an NPY stream never takes more memory than a few times its size, whatever
 * its header declares. The first input byte picks the reader (even: NPY, odd: NPZ); the corpus holds small arrays of
 * each dtype and header version, an archive of two, and mutations of them (one found by fuzzing: a header declaring
 * 8 GB, which the reader allocated before reading).
 */
class NpyFuzzTest {
  @FuzzTest(maxDuration = "5s")
  void anyBytesGiveConsistentArraysOrIOException(byte[] input) {
    boolean npz = input.length > 0 && (input[0] & 1) == 1;
    byte[] content = Arrays.copyOfRange(input, Math.min(1, input.length), input.length);
    if (npz) {
      try {
        Npz archive = Npz.read(new ByteArrayInputStream(content), "fuzz input");
        for (String name : archive.names()) {
          checkConsistent(archive.get(name));
        }
      } catch (IOException e) {
        assertTrue(e.getMessage().startsWith("fuzz input"), e.getMessage());
      }
      return;
    }
    Object outcome = ReadMemory.boundedBy(content.length,
        () -> NpyArray.read(new ByteArrayInputStream(content), "fuzz input"));
    if (outcome instanceof IOException) {
      assertTrue(((IOException) outcome).getMessage().startsWith("fuzz input"), outcome.toString());
      return;
    }
    if (outcome instanceof Exception) {
      throw new AssertionError("not an IOException: " + outcome, (Exception) outcome);
    }
    NpyArray array = (NpyArray) outcome;
    checkConsistent(array);
    // A whole NPY stream ends with its data, little-endian.
    double[] values = array.toDoubles();
    int width = array.dtype().bytes();
    ByteBuffer tail = ByteBuffer.wrap(content, content.length - values.length * width, values.length * width)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; i++) {
      double want = width == 8 ? tail.getDouble() : array.dtype() == DType.INT32 ? tail.getInt() : tail.getFloat();
      assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(values[i]), "element " + i);
    }
  }

  /** The element count is the shape's product and the data array of the dtype has exactly that many elements. */
  private static void checkConsistent(NpyArray array) {
    long product = 1;
    for (int d : array.shape()) {
      assertTrue(d >= 0, "negative dimension in " + array);
      product *= d;
    }
    assertEquals(product, array.size(), "size of " + array);
    int length;
    switch (array.dtype()) {
      case FLOAT32:
        length = array.floats().length;
        break;
      case INT32:
        length = array.ints().length;
        break;
      default:
        length = array.doubles().length;
        break;
    }
    assertEquals(array.size(), length, "data length of " + array);
  }
}
