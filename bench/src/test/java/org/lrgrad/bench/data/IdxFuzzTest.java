package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.lrgrad.data.ReadMemory;

/**
 * Fuzzes the IDX reader: any bytes, raw or gzip, give either the array they encode or an {@link IdxFormatException}
 * naming the source, never another exception, and never more memory than a few times the bytes the stream holds,
 * whatever its header declares. The corpus holds small image and label files, raw and gzip, and mutations of them
 * (truncated, another type, huge sizes, trailing bytes, a gzip stream cut short).
 */
class IdxFuzzTest {
  @FuzzTest(maxDuration = "5s")
  void anyBytesGiveTheirArrayOrIdxFormatException(byte[] input) throws IOException {
    Object outcome = ReadMemory.boundedBy(decompressedLength(input),
        () -> Idx.read(new ByteArrayInputStream(input), "fuzz input"));
    if (outcome instanceof IdxFormatException) {
      assertTrue(((Exception) outcome).getMessage().startsWith("fuzz input"), ((Exception) outcome).getMessage());
      return;
    }
    if (outcome instanceof Exception) {
      throw new AssertionError("not an IdxFormatException: " + outcome, (Exception) outcome);
    }
    IdxArray array = (IdxArray) outcome;
    // Accepted: the (decompressed) bytes are exactly the IDX encoding of what was read, nothing more.
    byte[] data = new byte[array.length()];
    long elements = 1;
    for (int d : array.dims()) {
      elements *= d;
    }
    assertEquals(elements, data.length, "length against dimensions");
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) array.unsigned(i);
    }
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    Idx.write(encoded, array.dims(), data);
    assertArrayEquals(decompressed(input), encoded.toByteArray());
  }

  /** How many bytes the reader can get out of the input: gzip decompressed as far as it goes. */
  private static long decompressedLength(byte[] input) {
    if (input.length < 2 || (input[0] & 0xff) != 0x1f || (input[1] & 0xff) != 0x8b) {
      return input.length;
    }
    long n = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(input))) {
      for (int r = gzip.read(buffer); r >= 0; r = gzip.read(buffer)) {
        n += r;
      }
    } catch (IOException e) {
      // A broken stream gives what came before the break.
    }
    return Math.max(n, input.length);
  }

  private static byte[] decompressed(byte[] input) throws IOException {
    if (input.length < 2 || (input[0] & 0xff) != 0x1f || (input[1] & 0xff) != 0x8b) {
      return input;
    }
    try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(input))) {
      return gzip.readAllBytes();
    }
  }
}
