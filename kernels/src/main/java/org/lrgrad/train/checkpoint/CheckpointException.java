package org.lrgrad.train.checkpoint;

import java.io.IOException;

/**
 * A checkpoint that cannot be restored: not a checkpoint, truncated, corrupted, written by a newer format version, or
 * saved from another setup. The message names the file (or stream) and what is wrong. When {@link Checkpoint}
 * throws it, the trainer has not been changed. It is an {@link IOException} because the fault is in what was read,
 * and every caller that reads a checkpoint already handles I/O failures.
 */
public final class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the checkpoint. */
  public enum Problem {
    /** It does not start with the checkpoint magic: some other file. */
    NOT_A_CHECKPOINT("not a checkpoint"),
    /** It ends before the length its header declares. */
    TRUNCATED("truncated"),
    /** Its checksum does not match, or its content is malformed. */
    CORRUPTED("corrupted"),
    /** Its format version is newer than this library reads. */
    NEWER_VERSION("written in a newer format"),
    /** It holds the state of another model, optimizer or seed than the trainer's. */
    WRONG_SETUP("saved from a different setup");

    private final String label;

    Problem(String label) {
      this.label = label;
    }
  }

  private final String source;
  private final Problem problem;

  CheckpointException(String source, Problem problem, String detail) {
    this(source, problem, detail, null);
  }

  CheckpointException(String source, Problem problem, String detail, Throwable cause) {
    super("checkpoint " + source + ": " + problem.label + ": " + detail + "; nothing was restored", cause);
    this.source = source;
    this.problem = problem;
  }

  /** The file or stream the checkpoint was read from, as given to {@link Checkpoint}. */
  public String source() {
    return source;
  }

  public Problem problem() {
    return problem;
  }
}
