package org.lrgrad.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.lrgrad.kernels.Checks;

/**
 * A numpy {@code .npz} archive ({@code numpy.savez} or {@code savez_compressed}): a ZIP file with one member
 * {@code <name>.npy} per array, each read by {@link NpyArray}. Errors name the archive and the member.
 *
 * <p>An archive from outside (a download, an app's asset) should be read with a bound, because a few megabytes of
 * deflated zeros inflate to gigabytes: {@link #read(InputStream, String, List)} takes exactly the arrays the caller
 * expects (names, dtypes, shapes), and {@link #read(InputStream, String, long)} any arrays up to a number of inflated
 * bytes. Both check each member's name and NPY header before inflating its data, inflate at most the bytes the
 * header declares, and refuse a member whose compressed data goes on beyond them (a zip bomb under a small header).
 */
public final class Npz {
  private final String source;
  private final Map<String, NpyArray> arrays;

  private Npz(String source, Map<String, NpyArray> arrays) {
    this.source = source;
    this.arrays = Collections.unmodifiableMap(arrays);
  }

  /** One array a caller expects in an archive: its name (the member without {@code .npy}), dtype and shape. */
  public static final class Expected {
    private final String name;
    private final NpyArray.DType dtype;
    private final int[] shape;

    private Expected(String name, NpyArray.DType dtype, int[] shape) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
    }

