package org.lrgrad.bench.data;

import java.io.IOException;

/**
 * A data file that is not what it must be: not IDX, truncated, empty, the wrong shape, labels out of range, images
 * and labels that do not pair up. The message names the file. It is an {@link IOException} because the fault is in
 * what was read, not in the caller's arguments, and every caller that reads a file already handles I/O failures.
 */
public final class IdxFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public IdxFormatException(String message) {
    super(message);
  }

  public IdxFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
