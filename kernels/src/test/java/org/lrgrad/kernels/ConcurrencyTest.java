package org.lrgrad.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lrgrad.kernels.KernelProvider.Candidate;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.TrainTesting.Method;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.checkpoint.Checkpoint;

/**
 * One kernels object serves many threads at once, and separate trainers on it train side by side: {@value #THREADS}
 * threads repeat kernel calls (on shared read-only inputs, each into its own outputs) and whole training runs (one
 * trainer per run) for a bounded time, and every result is bit for bit the one a single thread computed first.
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final long MILLIS = 1000;
  private static final int TRAINING_STEPS = 8;
  private static final int BATCH = 16;

  /** One piece of work: what it computed, as bytes, so any difference in any bit shows. */
  private static final class Task {
    final String name;
    final Function<Kernels, byte[]> run;

    Task(String name, Function<Kernels, byte[]> run) {
      this.name = name;
      this.run = run;
    }
  }

  private static float[] randoms(Random random, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static byte[] bytes(float[]... arrays) {
    int size = 0;
    for (float[] a : arrays) {
      size += a.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 * size);
    for (float[] a : arrays) {
      for (float f : a) {
        buffer.putInt(Float.floatToRawIntBits(f));
      }
    }
    return buffer.array();
  }

  /** Kernel calls whose shapes cross the blocked paths (k beyond a 256 block, partial tiles), and training runs. */
  private static List<Task> tasks() {
    Random random = new Random(17);
    List<Task> tasks = new ArrayList<>();
    int[][] shapes = {{37, 29, 300}, {64, 64, 64}, {5, 130, 7}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      float[] a = randoms(random, m * k);
      float[] b = randoms(random, k * n);
      float[] c0 = randoms(random, m * n);
      tasks.add(new Task("sgemm " + m + "x" + n + "x" + k, kernels -> {
        float[] c = c0.clone();
        kernels.sgemm(false, true, m, n, k, 0.5f, a, 0, k, b, 0, k, 0.25f, c, 0, n);
        return bytes(c);
      }));
    }
    int len = 1031;
    float[] p0 = randoms(random, len), g = randoms(random, len), m0 = randoms(random, len);
    float[] v0 = randoms(random, len);
    for (int i = 0; i < len; i++) {
      v0[i] = Math.abs(v0[i]);
    }
    tasks.add(new Task("adamStep " + len, kernels -> {
      float[] p = p0.clone(), m = m0.clone(), v = v0.clone();
      for (int step = 1; step <= 3; step++) {
        kernels.adamStep(len, step, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, AdamConvention.TORCH, p, 0, g, 0, m, 0,
            v, 0);
      }
      return bytes(p, m, v);
    }));
    for (Method method : TrainTesting.methods()) {
      tasks.add(new Task("training " + method, kernels -> {
        Trainer trainer = TrainTesting.trainer(kernels, TrainTesting.mlp(), method.make.get(), BATCH, 3);
        for (int step = 0; step < TRAINING_STEPS; step++) {
          TrainTesting.step(trainer, step * BATCH % TrainTesting.PROBLEM.count, BATCH);
        }
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        try {
          Checkpoint.save(trainer, state);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return state.toByteArray();
      }));
    }
    return tasks;
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource(Implementations.ALL)
  void manyThreadsComputeWhatOneThreadComputes(Candidate candidate) throws InterruptedException {
    Kernels kernels = Implementations.require(candidate);
    List<Task> tasks = tasks();
    List<byte[]> expected = new ArrayList<>();
    for (Task task : tasks) {
      expected.add(task.run.apply(kernels));
    }

    Queue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicLong runs = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    long deadline = System.nanoTime() + MILLIS * 1_000_000;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int first = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          // Every thread does every task at least once, each starting at another one, until the deadline.
          for (int i = 0; i < tasks.size() || System.nanoTime() < deadline; i++) {
            int index = (first + i) % tasks.size();
            byte[] got = tasks.get(index).run.apply(kernels);
            runs.incrementAndGet();
            if (!Arrays.equals(expected.get(index), got)) {
              failures.add("thread " + first + ", run " + i + ": " + tasks.get(index).name
                  + " differs from the single-threaded result");
            }
          }
        } catch (Throwable e) {
          failures.add("thread " + first + " threw " + e);
        }
      }, "concurrency-" + t);
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures in " + runs + " runs, e.g. "
        + new ArrayList<>(failures).subList(0, Math.min(5, failures.size())));
  }
}