    /** The array {@code name} of {@code dtype} and exactly {@code shape} (no dimensions: a 0-d array). */
    public static Expected array(String name, NpyArray.DType dtype, int... shape) {
      Checks.notNull("name", name);
      Checks.notNull("dtype", dtype);
      Checks.notNull("shape", shape);
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException("shape[" + i + "]=" + shape[i] + " of array '" + name
              + "' must be >= 0");
        }
      }
      return new Expected(name, dtype, shape.clone());
    }

    public String name() {
      return name;
    }

    public NpyArray.DType dtype() {
      return dtype;
    }

    /** The shape (a copy). */
    public int[] shape() {
      return shape.clone();
    }

    @Override
    public String toString() {
      return "'" + name + "' " + dtype.numpyName() + " " + Arrays.toString(shape);
    }
  }

  /**
   * An archive that does not hold the arrays its reader expected: an unexpected member, a missing array, or an array
   * of another dtype or shape. Thrown before the data of the offending member is inflated.
   */
  public static final class MismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What does not match. */
    public enum Kind {
      /** The archive holds an array that was not expected ({@link #array()}). */
      UNEXPECTED,
      /** The archive ends without the arrays {@link #missing()}. */
      MISSING,
      /** The array {@link #array()} has the dtype {@link #dtype()}, not the expected one. */
      WRONG_DTYPE,
      /** The array {@link #array()} has the shape {@link #shape()}, not the expected one. */
      WRONG_SHAPE
    }

    private final Kind kind;
    private final String array;
    private final transient Expected expected;
    private final NpyArray.DType dtype;
    private final int[] shape;
    private final List<String> missing;

    MismatchException(String message, Kind kind, String array, Expected expected, NpyArray.DType dtype, int[] shape,
        List<String> missing) {
      super(message);
      this.kind = kind;
      this.array = array;
      this.expected = expected;
      this.dtype = dtype;
      this.shape = shape;
      this.missing = missing;
    }

    public Kind kind() {
      return kind;
    }

    /** The offending array's name; null for {@link Kind#MISSING}. */
    public String array() {
      return array;
    }

    /** What was expected of the offending array; null for {@link Kind#UNEXPECTED} and {@link Kind#MISSING}. */
    public Expected expected() {
      return expected;
    }

    /** The dtype found, for {@link Kind#WRONG_DTYPE} and {@link Kind#WRONG_SHAPE}; else null. */
    public NpyArray.DType dtype() {
      return dtype;
    }

    /** The shape found (a copy), for {@link Kind#WRONG_DTYPE} and {@link Kind#WRONG_SHAPE}; else null. */
    public int[] shape() {
      return shape == null ? null : shape.clone();
    }

    /** The expected arrays the archive lacks, for {@link Kind#MISSING}; else empty. */
    public List<String> missing() {
      return missing;
    }
  }

  /**
   * Reads every array of the archive at {@code file}, with no bound on their size: for trusted files only (see
   * {@link #read(File, List)} and {@link #read(File, long)}).
   */
  public static Npz read(File file) throws IOException {
    return read(file, Long.MAX_VALUE);
  }

  /** As {@link #read(InputStream, String, long)}, of the archive at {@code file}. */
  public static Npz read(File file, long maxBytes) throws IOException {
    try (InputStream in = new FileInputStream(file)) {
      return read(in, file.getPath(), maxBytes);
    }
  }

  /** As {@link #read(InputStream, String, List)}, of the archive at {@code file}. */
  public static Npz read(File file, List<Expected> expected) throws IOException {
    try (InputStream in = new FileInputStream(file)) {
      return read(in, file.getPath(), expected);
    }
  }

  /**
   * Reads every array of an archive from a stream (an Android asset, a resource), with no bound on their size: for
   * trusted archives only. {@code source} names it in error messages. The stream is read to the archive's last
   * member and not closed.
   */
  public static Npz read(InputStream in, String source) throws IOException {
    return read(in, source, Long.MAX_VALUE);
  }

  /**
   * Reads every array of an archive whose members (NPY headers and data) inflate to at most {@code maxBytes} in all;
   * refuses a larger one with an {@link IOException} naming the member, before inflating the data of the member that
   * would exceed the bound. The stream is read to the archive's last member and not closed.
   */
  public static Npz read(InputStream in, String source, long maxBytes) throws IOException {
    Checks.notNull("in", in);
    Checks.notNull("source", source);
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be >= 0");
    }
    return read(in, source, maxBytes, null);
  }

  /**
   * Reads exactly the arrays {@code expected} (in any member order): each member's name, dtype and shape are checked
   * before its data is inflated, and only the bytes its header declares are inflated. An unexpected member, a missing
   * array, another dtype or shape is refused with a {@link MismatchException}; a member whose data goes on beyond
   * its header's shape, or any other fault, with an {@link IOException} naming the member. The stream is read to the
   * archive's last member and not closed.
   */
  public static Npz read(InputStream in, String source, List<Expected> expected) throws IOException {
    Checks.notNull("in", in);
    Checks.notNull("source", source);
    Checks.notNull("expected", expected);
    Map<String, Expected> byName = new LinkedHashMap<>();
    for (int i = 0; i < expected.size(); i++) {
      Expected e = expected.get(i);
      if (e == null) {
        throw new IllegalArgumentException("expected[" + i + "] is null");
      }
      if (byName.put(e.name, e) != null) {
        throw new IllegalArgumentException("expected[" + i + "] names array '" + e.name + "' a second time");
      }
    }
    return read(in, source, Long.MAX_VALUE, byName);
  }

  private static Npz read(InputStream in, String source, long maxBytes, Map<String, Expected> expected)
      throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    checkZipSignature(buffered, source);
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    ZipInputStream zip = new ZipInputStream(buffered);
    InflatedBytes inflated = new InflatedBytes(zip, maxBytes);
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
        Expected wanted = expected == null ? null : expected.get(name);
        if (expected != null && wanted == null) {
          throw new MismatchException(memberSource + ": unexpected array '" + name + "': the archive should hold"
              + " exactly " + expected.values(), MismatchException.Kind.UNEXPECTED, name, null, null, null,
              Collections.<String>emptyList());
        }
        inflated.startMember(memberSource);
        NpyArray array = NpyArray.read(inflated, memberSource, entry.getSize(),
            (src, dtype, shape, dataBytes) -> checkHeader(src, name, wanted, dtype, shape, dataBytes, inflated));
        // The header's shape was accepted and its data read: the member must end here. Reading one byte more,
        // instead of letting the next entry skip the rest, refuses a bomb without inflating it.
        if (zip.read() != -1) {
          throw new IOException(memberSource + ": its data goes on beyond the " + array.size() + " elements of "
              + array.dtype().descr() + " " + Arrays.toString(array.shape()) + " its header declares");
        }
        arrays.put(name, array);
      }
    } catch (EOFException e) {
      // An archive cut short inside a compressed member ends the inflater's input.
      throw new IOException(source + ": the npz archive ends early (truncated?)"
          + (member == null ? "" : " after member '" + member + "'") + ": " + e.getMessage(), e);
    } catch (ZipException e) {
      throw new IOException(source + (member == null ? "" : " after member '" + member + "'")
          + ": not a readable ZIP (npz) archive: " + e.getMessage(), e);
    }
    if (expected != null && arrays.size() < expected.size()) {
      List<String> missing = new ArrayList<>(expected.keySet());
      missing.removeAll(arrays.keySet());
      throw new MismatchException(source + ": missing arrays " + missing + " (the archive should hold exactly "
          + expected.values() + ")", MismatchException.Kind.MISSING, null, null, null, null,
          Collections.unmodifiableList(missing));
    }
    return new Npz(source, arrays);
  }

  /** A member's header against the expectation (if any) and the byte bound, before its data is read. */
  private static void checkHeader(String memberSource, String name, Expected wanted, NpyArray.DType dtype,
      int[] shape, long dataBytes, InflatedBytes inflated) throws IOException {
    if (wanted != null && !Arrays.equals(shape, wanted.shape)) {
      throw new MismatchException(memberSource + ": array '" + name + "' has shape " + Arrays.toString(shape)
          + ", expected " + Arrays.toString(wanted.shape), MismatchException.Kind.WRONG_SHAPE, name, wanted, dtype,
          shape, Collections.<String>emptyList());
    }
    if (wanted != null && dtype != wanted.dtype) {
      throw new MismatchException(memberSource + ": array '" + name + "' is " + dtype.numpyName() + ", expected "
          + wanted.dtype.numpyName(), MismatchException.Kind.WRONG_DTYPE, name, wanted, dtype, shape,
          Collections.<String>emptyList());
    }
    inflated.reserve(dataBytes);
  }

  /**
   * The current member's inflated bytes, counted against the archive's bound: a header that declares more data than
   * the bound leaves is refused before the data is read, and reading past the bound fails at its first byte.
   */
  private static final class InflatedBytes extends InputStream {
    private final InputStream zip;
    private final long max;
    private long count;
    private String member;

    InflatedBytes(InputStream zip, long max) {
      this.zip = zip;
      this.max = max;
    }

    void startMember(String memberSource) {
      member = memberSource;
    }

    void reserve(long dataBytes) throws IOException {
      if (dataBytes > max - count) {
        throw new IOException(member + ": its header declares " + dataBytes + " data bytes, after " + count
            + " bytes of the archive inflated; this read allows " + max + " in all");
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (count >= max) {
        if (zip.read() < 0) {
          return -1;
        }
        throw new IOException(member + ": inflates to more than the " + max + " bytes this read allows");
      }
      int n = zip.read(into, off, (int) Math.min(len, max - count));
      if (n > 0) {
        count += n;
      }
      return n;
    }
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
