/*
 * The NEON variant, written with Arm's arm_neon.h intrinsics for AArch64 (32 vector registers of 4 floats). On
 * other machines the same source compiles through SIMDe, which maps each intrinsic to the host's SIMD (AVX2/FMA on
 * x86_64), so these code paths are tested everywhere.
 *
 * sgemm packs op(A) and op(B) into panels and runs an 8x8 register-blocked micro-kernel; the element-wise
 * operations are fused (one pass over their arrays, 4 lanes at a time). A tail shorter than a vector goes through
 * the same vector code on a zero-padded copy, so every element gets the same arithmetic whatever the length.
 */
#if defined(__aarch64__)
#include <arm_neon.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
#endif

#include <math.h>
#include <string.h>

#if !defined(__aarch64__)
/* Older SIMDe releases (0.7, Debian 12) lack two AArch64 intrinsics: the same results lane by lane (IEEE division
   and square root). */
#ifndef vdivq_f32
static float32x4_t lanewise_div(float32x4_t a, float32x4_t b) {
  float x[4], y[4];
  vst1q_f32(x, a);
  vst1q_f32(y, b);
  for (int i = 0; i < 4; i++) {
    x[i] /= y[i];
  }
  return vld1q_f32(x);
}
#define vdivq_f32 lanewise_div
#endif
#ifndef vsqrtq_f32
static float32x4_t lanewise_sqrt(float32x4_t a) {
  float x[4];
  vst1q_f32(x, a);
  for (int i = 0; i < 4; i++) {
    x[i] = sqrtf(x[i]);
  }
  return vld1q_f32(x);
}
#define vsqrtq_f32 lanewise_sqrt
#endif
#endif

#include "lrgrad.h"
#include "ops.h"

/* ---------------------------------------------------------------------------------------------------------------
 * sgemm
 *
 * The micro-kernel holds an 8x8 tile of C in 16 registers; per step of k it loads 8 floats of packed A and 8 of
 * packed B (4 registers) and issues 16 FMAs, each multiplying B's vector by one lane of A. Blocking: KC steps of k
 * keep an A panel (8 x KC) and a B panel (KC x 8) in L1, MC rows of A in L2, NC columns of B beyond. */

enum { MR = 8, NR = 8, KC = 256, MC = 128, NC = 2048 };

static int32_t min_i32(int32_t a, int32_t b) {
  return a < b ? a : b;
}

/* op(A)[i0 .. i0+mc) x [p0 .. p0+kc) into panels of MR rows, each stored k-major (MR floats per k), zero-padded. */
static void pack_a(int trans_a, const float *a, int32_t lda, int32_t i0, int32_t mc, int32_t p0, int32_t kc,
    float *dst) {
  for (int32_t ir = 0; ir < mc; ir += MR) {
    int32_t rows = min_i32(MR, mc - ir);
    for (int32_t p = 0; p < kc; p++) {
      for (int32_t r = 0; r < MR; r++) {
        int64_t i = i0 + ir + r, q = p0 + p;
        *dst++ = r >= rows ? 0.0f : trans_a ? a[q * lda + i] : a[i * lda + q];
      }
    }
  }
}

/* op(B)[p0 .. p0+kc) x [j0 .. j0+nc) into panels of NR columns, each stored k-major (NR floats per k). */
static void pack_b(int trans_b, const float *b, int32_t ldb, int32_t p0, int32_t kc, int32_t j0, int32_t nc,
    float *dst) {
  for (int32_t jr = 0; jr < nc; jr += NR) {
    int32_t cols = min_i32(NR, nc - jr);
    for (int32_t p = 0; p < kc; p++) {
      for (int32_t col = 0; col < NR; col++) {
        int64_t j = j0 + jr + col, q = p0 + p;
        *dst++ = col >= cols ? 0.0f : trans_b ? b[j * ldb + q] : b[q * ldb + j];
      }
    }
  }
}

