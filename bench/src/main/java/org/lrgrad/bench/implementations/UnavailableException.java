package org.lrgrad.bench.implementations;

/**
 * An implementation that cannot run here, or not at the asked thread count; the message says why and how to fix
 * it.
 */
public final class UnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String reason) {
    super(reason);
  }

  public UnavailableException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
