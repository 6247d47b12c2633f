package org.lrgrad.kernels;

/**
 * The contract in plain loops, written to be read: the oracle every faster implementation is tested against, and
 * the fallback that runs everywhere (Android included). Sums run in float in index order; scalars that depend only
 * on the step count are computed in double, as PyTorch does in Python.
 */
public class ReferenceKernels extends Kernels {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  protected void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += aip * bpj;
        }
        int ij = cOff + i * ldc + j;
        // beta = 0 must not read C: 0 * NaN would be NaN.
        c[ij] = beta == 0f ? alpha * sum : alpha * sum + beta * c[ij];
      }
    }
  }

  @Override
  protected void sgdStepUnchecked(int len, float lr, float weightDecay, float[] p, int pOff, float[] g, int gOff) {
    for (int i = 0; i < len; i++) {
      float grad = g[gOff + i] + weightDecay * p[pOff + i];
      p[pOff + i] -= lr * grad;
    }
  }

  @Override
  protected void momentumStepUnchecked(int len, int step, float lr, float momentum, float dampening,
      boolean nesterov, float weightDecay, float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff) {
    for (int i = 0; i < len; i++) {
      float grad = g[gOff + i] + weightDecay * p[pOff + i];
      float b = Subnormals.flushBelow(step == 1 ? grad : momentum * buf[bufOff + i] + (1f - dampening) * grad,
          Subnormals.MOMENTUM_FLOOR);
      buf[bufOff + i] = b;
      float update = nesterov ? grad + momentum * b : b;
      p[pOff + i] -= lr * update;
    }
  }

  @Override
  protected void adamStepUnchecked(int len, int step, float lr, float beta1, float beta2, float eps,
      float weightDecay, boolean decoupledWeightDecay, AdamConvention convention, float[] p, int pOff, float[] g,
      int gOff, float[] m, int mOff, float[] v, int vOff) {
    float stepScale = AdamBiasCorrection.stepScale(convention, lr, beta1, beta2, step);
    float sqrtBc2 = AdamBiasCorrection.sqrtBiasCorrection2(beta2, step);
    float l2 = decoupledWeightDecay ? 0f : weightDecay;
    float floor = Subnormals.adamFloor(eps);
    for (int i = 0; i < len; i++) {
      if (decoupledWeightDecay && convention == AdamConvention.TORCH) {
        p[pOff + i] *= 1f - lr * weightDecay;
      }
      float grad = g[gOff + i] + l2 * p[pOff + i];
      float mi = Subnormals.flushBelow(beta1 * m[mOff + i] + (1f - beta1) * grad, floor);
      float vi = Subnormals.flushBelow(beta2 * v[vOff + i] + (1f - beta2) * grad * grad, floor);
      m[mOff + i] = mi;
      v[vOff + i] = vi;
      if (convention == AdamConvention.TORCH) {
        p[pOff + i] -= stepScale * (mi / ((float) Math.sqrt(vi) / sqrtBc2 + eps));
      } else {
        p[pOff + i] -= stepScale * (mi / ((float) Math.sqrt(vi) + eps));
        if (decoupledWeightDecay) {
          p[pOff + i] -= lr * weightDecay * p[pOff + i];
        }
      }
    }
  }

  @Override
  protected void adamDirectionUnchecked(int len, int step, float beta1, float beta2, float eps,
      AdamConvention convention, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff, float[] out,
      int outOff) {
    float scale = AdamBiasCorrection.stepScale(convention, 1f, beta1, beta2, step);
    float sqrtBc2 = AdamBiasCorrection.sqrtBiasCorrection2(beta2, step);
    float floor = Subnormals.adamFloor(eps);
    for (int i = 0; i < len; i++) {
      float grad = g[gOff + i];
      float mi = Subnormals.flushBelow(beta1 * m[mOff + i] + (1f - beta1) * grad, floor);
      float vi = Subnormals.flushBelow(beta2 * v[vOff + i] + (1f - beta2) * grad * grad, floor);
      m[mOff + i] = mi;
      v[vOff + i] = vi;
      out[outOff + i] = convention == AdamConvention.TORCH
          ? scale * (mi / ((float) Math.sqrt(vi) / sqrtBc2 + eps))
          : scale * (mi / ((float) Math.sqrt(vi) + eps));
    }
  }

  @Override
  protected void adafactorStepUnchecked(int m, int n, float lr, boolean scaleParameter, float eps1, float eps2,
      float beta2t, float clipThreshold, float beta1, float weightDecay, float[] p, int pOff, float[] g, int gOff,
      float[] row, int rowOff, float[] col, int colOff, float[] ema, int emaOff) {
    int len = m * n;
    float stepSize = scaleParameter ? lr * Math.max(eps2, AdafactorLoops.rms(p, pOff, len)) : lr;
    float rowMean = AdafactorLoops.updateFactoredSecondMoment(m, n, eps1, beta2t, g, gOff, row, rowOff, col, colOff);
    // update = g / sqrt(row/mean(row)) / sqrt(col), clipped to rms <= clipThreshold: first its rms ...
    double squares = 0.0;
    for (int i = 0; i < m; i++) {
      float rowFactor = AdafactorLoops.rowFactor(row[rowOff + i], rowMean);
      for (int j = 0; j < n; j++) {
        float u = AdafactorLoops.normalized(g[gOff + i * n + j], rowFactor, col[colOff + j]);
        squares += (double) u * u;
      }
    }
    float updateRms = (float) Math.sqrt(squares / len);
    float scale = stepSize / Math.max(1f, updateRms / clipThreshold);
    // ... then the step.
    for (int i = 0; i < m; i++) {
      float rowFactor = AdafactorLoops.rowFactor(row[rowOff + i], rowMean);
      for (int j = 0; j < n; j++) {
        int ij = i * n + j;
        float update = scale * AdafactorLoops.normalized(g[gOff + ij], rowFactor, col[colOff + j]);
        if (beta1 != 0f) {
          update = beta1 * ema[emaOff + ij] + (1f - beta1) * update;
          ema[emaOff + ij] = update;
        }
        if (weightDecay != 0f) {
          p[pOff + ij] -= weightDecay * stepSize * p[pOff + ij];
        }
        p[pOff + ij] -= update;
      }
    }
  }

  @Override
  protected void biasAddUnchecked(int rows, int cols, float[] bias, int biasOff, float[] y, int yOff, int ldy) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        y[yOff + i * ldy + j] += bias[biasOff + j];
      }
    }
  }

  @Override
  protected void biasGradientUnchecked(int rows, int cols, float[] dy, int dyOff, int lddy, float[] db, int dbOff) {
    for (int j = 0; j < cols; j++) {
      float sum = 0f;
      for (int i = 0; i < rows; i++) {
        sum += dy[dyOff + i * lddy + j];
      }
      db[dbOff + j] = sum;
    }
  }

  @Override
  protected void reluUnchecked(int len, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < len; i++) {
      float xi = x[xOff + i];
      // Not xi > 0 ? xi : 0: a comparison with NaN is false, so NaN goes through as in torch.relu.
      y[yOff + i] = xi <= 0f ? 0f : xi;
    }
  }

  @Override
  protected void reluBackwardUnchecked(int len, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    for (int i = 0; i < len; i++) {
      dx[dxOff + i] = x[xOff + i] <= 0f ? 0f : dy[dyOff + i];
    }
  }

  @Override
  protected float softmaxCrossEntropyUnchecked(int batch, int classes, float[] logits, int logitsOff, int ldlogits,
      int[] labels, int labelsOff, float[] dlogits, int dlogitsOff, int lddlogits) {
    double lossSum = 0.0;
    for (int b = 0; b < batch; b++) {
      int row = logitsOff + b * ldlogits;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, logits[row + c]);
      }
      double expSum = 0.0;
      for (int c = 0; c < classes; c++) {
        expSum += Math.exp(logits[row + c] - max);
      }
      // The label is read once into a local and checked again before it indexes: a caller's thread that rewrites it
      // after the contract's check cannot make this read another row. jni and ffm inherit this loop.
      int label = labels[labelsOff + b];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("labels[" + b + "]=" + label + " is outside [0, classes=" + classes
            + ") now, though it passed the check: another thread wrote it during the call");
      }
      lossSum += Math.log(expSum) - (logits[row + label] - max);
      if (dlogits != null) {
        int out = dlogitsOff + b * lddlogits;
        for (int c = 0; c < classes; c++) {
          double softmax = Math.exp(logits[row + c] - max) / expSum;
          dlogits[out + c] = (float) ((softmax - (c == label ? 1.0 : 0.0)) / batch);
        }
      }
    }
    return (float) (lossSum / batch);
  }

  @Override
  protected boolean allFiniteUnchecked(int len, float[] x, int xOff) {
    for (int i = 0; i < len; i++) {
      // Not a test for infinity and one for NaN: |x| <= MAX_VALUE is false for both.
      if (!(Math.abs(x[xOff + i]) <= Float.MAX_VALUE)) {
        return false;
      }
    }
    return true;
  }
}
