package org.lrgrad.bench.experiment;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file the run writes at its end (the JSON report, the chart), checked before the run starts so that a long run
 * does not end in a failed write, and written without ever deleting what is at its path: the content goes to a
 * temporary file in the same folder, which is then renamed over the path (a rename replaces a regular file only; a
 * folder, FIFO or device at the path is refused up front).
 */
final class OutputFile {
  /** Writes a file's content. */
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private OutputFile() {}

  /**
   * Throws {@link IllegalArgumentException} naming {@code option} unless {@code path} is a regular writable file or
   * absent in an existing folder this process can create files in.
   */
  static void check(String option, Path path) {
    Path absolute = path.toAbsolutePath();
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(absolute)) {
      if (!Files.isRegularFile(absolute)) {
        throw new IllegalArgumentException(option + " " + path + ": expected a regular file or a new name, found "
            + (Files.isDirectory(absolute) ? "a folder" : "something else (a device, FIFO or dangling link)"));
      }
      if (!Files.isWritable(absolute)) {
        throw new IllegalArgumentException(option + " " + path + ": the file is not writable");
      }
    }
    Path folder = absolute.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(option + " " + path + ": the folder " + folder + " does not exist");
    }
    try {
      Files.delete(Files.createTempFile(folder, ".lrgrad-check-", ".tmp"));
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + path + ": cannot create a file in " + folder + " ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
  }

  /** Writes {@code content} into a temporary file beside {@code path}, then renames it to {@code path}. */
  static void write(Path path, Content content) throws IOException {
    Path absolute = path.toAbsolutePath();
    Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + "-", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(temp)) {
        content.writeTo(out);
      }
      // A temporary file is private (rw-------); the report is not: rw-r--r--, as a new file gets by default.
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: its default permissions stand.
      }
      if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(absolute,
          LinkOption.NOFOLLOW_LINKS)) {
        // Something that is not a regular file appeared at the path during the run: leave it alone.
        throw new IOException("cannot write " + path + ": it is no longer a regular file");
      }
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
