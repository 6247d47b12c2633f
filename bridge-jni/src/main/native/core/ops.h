/*
 * The library's internal kernels, one table per variant. lrgrad_api.c checks the arguments and dispatches; a table's
 * functions may assume valid arguments (sizes >= 1 unless said, leading dimensions >= the columns). Kernel names
 * follow XNNPACK's style: <type>_<operation>[_<tile>]__<instruction set>.
 */
#ifndef LRGRAD_OPS_H
#define LRGRAD_OPS_H

#include <stdint.h>

typedef struct lrgrad_ops {
  /* m, n >= 1, k >= 1; returns LRGRAD_OK or LRGRAD_ERROR_NO_MEMORY (before writing anything). */
  int32_t (*gemm)(int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, float alpha, const float *a,
      int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc);
  void (*sgd)(int32_t len, float lr, float weight_decay, float *p, const float *g);
  void (*momentum)(int32_t len, int first_step, float lr, float momentum, float dampening, int nesterov,
      float weight_decay, float *p, const float *g, float *buf);
  void (*adam)(int32_t len, int32_t step, float lr, float beta1, float beta2, float eps, float weight_decay,
      int decoupled, int convention, float *p, const float *g, float *m, float *v);
  void (*adam_direction)(int32_t len, int32_t step, float beta1, float beta2, float eps, int convention,
      const float *g, float *m, float *v, float *out);
  void (*bias_add)(int32_t rows, int32_t cols, const float *bias, float *y, int32_t ldy);
  /* rows >= 0. */
  void (*bias_gradient)(int32_t rows, int32_t cols, const float *dy, int32_t lddy, float *db);
  void (*relu)(int32_t len, const float *x, float *y);
  void (*relu_backward)(int32_t len, const float *x, const float *dy, float *dx);
} lrgrad_ops;

extern const lrgrad_ops lrgrad_scalar_ops;
extern const lrgrad_ops lrgrad_neon_ops;

/*
 * The scalars of an Adam step that depend only on the step, computed in double from the float hyperparameters
 * exactly as the Java reference does (bc1 = 1 - beta1^step, bc2 = 1 - beta2^step), then rounded to float.
 */
typedef struct lrgrad_adam_scalars {
  float torch_step_size;  /* lr / bc1 */
  float sqrt_bc2;         /* sqrt(bc2) */
  float galore_step_size; /* lr * sqrt(bc2) / bc1 */
  float inv_bc1;          /* 1 / bc1 */
  float galore_factor;    /* sqrt(bc2) / bc1 */
} lrgrad_adam_scalars;

lrgrad_adam_scalars lrgrad_adam_scalars_of(int32_t step, float lr, float beta1, float beta2);

#endif /* LRGRAD_OPS_H */
