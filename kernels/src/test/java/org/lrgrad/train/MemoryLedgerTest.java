package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.memory.MemoryEntry;
import org.lrgrad.train.memory.MemoryLedger;
import org.lrgrad.train.memory.MemoryPlan;
import org.lrgrad.train.memory.MemoryTag;

/** The ledger's accounting, and a trainer's ledger against its plan and against the buffers it uses. */
class MemoryLedgerTest {

  @Test
  void ledgerTotalIsTheSumOfTheBuffersItHandedOut() {
    MemoryLedger ledger = new MemoryLedger();
    float[] w = ledger.floats(MemoryTag.WEIGHTS, "w", 10);
    float[] m = ledger.floats(MemoryTag.OPTIMIZER_STATE, "m", 7);
    int[] labels = ledger.ints(MemoryTag.ACTIVATIONS, "labels", 5);
    float[] empty = ledger.floats(MemoryTag.WORKSPACE, "empty", 0);
    assertEquals(10, w.length);
    assertEquals(7, m.length);
    assertEquals(5, labels.length);
    assertEquals(0, empty.length);
    long handedOut = 4L * (w.length + m.length + labels.length + empty.length);
    assertEquals(handedOut, ledger.liveBytes());
    assertEquals(handedOut, ledger.peakBytes());
    assertEquals(40, ledger.liveBytes(MemoryTag.WEIGHTS));
    assertEquals(28, ledger.liveBytes(MemoryTag.OPTIMIZER_STATE));
    assertEquals(20, ledger.liveBytes(MemoryTag.ACTIVATIONS));
    assertEquals(0, ledger.liveBytes(MemoryTag.GRADIENTS));
    assertEquals(4, ledger.entries().size());
    assertEquals("m", ledger.entryOf(m).name());
    assertNull(ledger.entryOf(new float[7]), "a buffer the ledger did not hand out has no entry");

    ledger.release(m);
    assertEquals(handedOut - 28, ledger.liveBytes());
    assertEquals(handedOut, ledger.peakBytes(), "the peak stays");
    assertEquals(0, ledger.liveBytes(MemoryTag.OPTIMIZER_STATE));
    assertNull(ledger.entryOf(m));
    assertThrows(IllegalArgumentException.class, () -> ledger.release(m), "released twice");
    assertThrows(IllegalArgumentException.class, () -> ledger.release(new float[10]), "not from this ledger");
    float[] g = ledger.floats(MemoryTag.GRADIENTS, "g", 2);
    assertEquals(handedOut - 28 + 8, ledger.liveBytes());
    assertEquals(handedOut, ledger.peakBytes());
    assertNotNull(g);
    assertTrue(ledger.breakdown().contains("OPTIMIZER_STATE"), ledger.breakdown());
  }

  @Test
  void planCountsWithoutAllocating() {
    MemoryPlan plan = new MemoryPlan();
    assertNull(plan.floats(MemoryTag.PROJECTORS, "p", 12));
    assertNull(plan.ints(MemoryTag.ACTIVATIONS, "labels", 3));
    assertEquals(60, plan.liveBytes());
    assertEquals(48, plan.liveBytes(MemoryTag.PROJECTORS));
    assertEquals(60, plan.peakBytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> plan.floats(MemoryTag.WEIGHTS, "w", -1));
    assertTrue(e.getMessage().contains("count of w=-1"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.lrgrad.train.TrainTesting#methods")
  void trainerLedgerEqualsItsPlanAndHoldsEveryBufferItUses(TrainTesting.Method method) {
    Kernels k = Implementations.reference();
    Optimizer optimizer = method.make.get();
    Sequential model = TrainTesting.mlp();
    Trainer.Builder builder = Trainer.builder(model, 16).kernels(k).group(optimizer, model.parameters());
    MemoryPlan plan = builder.plan();
    Trainer trainer = builder.build();
    MemoryLedger ledger = trainer.ledger();

    List<MemoryEntry> planned = plan.entries();
    List<MemoryEntry> allocated = ledger.entries();
    assertEquals(planned.size(), allocated.size());
    for (int i = 0; i < planned.size(); i++) {
      assertEquals(planned.get(i).toString(), allocated.get(i).toString());
    }
    assertEquals(plan.liveBytes(), ledger.liveBytes());
    for (MemoryTag tag : MemoryTag.values()) {
      assertEquals(plan.liveBytes(tag), ledger.liveBytes(tag), tag.toString());
    }
    long sum = 0;
    for (MemoryEntry e : allocated) {
      sum += e.bytes();
    }
    assertEquals(sum, ledger.liveBytes());

    TrainTesting.step(trainer, 0, 16);
    StateVisitor inLedger = new StateVisitor() {
      @Override
      public void buffer(String name, MemoryTag tag, float[] data) {
        MemoryEntry e = ledger.entryOf(data);
        assertNotNull(e, name + " was not allocated through the ledger");
        assertSame(tag, e.tag(), name);
        assertEquals(4L * data.length, e.bytes(), name);
      }

      @Override
      public long counter(String name, long value) {
        return value;
      }
    };
    trainer.visitState(inLedger);
    trainer.visitGradients(inLedger);
    assertEquals(plan.liveBytes(), ledger.peakBytes(), "a step allocates nothing more");
  }
}
