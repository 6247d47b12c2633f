package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.data.NpyArrayTest.floats;
import static org.lrgrad.data.NpyArrayTest.header;
import static org.lrgrad.data.NpyArrayTest.npy;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.data.NpyArray.DType;

/**
 * Reads bounded by what the caller expects (names, dtypes, shapes) or by a number of inflated bytes, on hostile
 * archives built in memory: a member of a few megabytes that inflates to 2 GiB (under a header that says so, and under
 * a header that declares 4 floats), an unexpected extra member, and 200 members of 64 MiB. Each is refused with an
 * {@link IOException} naming the member, and the read allocates a few times the archive's size at most (the old
 * reader inflated everything first and ran out of memory).
 */
class NpzBoundedReadTest {
  private static final long GIB = 1L << 30;
  private static final List<Npz.Expected> W4 = Arrays.asList(Npz.Expected.array("w", DType.FLOAT32, 4));

  private static byte[] good() throws IOException {
    return NpzTest.zip(false, "w.npy", npy(1, header("<f4", "(4,)"), floats(1, 2, 3, 4)));
  }

  /** Reads {@code archive} bounded, asserting the memory bound; returns the exception, which must be thrown. */
  private static IOException refused(byte[] archive, ReadMemory.Read read) {
    Object outcome = ReadMemory.boundedBy(archive.length, read);
    assertTrue(outcome instanceof IOException, () -> "expected an IOException, got " + outcome);
    IOException e = (IOException) outcome;
    assertTrue(e.getMessage().startsWith("hostile.npz"), e.getMessage());
    return e;
  }

  private static void assertContains(String message, String fragment) {
    assertTrue(message.contains(fragment), "message should contain '" + fragment + "': " + message);
  }

  @Test
  void expectedArraysAreReadAndAnyOrderIsAccepted() throws IOException {
    byte[] archive = NpzTest.zip(true, "b.npy", npy(1, header("<i4", "(2,)"), NpyArrayTest.ints(5, 6)), "w.npy",
        npy(1, header("<f4", "(2, 2)"), floats(1, 2, 3, 4)));
    Npz npz = Npz.read(new ByteArrayInputStream(archive), "t.npz", Arrays.asList(
        Npz.Expected.array("w", DType.FLOAT32, 2, 2), Npz.Expected.array("b", DType.INT32, 2)));
    assertArrayEquals(new float[] {1, 2, 3, 4}, npz.get("w").floats());
    assertArrayEquals(new int[] {5, 6}, npz.get("b").ints());
    assertEquals(2, Npz.read(new ByteArrayInputStream(archive), "t.npz", 128 + 8 + 128 + 16).names().size());
  }

  @Test
  void filesAreReadWithTheSameBounds(@TempDir File dir) throws IOException {
    File file = new File(dir, "w.npz");
    Files.write(file.toPath(), good());
    assertArrayEquals(new float[] {1, 2, 3, 4}, Npz.read(file, W4).get("w").floats());
    assertEquals(4, Npz.read(file, 128 + 16).get("w").size());
    IOException e = assertThrows(IOException.class, () -> Npz.read(file, 128 + 15));
    assertTrue(e.getMessage().startsWith(file.getPath() + " member 'w.npy': its header declares 16 data bytes"),
        e.getMessage());
    Npz.MismatchException shape = assertThrows(Npz.MismatchException.class, () -> Npz.read(file,
        Arrays.asList(Npz.Expected.array("w", DType.FLOAT32, 2, 2))));
    assertEquals(Npz.MismatchException.Kind.WRONG_SHAPE, shape.kind());
  }

  @Test
  void theArchivesBuiltHereAreValidSoTheRefusalsBelowAreAboutSizeAlone() throws IOException {
    byte[] archive = new HostileNpz().member("z.npy", HostileNpz.float32Header("(786432,)"), 3 << 20).build();
    Npz npz = Npz.read(new ByteArrayInputStream(archive), "t.npz", Arrays.asList(
        Npz.Expected.array("z", DType.FLOAT32, 786432)));
    assertArrayEquals(new float[786432], npz.get("z").floats());
    assertEquals(786432, Npz.read(new ByteArrayInputStream(archive), "t.npz", (3 << 20) + 128).get("z").size());
  }

  @Test
  void aMemberThatInflatesToTwoGibibytesIsRefusedBeforeItsDataIsInflated() {
    byte[] bomb = new HostileNpz().member("w.npy", HostileNpz.float32Header("(536870912,)"), 2 * GIB).build();
    assertTrue(bomb.length < 4 << 20, "the archive takes " + bomb.length + " bytes");
    Npz.MismatchException shape = (Npz.MismatchException) refused(bomb,
        () -> Npz.read(new ByteArrayInputStream(bomb), "hostile.npz", W4));
    assertEquals(Npz.MismatchException.Kind.WRONG_SHAPE, shape.kind());
    assertContains(shape.getMessage(), "member 'w.npy': array 'w' has shape [536870912], expected [4]");
    IOException limit = refused(bomb, () -> Npz.read(new ByteArrayInputStream(bomb), "hostile.npz", 64L << 20));
    assertContains(limit.getMessage(), "member 'w.npy': its header declares 2147483648 data bytes");
  }

