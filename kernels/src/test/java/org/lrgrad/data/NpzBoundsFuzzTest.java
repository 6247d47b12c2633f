package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.lrgrad.data.NpyArray.DType;

/**
 * Fuzzes the bounded NPZ reads: with expectations, any bytes give exactly the expected arrays (names, dtypes,
 * shapes) or an {@link IOException} naming the source; with a byte limit, arrays whose data fit the limit or that
 * exception. Either way the read takes at most 4 × the bytes given + 2 MiB, whatever the archive declares or
 * inflates to. The first input byte picks the read (even: expectations, odd: the limit). The corpus holds the
 * expected archive stored and deflated, and mutations: another shape and dtype, an extra member, a missing one, a
 * member that inflates beyond its header, one whose header declares gigabytes, a truncated archive.
 */
class NpzBoundsFuzzTest {
  /** What the expectation read asks for: the arrays of the corpus' good archive. */
  private static final List<Npz.Expected> EXPECTED = Arrays.asList(Npz.Expected.array("w", DType.FLOAT32, 2, 3),
      Npz.Expected.array("b", DType.INT32, 3));
  private static final long LIMIT = 4096;

  @FuzzTest(maxDuration = "5s")
  void boundedReadsGiveWhatWasExpectedOrIOException(byte[] input) {
    boolean limited = input.length > 0 && (input[0] & 1) == 1;
    byte[] content = Arrays.copyOfRange(input, Math.min(1, input.length), input.length);
    Object outcome = ReadMemory.boundedBy(content.length, () -> limited
        ? Npz.read(new ByteArrayInputStream(content), "fuzz input", LIMIT)
        : Npz.read(new ByteArrayInputStream(content), "fuzz input", EXPECTED));
    if (outcome instanceof IOException) {
      assertTrue(((IOException) outcome).getMessage().startsWith("fuzz input"), outcome.toString());
      return;
    }
    if (outcome instanceof Exception) {
      throw new AssertionError("not an IOException: " + outcome, (Exception) outcome);
    }
    Npz npz = (Npz) outcome;
    if (limited) {
      long bytes = 0;
      for (String name : npz.names()) {
        bytes += (long) npz.get(name).size() * npz.get(name).dtype().bytes();
      }
      assertTrue(bytes <= LIMIT, "read " + bytes + " data bytes under a limit of " + LIMIT);
      return;
    }
    assertEquals(EXPECTED.size(), npz.names().size(), "arrays " + npz.names());
    for (Npz.Expected e : EXPECTED) {
      NpyArray array = npz.get(e.name());
      assertEquals(e.dtype(), array.dtype(), e.name());
      assertArrayEquals(e.shape(), array.shape(), e.name());
    }
    assertEquals(6, npz.get("w").floats().length);
    assertEquals(3, npz.get("b").ints().length);
  }
}
