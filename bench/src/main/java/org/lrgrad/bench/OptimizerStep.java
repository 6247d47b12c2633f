package org.lrgrad.bench;

import org.lrgrad.kernels.AdafactorSchedule;
import org.lrgrad.kernels.AdamConvention;
import org.lrgrad.kernels.Kernels;
import org.lrgrad.kernels.LowRankOps;
import org.lrgrad.kernels.ProjectionSide;
import org.lrgrad.kernels.SeededRandom;

/**
 * The optimizer steps the benchmarks time, each one call sequence of the contract on an m×n layer. Each step keeps
 * its whole persistent state in one array of exactly {@link #stateFloats} floats (docs/method.md §2), so the state
 * bytes the report shows are the ones the timed step used.
 */
public enum OptimizerStep {
  /** {@code sgdStep}; no state. */
  SGD("sgd") {
    @Override
    public long stateFloats(int m, int n, int r) {
      return 0;
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      int len = m * n;
      return () -> kernels.sgdStep(len, LR, 0f, p, 0, g, 0);
    }
  },
  /** {@code momentumStep}, μ = 0.9 (PyTorch semantics); state: the buffer (m·n). */
  MOMENTUM("momentum") {
    @Override
    public long stateFloats(int m, int n, int r) {
      return (long) m * n;
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      int len = m * n;
      return new Counted() {
        @Override
        void run(int step) {
          kernels.momentumStep(len, step, LR, 0.9f, 0f, false, 0f, p, 0, g, 0, state, 0);
        }
      };
    }
  },
  /** {@code adamStep} ({@code torch.optim.Adam}, no weight decay); state: the two moments (2·m·n). */
  ADAM("adam") {
    @Override
    public long stateFloats(int m, int n, int r) {
      return 2L * m * n;
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      return adam(kernels, m * n, 0f, false, p, g, state);
    }
  },
  /** {@code adamStep} with decoupled weight decay 0.01 ({@code torch.optim.AdamW}); state as Adam's. */
  ADAMW("adamw") {
    @Override
    public long stateFloats(int m, int n, int r) {
      return 2L * m * n;
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      return adam(kernels, m * n, 0.01f, true, p, g, state);
    }
  },
  /**
   * {@code adafactorStep} with Hugging Face's defaults (relative step, parameter scaling, β1 off, decay rate −0.8);
   * state: the row and column factors (m + n).
   */
  ADAFACTOR("adafactor") {
    @Override
    public long stateFloats(int m, int n, int r) {
      return (long) m + n;
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      return new Counted() {
        @Override
        void run(int step) {
          float lr = AdafactorSchedule.stepSize(step, 0f, true, false);
          float beta2t = AdafactorSchedule.beta2t(step, -0.8f);
          kernels.adafactorStep(m, n, lr, true, 1e-30f, 1e-3f, beta2t, 1f, 0f, 0f, p, 0, g, 0, state, 0, state, m,
              null, 0);
        }
      };
    }
  },
  /**
   * The per-step work of LRG-Adam and GaLore-Adam at a fixed projector: R ← project(G) (rank r, on GaLore's side),
   * R ← {@code adamDirection}(R) in place, W ← W − lr·projectBack(R). The projector's refresh is not part of it.
   * State: the projector (r·min(m, n)) and Adam's moments of R (2·r·max(m, n)); R itself is workspace. The
   * projector is a Gaussian stand-in with vectors of unit norm in expectation: the step's work does not depend on
   * its values, and building a real one is the refresh, which is not timed here.
   */
  LOW_RANK_ADAM("lowrank-adam") {
    @Override
    public long stateFloats(int m, int n, int r) {
      ProjectionSide side = ProjectionSide.galoreDefault(m, n);
      return (long) side.projectorRows(m, n, r) * side.projectorCols(m, n, r)
          + 2L * side.lowRankRows(m, n, r) * side.lowRankCols(m, n, r);
    }

    @Override
    Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state) {
      ProjectionSide side = ProjectionSide.galoreDefault(m, n);
      int ldproj = side.projectorCols(m, n, r), ldlow = side.lowRankCols(m, n, r);
      int projectorLen = side.projectorRows(m, n, r) * ldproj;
      int lowLen = side.lowRankRows(m, n, r) * ldlow;
      float[] low = new float[lowLen];
      new SeededRandom(projectorLen).fillGaussian(state, 0, projectorLen, (float) (1 / Math.sqrt(Math.min(m, n))));
      return new Counted() {
        @Override
        void run(int step) {
          LowRankOps.project(kernels, side, m, n, r, state, 0, ldproj, g, 0, n, low, 0, ldlow);
          kernels.adamDirection(lowLen, step, 0.9f, 0.999f, 1e-8f, AdamConvention.GALORE, low, 0, state,
              projectorLen, state, projectorLen + lowLen, low, 0);
          LowRankOps.projectBackAccumulate(kernels, side, m, n, r, -LR, state, 0, ldproj, low, 0, ldlow, p, 0, n);
        }
      };
    }
  };

  static final float LR = 1e-3f;

  private final String id;

  OptimizerStep(String id) {
    this.id = id;
  }

  /** The name the benchmark takes as its {@code step} parameter. */
  public String id() {
    return id;
  }

  /** Floats of persistent optimizer state for an m×n layer (r: the rank of the low-rank steps). */
  public abstract long stateFloats(int m, int n, int r);

  /**
   * One step on p with gradient g; {@code state} holds {@link #stateFloats} zeros (the low-rank step writes its
   * projector there first). Allocates only here, never in a step.
   */
  abstract Call bind(Kernels kernels, int m, int n, int r, float[] p, float[] g, float[] state);

  public static OptimizerStep byId(String id) {
    for (OptimizerStep step : values()) {
      if (step.id.equals(id)) {
        return step;
      }
    }
    throw new IllegalArgumentException("unknown optimizer step '" + id + "'");
  }

  private static Call adam(Kernels kernels, int len, float weightDecay, boolean decoupled, float[] p, float[] g,
      float[] state) {
    return new Counted() {
      @Override
      void run(int step) {
        kernels.adamStep(len, step, LR, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled, AdamConvention.TORCH, p, 0, g,
            0, state, 0, state, len);
      }
    };
  }

  /** One bound step. */
  interface Call {
    void run();
  }

  /** A step that counts its calls from 1, as the optimizers' bias corrections and schedules need. */
  private abstract static class Counted implements Call {
    private int step;

    @Override
    public final void run() {
      // Wraps after 2³¹ − 1 calls, far beyond any measurement; the step count only scales constants.
      step = step == Integer.MAX_VALUE ? 1 : step + 1;
      run(step);
    }

    abstract void run(int step);
  }
}
