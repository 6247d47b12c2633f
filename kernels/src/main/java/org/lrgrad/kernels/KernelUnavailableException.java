package org.lrgrad.kernels;

/** An implementation of the contract cannot run on this JVM; the message says why and what would fix it. */
public class KernelUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public KernelUnavailableException(String message) {
    super(message);
  }

  public KernelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
