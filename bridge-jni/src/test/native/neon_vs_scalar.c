/*
 * The native library's own test: the NEON variant and the scalar C variant, both through the public API, against a
 * float64 oracle on a grid of shapes, and the operations whose arithmetic is the same in both variants bit for bit
 * against each other. Built and run by the Maven build on the host (NEON through SIMDe), for aarch64 under qemu
 * (real NEON), and with AddressSanitizer and UndefinedBehaviorSanitizer (see bridge-jni/README.md, "Tests").
 *
 * Every output lies inside a buffer filled with a sentinel: a matrix at an offset from the buffer's start, its rows
 * ld apart, and guard cells after it; every cell that is not an output must keep the sentinel. sgemm with beta = 0
 * gets a C full of NaN, which must not leak into the result (C is not read).
 *
 * Bounds (as the Java tests' Tolerance): a dot product of depth k within 2(k+2)u times the sum of its terms'
 * magnitudes (u = 2^-24), so the bound grows with the depth; an element-wise step within 4u times the first-order
 * error magnitude of its formula, which the oracle carries beside each value (each operation adds its result's
 * magnitude to what it inherits), and NEON's element-wise outputs equal the scalar C's bit for bit (no FMA: the
 * rounding rule of org.lrgrad.kernels.Kernels).
 *
 * Usage: neon_vs_scalar LABEL [SUMMARY_FILE]. Prints one line "LABEL: N passed, N failed" (and the first failures
 * before it), writes the same line to SUMMARY_FILE when given, and exits 1 when a case failed.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrgrad.h"

#define U (FLT_EPSILON / 2.0)
#define SENTINEL (-12345.0f)
#define GUARD 5
#define MAX_REPORTED 10

static const int32_t SIZES[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 64};
#define N_SIZES ((int32_t)(sizeof(SIZES) / sizeof(SIZES[0])))
static const char *const VARIANT_NAMES[] = {"scalar", "neon"};

static long passed, failed;

static void report(const char *what, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *what, ...) {
  if (failed < MAX_REPORTED) {
    va_list args;
    va_start(args, what);
    fputs("FAIL ", stdout);
    vprintf(what, args);
    fputc('\n', stdout);
    va_end(args);
  }
}

static void count(int ok) {
  if (ok) {
    passed++;
  } else {
    failed++;
  }
}

/* A deterministic generator of floats in [lo, hi). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static float uniform(float lo, float hi) {
  rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
  return lo + (hi - lo) * (float)((rng_state >> 40) * (1.0 / 16777216.0));
}

static void *checked_malloc(size_t bytes) {
  void *p = malloc(bytes);
  if (p == NULL) {
    fprintf(stderr, "neon_vs_scalar: out of memory\n");
    exit(2);
  }
  return p;
}

/* A rows x cols matrix with leading dimension ld at offset off of a sentinel-filled buffer, with GUARD cells after. */
typedef struct region {
  float *buffer, *at;
  int32_t rows, cols, ld, off;
  size_t size;
} region;

static region region_new(int32_t rows, int32_t cols, int32_t ld, int32_t off) {
  region r;
  r.rows = rows;
  r.cols = cols;
  r.ld = ld;
  r.off = off;
  r.size = (size_t)off + (size_t)(rows - 1) * (size_t)ld + (size_t)cols + GUARD;
  r.buffer = checked_malloc(sizeof(float) * r.size);
  for (size_t i = 0; i < r.size; i++) {
    r.buffer[i] = SENTINEL;
  }
  r.at = r.buffer + off;
  return r;
}

static void region_fill(region *r, float lo, float hi) {
  for (int32_t i = 0; i < r->rows; i++) {
    for (int32_t j = 0; j < r->cols; j++) {
      r->at[(int64_t)i * r->ld + j] = uniform(lo, hi);
    }
  }
}

static region region_copy(const region *r) {
  region c = *r;
  c.buffer = checked_malloc(sizeof(float) * r->size);
  memcpy(c.buffer, r->buffer, sizeof(float) * r->size);
  c.at = c.buffer + r->off;
  return c;
}

/* 1 when every cell outside the matrix still holds the sentinel. */
static int region_outside_untouched(const region *r) {
  for (size_t i = 0; i < r->size; i++) {
    int64_t rel = (int64_t)i - r->off;
    int inside = rel >= 0 && rel / r->ld < r->rows && rel % r->ld < r->cols;
    if (!inside && memcmp(&r->buffer[i], &(float){SENTINEL}, sizeof(float)) != 0) {
      return 0;
    }
  }
  return 1;
}

