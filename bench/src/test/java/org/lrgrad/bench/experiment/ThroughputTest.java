package org.lrgrad.bench.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.lrgrad.kernels.ReferenceKernels;

/** The lrgrad side of bench/compare-pytorch.sh on a tiny MLP: it trains, times and says what it ran. */
class ThroughputTest {

  @Test
  void trainsTheMlpWithTheNamedOptimizerAndReportsSamplesPerSecond() {
    for (String optimizer : new String[] {"adam", "sgd"}) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      double samplesPerSecond = Throughput.run(new ReferenceKernels(), optimizer, 3, 1, 4, 8,
          new PrintStream(log, true, StandardCharsets.UTF_8));
      assertTrue(samplesPerSecond > 0 && Double.isFinite(samplesPerSecond), optimizer + ": " + samplesPerSecond);
      String line = log.toString(StandardCharsets.UTF_8);
      String name = optimizer.equals("adam") ? "Adam" : "SGD";
      assertTrue(line.startsWith("lrgrad: MLP 784-8-8-10 (ReLU), " + name + ", kernels reference,"), line);
      assertTrue(line.contains("batch 4, 3 steps after 1 warm-up") && line.contains("0 steps skipped"), line);
    }
  }

  @Test
  void refusesUnknownOptimizersAndEmptyRuns() {
    assertEquals("optimizer 'lamb' must be adam or sgd",
        assertThrows(IllegalArgumentException.class, () -> Throughput.optimizer("lamb")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Throughput.run(new ReferenceKernels(), "sgd", 0, 0,
        4, 8, System.err)).getMessage().startsWith("steps=0 must be >= 1"));
  }
}
