package org.lrgrad.bench.experiment;

import org.lrgrad.bench.experiment.Study.Pretrained;
import org.lrgrad.train.Parameter;

/**
 * The ranks at which the study runs LRG-Adam, found from the memory ledger alone (a trainer's plan lists every buffer
 * a step uses, so its peak is known before anything is allocated), with fused updates as every arm trains: (a) the rank whose saving against Adam is
 * closest to the paper's third, (b) the rank whose memory is closest to Momentum's, (c) a compressed rank set on
 * the command line. The peak memory falls as the rank falls, so each is a bisection.
 *
 * @param ranks the three ranks
 * @param maxRank the largest rank that changes anything: the largest min(m, n) of the model's matrices
 * @param adamPeak Adam's peak training memory
 * @param momentumPeak Momentum's
 * @param thirdReachable whether some rank saves at least a third; if not, (a) is the rank with the saving closest
 *     to it at or above the compressed rank
 */
record OperatingPoints(Arm.Ranks ranks, int maxRank, long adamPeak, long momentumPeak, boolean thirdReachable) {

  static OperatingPoints find(Study study, Pretrained base, Settings settings) {
    int maxRank = 1;
    for (Parameter p : study.newModel(base.model()).parameters()) {
      if (p.isMatrix()) {
        maxRank = Math.max(maxRank, Math.min(p.rows(), p.cols()));
      }
    }
    long adam = peak(study, base, new Arm("Adam", Method.ADAM, "", 0, null, null, 0, false));
    long momentum = peak(study, base, new Arm("Momentum", Method.MOMENTUM, "", 0, null, null, 0, false));
    int compressed = Math.min(settings.compressedRank(), maxRank);
    // (a): the largest rank with lrg <= 2/3 of Adam, or the next one up if that is closer.
    long thirdTarget = Math.round(adam * (1 - Claims.PAPER_SAVING));
    int third = closest(study, base, settings, thirdTarget, maxRank);
    boolean reachable = lrgPeak(study, base, settings, 1) <= thirdTarget;
    third = Math.max(third, compressed);
    int atMomentum = closest(study, base, settings, momentum, maxRank);
    return new OperatingPoints(new Arm.Ranks(third, atMomentum, compressed), maxRank, adam, momentum, reachable);
  }

  /** The rank in [1, maxRank] whose LRG-Adam peak is closest to {@code target} bytes. */
  private static int closest(Study study, Pretrained base, Settings settings, long target, int maxRank) {
    int low = 1;
    int high = maxRank;
    if (lrgPeak(study, base, settings, low) >= target) {
      return low;
    }
    if (lrgPeak(study, base, settings, high) <= target) {
      return high;
    }
    // Invariant: peak(low) < target <= peak(high).
    while (high - low > 1) {
      int mid = (low + high) >>> 1;
      if (lrgPeak(study, base, settings, mid) < target) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return target - lrgPeak(study, base, settings, low) <= lrgPeak(study, base, settings, high) - target ? low
        : high;
  }

  private static long lrgPeak(Study study, Pretrained base, Settings settings, int rank) {
    return peak(study, base, new Arm("LRG-Adam", Method.LRG, "", rank, settings.lrgSideBySize(),
        settings.lrgResetMoments(), settings.updateInterval(), false));
  }

  private static long peak(Study study, Pretrained base, Arm arm) {
    return study.builder(base, arm, 1e-3f, true).plan().peakBytes();
  }
}
