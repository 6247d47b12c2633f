package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lrgrad.data.NpyArray.DType;

/** The NPY reader on hand-built files: each header version, each dtype, and every way a file can be wrong. */
class NpyArrayTest {

  /** An NPY file as numpy lays it out: magic, version, little-endian header length, header padded to 64, data. */
  static byte[] npy(int major, String header, byte[] data) {
    int lengthBytes = major == 1 ? 2 : 4;
    int prefix = 8 + lengthBytes;
    StringBuilder padded = new StringBuilder(header);
    while ((prefix + padded.length() + 1) % 64 != 0) {
      padded.append(' ');
    }
    padded.append('\n');
    byte[] headerBytes = padded.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer out = ByteBuffer.allocate(prefix + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (lengthBytes == 2) {
      out.putShort((short) headerBytes.length);
    } else {
      out.putInt(headerBytes.length);
    }
    out.put(headerBytes).put(data);
    return out.array();
  }

  static String header(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] ints(int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  static byte[] doubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }

  static NpyArray read(byte[] file) throws IOException {
    return NpyArray.read(new ByteArrayInputStream(file), "test.npy");
  }

  static void assertRejected(byte[] file, String... fragments) {
    IOException e = assertThrows(IOException.class, () -> read(file));
    assertTrue(e.getMessage().startsWith("test.npy"), "the message names the source: " + e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "': " + e.getMessage());
    }
  }

  @Test
  void readsFloat32MatrixInRowMajorOrder() throws IOException {
    float[] values = {1f, -2.5f, 3.25f, Float.MIN_VALUE, -0f, 1e30f};
    NpyArray a = read(npy(1, header("<f4", "(2, 3)"), floats(values)));
    assertEquals(DType.FLOAT32, a.dtype());
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertEquals(6, a.size());
    assertArrayEquals(values, a.floats());
    assertEquals(-2.5, a.toDoubles()[1], 0.0);
    assertEquals("test.npy", a.source());
  }

  @Test
  void readsInt32AndFloat64() throws IOException {
    NpyArray labels = read(npy(1, header("<i4", "(4,)"), ints(0, -1, Integer.MAX_VALUE, 7)));
    assertEquals(DType.INT32, labels.dtype());
    assertArrayEquals(new int[] {4}, labels.shape());
    assertArrayEquals(new int[] {0, -1, Integer.MAX_VALUE, 7}, labels.ints());
    assertArrayEquals(new double[] {0, -1, Integer.MAX_VALUE, 7}, labels.toDoubles(), 0.0);

    double[] values = {Math.PI, -1e-300, 1e300};
    NpyArray d = read(npy(1, header("<f8", "(3, 1)"), doubles(values)));
    assertEquals(DType.FLOAT64, d.dtype());
    assertArrayEquals(new int[] {3, 1}, d.shape());
    assertArrayEquals(values, d.doubles(), 0.0);
  }

  @Test
  void readsScalarsAndEmptyArrays() throws IOException {
    NpyArray scalar = read(npy(1, header("<f4", "()"), floats(0.75f)));
    assertArrayEquals(new int[0], scalar.shape());
    assertEquals(1, scalar.size());
    assertEquals(0.75f, scalar.floats()[0], 0f);

    NpyArray empty = read(npy(1, header("<f4", "(0, 5)"), new byte[0]));
    assertArrayEquals(new int[] {0, 5}, empty.shape());
    assertEquals(0, empty.floats().length);
  }

  @Test
  void readsHeaderVersions2And3AndAnyKeyOrder() throws IOException {
    NpyArray v2 = read(npy(2, header("<f4", "(2,)"), floats(1f, 2f)));
    assertArrayEquals(new float[] {1f, 2f}, v2.floats());
    NpyArray v3 = read(npy(3, "{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<i4\"}", ints(5, 6)));
    assertArrayEquals(new int[] {1, 2}, v3.shape());
    assertArrayEquals(new int[] {5, 6}, v3.ints());
  }

