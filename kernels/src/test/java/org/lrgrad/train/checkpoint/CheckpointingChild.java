package org.lrgrad.train.checkpoint;

import java.io.File;
import java.io.IOException;
import org.lrgrad.kernels.KernelProvider;
import org.lrgrad.train.TrainTesting;
import org.lrgrad.train.Trainer;

/**
 * The process {@link CrashSafetyTest} kills: resumes from the checkpoint file if there is one, then trains and saves
 * a checkpoint after every step until it is killed, printing {@code saving N} before and {@code saved N} after each
 * save of the state after N steps.
 */
public final class CheckpointingChild {
  private CheckpointingChild() {}

  public static void main(String[] args) throws IOException {
    File file = new File(args[0]);
    Trainer trainer = CrashSafetyTest.trainer(KernelProvider.get("reference"));
    if (file.exists()) {
      Checkpoint.restore(trainer, file);
    }
    System.out.println("resumed " + trainer.completedSteps());
    System.out.flush();
    while (true) {
      CrashSafetyTest.step(trainer);
      long steps = trainer.completedSteps();
      System.out.println("saving " + steps);
      System.out.flush();
      Checkpoint.save(trainer, file);
      System.out.println("saved " + steps);
      System.out.flush();
    }
  }
}
