/*
 * The public API: checks what can be checked without the buffers' lengths, then runs the variant's kernel. The
 * Java contract has already checked everything (lengths and overlaps included) before a JNI call gets here; these
 * checks keep other C callers (and FFM) from reaching a kernel with sizes it would misread.
 */
#include <stddef.h>

#include "lrgrad.h"
#include "ops.h"

static const lrgrad_ops *ops_of(int32_t variant) {
  switch (variant) {
    case LRGRAD_VARIANT_SCALAR:
      return &lrgrad_scalar_ops;
    case LRGRAD_VARIANT_NEON:
      return &lrgrad_neon_ops;
    default:
      return NULL;
  }
}

int32_t lrgrad_has_variant(int32_t variant) {
  return ops_of(variant) != NULL;
}

/* rows x cols with leading dimension ld: ld >= max(1, cols), and a pointer unless the matrix is empty. */
static int bad_matrix(const void *ptr, int32_t rows, int32_t cols, int32_t ld) {
  return rows < 0 || cols < 0 || ld < (cols > 1 ? cols : 1) || (ptr == NULL && rows > 0 && cols > 0);
}

static int bad_vector(const void *ptr, int32_t len) {
  return len < 0 || (ptr == NULL && len > 0);
}

static int bad_convention(int32_t convention) {
  return convention != LRGRAD_ADAM_TORCH && convention != LRGRAD_ADAM_GALORE;
}

int64_t lrgrad_sgemm_workspace_size(int32_t variant, int32_t m, int32_t n, int32_t k) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL || m < 0 || n < 0 || k < 0) {
    return -1;
  }
  return m == 0 || n == 0 || k == 0 ? 0 : ops->gemm_workspace(m, n, k);
}

int32_t lrgrad_sgemm(int32_t variant, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
    float alpha, const float *a, int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc,
    float *workspace, int64_t workspace_size) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (k < 0 || bad_matrix(a, trans_a ? k : m, trans_a ? m : k, lda)
      || bad_matrix(b, trans_b ? n : k, trans_b ? k : n, ldb) || bad_matrix(c, m, n, ldc)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  int64_t needed = lrgrad_sgemm_workspace_size(variant, m, n, k);
  if (workspace_size < needed || (workspace == NULL && needed > 0)) {
    return LRGRAD_ERROR_WORKSPACE;
  }
  if (m == 0 || n == 0) {
    return LRGRAD_OK;
  }
  if (k == 0) {
    /* No products: C <- beta*C, without reading C when beta = 0. */
    for (int32_t i = 0; i < m; i++) {
      float *row = c + (int64_t)i * ldc;
      for (int32_t j = 0; j < n; j++) {
        row[j] = beta == 0.0f ? 0.0f : beta * row[j];
      }
    }
    return LRGRAD_OK;
  }
  ops->gemm(trans_a != 0, trans_b != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace);
  return LRGRAD_OK;
}

int32_t lrgrad_sgd_step(int32_t variant, int32_t len, float lr, float weight_decay, float *p, const float *g) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_vector(p, len) || bad_vector(g, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->sgd(len, lr, weight_decay, p, g);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_momentum_step(int32_t variant, int32_t len, int32_t step, float lr, float momentum,
    float dampening, int32_t nesterov, float weight_decay, float *p, const float *g, float *buf) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (step < 1 || bad_vector(p, len) || bad_vector(g, len) || bad_vector(buf, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->momentum(len, step == 1, lr, momentum, dampening, nesterov != 0, weight_decay, p, g, buf);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_adam_step(int32_t variant, int32_t len, float lr, float beta1, float beta2, float eps,
    float weight_decay, int32_t decoupled_weight_decay, int32_t convention, float step_scale, float sqrt_bc2,
    float *p, const float *g, float *m, float *v) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_convention(convention) || bad_vector(p, len) || bad_vector(g, len) || bad_vector(m, len)
      || bad_vector(v, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->adam(len, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay != 0, convention, step_scale,
        sqrt_bc2, p, g, m, v);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_adam_direction(int32_t variant, int32_t len, float beta1, float beta2, float eps,
    int32_t convention, float scale, float sqrt_bc2, const float *g, float *m, float *v, float *out) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_convention(convention) || bad_vector(g, len) || bad_vector(m, len) || bad_vector(v, len)
      || bad_vector(out, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->adam_direction(len, beta1, beta2, eps, convention, scale, sqrt_bc2, g, m, v, out);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_bias_add(int32_t variant, int32_t rows, int32_t cols, const float *bias, float *y, int32_t ldy) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_vector(bias, cols) || bad_matrix(y, rows, cols, ldy)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (rows > 0 && cols > 0) {
    ops->bias_add(rows, cols, bias, y, ldy);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_bias_gradient(int32_t variant, int32_t rows, int32_t cols, const float *dy, int32_t lddy,
    float *db) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_matrix(dy, rows, cols, lddy) || bad_vector(db, cols)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (cols > 0) {
    ops->bias_gradient(rows, cols, dy, lddy, db);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_relu(int32_t variant, int32_t len, const float *x, float *y) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_vector(x, len) || bad_vector(y, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->relu(len, x, y);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_relu_backward(int32_t variant, int32_t len, const float *x, const float *dy, float *dx) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_vector(x, len) || bad_vector(dy, len) || bad_vector(dx, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  if (len > 0) {
    ops->relu_backward(len, x, dy, dx);
  }
  return LRGRAD_OK;
}

int32_t lrgrad_all_finite(int32_t variant, int32_t len, const float *x) {
  const lrgrad_ops *ops = ops_of(variant);
  if (ops == NULL) {
    return LRGRAD_ERROR_VARIANT;
  }
  if (bad_vector(x, len)) {
    return LRGRAD_ERROR_ARGUMENT;
  }
  return len == 0 || ops->all_finite(len, x) ? LRGRAD_OK : LRGRAD_NOT_FINITE;
}
