package org.lrgrad.bench.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.zip.GZIPOutputStream;

/** IDX bytes built by hand in the tests (not with {@link Idx#write}), so that reader and writer are checked apart. */
final class IdxFiles {
  private IdxFiles() {}

  /** Header {@code 00 00 type rank}, the sizes big-endian, then {@code data}. */
  static byte[] idx(int type, int[] dims, byte[] data) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(0);
      out.writeByte(0);
      out.writeByte(type);
      out.writeByte(dims.length);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] raw) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
        out.write(raw);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code count} images of {@code rows × cols}: pixel p of image i is {@code (i * 31 + p * 7) & 0xff}. */
  static byte[] imagesIdx(int count, int rows, int cols) {
    return idx(0x08, new int[] {count, rows, cols}, pixels(count, rows * cols));
  }

  static byte[] pixels(int count, int size) {
    byte[] data = new byte[count * size];
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < size; p++) {
        data[i * size + p] = (byte) (i * 31 + p * 7);
      }
    }
    return data;
  }

  static byte[] labelsIdx(int... labels) {
    byte[] data = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      data[i] = (byte) labels[i];
    }
    return idx(0x08, new int[] {labels.length}, data);
  }

  static File write(File folder, String name, byte[] content) {
    try {
      File file = new File(folder, name);
      Files.write(file.toPath(), content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