/* ---------------------------------------------------------------------------------------------------------------
 * sgemm */

static int check_sgemm(int32_t variant, int trans_a, int trans_b, int32_t m, int32_t n, int32_t k, float alpha,
    float beta, int32_t pad, int32_t off) {
  region a = region_new(trans_a ? k : m, trans_a ? m : k, (trans_a ? m : k) + pad, off);
  region b = region_new(trans_b ? n : k, trans_b ? k : n, (trans_b ? k : n) + (pad + 1) % 4, (off + 1) % 4);
  region c = region_new(m, n, n + (pad + 2) % 4, (off + 2) % 4);
  region_fill(&a, -1.0f, 1.0f);
  region_fill(&b, -1.0f, 1.0f);
  region_fill(&c, -1.0f, 1.0f);
  if (beta == 0.0f) {
    for (int32_t i = 0; i < m; i++) {
      for (int32_t j = 0; j < n; j++) {
        c.at[(int64_t)i * c.ld + j] = NAN;
      }
    }
  }
  region c0 = region_copy(&c);
  /* The caller's workspace: the library allocates nothing. One float short is refused before anything is written. */
  int64_t workspace_size = lrgrad_sgemm_workspace_size(variant, m, n, k);
  float *workspace = checked_malloc(sizeof(float) * (size_t)(workspace_size + 1));
  int ok = workspace_size >= 0;
  if (workspace_size > 0) {
    ok &= lrgrad_sgemm(variant, trans_a, trans_b, m, n, k, alpha, a.at, a.ld, b.at, b.ld, beta, c.at, c.ld,
        workspace, workspace_size - 1) == LRGRAD_ERROR_WORKSPACE
        && memcmp(c.buffer, c0.buffer, sizeof(float) * c.size) == 0;
  }
  int32_t status = lrgrad_sgemm(variant, trans_a, trans_b, m, n, k, alpha, a.at, a.ld, b.at, b.ld, beta, c.at, c.ld,
      workspace, workspace_size);
  free(workspace);
  ok &= status == LRGRAD_OK && region_outside_untouched(&c);
  for (int32_t i = 0; ok && i < m; i++) {
    for (int32_t j = 0; ok && j < n; j++) {
      double sum = 0.0, magnitude = 0.0;
      for (int32_t p = 0; p < k; p++) {
        double x = trans_a ? a.at[(int64_t)p * a.ld + i] : a.at[(int64_t)i * a.ld + p];
        double y = trans_b ? b.at[(int64_t)j * b.ld + p] : b.at[(int64_t)p * b.ld + j];
        sum += x * y;
        magnitude += fabs(x * y);
      }
      double want = alpha * sum, bound_terms = fabs(alpha) * magnitude;
      if (beta != 0.0f) {
        double old = c0.at[(int64_t)i * c0.ld + j];
        want += beta * old;
        bound_terms += fabs(beta * old);
      }
      double got = c.at[(int64_t)i * c.ld + j];
      double bound = 2.0 * (k + 2) * U * bound_terms + DBL_MIN;
      if (!(fabs(got - want) <= bound)) {
        ok = 0;
        report("sgemm %s trans_a=%d trans_b=%d m=%d n=%d k=%d alpha=%g beta=%g: C(%d, %d) = %.9g, want %.9g "
            "(|diff| %.3g > bound %.3g)", VARIANT_NAMES[variant], trans_a, trans_b, m, n, k, alpha, beta, i, j, got,
            want, fabs(got - want), bound);
      }
    }
  }
  if (!ok && status != LRGRAD_OK) {
    report("sgemm %s m=%d n=%d k=%d: status %d", VARIANT_NAMES[variant], m, n, k, status);
  } else if (!ok && !region_outside_untouched(&c)) {
    report("sgemm %s m=%d n=%d k=%d ldc=%d: wrote outside C", VARIANT_NAMES[variant], m, n, k, c.ld);
  }
  free(a.buffer);
  free(b.buffer);
  free(c.buffer);
  free(c0.buffer);
  return ok;
}

