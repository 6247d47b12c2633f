package org.lrgrad.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.testing.SteadyState;

/** Seeded shuffled batches: permutations per epoch, determinism, exact resume, and no garbage. */
class ShuffledBatchesTest {
  private static final int N = 37;

  /** N images of 1x2 whose first pixel is the image's index, so a batch says which images it holds. */
  private static LabeledImages indexed() throws IOException {
    byte[] pixels = new byte[2 * N];
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) {
      pixels[2 * i] = (byte) i;
      labels[i] = i % 3;
    }
    IdxArray images = Idx.read(new ByteArrayInputStream(IdxFiles.idx(0x08, new int[] {N, 1, 2}, pixels)), "i");
    IdxArray labelArray = Idx.read(new ByteArrayInputStream(IdxFiles.labelsIdx(labels)), "l");
    return LabeledImages.of(images, labelArray, 3);
  }

  /** The image indices of {@code examples} draws, batch after batch. */
  private static int[] draw(ShuffledBatches batches, int capacity, int examples) {
    Batch batch = new Batch(capacity, 2);
    int[] drawn = new int[examples];
    for (int k = 0; k < examples; k += capacity) {
      batches.next(batch);
      assertEquals(capacity, batch.size());
      for (int b = 0; b < capacity && k + b < examples; b++) {
        int index = Math.round(batch.features()[2 * b] * 255);
        drawn[k + b] = index;
        assertEquals(index % 3, batch.labels()[b], "label travels with its image");
      }
    }
    return drawn;
  }

  @Test
  void everyEpochVisitsEachImageOnceInANewOrder() throws IOException {
    ShuffledBatches batches = new ShuffledBatches(indexed(), 42);
    int[] drawn = draw(batches, 5, 3 * N); // 5 does not divide 37: batches straddle epochs
    int[][] epochs = new int[3][];
    int[] identity = new int[N];
    for (int i = 0; i < N; i++) {
      identity[i] = i;
    }
    for (int e = 0; e < 3; e++) {
      epochs[e] = Arrays.copyOfRange(drawn, e * N, (e + 1) * N);
      int[] sorted = epochs[e].clone();
      Arrays.sort(sorted);
      assertArrayEquals(identity, sorted, "epoch " + e + " is a permutation");
      assertFalse(Arrays.equals(identity, epochs[e]), "epoch " + e + " is shuffled");
    }
    assertFalse(Arrays.equals(epochs[0], epochs[1]));
    assertFalse(Arrays.equals(epochs[1], epochs[2]));
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndAnotherSeedOthers() throws IOException {
    LabeledImages data = indexed();
    int[] a = draw(new ShuffledBatches(data, 7), 4, 100);
    assertArrayEquals(a, draw(new ShuffledBatches(data, 7), 4, 100));
    assertFalse(Arrays.equals(a, draw(new ShuffledBatches(data, 8), 4, 100)));
  }

  @Test
  void seekResumesExactlyWhereARunWas() throws IOException {
    LabeledImages data = indexed();
    int[] straight = draw(new ShuffledBatches(data, 3), 6, 120);
    for (int cut : new int[] {0, 6, 36, 42, 72, 84}) {
      ShuffledBatches first = new ShuffledBatches(data, 3);
      draw(first, 6, cut);
      assertEquals(cut, first.drawn());
      assertEquals(cut / N, first.epoch());
      ShuffledBatches resumed = new ShuffledBatches(data, 3);
      resumed.seek(first.drawn());
      int[] rest = draw(resumed, 6, 120 - cut);
      assertArrayEquals(Arrays.copyOfRange(straight, cut, 120), rest, "resumed at " + cut);
    }
    assertThrows(IllegalArgumentException.class, () -> new ShuffledBatches(data, 3).seek(-1));
  }

  /**
   * Windows of 1000 batches (crossing about 200 epochs) until one allocates nothing ({@link SteadyState}): code that
   * allocates per batch allocates in every window; the JVM's rare charge of a few bytes of its own (64 bytes once,
   * in a CI run) shows in one window only.
   */
  @Test
  void fillingBatchesAllocatesNothing() throws IOException {
    LabeledImages data = indexed();
    ShuffledBatches batches = new ShuffledBatches(data, 1);
    Batch batch = new Batch(8, 2);
    for (int i = 0; i < 20_000; i++) { // warm up: the measured loop runs compiled code, across many epochs
      batches.next(batch);
      data.fill(batch, i % N);
    }
    long allocated = SteadyState.leastBytesAllocated(() -> {
      for (int i = 0; i < 1000; i++) {
        batches.next(batch);
        data.fill(batch, i % N);
      }
    });
    assertEquals(0, allocated, "bytes allocated by the least of the windows of 1000 x (next + fill)");
  }
}