  @Test
  void aMemberThatInflatesBeyondItsHeaderIsRefused() {
    // A zip bomb under a header that declares what the caller expects: 4 floats, then 2 GiB more.
    byte[] bomb = new HostileNpz().member("w.npy", HostileNpz.float32Header("(4,)"), 2 * GIB).build();
    IOException e = refused(bomb, () -> Npz.read(new ByteArrayInputStream(bomb), "hostile.npz", W4));
    assertContains(e.getMessage(), "member 'w.npy': has extra bytes after the 16 data bytes");
    IOException limit = refused(bomb, () -> Npz.read(new ByteArrayInputStream(bomb), "hostile.npz", 1L << 20));
    assertContains(limit.getMessage(), "member 'w.npy'");
  }

  @Test
  void anUnexpectedMemberIsRefusedWithoutInflatingIt() throws IOException {
    // The expected member, well formed (its checksum checked at its end), then an extra one of 2 GiB.
    byte[] archive = new HostileNpz().member("w.npy", HostileNpz.float32Header("(4,)"), 16)
        .member("extra.npy", HostileNpz.float32Header("(536870912,)"), 2 * GIB).build();
    assertEquals(4, Npz.read(new ByteArrayInputStream(new HostileNpz().member("w.npy",
        HostileNpz.float32Header("(4,)"), 16).build()), "t.npz", W4).get("w").size());
    Npz.MismatchException e = (Npz.MismatchException) refused(archive,
        () -> Npz.read(new ByteArrayInputStream(archive), "hostile.npz", W4));
    assertEquals(Npz.MismatchException.Kind.UNEXPECTED, e.kind());
    assertEquals("extra", e.array());
    assertContains(e.getMessage(), "member 'extra.npy': unexpected array 'extra'");
  }

  @Test
  void twoHundredMembersOf64MibAreRefusedAtTheFirstUnexpectedOneOrAtTheByteLimit() {
    HostileNpz many = new HostileNpz();
    for (int i = 0; i < 200; i++) {
      many.member("m" + i + ".npy", HostileNpz.float32Header("(16777216,)"), 64L << 20);
    }
    byte[] archive = many.build();
    Npz.MismatchException e = (Npz.MismatchException) refused(archive,
        () -> Npz.read(new ByteArrayInputStream(archive), "hostile.npz", W4));
    assertEquals(Npz.MismatchException.Kind.UNEXPECTED, e.kind());
    assertEquals("m0", e.array());
    IOException limit = refused(archive,
        () -> Npz.read(new ByteArrayInputStream(archive), "hostile.npz", 32L << 20));
    assertContains(limit.getMessage(), "member 'm0.npy': its header declares 67108864 data bytes");
  }

  @Test
  void aMissingArrayOrAnotherDtypeIsAMismatch() throws IOException {
    byte[] good = good();
    Npz.MismatchException missing = assertThrows(Npz.MismatchException.class, () -> Npz.read(
        new ByteArrayInputStream(good), "t.npz", Arrays.asList(Npz.Expected.array("w", DType.FLOAT32, 4),
            Npz.Expected.array("b", DType.FLOAT32, 4))));
    assertEquals(Arrays.asList("b"), missing.missing());
    assertContains(missing.getMessage(), "t.npz: missing arrays [b]");
    Npz.MismatchException dtype = assertThrows(Npz.MismatchException.class, () -> Npz.read(
        new ByteArrayInputStream(good), "t.npz", Arrays.asList(Npz.Expected.array("w", DType.FLOAT64, 4))));
    assertEquals(Npz.MismatchException.Kind.WRONG_DTYPE, dtype.kind());
    assertContains(dtype.getMessage(), "array 'w' is float32, expected float64");
  }

  @Test
  void badExpectationsAndLimitsAreRefusedNamingTheArgument() {
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> Npz.read(
        new ByteArrayInputStream(new byte[0]), "t.npz", Arrays.asList(Npz.Expected.array("w", DType.FLOAT32),
            Npz.Expected.array("w", DType.INT32))));
    assertEquals("expected[1] names array 'w' a second time", twice.getMessage());
    assertEquals("maxBytes=-1 must be >= 0", assertThrows(IllegalArgumentException.class,
        () -> Npz.read(new ByteArrayInputStream(new byte[0]), "t.npz", -1L)).getMessage());
    assertEquals("shape[1]=-2 of array 'w' must be >= 0", assertThrows(IllegalArgumentException.class,
        () -> Npz.Expected.array("w", DType.FLOAT32, 3, -2)).getMessage());
  }
}