static void test_sgemm(void) {
  /* Depths: tails of the 4-lane vectors and of the k loop, and beyond one KC = 256 block. */
  static const int32_t depths[] = {1, 2, 3, 4, 5, 8, 9, 16, 17, 31, 33, 64, 257};
  static const float alphas_betas[][2] = {{1.0f, 0.0f}, {0.5f, -1.5f}, {-2.0f, 1.0f}, {1.0f, 1.0f}};
  int32_t case_index = 0;
  for (int32_t mi = 0; mi < N_SIZES; mi++) {
    for (int32_t ni = 0; ni < N_SIZES; ni++) {
      for (size_t ki = 0; ki < sizeof(depths) / sizeof(depths[0]); ki++, case_index++) {
        int32_t m = SIZES[mi], n = SIZES[ni], k = depths[ki];
        /* The deepest depth on a subset of shapes, to keep the run short under emulation. */
        if (k > 64 && (mi + ni) % 5 != 0) {
          continue;
        }
        for (int t = 0; t < 4; t++) {
          const float *ab = alphas_betas[(case_index + t) % 4];
          for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
            count(check_sgemm(variant, t & 1, t >> 1, m, n, k, ab[0], ab[1], case_index % 4, (case_index / 4) % 4));
          }
        }
      }
    }
  }
  /* Past the packing blocks: more rows than MC = 128, more columns than NC = 2048. */
  for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
    count(check_sgemm(variant, 0, 1, 131, 9, 20, 1.0f, 0.5f, 1, 3));
    count(check_sgemm(variant, 1, 0, 5, 2051, 3, -1.0f, 0.0f, 2, 1));
  }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Element-wise operations. The oracle computes each formula in double with the first-order magnitude of its
 * rounding errors: a value x computed in float32 by the same formula is within about u * mag of the exact one. */

typedef struct term {
  double v, mag;
} term;

/* An input: exact. */
static term exact(double v) {
  term t = {v, 0.0};
  return t;
}

static term add(term a, term b) {
  term t = {a.v + b.v, a.mag + b.mag + fabs(a.v + b.v)};
  return t;
}

static term sub(term a, term b) {
  term t = {a.v - b.v, a.mag + b.mag + fabs(a.v - b.v)};
  return t;
}

static term mul(term a, term b) {
  term t = {a.v * b.v, a.mag * fabs(b.v) + fabs(a.v) * b.mag + fabs(a.v * b.v)};
  return t;
}

static term divide(term a, term b) {
  term t = {a.v / b.v, a.mag / fabs(b.v) + fabs(a.v) * b.mag / (b.v * b.v) + fabs(a.v / b.v)};
  return t;
}

static term square_root(term a) {
  double r = sqrt(a.v);
  term t = {r, (r > 0.0 ? a.mag / (2.0 * r) : 0.0) + r};
  return t;
}

/*
 * The rounding rule of the element-wise steps: NEON equals the scalar C (and so the Java reference) bit for bit, no
 * FMA. Both variants run on the same inputs (test_elementwise replays the generator); the scalar run records its
 * outputs, whole buffers with their sentinels, and the NEON run must reproduce them.
 */
enum { MAX_OUTPUTS = 3 };
static float *recorded[MAX_OUTPUTS];
static size_t recorded_size[MAX_OUTPUTS];

static int same_bits_as_scalar(int32_t variant, const char *op, int32_t len, int count, const region *outputs) {
  int ok = 1;
  for (int i = 0; i < count; i++) {
    size_t bytes = sizeof(float) * outputs[i].size;
    if (variant == LRGRAD_VARIANT_SCALAR) {
      free(recorded[i]);
      recorded[i] = checked_malloc(bytes);
      memcpy(recorded[i], outputs[i].buffer, bytes);
      recorded_size[i] = outputs[i].size;
    } else if (recorded_size[i] != outputs[i].size || memcmp(recorded[i], outputs[i].buffer, bytes) != 0) {
      report("%s len=%d: output %d of neon differs from scalar C (the rule is bit for bit)", op, len, i);
      ok = 0;
    }
  }
  return ok;
}

/* got (float) against the oracle's term; reports with the operation's description. */
static int close_to(float got, term want, const char *op, const char *name, int32_t len, int32_t i) {
  double bound = 4.0 * U * want.mag + DBL_MIN;
  if (fabs((double)got - want.v) <= bound) {
    return 1;
  }
  report("%s len=%d: %s[%d] = %.9g, want %.9g (|diff| %.3g > bound %.3g)", op, len, name, i, got, want.v,
      fabs((double)got - want.v), bound);
  return 0;
}

