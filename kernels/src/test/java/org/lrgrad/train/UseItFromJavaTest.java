package org.lrgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lrgrad.train.checkpoint.Checkpoint;

/**
 * The "Use it from Java" example of docs/incoming/train-api.md (for the README), compiled and run: between the
 * EXAMPLE markers the code is the example, line for line; around it, data for it to train on.
 */
class UseItFromJavaTest {
  @TempDir
  Path folder;

  @Test
  void theExampleTrainsEvaluatesAndCheckpoints() throws IOException {
    // 10 Gaussian clusters of 784 features, 320 examples to train on and 160 to test on.
    Random random = new Random(11);
    float[][] centres = new float[10][784];
    for (float[] c : centres) {
      for (int j = 0; j < 784; j++) {
        c[j] = (float) random.nextGaussian();
      }
    }
    float[] trainX = new float[320 * 784];
    int[] trainLabels = new int[320];
    float[] testX = new float[160 * 784];
    int[] testLabels = new int[160];
    for (int i = 0; i < 480; i++) {
      float[] x = i < 320 ? trainX : testX;
      int row = i < 320 ? i : i - 320;
      int label = random.nextInt(10);
      (i < 320 ? trainLabels : testLabels)[row] = label;
      for (int j = 0; j < 784; j++) {
        x[row * 784 + j] = centres[label][j] + (float) (0.5 * random.nextGaussian());
      }
    }
    File file = folder.resolve("run.ckpt").toFile();
    // EXAMPLE START
    Sequential model = new Sequential(new Linear(784, 128), new Relu(), new Linear(128, 10));
    Trainer trainer = Trainer.builder(model, 32)
        .group(Methods.create("LRG-Adam", 3e-3f, 8), model.parameters())   // or freeze(...) what stays fixed
        .build();
    TrainingRun run = trainer.fit(new Examples(trainX, trainLabels), 3,       // x: count × 784 floats, row-major
        (step, total, loss) -> System.out.printf("step %d of %d: loss %.3f%n", step, total, loss));
    Evaluation result = trainer.evaluate(new Examples(testX, testLabels));
    System.out.println(run + "; test: " + result);
    Checkpoint.save(trainer, file);                                          // Checkpoint.restore(trainer, file)
    float[] head = trainer.weights("2.weight");                              // 10 × 128, as torch.nn.Linear
    // EXAMPLE END
    assertEquals(30, run.steps());
    assertTrue(result.accuracy() > 0.5, "far above chance (10%): " + result);
    assertTrue(file.length() > 0);
    assertEquals(10 * 128, head.length);
  }
}
