/*
 * The library's internal kernels, one table per variant. lrgrad_api.c checks the arguments and dispatches; a table's
 * functions may assume valid arguments (sizes >= 1 unless said, leading dimensions >= the columns). Kernel names
 * follow XNNPACK's style: <type>_<operation>[_<tile>]__<instruction set>.
 */
#ifndef LRGRAD_OPS_H
#define LRGRAD_OPS_H

#include <float.h>
#include <stdint.h>

/*
 * Optimizer state never holds a subnormal float (org.lrgrad.kernels.Subnormals, which says why): a momentum buffer
 * below FLT_MIN is stored as +0, and so are Adam's moments when eps > 0 (this function's floor); with eps = 0 every
 * Adam value is kept.
 */
static inline float lrgrad_moment_floor(float eps) {
  return eps > 0.0f ? FLT_MIN : 0.0f;
}

/* x, or +0 when |x| < moment_floor; NaN kept. Two comparisons, not fabsf: the freestanding Android build has no
   libm, and these give the same result for every x, -0 and NaN included. */
static inline float lrgrad_flush_below(float x, float moment_floor) {
  return x < moment_floor && x > -moment_floor ? 0.0f : x;
}

typedef struct lrgrad_ops {
  /* m, n, k >= 1: the floats of workspace gemm needs. */
  int64_t (*gemm_workspace)(int32_t m, int32_t n, int32_t k);
  /* m, n >= 1, k >= 1; workspace holds gemm_workspace(m, n, k) floats. */
  void (*gemm)(int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, float alpha, const float *a,
      int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc, float *workspace);
  void (*sgd)(int32_t len, float lr, float weight_decay, float *p, const float *g);
  void (*momentum)(int32_t len, int first_step, float lr, float momentum, float dampening, int nesterov,
      float weight_decay, float *p, const float *g, float *buf);
  void (*adam)(int32_t len, float lr, float beta1, float beta2, float eps, float weight_decay, int decoupled,
      int convention, float step_scale, float sqrt_bc2, float *p, const float *g, float *m, float *v);
  void (*adam_direction)(int32_t len, float beta1, float beta2, float eps, int convention, float scale,
      float sqrt_bc2, const float *g, float *m, float *v, float *out);
  void (*bias_add)(int32_t rows, int32_t cols, const float *bias, float *y, int32_t ldy);
  /* rows >= 0. */
  void (*bias_gradient)(int32_t rows, int32_t cols, const float *dy, int32_t lddy, float *db);
  void (*relu)(int32_t len, const float *x, float *y);
  void (*relu_backward)(int32_t len, const float *x, const float *dy, float *dx);
  /* 1 when none of the len floats is infinite or NaN, else 0. */
  int (*all_finite)(int32_t len, const float *x);
} lrgrad_ops;

/* The exponent bits of a float: all ones for the infinities and NaN, and only for them. */
#define LRGRAD_EXPONENT_BITS 0x7f800000u

extern const lrgrad_ops lrgrad_scalar_ops;
extern const lrgrad_ops lrgrad_neon_ops;

#endif /* LRGRAD_OPS_H */
