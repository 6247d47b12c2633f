package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.lrgrad.train.checkpoint.CorruptCheckpointTest.after;
import static org.lrgrad.train.checkpoint.CorruptCheckpointTest.patchInt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.Trainer;

/**
 * The named seed inputs of {@link CheckpointFuzzTest} and {@link CheckpointBoundsFuzzTest} are what this class makes
 * from a checkpoint saved now: the checkpoint holds the optimizer's configuration and state shapes, so a change of a
 * default makes the committed inputs stale (then the good ones are merely refused and the corpora stop reaching the
 * restore path). The test fails on a stale corpus; {@code -Dlrgrad.corpora.write=true} rewrites the inputs under
 * {@code src/test/resources} (run from the kernels module:
 * {@code mvn -pl kernels test -Dtest=CheckpointCorporaTest -Dlrgrad.corpora.write=true}). The inputs whose names are
 * hashes were found by the fuzzer and do not depend on a checkpoint; they are left alone.
 */
class CheckpointCorporaTest {
  private static final String FUZZ = "CheckpointFuzzTestInputs/anyBytesRestoreWholeOrThrowCheckpointException/";
  private static final String BOUNDS =
      "CheckpointBoundsFuzzTestInputs/restoreIsBoundedByTheTrainersStateAndChecksItsValues/";
  /** The header's payload length, a long after the magic and the format version. */
  private static final int LENGTH_AT = 12;
  /** Magic, version and length before the payload. */
  private static final int HEADER = 20;

  /** Each input by its path under the package's resources; the first byte picks the form as each target reads it. */
  static Map<String, byte[]> corpora() throws IOException {
    Trainer saved = CheckpointFuzzTest.target();
    for (int s = 0; s < 3; s++) {
      TrainTesting.step(saved, 16 * s, 16);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(saved, out);
    byte[] file = out.toByteArray();
    byte[] payload = Arrays.copyOfRange(file, HEADER, file.length - 4);
    // The fuzz targets frame a payload themselves; the frame they build must be the saved file.
    assertArrayEquals(file, CheckpointFuzzTest.framed(payload));

    Map<String, byte[]> inputs = new LinkedHashMap<>();
    inputs.put(FUZZ + "file-after-3-steps", prefixed(1, file));
    byte[] flipped = file.clone();
    flipped[file.length / 2] ^= 0x10;
    inputs.put(FUZZ + "file-bit-flipped", prefixed(1, flipped));
    inputs.put(FUZZ + "file-truncated", prefixed(1, Arrays.copyOf(file, file.length - 9)));
    inputs.put(FUZZ + "payload-after-3-steps", prefixed(0, payload));
    inputs.put(FUZZ + "payload-truncated-in-an-entry", prefixed(0, Arrays.copyOf(payload, payload.length - 40)));
    byte[] unknownKind = payload.clone();
    // The kind byte of the first entry sits before its name's int32 length.
    unknownKind[after(payload, "trainer.seed") - "trainer.seed".length() - 5] = 7;
    inputs.put(FUZZ + "payload-unknown-entry-kind", prefixed(0, unknownKind));

    byte[] hugeLength = patchInt(file, LENGTH_AT + 4, Integer.MAX_VALUE - 8);
    inputs.put(BOUNDS + "file-good", prefixed(3, file));
    inputs.put(BOUNDS + "file-huge-length", prefixed(3, hugeLength));
    inputs.put(BOUNDS + "file-payload-good", prefixed(2, payload));
    inputs.put(BOUNDS + "payload-good", prefixed(0, payload));
    inputs.put(BOUNDS + "payload-nan-weight",
        prefixed(0, patchInt(payload, floatsOf(payload, "0.weight", "WEIGHTS"), Float.floatToRawIntBits(Float.NaN))));
    inputs.put(BOUNDS + "payload-negative-exp-avg-sq", prefixed(0,
        patchInt(payload, floatsOf(payload, "0.weight.exp_avg_sq", "OPTIMIZER_STATE") + 4 * 5,
            Float.floatToRawIntBits(-1f))));
    // A counter is an int64 after its name: 1000 steps where the trainer has completed 3.
    inputs.put(BOUNDS + "payload-step-ahead",
        prefixed(0, patchInt(payload, after(payload, "2.weight.step") + 4, 1000)));
    inputs.put(BOUNDS + "stream-good", prefixed(1, file));
    inputs.put(BOUNDS + "stream-huge-length", prefixed(1, hugeLength));
    return inputs;
  }

  /** Where the floats of buffer {@code name} start: after its name, its tag (int32 length, bytes), its count. */
  private static int floatsOf(byte[] checkpoint, String name, String tag) {
    return after(checkpoint, name) + 4 + tag.length() + 4;
  }

  private static byte[] prefixed(int form, byte[] bytes) {
    byte[] input = new byte[1 + bytes.length];
    input[0] = (byte) form;
    System.arraycopy(bytes, 0, input, 1, bytes.length);
    return input;
  }

  @Test
  void theNamedSeedInputsAreMadeFromACheckpointOfTheCurrentCode() throws IOException {
    Map<String, byte[]> inputs = corpora();
    if (Boolean.getBoolean("lrgrad.corpora.write")) {
      for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
        File f = new File("src/test/resources/org/lrgrad/train/checkpoint/" + input.getKey());
        assertEquals(true, f.getParentFile().isDirectory(), "run from the kernels module: no directory " + f);
        Files.write(f.toPath(), input.getValue());
      }
      return;
    }
    for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
      try (InputStream committed = CheckpointCorporaTest.class.getResourceAsStream(input.getKey())) {
        assertNotNull(committed, "no seed input " + input.getKey());
        assertArrayEquals(input.getValue(), readAll(committed), input.getKey()
            + " is stale: rewrite the corpora with -Dlrgrad.corpora.write=true");
      }
    }
  }

  @Test
  void theGoodInputsRestoreIntoTheFuzzTargetsTrainer() throws IOException {
    Map<String, byte[]> inputs = corpora();
    Trainer target = CheckpointFuzzTest.target();
    byte[] input = inputs.get(FUZZ + "file-after-3-steps");
    Checkpoint.restore(target, new ByteArrayInputStream(input, 1, input.length - 1), "seed input");
    assertEquals(3, target.completedSteps());
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) > 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
