package org.lrgrad.kernels.vector;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon threads that run parts of a large sgemm, shared by every {@link VectorKernels} and created once (grown
 * when an instance asks for more). Each worker keeps its packing buffers ({@link GemmWorkspace}) for its life.
 *
 * <p>A call allocates nothing once the workers exist, on any thread, like every valid call of the contract: each
 * calling thread reuses one {@link Batch} (the task the workers run, and its counters), a worker takes it from a
 * mailbox of its own and parks while that is empty, and the caller parks until its parts are done. (A
 * {@code ThreadPoolExecutor} on an array queue, with the same batch and parts objects, still cost 32 bytes per split
 * product on the caller and its workers together, by {@code VectorKernelsTest}'s allocation probe.)
 */
final class WorkerPool {
  /** One part of a split computation, run by any thread. */
  interface Part {
    void run(int index);
  }

  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);
  private static volatile Worker[] workers = new Worker[0];

  private WorkerPool() {}

  private static Worker[] withWorkers(int count) {
    Worker[] current = workers;
    return current.length >= count ? current : grow(count);
  }

  private static synchronized Worker[] grow(int count) {
    Worker[] current = workers;
    if (current.length >= count) {
      return current;
    }
    Worker[] grown = Arrays.copyOf(current, count);
    for (int i = current.length; i < count; i++) {
      grown[i] = new Worker();
      grown[i].thread.start();
    }
    workers = grown;
    return grown;
  }

  /**
   * Runs {@code part.run(q)} for q in [0, parts): part 0 on the calling thread, the others on workers (or on the
   * calling thread when every worker is busy with another caller's product). Returns when all have finished (even
   * if the caller is interrupted meanwhile: the parts write the caller's arrays), and rethrows the first failure.
   */
  static void run(int parts, Part part) {
    Worker[] pool = withWorkers(parts - 1);
    Batch batch = BATCH.get();
    batch.start(parts, part);
    // Exactly parts - 1 runs of the batch, each claiming one of the parts 1 .. parts - 1: none is left over to run
    // into this thread's next batch once this one has finished.
    int next = 0;
    for (int q = 1; q < parts; q++) {
      boolean handed = false;
      for (int tries = 0; tries < pool.length && !handed; tries++) {
        handed = pool[next].offer(batch);
        next = next + 1 == pool.length ? 0 : next + 1;
      }
      if (!handed) {
        batch.run();
      }
    }
    try {
      part.run(0);
    } catch (RuntimeException | Error e) {
      batch.fail(e);
    }
    batch.awaitOthers();
    Throwable failure = batch.finish();
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
  }

  /**
   * A daemon thread with a mailbox of one batch: it parks while the mailbox is empty, runs what a caller puts there,
   * and empties it. A caller claims the mailbox by compare-and-set, so two callers never share a worker.
   */
  private static final class Worker implements Runnable {
    private final AtomicReference<Batch> mailbox = new AtomicReference<>();
    private final Thread thread;

    Worker() {
      thread = new Thread(this, "lrgrad-sgemm-" + THREAD_NUMBER.incrementAndGet());
      thread.setDaemon(true);
    }

    boolean offer(Batch batch) {
      if (!mailbox.compareAndSet(null, batch)) {
        return false;
      }
      LockSupport.unpark(thread);
      return true;
    }

    @Override
    public void run() {
      while (true) {
        Batch batch = mailbox.get();
        if (batch == null) {
          LockSupport.park(this);
        } else {
          batch.run();
          mailbox.set(null);
        }
      }
    }
  }

  /** One calling thread's split computation: the task its workers run, reused from call to call. */
  private static final class Batch implements Runnable {
    private final AtomicInteger nextPart = new AtomicInteger();
    private final AtomicInteger othersLeft = new AtomicInteger();
    private volatile Part part;
    private volatile Throwable failure;
    private volatile Thread caller;

    void start(int parts, Part part) {
      this.part = part;
      this.failure = null;
      this.caller = Thread.currentThread();
      othersLeft.set(parts - 1);
      nextPart.set(1);
    }

    @Override
    public void run() {
      Part p = part;
      Thread waiting = caller;
      try {
        p.run(nextPart.getAndIncrement());
      } catch (RuntimeException | Error e) {
        fail(e);
      } finally {
        if (othersLeft.decrementAndGet() == 0) {
          LockSupport.unpark(waiting);
        }
      }
    }

    void fail(Throwable e) {
      synchronized (this) {
        if (failure == null) {
          failure = e;
        }
      }
    }

    void awaitOthers() {
      boolean interrupted = false;
      while (othersLeft.get() > 0) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** The first failure; forgets the part, so that its arrays are not kept alive between calls. */
    Throwable finish() {
      Throwable first = failure;
      part = null;
      failure = null;
      return first;
    }
  }
}
