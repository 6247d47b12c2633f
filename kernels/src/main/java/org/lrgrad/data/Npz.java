package org.lrgrad.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A numpy {@code .npz} archive ({@code numpy.savez} or {@code savez_compressed}): a ZIP file with one member
 * {@code <name>.npy} per array, each read by {@link NpyArray}. Errors name the archive and the member.
 */
public final class Npz {
  private final String source;
  private final Map<String, NpyArray> arrays;

  private Npz(String source, Map<String, NpyArray> arrays) {
    this.source = source;
    this.arrays = Collections.unmodifiableMap(arrays);
  }

  /** Reads every array of the archive at {@code file}. */
  public static Npz read(File file) throws IOException {
    try (InputStream in = new FileInputStream(file)) {
      return read(in, file.getPath());
    }
  }

  /**
   * Reads every array of an archive from a stream (an Android asset, a resource); {@code source} names it in error
   * messages. The stream is read to the archive's last member and not closed.
   */
  public static Npz read(InputStream in, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    checkZipSignature(buffered, source);
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    ZipInputStream zip = new ZipInputStream(buffered);
    String member = null;
    try {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        member = entry.getName();
        String memberSource = source + " member '" + member + "'";
        if (entry.isDirectory() || !member.endsWith(".npy")) {
          throw new IOException(memberSource + ": not an array (an npz holds only <name>.npy members)");
        }
        String name = member.substring(0, member.length() - ".npy".length());
        if (arrays.containsKey(name)) {
          throw new IOException(memberSource + ": a second member with the same name");
        }
        arrays.put(name, NpyArray.read(zip, memberSource, entry.getSize()));
      }
    } catch (EOFException e) {
      // An archive cut short inside a compressed member ends the inflater's input.
      throw new IOException(source + ": the npz archive ends early (truncated?)"
          + (member == null ? "" : " after member '" + member + "'") + ": " + e.getMessage(), e);
    } catch (ZipException e) {
      throw new IOException(source + (member == null ? "" : " after member '" + member + "'")
          + ": not a readable ZIP (npz) archive: " + e.getMessage(), e);
    }
    return new Npz(source, arrays);
  }

  /**
   * A ZIP archive starts with a local file header ("PK\3\4"), or, when it is empty, with the end of the central
   * directory ("PK\5\6"); without this check anything else would read as an archive with no members.
   */
  private static void checkZipSignature(BufferedInputStream in, String source) throws IOException {
    in.mark(4);
    byte[] head = new byte[4];
    int got = NpyArray.readAtMost(in, head, head.length);
    in.reset();
    boolean zip = got == 4 && head[0] == 'P' && head[1] == 'K'
        && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    if (!zip) {
      throw new IOException(source + ": not an npz (ZIP) archive: it starts with bytes [" + NpyArray.hex(head, got)
          + "], a ZIP archive with 50 4b 03 04 (PK\\3\\4)");
    }
  }

  /** Where the archive was read from. */
  public String source() {
    return source;
  }

  /** The array names (member names without {@code .npy}), in archive order. */
  public Set<String> names() {
    return arrays.keySet();
  }

  public boolean contains(String name) {
    return arrays.containsKey(name);
  }

  /** The array {@code name}; throws {@link IllegalArgumentException} naming the archive and its arrays if absent. */
  public NpyArray get(String name) {
    NpyArray array = arrays.get(name);
    if (array == null) {
      throw new IllegalArgumentException("no array '" + name + "' in " + source + "; it has "
          + new ArrayList<>(arrays.keySet()));
    }
    return array;
  }
}
