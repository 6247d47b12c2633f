package org.lrgrad.train.checkpoint;

import static org.lrgrad.train.checkpoint.CheckpointFormat.BUFFER;
import static org.lrgrad.train.checkpoint.CheckpointFormat.COUNTER;
import static org.lrgrad.train.checkpoint.CheckpointFormat.intAt;
import static org.lrgrad.train.checkpoint.CheckpointFormat.longAt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lrgrad.train.StateVisitor;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.checkpoint.CheckpointException.Problem;
import org.lrgrad.train.memory.MemoryTag;

/**
 * A checkpoint read whole, its frame checked, its payload parsed into entries; {@link #applyTo} checks it against a
 * trainer (configuration, entries, values, counters) and only then writes it into the trainer's buffers.
 */
final class StagedCheckpoint {
  /** Buffers of second moments (Adam's, and Adafactor's row and column factors): never negative. */
  private static final String[] SECOND_MOMENT_SUFFIXES = {".exp_avg_sq", ".exp_avg_sq_row", ".exp_avg_sq_col"};
  /** Per parameter, the optimizer's count of applied steps: at most the trainer's steps, completed and skipped. */
  private static final String STEP_SUFFIX = ".step";
  private static final String COMPLETED_STEPS = "trainer.completed_steps";
  private static final String SKIPPED_STEPS = "trainer.skipped_steps";

  private final String source;
  private final String configuration;
  private final List<Entry> entries;
  private final byte[] payload;

  private StagedCheckpoint(String source, String configuration, List<Entry> entries, byte[] payload) {
    this.source = source;
    this.configuration = configuration;
    this.entries = entries;
    this.payload = payload;
  }

  /** One entry of a state: what a checkpoint holds, or what a trainer walks. */
  private static final class Entry {
    final boolean buffer;
    final String name;
    /** A buffer's tag name and size; where its floats start in the payload. */
    final String tag;
    final int count;
    final int offset;
    /** A counter's value. */
    final long value;

    Entry(boolean buffer, String name, String tag, int count, int offset, long value) {
      this.buffer = buffer;
      this.name = name;
      this.tag = tag;
      this.count = count;
      this.offset = offset;
      this.value = value;
    }

    boolean sameShape(Entry other) {
      return buffer == other.buffer && name.equals(other.name)
          && (!buffer || (tag.equals(other.tag) && count == other.count));
    }

    @Override
    public String toString() {
      return buffer ? "buffer '" + name + "' (" + tag + ", " + count + " floats)" : "counter '" + name + "'";
    }
  }

  static StagedCheckpoint parse(String source, byte[] payload) throws CheckpointException {
    Cursor c = new Cursor(source, payload);
    String configuration = c.string("the configuration");
    List<Entry> entries = new ArrayList<>();
    while (c.remaining() > 0) {
      String what = "entry " + entries.size();
      int kind = c.kind(what);
      String name = c.string(what + "'s name");
      if (kind == BUFFER) {
        String tag = c.string(what + " ('" + name + "')'s tag");
        int count = c.int32(what + " ('" + name + "')'s count");
        int offset = c.floats(what + " ('" + name + "')", count);
        entries.add(new Entry(true, name, tag, count, offset, 0));
      } else {
        entries.add(new Entry(false, name, null, 0, 0, c.int64(what + " ('" + name + "')'s value")));
      }
    }
    return new StagedCheckpoint(source, configuration, entries, payload);
  }

  /** Checks everything against the trainer, then writes the state into it; on any fault, changes nothing. */
  void applyTo(Trainer trainer) throws CheckpointException {
    if (!configuration.equals(trainer.configuration())) {
      throw configurationDiffers(source, configuration, trainer.configuration());
    }
    checkEntries(walk(trainer));
    checkValues();
    tryCounters(trainer);
    trainer.visitState(new Restore());
  }

