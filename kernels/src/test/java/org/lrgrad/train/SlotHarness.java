package org.lrgrad.train;

import org.lrgrad.kernels.Kernels;
import org.lrgrad.train.memory.MemoryLedger;
import org.lrgrad.train.memory.MemoryTag;

/**
 * One optimizer slot on one m×n matrix outside a model, for tests that feed it gradients of their own: the gradient
 * goes in through the slot's own path, G = dYᵀ·X (with X the identity and dY = Gᵀ it is exact), then the step is
 * applied only if the gradient is finite, as a trainer does. Projections of the reference code can be injected.
 */
public final class SlotHarness {
  private final Parameter param;
  private final Slot slot;
  private final MemoryLedger ledger = new MemoryLedger();

  private SlotHarness(Kernels k, Optimizer optimizer, int m, int n, long seed) {
    optimizer.freeze();
    param = Parameter.matrix("W", m, n, 1);
    param.declare(ledger);
    slot = optimizer.slotFor(param, Integer.MAX_VALUE);
    SharedWorkspace workspace = new SharedWorkspace();
    slot.declare(k, ledger, workspace, n);
    workspace.declare(ledger);
    slot.initialize(seed);
  }

  /** A Flora or APOLLO slot (or any other optimizer's) on an m×n matrix whose gradient has n rows of (X, dY). */
  public static SlotHarness of(Kernels k, Optimizer optimizer, int m, int n, long seed) {
    return new SlotHarness(k, optimizer, m, n, seed);
  }

  /** Uses these projections (by index, in the slot's orientation) instead of drawing them. */
  public void useProjections(float[][] projections) {
    if (slot instanceof FloraSlot) {
      ((FloraSlot) slot).useProjections(projections);
    } else if (slot instanceof ApolloSlot) {
      ((ApolloSlot) slot).useProjections(projections);
    } else {
      throw new IllegalArgumentException(slot.getClass().getSimpleName() + " draws no projections");
    }
  }

  /** The slot's own buffers (weights included), from its ledger. */
  public MemoryLedger ledger() {
    return ledger;
  }

  /** The slot's saved state, as a trainer's checkpoint walks it (the weights are the trainer's part). */
  public void visitState(StateVisitor visitor) {
    visitor.buffer(param.name(), MemoryTag.WEIGHTS, param.data());
    slot.visitState(visitor);
  }

  /** APOLLO's projection in use. */
  public float[] apolloProjection() {
    return ((ApolloSlot) slot).projection().clone();
  }

  public void setWeights(float[] w, int off) {
    param.copyFrom(w, off);
  }

  public void weights(float[] dst, int off) {
    param.copyTo(dst, off);
  }

  /** One step with G = dYᵀ·X (X rows×n, dY rows×m); returns whether it was applied (G finite). */
  public boolean step(Kernels k, int rows, float[] x, int xOff, int ldx, float[] dy, int dyOff, int lddy) {
    slot.gradient(k, rows, x, xOff, ldx, dy, dyOff, lddy);
    if (!slot.gradientFinite(k)) {
      return false;
    }
    slot.apply(k);
    return true;
  }
}
