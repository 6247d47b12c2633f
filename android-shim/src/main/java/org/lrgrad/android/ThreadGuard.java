package org.lrgrad.android;

import java.io.IOException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The facade's thread rule: one call at a time on a trainer. {@link #enter} claims the trainer for the calling
 * thread or refuses the call; {@link #exit} hands it back. Also the trainer's open/closed state, which only a call
 * holding the claim changes.
 */
final class ThreadGuard {
  private final String owner;
  /** The thread inside a call, or null. */
  private final AtomicReference<Thread> user = new AtomicReference<>();
  /** Volatile for {@link #checkOpen()}, which reads it without the claim. */
  private volatile boolean closed;

  /** @param owner names the trainer in error messages */
  ThreadGuard(String owner) {
    this.owner = owner;
  }

  /**
   * Claims the trainer; throws {@link ConcurrentModificationException} when another call holds it, and (having
   * released the claim) {@link IllegalStateException} when the trainer is closed and {@code mustBeOpen}.
   */
  void enter(boolean mustBeOpen) {
    Thread me = Thread.currentThread();
    if (!user.compareAndSet(null, me)) {
      Thread other = user.get();
      throw new ConcurrentModificationException("this trainer is in use by "
          + (other == me ? "this same thread (a call from inside a progress listener?)" : "thread '"
          + (other == null ? "?" : other.getName()) + "'") + "; use one trainer from one thread at a time (only"
          + " cancel() may be called concurrently); separate trainers may run at once");
    }
    if (closed && mustBeOpen) {
      user.set(null);
      throw closedError();
    }
  }

  /**
   * Throws {@link IllegalStateException} when the trainer is closed, without claiming it: for reads of settings fixed
   * when the trainer was built, which another call in progress (or a progress listener) may make.
   */
  void checkOpen() {
    if (closed) {
      throw closedError();
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException("this trainer of '" + owner + "' is closed");
  }

  void exit() {
    user.set(null);
  }

  /** Whether the trainer is closed (with or without the claim). */
  boolean isClosed() {
    return closed;
  }

  /** Marks the trainer closed; call while holding the claim. */
  void close() {
    closed = true;
  }

  /** A call on the trainer, made while the claim is held. */
  interface Call<R> {
    R run();
  }

  /** A call that reads or writes a file or stream. */
  interface IoCall<R> {
    R run() throws IOException;
  }

  /** Runs {@code call} holding the claim (the trainer must be open). */
  <R> R call(Call<R> call) {
    enter(true);
    try {
      return call.run();
    } finally {
      exit();
    }
  }

  <R> R io(IoCall<R> call) throws IOException {
    enter(true);
    try {
      return call.run();
    } finally {
      exit();
    }
  }
}