  /** The refusal of a checkpoint saved from another setup: the first line where the configurations differ. */
  static CheckpointException configurationDiffers(String source, String saved, String expected) {
    String[] savedLines = saved.split("\n", -1);
    String[] current = expected.split("\n", -1);
    int line = 0;
    while (line < savedLines.length && line < current.length && savedLines[line].equals(current[line])) {
      line++;
    }
    return new CheckpointException(source, Problem.WRONG_SETUP, "line " + (line + 1) + " of the configurations"
        + " differs: the checkpoint's is \"" + (line < savedLines.length ? savedLines[line] : "") + "\", this"
        + " trainer's \"" + (line < current.length ? current[line] : "") + "\"");
  }

  /** The entries the trainer walks, as they are now. */
  private static List<Entry> walk(Trainer trainer) {
    Walk walk = new Walk();
    trainer.visitState(walk);
    return walk.entries;
  }

  /** Lists each entry with its shape (and a counter's value); changes nothing. */
  private static final class Walk implements StateVisitor {
    final List<Entry> entries = new ArrayList<>();

    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {
      entries.add(new Entry(true, name, tag.name(), data.length, 0, 0));
    }

    @Override
    public long counter(String name, long value) {
      entries.add(new Entry(false, name, null, 0, 0, value));
      return value;
    }
  }

  private void checkEntries(List<Entry> expected) throws CheckpointException {
    for (int i = 0; i < Math.max(entries.size(), expected.size()); i++) {
      Entry saved = i < entries.size() ? entries.get(i) : null;
      Entry wanted = i < expected.size() ? expected.get(i) : null;
      if (saved == null || wanted == null || !saved.sameShape(wanted)) {
        throw new CheckpointException(source, Problem.WRONG_SETUP, "entry " + i + " of its state is "
            + (saved == null ? "missing (it has " + entries.size() + ")" : saved) + ", this trainer's is "
            + (wanted == null ? "missing (it has " + expected.size() + ")" : wanted));
      }
    }
  }

  /**
   * Values no trainer holds, which a valid checksum does not rule out (a file written by other code, or edited):
   * a non-finite float anywhere, a negative second moment, a parameter's step count above the steps the trainer
   * took (completed and skipped: a fused step skipped part-way has updated the layers after the bad one, their
   * counters included). Restoring them would turn the next step's weights into NaN.
   */
  private void checkValues() throws CheckpointException {
    Set<String> parameters = new HashSet<>();
    long completedSteps = -1;
    long skippedSteps = -1;
    for (Entry e : entries) {
      if (!e.buffer && e.name.equals(COMPLETED_STEPS)) {
        completedSteps = e.value;
      } else if (!e.buffer && e.name.equals(SKIPPED_STEPS)) {
        skippedSteps = e.value;
      }
    }
    // Both counters are the trainer's to refuse when negative (tryCounters); here they only bound the others.
    long stepsTaken = completedSteps < 0 ? -1
        : skippedSteps < 0 ? completedSteps : Math.max(completedSteps, completedSteps + skippedSteps);
    for (Entry e : entries) {
      if (e.buffer) {
        checkFloats(e);
        if (e.tag.equals(MemoryTag.WEIGHTS.name())) {
          parameters.add(e.name);
        }
      } else if (stepsTaken >= 0 && e.name.endsWith(STEP_SUFFIX) && e.value > stepsTaken
          && parameters.contains(e.name.substring(0, e.name.length() - STEP_SUFFIX.length()))) {
        // Negative counts are the trainer's to refuse (tryCounters), with its own message.
        throw invalid("counter '" + e.name + "'=" + e.value + " is more than " + COMPLETED_STEPS + "="
            + completedSteps + " + " + SKIPPED_STEPS + "=" + Math.max(0, skippedSteps) + ": an optimizer applies at"
            + " most one step per step taken");
      }
    }
  }

  private void checkFloats(Entry e) throws CheckpointException {
    boolean secondMoment = false;
    for (String suffix : SECOND_MOMENT_SUFFIXES) {
      secondMoment |= e.name.endsWith(suffix);
    }
    for (int i = 0, off = e.offset; i < e.count; i++, off += 4) {
      float v = Float.intBitsToFloat(intAt(payload, off));
      if (Float.isNaN(v) || Float.isInfinite(v)) {
        throw invalid("buffer '" + e.name + "' element " + i + " is " + v + ": a trainer's state is always finite");
      }
      if (secondMoment && v < 0) {
        throw invalid("buffer '" + e.name + "' element " + i + " is " + v + ": a second moment is never negative");
      }
    }
  }

