package org.lrgrad.kernels.vector;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The daemon threads that run parts of a large sgemm, shared by every {@link VectorKernels} and created once (grown
 * when an instance asks for more). Each worker keeps its packing buffers ({@link GemmWorkspace}) for its life.
 */
final class WorkerPool {
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static ThreadPoolExecutor executor;

  private WorkerPool() {}

  private static synchronized ThreadPoolExecutor withWorkers(int workers) {
    if (executor == null) {
      executor = new ThreadPoolExecutor(workers, workers, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
          task -> {
            Thread t = new Thread(task, "lrgrad-sgemm-" + THREAD_NUMBER.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
    } else if (executor.getMaximumPoolSize() < workers) {
      executor.setMaximumPoolSize(workers);
      executor.setCorePoolSize(workers);
    }
    return executor;
  }

  /**
   * Runs {@code part.accept(q)} for q in [0, parts): part 0 on the calling thread, the others on workers. Returns
   * when all have finished (even if the caller is interrupted meanwhile: the parts write the caller's arrays), and
   * rethrows the first failure.
   */
  static void run(int parts, IntConsumer part) {
    ThreadPoolExecutor pool = withWorkers(parts - 1);
    Future<?>[] others = new Future<?>[parts - 1];
    for (int q = 1; q < parts; q++) {
      int index = q;
      others[q - 1] = pool.submit(() -> part.accept(index));
    }
    Throwable failure = null;
    try {
      part.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> f : others) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
  }
}