/* A vector of len floats at offset off of a sentinel-filled buffer. */
static region vector_new(int32_t len, int32_t off, float lo, float hi) {
  region r = region_new(1, len, len, off);
  region_fill(&r, lo, hi);
  return r;
}

static void test_sgd(int32_t variant, int32_t len, int32_t off) {
  const float lr = 0.1f, wd = 0.01f;
  region p = vector_new(len, off, -1.0f, 1.0f), g = vector_new(len, (off + 1) % 4, -1.0f, 1.0f);
  region p0 = region_copy(&p);
  int ok = lrgrad_sgd_step(variant, len, lr, wd, p.at, g.at) == LRGRAD_OK && region_outside_untouched(&p);
  for (int32_t i = 0; i < len; i++) {
    term grad = add(exact(g.at[i]), mul(exact(wd), exact(p0.at[i])));
    ok &= close_to(p.at[i], sub(exact(p0.at[i]), mul(exact(lr), grad)), VARIANT_NAMES[variant], "sgd p", len, i);
  }
  region outputs[] = {p};
  ok &= same_bits_as_scalar(variant, "sgd", len, 1, outputs);
  count(ok);
  free(p.buffer);
  free(g.buffer);
  free(p0.buffer);
}

static void test_momentum(int32_t variant, int32_t len, int32_t off, int32_t step, int nesterov) {
  const float lr = 0.1f, momentum = 0.9f, dampening = nesterov ? 0.0f : 0.1f, wd = 0.01f;
  region p = vector_new(len, off, -1.0f, 1.0f), g = vector_new(len, (off + 1) % 4, -1.0f, 1.0f);
  region buf = vector_new(len, (off + 2) % 4, -1.0f, 1.0f);
  region p0 = region_copy(&p), buf0 = region_copy(&buf);
  int ok = lrgrad_momentum_step(variant, len, step, lr, momentum, dampening, nesterov, wd, p.at, g.at, buf.at)
      == LRGRAD_OK && region_outside_untouched(&p) && region_outside_untouched(&buf);
  for (int32_t i = 0; i < len; i++) {
    term grad = add(exact(g.at[i]), mul(exact(wd), exact(p0.at[i])));
    term b = step == 1 ? grad
                       : add(mul(exact(momentum), exact(buf0.at[i])), mul(exact(1.0f - dampening), grad));
    term update = nesterov ? add(grad, mul(exact(momentum), b)) : b;
    ok &= close_to(buf.at[i], b, VARIANT_NAMES[variant], "momentum buf", len, i);
    ok &= close_to(p.at[i], sub(exact(p0.at[i]), mul(exact(lr), update)), VARIANT_NAMES[variant], "momentum p",
        len, i);
  }
  region outputs[] = {p, buf};
  ok &= same_bits_as_scalar(variant, "momentum", len, 2, outputs);
  count(ok);
  free(p.buffer);
  free(g.buffer);
  free(buf.buffer);
  free(p0.buffer);
  free(buf0.buffer);
}

/* The step-only scalars of Adam as the Java side computes them (AdamBiasCorrection): in double, rounded once. */
typedef struct adam_scalars {
  float torch_step_size, sqrt_bc2, galore_step_size, inv_bc1, galore_factor;
} adam_scalars;

static adam_scalars adam_scalars_of(int32_t step, float lr, float beta1, float beta2) {
  double bc1 = 1.0 - pow(beta1, step), bc2 = 1.0 - pow(beta2, step);
  adam_scalars s = {(float)(lr / bc1), (float)sqrt(bc2), (float)(lr * sqrt(bc2) / bc1), (float)(1.0 / bc1),
      (float)(sqrt(bc2) / bc1)};
  return s;
}

/* m, v after one step from grad, and Adam's ratio m / (sqrt(v) / sqrt(bc2) + eps) (TORCH) or m / (sqrt(v) + eps). */
static void adam_oracle(int convention, const adam_scalars *s, float beta1, float beta2, float eps, term grad,
    float m_old, float v_old, term *m, term *v, term *ratio) {
  *m = add(mul(exact(beta1), exact(m_old)), mul(exact(1.0f - beta1), grad));
  *v = add(mul(exact(beta2), exact(v_old)), mul(mul(exact(1.0f - beta2), grad), grad));
  term root = square_root(*v);
  if (convention == LRGRAD_ADAM_TORCH) {
    root = divide(root, exact(s->sqrt_bc2));
  }
  *ratio = divide(*m, add(root, exact(eps)));
}

