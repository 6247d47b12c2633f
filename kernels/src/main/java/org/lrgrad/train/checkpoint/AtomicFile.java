package org.lrgrad.train.checkpoint;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Replaces a file only with complete content: the content goes to a temporary file in the same folder
 * ({@code <name>.tmp}), is synced to the storage device, and is then renamed over the target. On POSIX file systems
 * (Linux, Android, macOS) the rename is atomic, so a reader, or a process restarted after a crash at any point, sees
 * either the previous file or the new one, complete. A temporary file left by a crash is overwritten by the next
 * write and is never read. The folder itself is not synced (Android's API has no way to open one): after a power
 * loss right after the rename, the file system may still show the previous file, which is complete.
 */
final class AtomicFile {
  static final String TEMP_SUFFIX = ".tmp";

  /** Writes the content of a file. */
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFile() {}

  /**
   * Writes {@code content} to {@code target}, replacing it atomically. When anything fails (the content throws, the
   * device is full, the rename is refused) the exception propagates, the temporary file is deleted, and
   * {@code target} is as it was.
   */
  static void write(File target, Content content) throws IOException {
    File file = target.getAbsoluteFile();
    File temp = new File(file.getParentFile(), file.getName() + TEMP_SUFFIX);
    boolean renamed = false;
    try {
      try (FileOutputStream out = new FileOutputStream(temp)) {
        content.writeTo(out);
        out.getFD().sync();
      }
      if (!temp.renameTo(file)) {
        throw new IOException("cannot rename " + temp + " to " + file + " (is " + file + " a folder?); " + file
            + " was left as it was");
      }
      renamed = true;
    } finally {
      if (!renamed) {
        // Best effort: a leftover is harmless (never read, overwritten by the next write).
        temp.delete();
      }
    }
  }
}
