package org.lrgrad.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One array read from numpy's NPY format (versions 1.0, 2.0 and 3.0): little-endian float32, int32 or float64, C
 * order (row-major: element [i][j] of an R×C array is at flat index i·C + j). Anything else (another dtype or byte
 * order, {@code fortran_order: True}, a truncated file) is rejected with an {@link IOException} that names the
 * source and what was found.
 */
public final class NpyArray {

  /** The element types this reader accepts, with their NPY {@code descr} and numpy name. */
  public enum DType {
    FLOAT32("<f4", "float32", 4),
    INT32("<i4", "int32", 4),
    FLOAT64("<f8", "float64", 8);

    private final String descr;
    private final String numpyName;
    private final int bytes;

    DType(String descr, String numpyName, int bytes) {
      this.descr = descr;
      this.numpyName = numpyName;
      this.bytes = bytes;
    }

    /** The NPY header's {@code descr}, e.g. {@code <f4}. */
    public String descr() {
      return descr;
    }

    /** numpy's name for the type, e.g. {@code float32}. */
    public String numpyName() {
      return numpyName;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }

    static DType fromDescr(String descr) {
      for (DType t : values()) {
        if (t.descr.equals(descr)) {
          return t;
        }
      }
      return null;
    }
  }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy itself refuses headers above 10000 bytes by default; this bound only stops a corrupt length early. */
  private static final int MAX_HEADER_BYTES = 1 << 20;
  private static final int CHUNK_BYTES = 1 << 16;

  private final String source;
  private final DType dtype;
  private final int[] shape;
  private final int size;
  private final Object data;

  private NpyArray(String source, DType dtype, int[] shape, int size, Object data) {
    this.source = source;
    this.dtype = dtype;
    this.shape = shape;
    this.size = size;
    this.data = data;
  }

  /**
   * Reads one whole NPY stream: the stream must end right after the array's data. {@code source} names the stream in
   * error messages (a file name, an archive member). The stream is not closed.
   */
  public static NpyArray read(InputStream in, String source) throws IOException {
    return read(in, source, -1);
  }

  /**
   * As {@link #read(InputStream, String)}; when {@code length} ≥ 0 it is the stream's exact length in bytes, checked
   * against the header before the data is allocated.
   */
  static NpyArray read(InputStream in, String source, long length) throws IOException {
    return read(in, source, length, null);
  }

  /**
   * What a caller accepts of an array, checked once the header is read and before any of the data is: the
   * {@link Npz} reader uses it to refuse a member of the wrong dtype or shape, or one larger than its byte budget,
   * without inflating it.
   */
  interface HeaderCheck {
    /** Throws an {@link IOException} naming {@code source} when the array is not acceptable. */
    void check(String source, DType dtype, int[] shape, long dataBytes) throws IOException;
  }