  private CheckpointException invalid(String detail) {
    return new CheckpointException(source, Problem.CORRUPTED, "its checksum matches, but " + detail + ": it was"
        + " not written by this library");
  }

  /**
   * The trainer checks each counter as it takes it (a step count is never negative, ...). A trial walk hands it the
   * saved counters and no buffer; when it refuses one, the counters it took before that one are handed back, so the
   * trainer ends as it was.
   */
  private void tryCounters(Trainer trainer) throws CheckpointException {
    TryCounters trial = new TryCounters();
    try {
      trainer.visitState(trial);
    } catch (RuntimeException e) {
      trainer.visitState(new CountersBack(trial.before));
      throw new CheckpointException(source, Problem.CORRUPTED, "its checksum matches, but the trainer refuses a"
          + " value of it (" + e.getMessage() + "): it was not written by this library", e);
    }
  }

  /** Hands the trainer the saved counters, remembering the values they replace; touches no buffer. */
  private final class TryCounters extends Replay {
    final Map<String, Long> before = new HashMap<>();

    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {
      next();
    }

    @Override
    public long counter(String name, long value) {
      before.put(name, value);
      return super.counter(name, value);
    }
  }

  /** Writes the saved buffers and counters into the trainer (everything checked before). */
  private final class Restore extends Replay {
    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {
      int off = next().offset;
      for (int i = 0; i < data.length; i++, off += 4) {
        data[i] = Float.intBitsToFloat(intAt(payload, off));
      }
    }
  }

  /** Hands the trainer back the counter values it had before a refused trial; touches no buffer. */
  private static final class CountersBack implements StateVisitor {
    private final Map<String, Long> before;

    CountersBack(Map<String, Long> before) {
      this.before = before;
    }

    @Override
    public void buffer(String name, MemoryTag tag, float[] data) {}

    @Override
    public long counter(String name, long value) {
      Long old = before.get(name);
      return old != null ? old : value;
    }
  }

  /** Walks the staged entries in the trainer's visiting order (checked equal before): counters take theirs. */
  private abstract class Replay implements StateVisitor {
    private int next;

    Entry next() {
      return entries.get(next++);
    }

    @Override
    public long counter(String name, long value) {
      return next().value;
    }
  }

  /** Reads a staged payload; what does not fit is a malformed payload. */
  private static final class Cursor {
    private final String source;
    private final byte[] bytes;
    private int position;

    Cursor(String source, byte[] bytes) {
      this.source = source;
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - position;
    }

    private CheckpointException malformed(String detail) {
      return new CheckpointException(source, Problem.CORRUPTED, "its checksum matches, but its payload is"
          + " malformed: " + detail + ": it was not written by this library");
    }

    /** Skips {@code n} bytes; returns where they start. */
    private int take(long n, String what) throws CheckpointException {
      if (n < 0) {
        throw malformed(what + " has a negative size, " + n);
      }
      if (n > remaining()) {
        throw malformed(what + " takes " + n + " bytes at payload offset " + position + ", where " + remaining()
            + " remain");
      }
      int at = position;
      position += (int) n;
      return at;
    }

    int kind(String what) throws CheckpointException {
      int kind = bytes[take(1, what + "'s kind")];
      if (kind != BUFFER && kind != COUNTER) {
        throw malformed(what + " has kind " + kind + " (1: buffer, 2: counter)");
      }
      return kind;
    }

    int int32(String what) throws CheckpointException {
      return intAt(bytes, take(4, what));
    }

    long int64(String what) throws CheckpointException {
      return longAt(bytes, take(8, what));
    }

    String string(String what) throws CheckpointException {
      int length = int32(what + "'s length");
      return new String(bytes, take(length, what), length, StandardCharsets.UTF_8);
    }

    /** Skips {@code count} floats; returns where they start. */
    int floats(String what, int count) throws CheckpointException {
      return take(4L * count, what + "'s " + count + " floats");
    }
  }
}