static void test_adam(int32_t variant, int32_t len, int32_t off, int32_t step, int decoupled, int convention) {
  /* eps = 1e-3 next to sqrt(v) <= 0.1 makes eps's place in the formula visible; 1e-8 does not. */
  const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = step == 1 ? 1e-8f : 1e-3f, wd = 0.1f;
  adam_scalars s = adam_scalars_of(step, lr, beta1, beta2);
  region p = vector_new(len, off, -1.0f, 1.0f), g = vector_new(len, (off + 1) % 4, -1.0f, 1.0f);
  region m = vector_new(len, (off + 2) % 4, -0.1f, 0.1f), v = vector_new(len, (off + 3) % 4, 0.0f, 0.01f);
  region p0 = region_copy(&p), m0 = region_copy(&m), v0 = region_copy(&v);
  float step_scale = convention == LRGRAD_ADAM_TORCH ? s.torch_step_size : s.galore_step_size;
  int ok = lrgrad_adam_step(variant, len, lr, beta1, beta2, eps, wd, decoupled, convention, step_scale, s.sqrt_bc2,
      p.at, g.at, m.at, v.at) == LRGRAD_OK && region_outside_untouched(&p) && region_outside_untouched(&m)
      && region_outside_untouched(&v);
  const char *op = VARIANT_NAMES[variant];
  for (int32_t i = 0; i < len; i++) {
    term pv = exact(p0.at[i]);
    if (decoupled && convention == LRGRAD_ADAM_TORCH) {
      pv = mul(pv, exact(1.0f - lr * wd));
    }
    term grad = decoupled ? exact(g.at[i]) : add(exact(g.at[i]), mul(exact(wd), pv));
    term mi, vi, ratio;
    adam_oracle(convention, &s, beta1, beta2, eps, grad, m0.at[i], v0.at[i], &mi, &vi, &ratio);
    if (convention == LRGRAD_ADAM_TORCH) {
      pv = sub(pv, mul(exact(s.torch_step_size), ratio));
    } else {
      pv = sub(pv, mul(exact(s.galore_step_size), ratio));
      if (decoupled) {
        pv = sub(pv, mul(exact(lr * wd), pv));
      }
    }
    ok &= close_to(m.at[i], mi, op, "adam m", len, i);
    ok &= close_to(v.at[i], vi, op, "adam v", len, i);
    ok &= close_to(p.at[i], pv, op, "adam p", len, i);
  }
  region outputs[] = {p, m, v};
  ok &= same_bits_as_scalar(variant, "adam", len, 3, outputs);
  count(ok);
  free(p.buffer);
  free(g.buffer);
  free(m.buffer);
  free(v.buffer);
  free(p0.buffer);
  free(m0.buffer);
  free(v0.buffer);
}