  /** As {@link #read(InputStream, String, long)}, with {@code check} (when not null) run on the header first. */
  static NpyArray read(InputStream in, String source, long length, HeaderCheck check) throws IOException {
    byte[] prefix = new byte[MAGIC.length + 2];
    readFully(in, prefix, prefix.length, source, "the NPY magic string and version");
    for (int i = 0; i < MAGIC.length; i++) {
      if (prefix[i] != MAGIC[i]) {
        throw new IOException(source + ": not an NPY array: it starts with bytes [" + hex(prefix, MAGIC.length)
            + "], an NPY file with 93 4e 55 4d 50 59 (\\x93NUMPY)");
      }
    }
    int major = prefix[MAGIC.length] & 0xff, minor = prefix[MAGIC.length + 1] & 0xff;
    int lengthBytes;
    Charset charset;
    if (major == 1 && minor == 0) {
      lengthBytes = 2;
      charset = StandardCharsets.ISO_8859_1;
    } else if ((major == 2 || major == 3) && minor == 0) {
      lengthBytes = 4;
      charset = major == 2 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
    } else {
      throw new IOException(source + ": unsupported NPY format version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    }
    byte[] lengthField = new byte[lengthBytes];
    readFully(in, lengthField, lengthBytes, source, "the header length");
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      headerLength = (headerLength << 8) | (lengthField[i] & 0xff);
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new IOException(source + ": NPY header length " + headerLength + " exceeds the " + MAX_HEADER_BYTES
          + " bytes this reader accepts (corrupt file?)");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    readFully(in, headerBytes, headerBytes.length, source, "the NPY header");
    NpyHeader header = NpyHeader.parse(new String(headerBytes, charset), source);

    DType dtype = DType.fromDescr(header.descr);
    if (dtype == null) {
      throw new IOException(source + ": unsupported dtype '" + header.descr + "' (supported: '<f4' float32, "
          + "'<i4' int32, '<f8' float64, little-endian)");
    }
    if (header.fortranOrder) {
      throw new IOException(source + ": fortran_order is True (column-major); only C order (row-major) arrays are"
          + " supported: save a C-contiguous array (numpy.ascontiguousarray)");
    }
    long count = 1;
    for (int d : header.shape) {
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw new IOException(source + ": shape " + Arrays.toString(header.shape) + " has more than "
            + Integer.MAX_VALUE + " elements, more than a Java array holds");
      }
    }
    long dataBytes = count * dtype.bytes;
    if (check != null) {
      check.check(source, dtype, header.shape.clone(), dataBytes);
    }
    if (length >= 0) {
      long expected = prefix.length + lengthBytes + headerLength + dataBytes;
      if (length != expected) {
        throw new IOException(source + ": " + (length < expected ? "truncated" : "has extra bytes") + ": the NPY "
            + "header declares " + dtype.descr + " " + Arrays.toString(header.shape) + ", " + expected
            + " bytes in all, but the stream has " + length);
      }
    }
    Object data = readData(in, source, dtype, (int) count, dataBytes);
    if (length < 0 && in.read() != -1) {
      throw new IOException(source + ": has extra bytes after the " + dataBytes + " data bytes that the header "
          + "declares (" + dtype.descr + " " + Arrays.toString(header.shape) + ")");
    }
    return new NpyArray(source, dtype, header.shape, (int) count, data);
  }

  /**
   * Reads the data in chunks of whole elements into an array that grows as they arrive (from one chunk's worth up to
   * {@code count}), so that a corrupt header declaring gigabytes costs no more memory than the stream holds.
   */
  private static Object readData(InputStream in, String source, DType dtype, int count, long dataBytes)
      throws IOException {
    int capacity = Math.min(count, CHUNK_BYTES / dtype.bytes);
    Object data = allocate(dtype, capacity);
    byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, dataBytes)];
    int done = 0;
    while (done < count) {
      if (done == capacity) {
        capacity = (int) Math.min(count, 2L * capacity);
        data = grow(data, capacity);
      }
      int n = Math.min(capacity - done, chunk.length / dtype.bytes);
      int got = readAtMost(in, chunk, n * dtype.bytes);
      if (got < n * dtype.bytes) {
        throw new IOException(source + ": truncated: the NPY header declares " + dataBytes + " data bytes ("
            + dtype.descr + ", " + count + " elements), but the data ends after "
            + ((long) done * dtype.bytes + got) + " bytes");
      }
      ByteBuffer bytes = ByteBuffer.wrap(chunk, 0, got).order(ByteOrder.LITTLE_ENDIAN);
      if (data instanceof float[]) {
        bytes.asFloatBuffer().get((float[]) data, done, n);
      } else if (data instanceof int[]) {
        bytes.asIntBuffer().get((int[]) data, done, n);
      } else {
        bytes.asDoubleBuffer().get((double[]) data, done, n);
      }
      done += n;
    }
    return data;
  }

  private static Object allocate(DType dtype, int length) {
    switch (dtype) {
      case FLOAT32:
        return new float[length];
      case INT32:
        return new int[length];
      default:
        return new double[length];
    }
  }

  private static Object grow(Object data, int length) {
    if (data instanceof float[]) {
      return Arrays.copyOf((float[]) data, length);
    }
    if (data instanceof int[]) {
      return Arrays.copyOf((int[]) data, length);
    }
    return Arrays.copyOf((double[]) data, length);
  }

  private static void readFully(InputStream in, byte[] into, int length, String source, String what)
      throws IOException {
    int got = readAtMost(in, into, length);
    if (got < length) {
      throw new IOException(source + ": truncated: the stream ends inside " + what + " (" + got + " of " + length
          + " bytes)");
    }
  }

  /** Reads until {@code length} bytes or the end of the stream; returns how many were read. */
  static int readAtMost(InputStream in, byte[] into, int length) throws IOException {
    int got = 0;
    while (got < length) {
      int n = in.read(into, got, length - got);
      if (n < 0) {
        break;
      }
      got += n;
    }
    return got;
  }

  /** The first {@code length} bytes as hex pairs, for error messages. */
  static String hex(byte[] bytes, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
    }
    return s.toString();
  }

  /** Where the array was read from, as given to {@link #read}. */
  public String source() {
    return source;
  }

  public DType dtype() {
    return dtype;
  }

  /** The shape (a copy); empty for a 0-d (scalar) array. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of elements: the product of the shape (1 for a 0-d array). */
  public int size() {
    return size;
  }

  /** The float32 data, row-major: the array itself, not a copy. */
  public float[] floats() {
    return (float[]) requireType(DType.FLOAT32);
  }

  /** The int32 data, row-major: the array itself, not a copy. */
  public int[] ints() {
    return (int[]) requireType(DType.INT32);
  }

  /** The float64 data, row-major: the array itself, not a copy. */
  public double[] doubles() {
    return (double[]) requireType(DType.FLOAT64);
  }

  /** A new float64 copy of the data, whatever its type (every float32 and int32 value is exact in float64). */
  public double[] toDoubles() {
    if (dtype == DType.FLOAT64) {
      return ((double[]) data).clone();
    }
    double[] out = new double[size];
    if (dtype == DType.FLOAT32) {
      float[] floats = (float[]) data;
      for (int i = 0; i < size; i++) {
        out[i] = floats[i];
      }
    } else {
      int[] ints = (int[]) data;
      for (int i = 0; i < size; i++) {
        out[i] = ints[i];
      }
    }
    return out;
  }

  private Object requireType(DType wanted) {
    if (dtype != wanted) {
      throw new IllegalStateException(source + " holds " + dtype.numpyName + " (" + dtype.descr + "), not "
          + wanted.numpyName);
    }
    return data;
  }

  @Override
  public String toString() {
    return source + ": " + dtype.numpyName + " " + Arrays.toString(shape);
  }
}
