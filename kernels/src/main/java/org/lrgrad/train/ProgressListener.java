package org.lrgrad.train;

/**
 * Hears about each step of {@link Trainer#fit}, on the thread that runs it, right after the step. It may call
 * {@link Trainer#cancel()}, and should call nothing else on the trainer (the Android facade refuses any other call
 * as concurrent use). An exception it throws ends the run and reaches {@code fit}'s caller; the steps taken so far
 * stay taken.
 */
public interface ProgressListener {
  /**
   * @param step steps of this run done so far, 1 ≤ step ≤ totalSteps
   * @param totalSteps the steps the run will take unless cancelled
   * @param loss the mean loss of the step's batch before its update (NaN or infinite when the step was skipped
   *     by the non-finite policy)
   */
  void onStep(int step, int totalSteps, float loss);
}