static void test_adam_direction(int32_t variant, int32_t len, int32_t off, int32_t step, int convention,
    int in_place) {
  const float beta1 = 0.9f, beta2 = 0.999f, eps = step == 1 ? 1e-8f : 1e-3f;
  adam_scalars s = adam_scalars_of(step, 0.0f, beta1, beta2);
  region g = vector_new(len, off, -1.0f, 1.0f);
  region m = vector_new(len, (off + 1) % 4, -0.1f, 0.1f), v = vector_new(len, (off + 2) % 4, 0.0f, 0.01f);
  region out = vector_new(len, (off + 3) % 4, -1.0f, 1.0f);
  region g0 = region_copy(&g), m0 = region_copy(&m), v0 = region_copy(&v);
  region *dst = in_place ? &g : &out;
  float scale = convention == LRGRAD_ADAM_TORCH ? s.inv_bc1 : s.galore_factor;
  int ok = lrgrad_adam_direction(variant, len, beta1, beta2, eps, convention, scale, s.sqrt_bc2, g.at, m.at, v.at,
      dst->at) == LRGRAD_OK && region_outside_untouched(dst) && region_outside_untouched(&m)
      && region_outside_untouched(&v);
  const char *op = VARIANT_NAMES[variant];
  for (int32_t i = 0; i < len; i++) {
    term mi, vi, ratio;
    adam_oracle(convention, &s, beta1, beta2, eps, exact(g0.at[i]), m0.at[i], v0.at[i], &mi, &vi, &ratio);
    term d = mul(ratio, exact(convention == LRGRAD_ADAM_TORCH ? s.inv_bc1 : s.galore_factor));
    ok &= close_to(m.at[i], mi, op, "adam_direction m", len, i);
    ok &= close_to(v.at[i], vi, op, "adam_direction v", len, i);
    ok &= close_to(dst->at[i], d, op, "adam_direction out", len, i);
  }
  region outputs[] = {*dst, m, v};
  ok &= same_bits_as_scalar(variant, "adam_direction", len, 3, outputs);
  count(ok);
  free(g.buffer);
  free(m.buffer);
  free(v.buffer);
  free(out.buffer);
  free(g0.buffer);
  free(m0.buffer);
  free(v0.buffer);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Operations with the same arithmetic in both variants (one addition per element, or none): NEON must equal the
 * scalar C bit for bit, sentinels included. */

static int same_bits(const region *x, const region *y) {
  return x->size == y->size && memcmp(x->buffer, y->buffer, sizeof(float) * x->size) == 0;
}

static void test_relu(int32_t len, int32_t off, int in_place) {
  region x = vector_new(len, off, -1.0f, 1.0f);
  x.at[len / 2] = -0.0f;
  x.at[len - 1] = NAN;
  region y[2];
  for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
    y[variant] = in_place ? region_copy(&x) : vector_new(len, (off + 1) % 4, 5.0f, 6.0f);
    const float *src = in_place ? y[variant].at : x.at;
    int ok = lrgrad_relu(variant, len, src, y[variant].at) == LRGRAD_OK;
    if (variant == LRGRAD_VARIANT_NEON) {
      count(ok && same_bits(&y[0], &y[1]));
      if (!same_bits(&y[0], &y[1])) {
        report("relu len=%d in_place=%d: neon differs from scalar", len, in_place);
      }
    }
  }
  free(x.buffer);
  free(y[0].buffer);
  free(y[1].buffer);
}

static void test_relu_backward(int32_t len, int32_t off, int in_place) {
  region x = vector_new(len, off, -1.0f, 1.0f), dy = vector_new(len, (off + 1) % 4, -1.0f, 1.0f);
  x.at[0] = 0.0f;
  x.at[len - 1] = NAN;
  region dx[2];
  for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
    dx[variant] = in_place ? region_copy(&dy) : vector_new(len, (off + 2) % 4, 5.0f, 6.0f);
    const float *grad = in_place ? dx[variant].at : dy.at;
    int ok = lrgrad_relu_backward(variant, len, x.at, grad, dx[variant].at) == LRGRAD_OK;
    if (variant == LRGRAD_VARIANT_NEON) {
      count(ok && same_bits(&dx[0], &dx[1]));
      if (!same_bits(&dx[0], &dx[1])) {
        report("relu_backward len=%d in_place=%d: neon differs from scalar", len, in_place);
      }
    }
  }
  free(x.buffer);
  free(dy.buffer);
  free(dx[0].buffer);
  free(dx[1].buffer);
}

static void test_bias(int32_t rows, int32_t cols, int32_t pad, int32_t off) {
  region bias = vector_new(cols, off, -1.0f, 1.0f);
  region y = region_new(rows, cols, cols + pad, (off + 1) % 4);
  region_fill(&y, -1.0f, 1.0f);
  region y_out[2], db[2];
  for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
    y_out[variant] = region_copy(&y);
    db[variant] = vector_new(cols, (off + 2) % 4, 5.0f, 6.0f);
    int ok = lrgrad_bias_add(variant, rows, cols, bias.at, y_out[variant].at, y.ld) == LRGRAD_OK;
    ok &= lrgrad_bias_gradient(variant, rows, cols, y.at, y.ld, db[variant].at) == LRGRAD_OK;
    if (variant == LRGRAD_VARIANT_NEON) {
      count(ok && same_bits(&y_out[0], &y_out[1]));
      count(ok && same_bits(&db[0], &db[1]));
      if (!same_bits(&y_out[0], &y_out[1]) || !same_bits(&db[0], &db[1])) {
        report("bias_add/bias_gradient rows=%d cols=%d ld=%d: neon differs from scalar", rows, cols, y.ld);
      }
    }
  }
  free(bias.buffer);
  free(y.buffer);
  for (int v = 0; v < 2; v++) {
    free(y_out[v].buffer);
    free(db[v].buffer);
  }
}

/* Runs call for the scalar variant, then for NEON on the same generated inputs (the generator replayed). */
#define BOTH_VARIANTS(call)                                                                       \
  do {                                                                                            \
    uint64_t replay = rng_state;                                                                  \
    for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {  \
      rng_state = replay;                                                                         \
      call;                                                                                       \
    }                                                                                             \
  } while (0)

