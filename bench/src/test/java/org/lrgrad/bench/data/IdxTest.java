package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.bench.data.IdxFiles.gzip;
import static org.lrgrad.bench.data.IdxFiles.idx;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The IDX reader on files the test builds byte by byte, raw and gzip, and on every kind of broken file. */
class IdxTest {
  @TempDir
  File dir;

  private static final byte[] DATA = {0, 1, 2, (byte) 127, (byte) 128, (byte) 255};

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void readsAFileRawOrGzipByContentNotByName(boolean compressed) throws IOException {
    byte[] raw = idx(0x08, new int[] {2, 1, 3}, DATA);
    // The names lie on purpose: a .gz name on raw bytes and a plain name on gzip bytes.
    File file = IdxFiles.write(dir, compressed ? "plain-name" : "looks.gz", compressed ? gzip(raw) : raw);
    IdxArray array = Idx.read(file);
    assertArrayEquals(new int[] {2, 1, 3}, array.dims());
    assertEquals(3, array.rank());
    assertEquals(6, array.length());
    for (int i = 0; i < DATA.length; i++) {
      assertEquals(DATA[i] & 0xff, array.unsigned(i), "element " + i);
    }
    assertEquals(file.getPath(), compressed ? array.source().replace(" (gzip)", "") : array.source());
  }

  @Test
  void readsBigEndianSizes() throws IOException {
    // 258 = 0x00000102: a little-endian reader would see 0x02010000.
    byte[] data = new byte[258];
    data[257] = 9;
    IdxArray array = Idx.read(new ByteArrayInputStream(idx(0x08, new int[] {258}, data)), "mem");
    assertEquals(258, array.dim(0));
    assertEquals(9, array.unsigned(257));
  }

  @Test
  void readsAStream() throws IOException {
    IdxArray array = Idx.read(new ByteArrayInputStream(gzip(idx(0x08, new int[] {6}, DATA))), "stream");
    assertEquals(255, array.unsigned(5));
    assertEquals("stream (gzip)", array.source());
  }

  @Test
  void readsAClasspathResource() throws IOException {
    IdxArray labels = Idx.readResource(FashionMnist.EMBEDDED_FOLDER + "t10k-labels-idx1-ubyte.gz");
    assertEquals(1, labels.rank());
    assertEquals(2000, labels.dim(0));
    assertTrue(labels.source().startsWith("classpath:org/lrgrad/bench/data/"), labels.source());
  }

