/**
 * Checkpoints of a {@link org.lrgrad.train.Trainer}'s whole training state: {@link
 * org.lrgrad.train.checkpoint.Checkpoint} saves it atomically and restores it all or nothing, so that a resumed run is
 * bit for bit the uninterrupted one; {@link org.lrgrad.train.checkpoint.CheckpointException} says why a checkpoint
 * was refused.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, 32).seed(7).group(LowRankAdam.lrg(1e-3f, 128), model.parameters())
 *     .build();                                  // built as the saved trainer was: same model, optimizers, seed
 * File file = new File(filesDir, "personalization.ckpt");
 * if (file.exists()) {
 *   Checkpoint.restore(trainer, file);           // refused with a CheckpointException, trainer unchanged, if bad
 * }
 * // ... train ...
 * Checkpoint.save(trainer, file);                // the previous checkpoint stays intact if this fails
 * }</pre>
 */
package org.lrgrad.train.checkpoint;