/*
 * lrgrad_all_finite on both variants: finite extremes (largest float, smallest subnormal, -0) everywhere pass; one
 * infinity or NaN (quiet, signalling, negative, with payload bits) at each position fails, in the vector body and in
 * the tail alike. Nothing outside the len floats is read (the floats around them are NaN).
 */
static void test_all_finite(int32_t len, int32_t off) {
  static const uint32_t BAD[] = {0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffffffffu};
  region x = vector_new(len, off, -1.0f, 1.0f);
  for (size_t i = 0; i < x.size; i++) {
    if (i < (size_t)off || i >= (size_t)off + (size_t)len) {
      x.buffer[i] = NAN;
    }
  }
  for (int32_t i = 0; i < len; i++) {
    x.at[i] = i % 3 == 0 ? FLT_MAX : i % 3 == 1 ? -FLT_TRUE_MIN : -0.0f;
  }
  for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
    int32_t status = lrgrad_all_finite(variant, len, x.at);
    count(status == LRGRAD_OK);
    if (status != LRGRAD_OK) {
      report("all_finite variant=%d len=%d: finite floats gave status %d", variant, len, status);
    }
  }
  for (int32_t i = 0; i < len; i++) {
    float kept = x.at[i];
    union {
      uint32_t u;
      float f;
    } bad = {BAD[i % 5]};
    x.at[i] = bad.f;
    for (int32_t variant = LRGRAD_VARIANT_SCALAR; variant <= LRGRAD_VARIANT_NEON; variant++) {
      int32_t status = lrgrad_all_finite(variant, len, x.at);
      count(status == LRGRAD_NOT_FINITE);
      if (status != LRGRAD_NOT_FINITE) {
        report("all_finite variant=%d len=%d: 0x%08x at %d gave status %d", variant, len, (unsigned)bad.u, i, status);
      }
    }
    x.at[i] = kept;
  }
  free(x.buffer);
}

static void test_elementwise(void) {
  for (int32_t si = 0; si <= N_SIZES; si++) {
    /* The grid's lengths, then one long enough to run many full vectors. */
    int32_t len = si < N_SIZES ? SIZES[si] : 1000;
    int32_t off = si % 4;
    BOTH_VARIANTS(test_sgd(variant, len, off));
    for (int32_t step = 1; step <= 2; step++) {
      BOTH_VARIANTS(test_momentum(variant, len, off, step, 0));
      BOTH_VARIANTS(test_momentum(variant, len, off, step, 1));
    }
    for (int convention = LRGRAD_ADAM_TORCH; convention <= LRGRAD_ADAM_GALORE; convention++) {
      for (int32_t step = 1; step <= 7; step += 6) {
        BOTH_VARIANTS(test_adam(variant, len, off, step, 0, convention));
        BOTH_VARIANTS(test_adam(variant, len, off, step, 1, convention));
        BOTH_VARIANTS(test_adam_direction(variant, len, off, step, convention, 0));
        BOTH_VARIANTS(test_adam_direction(variant, len, off, step, convention, 1));
      }
    }
    test_relu(len, off, 0);
    test_relu(len, off, 1);
    test_relu_backward(len, off, 0);
    test_relu_backward(len, off, 1);
    for (int32_t ri = 0; ri < N_SIZES; ri += 4) {
      test_bias(SIZES[ri], len, (si + ri) % 3, off);
    }
    test_all_finite(len, off);
  }
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s LABEL [SUMMARY_FILE]\n", argv[0]);
    return 2;
  }
  if (!lrgrad_has_variant(LRGRAD_VARIANT_NEON)) {
    fprintf(stderr, "neon_vs_scalar: the library has no NEON variant\n");
    return 2;
  }
  test_sgemm();
  test_elementwise();
  char line[256];
  snprintf(line, sizeof(line), "%s: %ld passed, %ld failed", argv[1], passed, failed);
  puts(line);
  if (argc == 3) {
    FILE *summary = fopen(argv[2], "w");
    if (summary == NULL || fprintf(summary, "%s\n", line) < 0 || fclose(summary) != 0) {
      fprintf(stderr, "neon_vs_scalar: cannot write %s\n", argv[2]);
      return 2;
    }
  }
  return failed == 0 ? 0 : 1;
}
