/**
 * On-device training on the kernel contract: layers ({@link org.lrgrad.train.Linear}, {@link org.lrgrad.train.Relu},
 * {@link org.lrgrad.train.Lstm}) in a {@link org.lrgrad.train.Sequential} model, softmax cross-entropy, and the
 * optimizers of docs/method.md §2 per parameter group ({@link org.lrgrad.train.Sgd}, {@link org.lrgrad.train.Adam},
 * {@link org.lrgrad.train.Adafactor}, {@link org.lrgrad.train.LowRankAdam} for LRG and GaLore,
 * {@link org.lrgrad.train.LoraAdam}, {@link org.lrgrad.train.Flora}, {@link org.lrgrad.train.Apollo} for APOLLO and
 * APOLLO-Mini; by name through {@link org.lrgrad.train.Methods}), each with an optional
 * {@link org.lrgrad.train.LearningRateSchedule}, or frozen, with every buffer counted by a
 * {@link org.lrgrad.train.memory.MemoryLedger}. {@link org.lrgrad.train.Trainer#fit} trains over
 * {@link org.lrgrad.train.Examples} and {@link org.lrgrad.train.Trainer#evaluate} measures loss and accuracy.
 *
 * <pre>{@code
 * Sequential model = new Sequential(new Linear(784, 1024), new Relu(), new Linear(1024, 10));
 * Trainer trainer = Trainer.builder(model, 32)                   // batches of up to 32 samples
 *     .memoryBudget(64L << 20)                                   // optional: refused (with a rank that fits) if over
 *     .group(LowRankAdam.lrg(1e-3f, 128), model.parameters())   // weights projected, biases plain Adam
 *     .build();                                                  // allocates everything, once
 * float loss = trainer.step(images, 0, labels, 0, 32);           // allocates nothing
 * System.out.print(trainer.ledger().breakdown());
 * }</pre>
 *
 * <p>The whole training state is reachable through {@link org.lrgrad.train.Trainer#visitState};
 * {@link org.lrgrad.train.checkpoint.Checkpoint} saves and restores it.
 */
package org.lrgrad.train;
