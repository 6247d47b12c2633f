package org.lrgrad.bench.data;

import org.lrgrad.kernels.Checks;
import org.lrgrad.kernels.SeededRandom;

/**
 * Training batches drawn without replacement in a seeded random order that is reshuffled every epoch; every batch
 * is full (one that crosses the end of an epoch continues into the next), so a training step always sees the same
 * shape. The order of epoch {@code e} depends only on (seed, e), so the whole position is one number,
 * {@link #drawn()}, and {@link #seek(long)} resumes a checkpointed run exactly. {@link #next(Batch)} allocates
 * nothing.
 */
public final class ShuffledBatches {
  private static final long EPOCH_MIX = 0x9e3779b97f4a7c15L;

  private final LabeledImages data;
  private final long seed;
  private final int[] order;
  private final SeededRandom random = new SeededRandom(0);
  private long drawn;
  private long shuffledEpoch;

  public ShuffledBatches(LabeledImages data, long seed) {
    Checks.notNull("data", data);
    this.data = data;
    this.seed = seed;
    this.order = new int[data.size()];
    shuffle(0);
  }

  public LabeledImages data() {
    return data;
  }

  /** With {@link #drawn()}, all a checkpoint needs to continue the same sequence. */
  public long seed() {
    return seed;
  }

  /** Fills {@code batch} to its capacity with the next examples. */
  public void next(Batch batch) {
    data.checkBatch(batch);
    int n = order.length;
    for (int row = 0; row < batch.capacity(); row++) {
      if (drawn / n != shuffledEpoch) {
        shuffle(drawn / n);
      }
      data.put(batch, row, order[(int) (drawn % n)]);
      drawn++;
    }
    batch.setSize(batch.capacity());
  }

  /** How many examples have been drawn since the start: the whole state besides the seed. */
  public long drawn() {
    return drawn;
  }

  /** Continues as if {@code drawn} examples had been drawn from the start. */
  public void seek(long drawn) {
    if (drawn < 0) {
      throw new IllegalArgumentException("drawn=" + drawn + " must be >= 0");
    }
    this.drawn = drawn;
    shuffle(drawn / order.length);
  }

  /** The epoch the next example comes from (0 first); each epoch visits every example once. */
  public long epoch() {
    return drawn / order.length;
  }

  private void shuffle(long epoch) {
    shuffledEpoch = epoch;
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    random.setState(seed ^ (epoch * EPOCH_MIX));
    SeededDraws.shuffleFront(order, order.length, random);
  }
}
