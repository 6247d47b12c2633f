package org.lrgrad.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lrgrad.kernels.testing.Implementations;
import org.lrgrad.train.Trainer;
import org.lrgrad.train.TrainTesting;

/**
 * A checkpoint file cannot be subverted by what others put in its folder: a symbolic link planted at the temporary
 * name the library used to use ({@code <name>.tmp}), or at a name it will try, is never followed and its target never
 * written; the temporary file is its owner's alone; and saves to one path from several threads at once each leave a
 * whole checkpoint. Each runs with {@code java.nio.file} (the desktop, Android 26+) and without it (Android 24, 25).
 */
class CheckpointFileSafetyTest {
  private static final byte[] PRECIOUS = "precious, not a checkpoint".getBytes(StandardCharsets.UTF_8);

  @TempDir
  File dir;

  private static Trainer trainer(int steps) {
    Trainer t = TrainTesting.trainer(Implementations.reference(), TrainTesting.mlp(),
        CheckpointTest.method("Adam").make.get(), 16, 5);
    for (int s = 0; s < steps; s++) {
      TrainTesting.step(t, s * 16, 16);
    }
    return t;
  }

  private static byte[] bytes(Trainer t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Checkpoint.save(t, out);
    return out.toByteArray();
  }

  private static void save(Trainer t, File file, List<String> names, boolean nio) throws IOException {
    AtomicFile.write(file, out -> Checkpoint.save(t, out), names.iterator(), nio);
  }

  private File victim(String name) throws IOException {
    File victim = new File(dir, name);
    Files.write(victim.toPath(), PRECIOUS);
    return victim;
  }

  private Path plant(String name, File target) throws IOException {
    return Files.createSymbolicLink(new File(dir, name).toPath(), target.toPath());
  }

  @ParameterizedTest(name = "java.nio.file {0}")
  @ValueSource(booleans = {true, false})
  void aLinkAtTheOldFixedTemporaryNameIsNotFollowed(boolean nio) throws IOException {
    File victim = victim("victim");
    Path link = plant("state.ckpt" + AtomicFile.TEMP_SUFFIX, victim);
    File file = new File(dir, "state.ckpt");
    Trainer t = trainer(2);
    if (nio) {
      Checkpoint.save(t, file); // the public path, with random names
    } else {
      save(t, file, Arrays.asList("state.ckpt" + AtomicFile.TEMP_SUFFIX, ".state.ckpt.1.tmp"), false);
    }
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim.toPath()), "the link's target is untouched");
    assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
    assertArrayEquals(bytes(t), Files.readAllBytes(file.toPath()));
  }

  @ParameterizedTest(name = "java.nio.file {0}")
  @ValueSource(booleans = {true, false})
  void linksAtGuessedNamesAreNotFollowed(boolean nio) throws IOException {
    File victim = victim("victim");
    File notThere = new File(dir, "not-there");
    plant("guess-1", victim);
    plant("guess-2", notThere); // a dangling link: following it would create its target
    File file = new File(dir, "state.ckpt");
    Trainer t = trainer(3);
    save(t, file, Arrays.asList("guess-1", "guess-2", "free"), nio);
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim.toPath()));
    assertTrue(!notThere.exists() && !Files.exists(notThere.toPath()), "the dangling link's target was created");
    assertArrayEquals(bytes(t), Files.readAllBytes(file.toPath()));
    String[] left = dir.list();
    Arrays.sort(left);
    assertArrayEquals(new String[] {"guess-1", "guess-2", "state.ckpt", "victim"}, left);

    // Every name taken: refused, the target as it was, nothing written through a link.
    byte[] before = Files.readAllBytes(file.toPath());
    IOException e = assertThrows(IOException.class,
        () -> save(trainer(4), file, Arrays.asList("guess-1", "guess-2"), nio));
    assertTrue(e.getMessage().contains("cannot create a temporary file for " + file.getAbsolutePath()),
        e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file.toPath()));
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim.toPath()));
  }

  @ParameterizedTest(name = "java.nio.file {0}")
  @ValueSource(booleans = {true, false})
  void theTemporaryFileIsReadableAndWritableByItsOwnerOnly(boolean nio) throws IOException {
    File file = new File(dir, "state.ckpt");
    AtomicReference<String> seen = new AtomicReference<>();
    AtomicFile.write(file, out -> {
      seen.set(PosixFilePermissions.toString(Files.getPosixFilePermissions(new File(dir, "temp").toPath())));
      out.write(1);
    }, Arrays.asList("temp").iterator(), nio);
    assertEquals("rw-------", seen.get());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.toPath())));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(file.toPath()));
  }

  @ParameterizedTest(name = "java.nio.file {0}")
  @ValueSource(booleans = {true, false})
  void aMissingFolderIsNamedWithTheTargetAndNothingIsWritten(boolean nio) throws IOException {
    Trainer t = trainer(1);
    File missing = new File(new File(dir, "no-such-folder"), "state.ckpt");
    java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class,
        () -> save(t, missing, Arrays.asList(".state.ckpt.1.tmp"), nio));
    assertEquals("cannot write " + missing.getAbsolutePath() + ": its folder " + missing.getParentFile()
        .getAbsolutePath() + " does not exist or cannot be reached; nothing was written", e.getMessage());
    File notAFolder = victim("plain-file");
    File under = new File(notAFolder, "state.ckpt");
    e = assertThrows(java.io.FileNotFoundException.class, () -> Checkpoint.save(t, under));
    assertTrue(e.getMessage().contains("its folder " + notAFolder.getAbsolutePath() + " is not a folder"),
        e.getMessage());
    assertArrayEquals(PRECIOUS, Files.readAllBytes(notAFolder.toPath()));
    assertEquals(Arrays.asList("plain-file"), Arrays.asList(dir.list()), "nothing else was created");
    e = assertThrows(java.io.FileNotFoundException.class, () -> save(t, new File("/"), Arrays.asList(".x.tmp"), nio));
    assertTrue(e.getMessage().contains("it is a root, not a file"), e.getMessage());
  }

  @Test
  void concurrentSavesToOnePathEachLeaveAWholeCheckpoint() throws Exception {
    Trainer[] trainers = {trainer(1), trainer(2)};
    byte[][] expected = {bytes(trainers[0]), bytes(trainers[1])};
    assertEquals(expected[0].length, expected[1].length, "same size, so that a torn file keeps its length");
    File file = new File(dir, "state.ckpt");
    int rounds = 300;
    int[] wins = new int[2];
    for (int round = 0; round < rounds; round++) {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Thread> threads = new ArrayList<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (Trainer t : trainers) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
            Checkpoint.save(t, file);
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        threads.add(thread);
        thread.start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      if (failure.get() != null) {
        throw new AssertionError("round " + round + ": a save failed", failure.get());
      }
      byte[] got = Files.readAllBytes(file.toPath());
      int which = Arrays.equals(got, expected[0]) ? 0 : Arrays.equals(got, expected[1]) ? 1 : -1;
      assertTrue(which >= 0, "round " + round + ": the file is neither save's checkpoint");
      wins[which]++;
      Trainer restored = trainer(0);
      Checkpoint.restore(restored, file);
      assertArrayEquals(expected[which], bytes(restored), "round " + round);
    }
    assertArrayEquals(new String[] {"state.ckpt"}, dir.list(), "no temporary file is left");
    assertEquals(rounds, wins[0] + wins[1]);
  }
}