#define GEMM_ROW(r, av, lane)                          \
  c##r##0 = vfmaq_laneq_f32(c##r##0, b0, av, lane);    \
  c##r##1 = vfmaq_laneq_f32(c##r##1, b1, av, lane)

#define GEMM_STORE_ROW(r)                                                   \
  do {                                                                      \
    float *cr = c + (int64_t)(r) * ldc;                                     \
    float32x4_t lo = vmulq_f32(c##r##0, va), hi = vmulq_f32(c##r##1, va);   \
    if (beta != 0.0f) {                                                     \
      lo = vfmaq_f32(lo, vld1q_f32(cr), vb);                                \
      hi = vfmaq_f32(hi, vld1q_f32(cr + 4), vb);                            \
    }                                                                       \
    vst1q_f32(cr, lo);                                                      \
    vst1q_f32(cr + 4, hi);                                                  \
  } while (0)

#define GEMM_SPILL_ROW(r)                              \
  vst1q_f32(tile + 8 * (r), vmulq_f32(c##r##0, va));   \
  vst1q_f32(tile + 8 * (r) + 4, vmulq_f32(c##r##1, va))

/*
 * C[0 .. rows) x [0 .. cols) <- alpha * (A panel . B panel) + beta * C over kc steps; beta = 0 does not read C.
 * rows, cols <= 8: a partial tile goes through a local copy. Kept out of line (one call per tile and block of k) so
 * that its loop is one symbol's in the assembly: scripts/mca.sh measures exactly this code.
 */
__attribute__((noinline)) static void f32_gemm_8x8__neonfma(int32_t kc, const float *ap, const float *bp, float alpha, float beta, float *c,
    int32_t ldc, int32_t rows, int32_t cols) {
  float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  float32x4_t c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
  for (int32_t p = 0; p < kc; p++) {
    float32x4_t a0 = vld1q_f32(ap), a1 = vld1q_f32(ap + 4);
    float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4);
    ap += MR;
    bp += NR;
    GEMM_ROW(0, a0, 0);
    GEMM_ROW(1, a0, 1);
    GEMM_ROW(2, a0, 2);
    GEMM_ROW(3, a0, 3);
    GEMM_ROW(4, a1, 0);
    GEMM_ROW(5, a1, 1);
    GEMM_ROW(6, a1, 2);
    GEMM_ROW(7, a1, 3);
  }
  float32x4_t va = vdupq_n_f32(alpha), vb = vdupq_n_f32(beta);
  if (rows == MR && cols == NR) {
    GEMM_STORE_ROW(0);
    GEMM_STORE_ROW(1);
    GEMM_STORE_ROW(2);
    GEMM_STORE_ROW(3);
    GEMM_STORE_ROW(4);
    GEMM_STORE_ROW(5);
    GEMM_STORE_ROW(6);
    GEMM_STORE_ROW(7);
    return;
  }
  float tile[MR * NR];
  GEMM_SPILL_ROW(0);
  GEMM_SPILL_ROW(1);
  GEMM_SPILL_ROW(2);
  GEMM_SPILL_ROW(3);
  GEMM_SPILL_ROW(4);
  GEMM_SPILL_ROW(5);
  GEMM_SPILL_ROW(6);
  GEMM_SPILL_ROW(7);
  for (int32_t r = 0; r < rows; r++) {
    float *cr = c + (int64_t)r * ldc;
    for (int32_t j = 0; j < cols; j++) {
      cr[j] = beta == 0.0f ? tile[r * NR + j] : tile[r * NR + j] + beta * cr[j];
    }
  }
}

static int32_t round_up(int32_t x, int32_t to) {
  return (x + to - 1) / to * to;
}

/* The packing panels: op(A)'s block of at most MC rows and op(B)'s of at most NC columns, KC deep (at most
   (128 + 2048) * 256 floats, 2.2 MB). */
static int64_t f32_gemm_workspace__neon(int32_t m, int32_t n, int32_t k) {
  int64_t kc_max = min_i32(k, KC);
  return ((int64_t)round_up(min_i32(m, MC), MR) + round_up(min_i32(n, NC), NR)) * kc_max;
}

static void f32_gemm__neon(int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, float alpha,
    const float *a, int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc, float *workspace) {
  float *packed_a = workspace;
  float *packed_b = workspace + (int64_t)round_up(min_i32(m, MC), MR) * min_i32(k, KC);
  for (int32_t jc = 0; jc < n; jc += NC) {
    int32_t nc = min_i32(NC, n - jc);
    for (int32_t pc = 0; pc < k; pc += KC) {
      int32_t kc = min_i32(KC, k - pc);
      /* Later blocks of k add to what the first wrote (which applied beta). */
      float block_beta = pc == 0 ? beta : 1.0f;
      pack_b(trans_b, b, ldb, pc, kc, jc, nc, packed_b);
      for (int32_t ic = 0; ic < m; ic += MC) {
        int32_t mc = min_i32(MC, m - ic);
        pack_a(trans_a, a, lda, ic, mc, pc, kc, packed_a);
        for (int32_t jr = 0; jr < nc; jr += NR) {
          for (int32_t ir = 0; ir < mc; ir += MR) {
            f32_gemm_8x8__neonfma(kc, packed_a + (int64_t)ir * kc, packed_b + (int64_t)jr * kc, alpha, block_beta,
                c + (int64_t)(ic + ir) * ldc + jc + jr, ldc, min_i32(MR, mc - ir), min_i32(NR, nc - jr));
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Element-wise operations: each has a 4-lane body applied in place on its pointers; ELEMENTWISE_TAIL runs the same
 * body on zero-padded copies of the last len % 4 elements and copies the outputs back. */

#define TAIL_IN(name, src, n)  \
  float name[4] = {0.0f, 0.0f, 0.0f, 0.0f}; \
  memcpy(name, src, sizeof(float) * (size_t)(n))
#define TAIL_OUT(dst, name, n) memcpy(dst, name, sizeof(float) * (size_t)(n))

/* Every element-wise step rounds as the scalar variant and the Java reference: each product and each sum rounded
   on its own, in the reference's order (no FMA; see the rounding rules of org.lrgrad.kernels.Kernels). */

static void sgd4(float *p, const float *g, float lr, float weight_decay) {
  float32x4_t pv = vld1q_f32(p);
  float32x4_t grad = vaddq_f32(vld1q_f32(g), vmulq_f32(vdupq_n_f32(weight_decay), pv));
  vst1q_f32(p, vsubq_f32(pv, vmulq_f32(vdupq_n_f32(lr), grad)));
}

static void f32_sgd__neon(int32_t len, float lr, float weight_decay, float *p, const float *g) {
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    sgd4(p + i, g + i, lr, weight_decay);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(pt, p + i, rest);
    TAIL_IN(gt, g + i, rest);
    sgd4(pt, gt, lr, weight_decay);
    TAIL_OUT(p + i, pt, rest);
  }
}

/* lrgrad_flush_below lane by lane: +0 where |x| < moment_floor (a NaN compares false and is kept). */
static float32x4_t flush_below4(float32x4_t x, float32x4_t moment_floor) {
  return vbslq_f32(vcltq_f32(vabsq_f32(x), moment_floor), vdupq_n_f32(0.0f), x);
}

static void momentum4(float *p, const float *g, float *buf, int first_step, float lr, float momentum,
    float dampening, int nesterov, float weight_decay) {
  float32x4_t pv = vld1q_f32(p);
  float32x4_t vm = vdupq_n_f32(momentum);
  float32x4_t grad = vaddq_f32(vld1q_f32(g), vmulq_f32(vdupq_n_f32(weight_decay), pv));
  float32x4_t b = first_step
      ? grad
      : vaddq_f32(vmulq_f32(vm, vld1q_f32(buf)), vmulq_f32(vdupq_n_f32(1.0f - dampening), grad));
  b = flush_below4(b, vdupq_n_f32(FLT_MIN));
  vst1q_f32(buf, b);
  float32x4_t update = nesterov ? vaddq_f32(grad, vmulq_f32(vm, b)) : b;
  vst1q_f32(p, vsubq_f32(pv, vmulq_f32(vdupq_n_f32(lr), update)));
}

static void f32_momentum__neon(int32_t len, int first_step, float lr, float momentum, float dampening, int nesterov,
    float weight_decay, float *p, const float *g, float *buf) {
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    momentum4(p + i, g + i, buf + i, first_step, lr, momentum, dampening, nesterov, weight_decay);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(pt, p + i, rest);
    TAIL_IN(gt, g + i, rest);
    TAIL_IN(bt, buf + i, rest);
    momentum4(pt, gt, bt, first_step, lr, momentum, dampening, nesterov, weight_decay);
    TAIL_OUT(p + i, pt, rest);
    TAIL_OUT(buf + i, bt, rest);
  }
}

/* The per-call constants of an Adam step, broadcast once. */
typedef struct adam_consts {
  float32x4_t beta1, one_minus_beta1, beta2, one_minus_beta2, eps, step_scale, sqrt_bc2, moment_floor;
} adam_consts;

static adam_consts adam_consts_of(float beta1, float beta2, float eps, float step_scale, float sqrt_bc2) {
  adam_consts k;
  k.beta1 = vdupq_n_f32(beta1);
  k.one_minus_beta1 = vdupq_n_f32(1.0f - beta1);
  k.beta2 = vdupq_n_f32(beta2);
  k.one_minus_beta2 = vdupq_n_f32(1.0f - beta2);
  k.eps = vdupq_n_f32(eps);
  k.step_scale = vdupq_n_f32(step_scale);
  k.sqrt_bc2 = vdupq_n_f32(sqrt_bc2);
  k.moment_floor = vdupq_n_f32(lrgrad_moment_floor(eps));
  return k;
}

/* m and v updated in place from grad; returns m/(sqrt(v)/sqrt(bc2) + eps) (TORCH) or m/(sqrt(v) + eps) (GALORE). */
static float32x4_t adam_moments4(const adam_consts *k, int convention, float32x4_t grad, float *m, float *v) {
  float32x4_t mi = vaddq_f32(vmulq_f32(k->beta1, vld1q_f32(m)), vmulq_f32(k->one_minus_beta1, grad));
  float32x4_t vi = vaddq_f32(vmulq_f32(k->beta2, vld1q_f32(v)), vmulq_f32(vmulq_f32(k->one_minus_beta2, grad), grad));
  mi = flush_below4(mi, k->moment_floor);
  vi = flush_below4(vi, k->moment_floor);
  vst1q_f32(m, mi);
  vst1q_f32(v, vi);
  float32x4_t root = vsqrtq_f32(vi);
  if (convention == LRGRAD_ADAM_TORCH) {
    root = vdivq_f32(root, k->sqrt_bc2);
  }
  return vdivq_f32(mi, vaddq_f32(root, k->eps));
}

static void adam4(const adam_consts *k, int convention, int decoupled, float torch_decay, float l2,
    float galore_decay, float *p, const float *g, float *m, float *v) {
  float32x4_t pv = vld1q_f32(p);
  if (decoupled && convention == LRGRAD_ADAM_TORCH) {
    pv = vmulq_f32(pv, vdupq_n_f32(torch_decay));
  }
  float32x4_t grad = vaddq_f32(vld1q_f32(g), vmulq_f32(vdupq_n_f32(l2), pv));
  float32x4_t ratio = adam_moments4(k, convention, grad, m, v);
  /* The step is rounded before it is subtracted, as the low-rank path rounds it (adamDirection, then sgemm's
     alpha*sum + c): so GaLore-Adam with a signed-permutation projector equals this step bit for bit. */
  pv = vsubq_f32(pv, vmulq_f32(k->step_scale, ratio));
  if (decoupled && convention != LRGRAD_ADAM_TORCH) {
    pv = vsubq_f32(pv, vmulq_f32(vdupq_n_f32(galore_decay), pv));
  }
  vst1q_f32(p, pv);
}

static void f32_adam__neon(int32_t len, float lr, float beta1, float beta2, float eps, float weight_decay,
    int decoupled, int convention, float step_scale, float sqrt_bc2, float *p, const float *g, float *m, float *v) {
  adam_consts k = adam_consts_of(beta1, beta2, eps, step_scale, sqrt_bc2);
  /* Decoupled decay: TORCH scales p by 1 - lr*wd before the step, GALORE subtracts lr*wd*p after it. */
  float torch_decay = decoupled ? 1.0f - lr * weight_decay : 1.0f;
  float galore_decay = decoupled ? lr * weight_decay : 0.0f;
  float l2 = decoupled ? 0.0f : weight_decay;
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    adam4(&k, convention, decoupled, torch_decay, l2, galore_decay, p + i, g + i, m + i, v + i);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(pt, p + i, rest);
    TAIL_IN(gt, g + i, rest);
    TAIL_IN(mt, m + i, rest);
    TAIL_IN(vt, v + i, rest);
    adam4(&k, convention, decoupled, torch_decay, l2, galore_decay, pt, gt, mt, vt);
    TAIL_OUT(p + i, pt, rest);
    TAIL_OUT(m + i, mt, rest);
    TAIL_OUT(v + i, vt, rest);
  }
}

static void adam_direction4(const adam_consts *k, int convention, const float *g, float *m, float *v, float *out) {
  float32x4_t ratio = adam_moments4(k, convention, vld1q_f32(g), m, v);
  vst1q_f32(out, vmulq_f32(k->step_scale, ratio));
}

static void f32_adam_direction__neon(int32_t len, float beta1, float beta2, float eps, int convention, float scale,
    float sqrt_bc2, const float *g, float *m, float *v, float *out) {
  adam_consts k = adam_consts_of(beta1, beta2, eps, scale, sqrt_bc2);
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    adam_direction4(&k, convention, g + i, m + i, v + i, out + i);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(gt, g + i, rest);
    TAIL_IN(mt, m + i, rest);
    TAIL_IN(vt, v + i, rest);
    float ot[4];
    adam_direction4(&k, convention, gt, mt, vt, ot);
    TAIL_OUT(m + i, mt, rest);
    TAIL_OUT(v + i, vt, rest);
    TAIL_OUT(out + i, ot, rest);
  }
}

static void f32_bias_add__neon(int32_t rows, int32_t cols, const float *bias, float *y, int32_t ldy) {
  for (int32_t i = 0; i < rows; i++) {
    float *row = y + (int64_t)i * ldy;
    int32_t j = 0;
    for (; j + 4 <= cols; j += 4) {
      vst1q_f32(row + j, vaddq_f32(vld1q_f32(row + j), vld1q_f32(bias + j)));
    }
    for (; j < cols; j++) {
      row[j] += bias[j];
    }
  }
}

/* Each column's sum in row order, as the scalar variant: four columns per register. */
static void f32_bias_gradient__neon(int32_t rows, int32_t cols, const float *dy, int32_t lddy, float *db) {
  int32_t j = 0;
  for (; j + 4 <= cols; j += 4) {
    float32x4_t sum = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < rows; i++) {
      sum = vaddq_f32(sum, vld1q_f32(dy + (int64_t)i * lddy + j));
    }
    vst1q_f32(db + j, sum);
  }
  for (; j < cols; j++) {
    float sum = 0.0f;
    for (int32_t i = 0; i < rows; i++) {
      sum += dy[(int64_t)i * lddy + j];
    }
    db[j] = sum;
  }
}

/* +0 in the lanes where x <= 0, else v: a NaN x keeps v (x <= 0 is false), as the scalar x <= 0 ? 0 : v. */
static float32x4_t zero_where_not_positive(float32x4_t x, float32x4_t v) {
  uint32x4_t not_positive = vcleq_f32(x, vdupq_n_f32(0.0f));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), not_positive));
}

static void relu4(const float *x, float *y) {
  float32x4_t xv = vld1q_f32(x);
  vst1q_f32(y, zero_where_not_positive(xv, xv));
}

static void f32_relu__neon(int32_t len, const float *x, float *y) {
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    relu4(x + i, y + i);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(xt, x + i, rest);
    float yt[4];
    relu4(xt, yt);
    TAIL_OUT(y + i, yt, rest);
  }
}

static void relu_backward4(const float *x, const float *dy, float *dx) {
  vst1q_f32(dx, zero_where_not_positive(vld1q_f32(x), vld1q_f32(dy)));
}

static void f32_relu_backward__neon(int32_t len, const float *x, const float *dy, float *dx) {
  int32_t i = 0;
  for (; i + 4 <= len; i += 4) {
    relu_backward4(x + i, dy + i, dx + i);
  }
  if (i < len) {
    int32_t rest = len - i;
    TAIL_IN(xt, x + i, rest);
    TAIL_IN(dyt, dy + i, rest);
    float dxt[4];
    relu_backward4(xt, dyt, dxt);
    TAIL_OUT(dx + i, dxt, rest);
  }
}

/* All ones in the lanes of x whose exponent bits are all ones (an infinity or NaN), else zero. */
static uint32x4_t not_finite4(const float *x) {
  uint32x4_t exponent = vdupq_n_u32(LRGRAD_EXPONENT_BITS);
  return vceqq_u32(vandq_u32(vreinterpretq_u32_f32(vld1q_f32(x)), exponent), exponent);
}

/* The lanes' answers are ORed together, four vectors at a time, and looked at once at the end: a gradient is
   finite almost always, and then every float is read anyway. */
static int f32_all_finite__neon(int32_t len, const float *x) {
  uint32x4_t any0 = vdupq_n_u32(0), any1 = any0, any2 = any0, any3 = any0;
  int32_t i = 0;
  for (; i + 16 <= len; i += 16) {
    any0 = vorrq_u32(any0, not_finite4(x + i));
    any1 = vorrq_u32(any1, not_finite4(x + i + 4));
    any2 = vorrq_u32(any2, not_finite4(x + i + 8));
    any3 = vorrq_u32(any3, not_finite4(x + i + 12));
  }
  for (; i + 4 <= len; i += 4) {
    any0 = vorrq_u32(any0, not_finite4(x + i));
  }
  if (i < len) {
    TAIL_IN(xt, x + i, len - i); /* zero-padded: the padding is finite */
    any0 = vorrq_u32(any0, not_finite4(xt));
  }
  uint32x4_t any = vorrq_u32(vorrq_u32(any0, any1), vorrq_u32(any2, any3));
  uint32x2_t half = vorr_u32(vget_low_u32(any), vget_high_u32(any));
  return (vget_lane_u32(half, 0) | vget_lane_u32(half, 1)) == 0;
}

const lrgrad_ops lrgrad_neon_ops = {
  .gemm_workspace = f32_gemm_workspace__neon,
  .gemm = f32_gemm__neon,
  .sgd = f32_sgd__neon,
  .momentum = f32_momentum__neon,
  .adam = f32_adam__neon,
  .adam_direction = f32_adam_direction__neon,
  .bias_add = f32_bias_add__neon,
  .bias_gradient = f32_bias_gradient__neon,
  .relu = f32_relu__neon,
  .relu_backward = f32_relu_backward__neon,
  .all_finite = f32_all_finite__neon,
};
