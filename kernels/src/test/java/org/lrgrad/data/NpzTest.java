package org.lrgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lrgrad.data.NpyArrayTest.floats;
import static org.lrgrad.data.NpyArrayTest.header;
import static org.lrgrad.data.NpyArrayTest.ints;
import static org.lrgrad.data.NpyArrayTest.npy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npz reader on archives built here: stored and deflated members, from a stream and from a file. */
class NpzTest {

  /** A ZIP archive of the given members (name, bytes, name, bytes, ...), stored as numpy.savez does, or deflated. */
  static byte[] zip(boolean stored, Object... members) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < members.length; i += 2) {
        byte[] data = (byte[]) members[i + 1];
        ZipEntry entry = new ZipEntry((String) members[i]);
        if (stored) {
          CRC32 crc = new CRC32();
          crc.update(data);
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(data.length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static Npz read(byte[] archive) throws IOException {
    return Npz.read(new ByteArrayInputStream(archive), "test.npz");
  }

  static void assertRejected(byte[] archive, String... fragments) {
    IOException e = assertThrows(IOException.class, () -> read(archive));
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "': " + e.getMessage());
    }
  }

  @Test
  void readsEveryMemberByName() throws IOException {
    for (boolean stored : new boolean[] {true, false}) {
      Npz npz = read(zip(stored, "W.npy", npy(1, header("<f4", "(1, 2)"), floats(1f, 2f)),
          "labels.npy", npy(1, header("<i4", "(3,)"), ints(2, 0, 1))));
      assertEquals(Arrays.asList("W", "labels"), Arrays.asList(npz.names().toArray()));
      assertArrayEquals(new float[] {1f, 2f}, npz.get("W").floats());
      assertArrayEquals(new int[] {2, 0, 1}, npz.get("labels").ints());
      assertTrue(npz.contains("W"));
      assertFalse(npz.contains("W.npy"));
      assertEquals("test.npz member 'labels.npy'", npz.get("labels").source());
    }
  }

  @Test
  void readsAFile(@TempDir File dir) throws IOException {
    File file = new File(dir, "weights.npz");
    try (OutputStream out = new FileOutputStream(file)) {
      out.write(zip(true, "b.npy", npy(1, header("<f4", "()"), floats(-3f))));
    }
    Npz npz = Npz.read(file);
    assertEquals(file.getPath(), npz.source());
    assertEquals(-3f, npz.get("b").floats()[0], 0f);
  }

  @Test
  void aMissingArrayNamesTheArchiveAndItsArrays() throws IOException {
    Npz npz = read(zip(true, "W.npy", npy(1, header("<f4", "(1,)"), floats(1f))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> npz.get("b"));
    assertEquals("no array 'b' in test.npz; it has [W]", e.getMessage());
  }

  @Test
  void errorsInAMemberNameTheArchiveAndTheMember() throws IOException {
    byte[] good = npy(1, header("<f4", "(2,)"), floats(1f, 2f));
    byte[] truncated = Arrays.copyOf(good, good.length - 4);
    assertRejected(zip(true, "ok.npy", good, "W.npy", truncated), "test.npz member 'W.npy'", "truncated");
    assertRejected(zip(false, "W.npy", truncated), "test.npz member 'W.npy'", "truncated");
    assertRejected(zip(true, "W.npy", npy(1, header(">f4", "(2,)"), floats(1f, 2f))),
        "test.npz member 'W.npy'", "unsupported dtype '>f4'");
    assertRejected(zip(true, "notes.txt", new byte[] {1}), "test.npz member 'notes.txt'", "not an array");
  }

  @Test
  void rejectsWhatIsNotAZipArchive() throws IOException {
    byte[] lone = npy(1, header("<f4", "(1,)"), floats(1f));
    assertRejected(lone, "test.npz: not an npz (ZIP) archive", "93 4e 55 4d");
    assertRejected(new byte[0], "test.npz: not an npz (ZIP) archive");
    byte[] archive = zip(true, "W.npy", lone);
    assertRejected(Arrays.copyOf(archive, 40), "test.npz");
  }

  /** Found by NpyFuzzTest: a deflated member cut short ended in the inflater's EOFException, naming nothing. */
  @Test
  void anArchiveCutShortInADeflatedMemberNamesTheArchive() throws IOException {
    byte[] deflated = zip(false, "W.npy", npy(1, header("<f4", "(2, 3)"), floats(1, 2, 3, -4, 0.5f, 6)));
    assertRejected(Arrays.copyOf(deflated, deflated.length / 2),
        "test.npz: the npz archive ends early (truncated?) after member 'W.npy'");
  }

  @Test
  void anEmptyArchiveHasNoArrays() throws IOException {
    assertTrue(read(zip(true)).names().isEmpty());
  }
}