  @Test
  void readsDataLargerThanOneChunk() throws IOException {
    double[] values = new double[20_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5 - 3;
    }
    NpyArray a = read(npy(1, header("<f8", "(100, 200)"), doubles(values)));
    assertArrayEquals(values, a.doubles(), 0.0);
  }

  @Test
  void rejectsBadMagic() {
    byte[] file = npy(1, header("<f4", "(1,)"), floats(1f));
    file[1] = 'X';
    assertRejected(file, "not an NPY array", "93 58 55 4d 50 59");
    assertRejected("PK".getBytes(StandardCharsets.ISO_8859_1), "truncated", "magic");
  }

  @Test
  void rejectsUnsupportedDtypes() {
    for (String descr : new String[] {">f4", "<f2", "|u1", "<i8", "<c8", "float32"}) {
      assertRejected(npy(1, header(descr, "(1,)"), new byte[8]), "unsupported dtype '" + descr + "'", "'<f4'");
    }
  }

  @Test
  void rejectsFortranOrder() {
    String header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
    assertRejected(npy(1, header, floats(1f, 2f, 3f, 4f)), "fortran_order is True", "C order");
  }

  @Test
  void rejectsUnsupportedVersion() {
    byte[] file = npy(1, header("<f4", "(1,)"), floats(1f));
    file[6] = 4;
    assertRejected(file, "unsupported NPY format version 4.0");
  }

  @Test
  void rejectsTruncatedFiles() {
    byte[] whole = npy(1, header("<f4", "(2, 3)"), floats(1f, 2f, 3f, 4f, 5f, 6f));
    assertRejected(Arrays.copyOf(whole, whole.length - 1), "truncated", "24 data bytes", "after 23 bytes");
    assertRejected(Arrays.copyOf(whole, 30), "truncated", "header");
    assertRejected(Arrays.copyOf(whole, 9), "truncated", "header length");
  }

  @Test
  void rejectsExtraBytesAfterTheData() {
    byte[] whole = npy(1, header("<i4", "(1,)"), ints(3));
    assertRejected(Arrays.copyOf(whole, whole.length + 1), "extra bytes");
  }

  @Test
  void rejectsMalformedHeaders() {
    assertRejected(npy(1, "{'descr': '<f4', 'shape': (1,), }", floats(1f)), "malformed NPY header", "missing key");
    assertRejected(npy(1, header("<f4", "(1, -2)"), floats(1f)), "malformed NPY header", "dimension");
    assertRejected(npy(1, header("<f4", "(1,)") + "x", floats(1f)), "malformed NPY header", "after");
    assertRejected(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", floats(1f)),
        "unexpected or repeated key 'extra'");
    assertRejected(npy(1, header("<f4", "(99999999999,)"), floats(1f)), "larger than");
    assertRejected(npy(1, header("<f4", "(65536, 65536)"), floats(1f)), "more than a Java array holds");
  }

  @Test
  void typedAccessorsRefuseAnotherDtype() throws IOException {
    NpyArray a = read(npy(1, header("<i4", "(1,)"), ints(1)));
    IllegalStateException e = assertThrows(IllegalStateException.class, a::floats);
    assertTrue(e.getMessage().contains("test.npy holds int32 (<i4), not float32"), e.getMessage());
  }

  @Test
  void shapeIsACopy() throws IOException {
    NpyArray a = read(npy(1, header("<f4", "(1, 2)"), floats(1f, 2f)));
    a.shape()[0] = 9;
    assertArrayEquals(new int[] {1, 2}, a.shape());
  }

  /** A version 2.0 prefix whose 4-byte header length claims 2 GB: rejected before anything that large is allocated. */
  @Test
  void rejectsAHugeHeaderLengthBeforeAllocating() {
    byte[] file = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0, 0x7f};
    assertRejected(file, "header length 2130706432");
  }
}