  @Test
  void aMissingResourceIsNamed() {
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Idx.readResource("no/such-idx1"));
    assertEquals("classpath:no/such-idx1 not found", e.getMessage());
  }

  @Test
  void theWriterWritesWhatTheHandBuiltBytesSay() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Idx.write(out, new int[] {3, 2}, DATA);
    assertArrayEquals(idx(0x08, new int[] {3, 2}, DATA), out.toByteArray());
    File file = new File(dir, "w.gz");
    Idx.writeGzip(file, new int[] {3, 2}, DATA);
    IdxArray back = Idx.read(file);
    assertArrayEquals(new int[] {3, 2}, back.dims());
    assertArrayEquals(DATA, back.data());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Idx.write(new ByteArrayOutputStream(), new int[] {4, 2}, DATA));
    assertEquals("data.length=6 must equal the product of dims [4, 2] = 8", e.getMessage());
  }

  // --- broken files: every message names the file and says what is wrong

  private IdxFormatException refused(String name, byte[] content) {
    File file = IdxFiles.write(dir, name, content);
    IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.read(file));
    assertTrue(e.getMessage().startsWith(file.getPath()), e.getMessage());
    return e;
  }

  @Test
  void anEmptyFile() {
    assertTrue(refused("empty", new byte[0]).getMessage().endsWith(": the file is empty"));
  }

  @Test
  void anEmptyGzipStream() {
    assertTrue(refused("empty.gz", gzip(new byte[0])).getMessage().endsWith("(gzip): the file is empty"));
  }

  @Test
  void notAnIdxFile() {
    String message = refused("text", "hello, world".getBytes(StandardCharsets.US_ASCII)).getMessage();
    assertTrue(message.contains("not an IDX file: magic number 0x68656C6C"), message);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x42})
  void unsupportedElementTypes(int type) {
    String message = refused("typed", idx(type, new int[] {1}, new byte[8])).getMessage();
    assertTrue(message.contains(String.format("element type 0x%02X", type)), message);
    assertTrue(message.contains("only 0x08 (unsigned byte)"), message);
  }

  @Test
  void zeroDimensions() {
    assertTrue(refused("rank0", idx(0x08, new int[0], new byte[0])).getMessage().contains("declares 0 dimensions"));
  }

  @Test
  void truncatedInTheMagicNumber() {
    assertTrue(refused("short", new byte[] {0, 0, 8}).getMessage().contains("truncated in the magic number (3 of 4"));
  }

  @Test
  void truncatedInTheSizes() {
    byte[] whole = idx(0x08, new int[] {2, 3, 4}, new byte[24]);
    String message = refused("cut-header", Arrays.copyOf(whole, 10)).getMessage();
    assertTrue(message.contains("3 dimension sizes need 12 bytes, found 6"), message);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void truncatedData(boolean compressed) {
    byte[] whole = idx(0x08, new int[] {2, 3, 4}, new byte[24]);
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);
    String message = refused("cut-data", compressed ? gzip(cut) : cut).getMessage();
    assertTrue(message.contains("truncated: the header declares dimensions [2, 3, 4] = 24 bytes of data, but only 19 "
        + "follow"), message);
  }

  @Test
  void aGzipStreamCutShort() {
    byte[] compressed = gzip(IdxFiles.imagesIdx(50, 28, 28));
    String message = refused("cut.gz", Arrays.copyOf(compressed, compressed.length / 2)).getMessage();
    assertTrue(message.contains("(gzip): the gzip stream is truncated or corrupt in the data"), message);
  }

  @Test
  void aGzipStreamThatFailsItsCheck() {
    byte[] compressed = gzip(idx(0x08, new int[] {6}, DATA));
    compressed[compressed.length - 8] ^= 1; // the CRC-32 of the trailer
    String message = refused("crc.gz", compressed).getMessage();
    assertTrue(message.contains("the gzip stream is truncated or corrupt"), message);
  }

  @Test
  void aBrokenGzipHeader() {
    String message = refused("header.gz", new byte[] {0x1f, (byte) 0x8b, 8}).getMessage();
    assertTrue(message.contains("starts like gzip but its gzip header is broken"), message);
  }

  @Test
  void bytesAfterTheDeclaredData() {
    byte[] whole = idx(0x08, new int[] {6}, DATA);
    String message = refused("long", Arrays.copyOf(whole, whole.length + 1)).getMessage();
    assertTrue(message.contains("has more bytes after the 6 declared by its header (dimensions [6])"), message);
  }

  @Test
  void sizesThatNoArrayHolds() {
    String message = refused("huge", idx(0x08, new int[] {65536, 65536}, new byte[0])).getMessage();
    assertTrue(message.contains("dimensions [65536, 65536] hold more elements than one Java array can"), message);
    message = refused("negative", idx(0x08, new int[] {-1}, new byte[0])).getMessage();
    assertTrue(message.contains("dimension 0 has size 4294967295"), message);
  }

  @Test
  void aMissingFileOrAFolder() {
    File missing = new File(dir, "missing");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> Idx.read(missing));
    assertEquals(missing.getPath() + " does not exist", e.getMessage());
    e = assertThrows(FileNotFoundException.class, () -> Idx.read(dir));
    assertEquals(dir.getPath() + " is a directory, not an IDX file", e.getMessage());
  }
}
