/*
 * The scalar variant: plain C loops in the Java reference's order and rounding (the build keeps the compiler from
 * contracting a*b+c into an FMA), so it is the native oracle the NEON variant is compared with.
 */
#include <math.h>

#include "lrgrad.h"
#include "ops.h"

static int64_t f32_gemm_workspace__scalar(int32_t m, int32_t n, int32_t k) {
  (void)m;
  (void)n;
  (void)k;
  return 0;
}

static void f32_gemm__scalar(int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, float alpha,
    const float *a, int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc, float *workspace) {
  (void)workspace;
  for (int32_t i = 0; i < m; i++) {
    for (int32_t j = 0; j < n; j++) {
      float sum = 0.0f;
      for (int32_t p = 0; p < k; p++) {
        float aip = trans_a ? a[(int64_t)p * lda + i] : a[(int64_t)i * lda + p];
        float bpj = trans_b ? b[(int64_t)j * ldb + p] : b[(int64_t)p * ldb + j];
        sum += aip * bpj;
      }
      float *cij = c + (int64_t)i * ldc + j;
      /* beta = 0 must not read C: 0 * NaN would be NaN. */
      *cij = beta == 0.0f ? alpha * sum : alpha * sum + beta * *cij;
    }
  }
}

static void f32_sgd__scalar(int32_t len, float lr, float weight_decay, float *p, const float *g) {
  for (int32_t i = 0; i < len; i++) {
    float grad = g[i] + weight_decay * p[i];
    p[i] -= lr * grad;
  }
}

static void f32_momentum__scalar(int32_t len, int first_step, float lr, float momentum, float dampening,
    int nesterov, float weight_decay, float *p, const float *g, float *buf) {
  for (int32_t i = 0; i < len; i++) {
    float grad = g[i] + weight_decay * p[i];
    float b = lrgrad_flush_below(first_step ? grad : momentum * buf[i] + (1.0f - dampening) * grad, FLT_MIN);
    buf[i] = b;
    float update = nesterov ? grad + momentum * b : b;
    p[i] -= lr * update;
  }
}

static void f32_adam__scalar(int32_t len, float lr, float beta1, float beta2, float eps, float weight_decay,
    int decoupled, int convention, float step_scale, float sqrt_bc2, float *p, const float *g, float *m, float *v) {
  float l2 = decoupled ? 0.0f : weight_decay;
  float moment_floor = lrgrad_moment_floor(eps);
  for (int32_t i = 0; i < len; i++) {
    if (decoupled && convention == LRGRAD_ADAM_TORCH) {
      p[i] *= 1.0f - lr * weight_decay;
    }
    float grad = g[i] + l2 * p[i];
    float mi = lrgrad_flush_below(beta1 * m[i] + (1.0f - beta1) * grad, moment_floor);
    float vi = lrgrad_flush_below(beta2 * v[i] + (1.0f - beta2) * grad * grad, moment_floor);
    m[i] = mi;
    v[i] = vi;
    if (convention == LRGRAD_ADAM_TORCH) {
      p[i] -= step_scale * (mi / (sqrtf(vi) / sqrt_bc2 + eps));
    } else {
      p[i] -= step_scale * (mi / (sqrtf(vi) + eps));
      if (decoupled) {
        p[i] -= lr * weight_decay * p[i];
      }
    }
  }
}

static void f32_adam_direction__scalar(int32_t len, float beta1, float beta2, float eps, int convention,
    float scale, float sqrt_bc2, const float *g, float *m, float *v, float *out) {
  float moment_floor = lrgrad_moment_floor(eps);
  for (int32_t i = 0; i < len; i++) {
    float grad = g[i];
    float mi = lrgrad_flush_below(beta1 * m[i] + (1.0f - beta1) * grad, moment_floor);
    float vi = lrgrad_flush_below(beta2 * v[i] + (1.0f - beta2) * grad * grad, moment_floor);
    m[i] = mi;
    v[i] = vi;
    out[i] = convention == LRGRAD_ADAM_TORCH ? scale * (mi / (sqrtf(vi) / sqrt_bc2 + eps))
                                             : scale * (mi / (sqrtf(vi) + eps));
  }
}

static void f32_bias_add__scalar(int32_t rows, int32_t cols, const float *bias, float *y, int32_t ldy) {
  for (int32_t i = 0; i < rows; i++) {
    float *row = y + (int64_t)i * ldy;
    for (int32_t j = 0; j < cols; j++) {
      row[j] += bias[j];
    }
  }
}

static void f32_bias_gradient__scalar(int32_t rows, int32_t cols, const float *dy, int32_t lddy, float *db) {
  for (int32_t j = 0; j < cols; j++) {
    float sum = 0.0f;
    for (int32_t i = 0; i < rows; i++) {
      sum += dy[(int64_t)i * lddy + j];
    }
    db[j] = sum;
  }
}

static void f32_relu__scalar(int32_t len, const float *x, float *y) {
  for (int32_t i = 0; i < len; i++) {
    /* Not x > 0 ? x : 0, which maps NaN to 0: NaN goes through, as in torch.relu and the Java reference. */
    y[i] = x[i] <= 0.0f ? 0.0f : x[i];
  }
}

static void f32_relu_backward__scalar(int32_t len, const float *x, const float *dy, float *dx) {
  for (int32_t i = 0; i < len; i++) {
    dx[i] = x[i] <= 0.0f ? 0.0f : dy[i];
  }
}

static int f32_all_finite__scalar(int32_t len, const float *x) {
  for (int32_t i = 0; i < len; i++) {
    /* The bits, not x - x == 0: no floating-point option of a build can change them. */
    union {
      float f;
      uint32_t u;
    } v = {x[i]};
    if ((v.u & LRGRAD_EXPONENT_BITS) == LRGRAD_EXPONENT_BITS) {
      return 0;
    }
  }
  return 1;
}

const lrgrad_ops lrgrad_scalar_ops = {
  .gemm_workspace = f32_gemm_workspace__scalar,
  .gemm = f32_gemm__scalar,
  .sgd = f32_sgd__scalar,
  .momentum = f32_momentum__scalar,
  .adam = f32_adam__scalar,
  .adam_direction = f32_adam_direction__scalar,
  .bias_add = f32_bias_add__scalar,
  .bias_gradient = f32_bias_gradient__scalar,
  .relu = f32_relu__scalar,
  .relu_backward = f32_relu_backward__scalar,
  .all_finite = f32_all_finite__scalar,
};
