package org.lrgrad.bench.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.lrgrad.kernels.Checks;

/**
 * The IDX format of MNIST, Fashion-MNIST, EMNIST and KMNIST: a 4-byte magic {@code 00 00 TT DD} (TT the element type,
 * DD the number of dimensions), DD big-endian 32-bit sizes, then the elements in row-major order. Files may be
 * gzip-compressed; that is recognised by the content's first bytes ({@code 1f 8b}), never by the file name.
 *
 * <p>Only type 0x08 (unsigned byte) is read: it is the type of every image and label file of those data sets. The
 * other IDX types are refused by name. Every error names the source it came from.
 */
public final class Idx {
  /** The IDX element type of unsigned bytes. */
  public static final int UNSIGNED_BYTE = 0x08;

  private static final int BUFFER = 1 << 16;
  /** The largest array length every JVM allocates (some reserve a few header words below Integer.MAX_VALUE). */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private Idx() {}

  /** Reads a file, raw or gzip. */
  public static IdxArray read(File file) throws IOException {
    Checks.notNull("file", file);
    if (!file.exists()) {
      throw new FileNotFoundException(file.getPath() + " does not exist");
    }
    if (file.isDirectory()) {
      throw new FileNotFoundException(file.getPath() + " is a directory, not an IDX file");
    }
    try (InputStream in = new FileInputStream(file)) {
      return read(in, file.getPath());
    }
  }

