package org.lrgrad.android;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.SeededRandom;
import org.lrgrad.train.TrainingRun;

/** One trainer from one thread at a time (concurrent use refused, cancel from anywhere); several trainers at once. */
class ThreadRulesTest {
  private static final String MODEL = "mlp 8-16-4";
  private static final Clusters DATA;

  static {
    SeededRandom random = new SeededRandom(8);
    DATA = Clusters.around(Clusters.centres(4, 8, random), 4, 64, 0.5f, random);
  }

  private static OnDeviceTrainer trainer() {
    return OnDeviceTrainer.builder(MODEL).maxBatch(8).seed(5).learningRate(0.02f).build();
  }

  @Test
  void aSecondThreadIsRefusedWhileARunIsInProgressAndMayCancelIt() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "trainer-thread"));
    try (OnDeviceTrainer t = trainer()) {
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<TrainingRun> run = pool.submit(() -> t.fit(DATA.x(), DATA.labels(), DATA.count(), 5,
          (step, total, loss) -> {
            if (step == 2) {
              inside.countDown();
              await(release);
            }
          }));
      assertTrue(inside.await(60, TimeUnit.SECONDS));
      // While the run is inside step 2's callback, any other call from this thread is refused and changes nothing.
      ConcurrentModificationException e = assertThrows(ConcurrentModificationException.class,
          () -> t.trainStep(DATA.x(), DATA.labels(), 8));
      assertTrue(e.getMessage().contains("in use by thread 'trainer-thread'"), e.getMessage());
      assertThrows(ConcurrentModificationException.class, () -> t.evaluate(DATA.x(), DATA.labels(), 8));
      assertThrows(ConcurrentModificationException.class, t::close);
      // The settings fixed at build, and whether the trainer is closed, may be read meanwhile.
      assertEquals(8, t.maxBatch());
      assertEquals(MODEL, t.description().toString());
      assertEquals("LRG-Adam", t.method().name());
      assertNotNull(t.kernelsName());
      assertFalse(t.isClosed());
      t.cancel();
      release.countDown();
      TrainingRun result = run.get(60, TimeUnit.SECONDS);
      assertTrue(result.cancelled());
      assertEquals(2, result.steps());
      assertEquals(5 * 8, result.plannedSteps());
      assertEquals(2, t.completedSteps(), "after the run, this thread may use the trainer");
      // A cancel made before a run started does not affect it.
      t.cancel();
      TrainingRun next = t.fit(DATA.x(), DATA.labels(), DATA.count(), 1, null);
      assertFalse(next.cancelled());
      assertEquals(8, next.steps());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(60, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aListenerMayCancelButNotCallTheTrainer() {
    try (OnDeviceTrainer t = trainer()) {
      ConcurrentModificationException[] refused = new ConcurrentModificationException[1];
      TrainingRun run = t.fit(DATA.x(), DATA.labels(), DATA.count(), 3, (step, total, loss) -> {
        if (step == 3) {
          refused[0] = assertThrows(ConcurrentModificationException.class, t::completedSteps);
          t.cancel();
        }
      });
      assertTrue(refused[0].getMessage().contains("this same thread"), refused[0].getMessage());
      assertTrue(run.cancelled());
      assertEquals(3, run.steps());
      assertEquals(3, t.completedSteps());
    }
  }

  /** Two trainers trained at the same time on two threads end exactly where each ends when trained alone. */
  @Test
  void severalTrainersTrainAtOnce() throws Exception {
    byte[] alone;
    try (OnDeviceTrainer t = trainer()) {
      t.fit(DATA.x(), DATA.labels(), DATA.count(), 20, null);
      alone = Clusters.export(t);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(2);
      Future<byte[]> a = pool.submit(() -> trainConcurrently(start));
      Future<byte[]> b = pool.submit(() -> trainConcurrently(start));
      assertArrayEquals(alone, a.get(120, TimeUnit.SECONDS));
      assertArrayEquals(alone, b.get(120, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] trainConcurrently(CountDownLatch start) throws IOException, InterruptedException {
    try (OnDeviceTrainer t = trainer()) {
      start.countDown();
      start.await();
      t.fit(DATA.x(), DATA.labels(), DATA.count(), 20, null);
      return Clusters.export(t);
    }
  }
}
