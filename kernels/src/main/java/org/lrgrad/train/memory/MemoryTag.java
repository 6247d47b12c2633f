package org.lrgrad.train.memory;

/** What a buffer of a training step is for (docs/method.md §3): the ledger's breakdown is by these kinds. */
public enum MemoryTag {
  /** Trainable and frozen parameters, LoRA factors included. */
  WEIGHTS,
  /** Parameter gradients as the optimizer keeps them: full G, or the low-rank R of LRG and GaLore. */
  GRADIENTS,
  /** Moments and other per-parameter optimizer statistics. */
  OPTIMIZER_STATE,
  /** Low-rank projectors (P or Q). */
  PROJECTORS,
  /**
   * What scales with the batch: the input batch, layer outputs kept for backward, and the errors that flow back
   * through the layers.
   */
  ACTIVATIONS,
  /** Scratch that holds nothing between steps: SVD/QR scratch, fused-form scratch, GaLore's transient full G. */
  WORKSPACE
}