  /**
   * Reads a classpath resource, raw or gzip, through this library's class loader.
   *
   * @param name the resource's path without a leading slash, e.g. {@code org/lrgrad/bench/data/x-idx1-ubyte.gz}
   */
  public static IdxArray readResource(String name) throws IOException {
    Checks.notNull("name", name);
    String source = "classpath:" + name;
    InputStream in = Idx.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new FileNotFoundException(source + " not found");
    }
    try (InputStream closing = in) {
      return read(closing, source);
    }
  }

  /**
   * Reads a stream to its end, raw or gzip. The caller closes {@code in}.
   *
   * @param source what the stream is, for error messages (a file name, a URL)
   */
  public static IdxArray read(InputStream in, String source) throws IOException {
    Checks.notNull("in", in);
    Checks.notNull("source", source);
    BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
    buffered.mark(2);
    int first = buffered.read();
    int second = buffered.read();
    buffered.reset();
    if (first < 0) {
      throw new IdxFormatException(source + ": the file is empty");
    }
    if (first == 0x1f && second == 0x8b) {
      InputStream gzip;
      try {
        gzip = new GZIPInputStream(buffered, BUFFER);
      } catch (EOFException | ZipException e) {
        throw new IdxFormatException(source + ": starts like gzip but its gzip header is broken (" + e.getMessage()
            + ")", e);
      }
      return parse(gzip, source + " (gzip)");
    }
    return parse(buffered, source);
  }

  private static IdxArray parse(InputStream in, String source) throws IOException {
    byte[] header = new byte[4];
    int got = readUpTo(in, header, 0, 4, source, "header");
    if (got == 0) {
      throw new IdxFormatException(source + ": the file is empty");
    }
    if (got < 4) {
      throw new IdxFormatException(source + ": truncated in the magic number (" + got + " of 4 bytes)");
    }
    int magic = bigEndian(header, 0);
    if (header[0] != 0 || header[1] != 0) {
      throw new IdxFormatException(source + ": not an IDX file: magic number " + hex(magic)
          + ", expected 0x0000TTDD (two zero bytes, a type code, a dimension count)");
    }
    int type = header[2] & 0xff;
    int rank = header[3] & 0xff;
    if (type != UNSIGNED_BYTE) {
      throw new IdxFormatException(source + ": IDX element type " + String.format(Locale.ROOT, "0x%02X", type)
          + " (" + typeName(type) + ") is not supported; only 0x08 (unsigned byte) is read");
    }
    if (rank == 0) {
      throw new IdxFormatException(source + ": magic number " + hex(magic) + " declares 0 dimensions");
    }
    byte[] sizes = new byte[4 * rank];
    got = readUpTo(in, sizes, 0, sizes.length, source, "header");
    if (got < sizes.length) {
      throw new IdxFormatException(source + ": truncated in the header: " + rank + " dimension sizes need "
          + sizes.length + " bytes, found " + got);
    }
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = bigEndian(sizes, 4 * i);
      if (dims[i] < 0) {
        throw new IdxFormatException(source + ": dimension " + i + " has size " + (dims[i] & 0xffffffffL)
            + ", more than a Java array can index");
      }
    }
    long elements = elements(dims);
    if (elements > MAX_ARRAY) {
      throw new IdxFormatException(source + ": dimensions " + Arrays.toString(dims)
          + " hold more elements than one Java array can (" + MAX_ARRAY + ")");
    }
    // The data array grows as bytes arrive (from one buffer's worth up to the declared size), so a corrupt header
    // that declares gigabytes costs no more memory than the stream holds.
    byte[] data = new byte[(int) Math.min(elements, BUFFER)];
    got = 0;
    while (true) {
      got += readUpTo(in, data, got, data.length - got, source, "data");
      if (got < data.length || got == elements) {
        break;
      }
      data = Arrays.copyOf(data, (int) Math.min(elements, 2L * data.length));
    }
    if (got < elements) {
      throw new IdxFormatException(source + ": truncated: the header declares dimensions " + Arrays.toString(dims)
          + " = " + elements + " bytes of data, but only " + got + " follow");
    }
    if (readUpTo(in, new byte[1], 0, 1, source, "data") != 0) {
      throw new IdxFormatException(source + ": has more bytes after the " + data.length
          + " declared by its header (dimensions " + Arrays.toString(dims) + ")");
    }
    return new IdxArray(source, dims, data);
  }

  /** Reads until {@code len} bytes or the end; a gzip stream that breaks off or fails its check is a format error. */
  private static int readUpTo(InputStream in, byte[] b, int off, int len, String source, String part)
      throws IOException {
    int n = 0;
    try {
      while (n < len) {
        int r = in.read(b, off + n, len - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
    } catch (EOFException | ZipException e) {
      throw new IdxFormatException(source + ": the gzip stream is truncated or corrupt in the " + part + " (after "
          + n + " bytes of it: " + e.getMessage() + ")", e);
    }
    return n;
  }

  /** The product of non-negative sizes, saturated at {@code Long.MAX_VALUE} (a zero size anywhere gives zero). */
  private static long elements(int[] dims) {
    long product = 1;
    for (int d : dims) {
      if (d == 0) {
        return 0;
      }
    }
    for (int d : dims) {
      if (product > Long.MAX_VALUE / d) {
        return Long.MAX_VALUE;
      }
      product *= d;
    }
    return product;
  }

  private static int bigEndian(byte[] b, int i) {
    return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
  }

  private static String hex(int magic) {
    return String.format(Locale.ROOT, "0x%08X", magic);
  }

  private static String typeName(int type) {
    switch (type) {
      case 0x09:
        return "signed byte";
      case 0x0B:
        return "16-bit integer";
      case 0x0C:
        return "32-bit integer";
      case 0x0D:
        return "32-bit float";
      case 0x0E:
        return "64-bit float";
      default:
        return "not an IDX type";
    }
  }

  /**
   * Writes unsigned bytes as a gzip-compressed IDX file (best compression). The gzip header carries no time stamp,
   * so the same content gives the same file with the same zlib.
   */
  public static void writeGzip(File file, int[] dims, byte[] data) throws IOException {
    Checks.notNull("file", file);
    checkShape(dims, data);
    try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file), BUFFER);
        GZIPOutputStream gzip = new GZIPOutputStream(out, BUFFER) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      write(gzip, dims, data);
    }
  }

  /** Writes unsigned bytes as a raw IDX stream; the caller closes {@code out}. */
  public static void write(OutputStream out, int[] dims, byte[] data) throws IOException {
    Checks.notNull("out", out);
    checkShape(dims, data);
    DataOutputStream header = new DataOutputStream(out);
    header.writeInt(UNSIGNED_BYTE << 8 | dims.length);
    for (int d : dims) {
      header.writeInt(d);
    }
    header.write(data);
    header.flush();
  }

  private static void checkShape(int[] dims, byte[] data) {
    Checks.notNull("dims", dims);
    Checks.notNull("data", data);
    if (dims.length < 1 || dims.length > 255) {
      throw new IllegalArgumentException("dims.length=" + dims.length + " must be in [1, 255]");
    }
    for (int i = 0; i < dims.length; i++) {
      Checks.nonNegative("dims[" + i + "]", dims[i]);
    }
    long elements = elements(dims);
    if (elements != data.length) {
      throw new IllegalArgumentException("data.length=" + data.length + " must equal the product of dims "
          + Arrays.toString(dims) + " = " + elements);
    }
  }
}
