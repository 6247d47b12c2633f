/*
 * What both variants share: the step-only scalars of Adam, and the two operations whose arithmetic is in double
 * (softmax cross-entropy, Adafactor), written once in the Java reference's order.
 */
#include <math.h>
#include <stddef.h>

#include "ops.h"

lrgrad_adam_scalars lrgrad_adam_scalars_of(int32_t step, float lr, float beta1, float beta2) {
  double bc1 = 1.0 - pow((double)beta1, (double)step);
  double bc2 = 1.0 - pow((double)beta2, (double)step);
  lrgrad_adam_scalars s;
  s.torch_step_size = (float)((double)lr / bc1);
  s.sqrt_bc2 = (float)sqrt(bc2);
  s.galore_step_size = (float)((double)lr * sqrt(bc2) / bc1);
  s.inv_bc1 = (float)(1.0 / bc1);
  s.galore_factor = (float)(sqrt(bc2) / bc1);
  return s;
}

/* Java's Math.max on floats: NaN wins. */
static float max_nan(float a, float b) {
  return (a != a || a > b) ? a : b;
}

void lrgrad_softmax_cross_entropy_f64(int32_t batch, int32_t classes, const float *logits, int32_t ldlogits,
    const int32_t *labels, float *dlogits, int32_t lddlogits, float *loss) {
  double loss_sum = 0.0;
  for (int32_t b = 0; b < batch; b++) {
    const float *row = logits + (int64_t)b * ldlogits;
    float max = -INFINITY;
    for (int32_t c = 0; c < classes; c++) {
      max = max_nan(row[c], max);
    }
    double exp_sum = 0.0;
    for (int32_t c = 0; c < classes; c++) {
      exp_sum += exp((double)(row[c] - max));
    }
    int32_t label = labels[b];
    loss_sum += log(exp_sum) - (double)(row[label] - max);
    if (dlogits != NULL) {
      /* dlogits may be logits itself: each cell is read before it is written. */
      float *out = dlogits + (int64_t)b * lddlogits;
      for (int32_t c = 0; c < classes; c++) {
        double softmax = exp((double)(row[c] - max)) / exp_sum;
        out[c] = (float)((softmax - (c == label ? 1.0 : 0.0)) / batch);
      }
    }
  }
  *loss = (float)(loss_sum / batch);
}

static float adafactor_update(float g, float row, float row_mean, float col) {
  return g / sqrtf(row / row_mean) / sqrtf(col);
}

static float rms(const float *x, int64_t len) {
  double squares = 0.0;
  for (int64_t i = 0; i < len; i++) {
    squares += (double)x[i] * x[i];
  }
  return (float)sqrt(squares / (double)len);
}

void lrgrad_adafactor_f64(int32_t m, int32_t n, float lr, int scale_parameter, float eps1, float eps2, float beta2t,
    float clip_threshold, float beta1, float weight_decay, float *p, const float *g, float *row, float *col,
    float *ema) {
  int64_t len = (int64_t)m * n;
  float step_size = scale_parameter ? lr * max_nan(eps2, rms(p, len)) : lr;
  /* Factored second moment: running means of g^2 + eps1 over each row and each column. */
  for (int32_t i = 0; i < m; i++) {
    float sum = 0.0f;
    for (int32_t j = 0; j < n; j++) {
      float gij = g[(int64_t)i * n + j];
      sum += gij * gij + eps1;
    }
    row[i] = beta2t * row[i] + (1.0f - beta2t) * (sum / (float)n);
  }
  for (int32_t j = 0; j < n; j++) {
    float sum = 0.0f;
    for (int32_t i = 0; i < m; i++) {
      float gij = g[(int64_t)i * n + j];
      sum += gij * gij + eps1;
    }
    col[j] = beta2t * col[j] + (1.0f - beta2t) * (sum / (float)m);
  }
  float row_sum = 0.0f;
  for (int32_t i = 0; i < m; i++) {
    row_sum += row[i];
  }
  float row_mean = row_sum / (float)m;
  /* The update's rms first, to clip it to rms <= clip_threshold ... */
  double squares = 0.0;
  for (int32_t i = 0; i < m; i++) {
    for (int32_t j = 0; j < n; j++) {
      float u = adafactor_update(g[(int64_t)i * n + j], row[i], row_mean, col[j]);
      squares += (double)u * u;
    }
  }
  float update_rms = (float)sqrt(squares / (double)len);
  float scale = step_size / max_nan(1.0f, update_rms / clip_threshold);
  /* ... then the step. */
  for (int32_t i = 0; i < m; i++) {
    for (int32_t j = 0; j < n; j++) {
      int64_t ij = (int64_t)i * n + j;
      float update = scale * adafactor_update(g[ij], row[i], row_mean, col[j]);
      if (beta1 != 0.0f) {
        update = beta1 * ema[ij] + (1.0f - beta1) * update;
        ema[ij] = update;
      }
      if (weight_decay != 0.0f) {
        p[ij] -= weight_decay * step_size * p[ij];
      }
      p[ij] -= update;
    }
  }
}
