package org.lrgrad.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds hostile npz archives in memory without ever holding what they inflate to: a member is an NPY header followed
 * by any number of zero bytes, deflated as one compressed block of 1 MiB of zeros repeated (each block ends with a
 * full flush, so it refers to nothing before it and can be repeated). A 2 GiB member takes about 2 MB. The members'
 * sizes and checksum are left to a data descriptor after the data, as a streaming ZIP writer leaves them, so a reader
 * learns them only by inflating; they are right, so the archive is a valid one.
 */
public final class HostileNpz {
  private static final int BLOCK = 1 << 20;
  private static final byte[] ZEROS_BLOCK = flushed(new byte[BLOCK]);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private byte[] lastHeader;
  private long lastZeros = -1;
  private long lastCrc;

  /** A float32 NPY header (version 1.0, padded as numpy pads it) of {@code shape}, e.g. "(4,)" or "(536870912,)". */
  public static byte[] float32Header(String shape) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    StringBuilder padded = new StringBuilder(dict);
    while ((10 + padded.length() + 1) % 64 != 0) {
      padded.append(' ');
    }
    padded.append('\n');
    byte[] text = padded.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text);
    return b.array();
  }

  /** Adds the member {@code name} holding {@code npyHeader} and then {@code zeros} zero bytes. */
  public HostileNpz member(String name, byte[] npyHeader, long zeros) {
    byte[] tail = flushed(new byte[(int) (zeros % BLOCK)]);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    byte[] head = flushed(npyHeader);
    compressed.write(head, 0, head.length);
    for (long i = 0; i < zeros / BLOCK; i++) {
      compressed.write(ZEROS_BLOCK, 0, ZEROS_BLOCK.length);
    }
    compressed.write(tail, 0, tail.length);
    byte[] end = finalBlock();
    compressed.write(end, 0, end.length);
    long crc = crc(npyHeader, zeros);
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer local = ByteBuffer.allocate(30 + nameBytes.length).order(ByteOrder.LITTLE_ENDIAN);
    local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0008).putShort((short) 8)
        .putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0)
        .putShort((short) nameBytes.length).putShort((short) 0).put(nameBytes);
    write(local.array());
    write(compressed.toByteArray());
    ByteBuffer descriptor = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    descriptor.putInt(0x08074b50).putInt((int) crc).putInt(compressed.size())
        .putInt((int) (npyHeader.length + zeros));
    write(descriptor.array());
    return this;
  }

  /** The CRC-32 of the header and the zeros (2 GiB of zeros take about a second), the last one remembered. */
  private long crc(byte[] npyHeader, long zeros) {
    if (!Arrays.equals(npyHeader, lastHeader) || zeros != lastZeros) {
      CRC32 crc = new CRC32();
      crc.update(npyHeader);
      byte[] block = new byte[BLOCK];
      for (long left = zeros; left > 0; left -= BLOCK) {
        crc.update(block, 0, (int) Math.min(BLOCK, left));
      }
      lastHeader = npyHeader.clone();
      lastZeros = zeros;
      lastCrc = crc.getValue();
    }
    return lastCrc;
  }

  /** The archive: its members and an (empty) end of central directory, where a streaming reader stops. */
  public byte[] build() {
    ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
    end.putInt(0x06054b50);
    write(end.array());
    return out.toByteArray();
  }

  private void write(byte[] bytes) {
    out.write(bytes, 0, bytes.length);
  }

  /** {@code input} deflated (raw, no zlib wrapper) into non-final blocks ending on a byte boundary. */
  private static byte[] flushed(byte[] input) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    int n;
    do {
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
      out.write(buffer, 0, n);
    } while (n == buffer.length || !deflater.needsInput());
    deflater.end();
    return out.toByteArray();
  }

  /** An empty final block: the end of a deflate stream. */
  private static byte[] finalBlock() {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.finish();
    byte[] buffer = new byte[64];
    int n = deflater.deflate(buffer);
    deflater.end();
    byte[] out = new byte[n];
    System.arraycopy(buffer, 0, out, 0, n);
    return out;
  }
}
