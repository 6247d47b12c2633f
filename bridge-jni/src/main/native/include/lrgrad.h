/*
 * lrgrad's native library: its public C API. The JNI glue (and later the FFM bindings) call these functions, so
 * every bridge runs the same native code.
 *
 * The operations are those of the Java contract org.lrgrad.kernels.Kernels, with the same semantics: float32,
 * row-major, element (i, j) of a matrix argument at ptr[i*ld + j]. Pointers point at the first element (the Java
 * offsets are applied by the caller). Outputs must not overlap inputs, except where an operation allows exact
 * aliasing (the same pointer). The functions check what they can check without knowing the buffers' lengths
 * (sizes, leading dimensions, null pointers, enumerations) and return a status; they never abort. Each function
 * reads its size arguments once, by value, and never takes a size or an index from the buffers it is given: a
 * caller that changes a buffer during the call changes only the numbers computed, never which memory is touched.
 * Softmax cross-entropy and Adafactor are not here (since ABI 3): the Java reference runs them on every bridge.
 * Neither is worth a second implementation, and softmax cross-entropy indexes with labels read from caller memory,
 * which only bounds-checked code can do safely while another thread may rewrite them.
 * They keep no state between calls and may be called from several threads at once on disjoint outputs.
 */
#ifndef LRGRAD_H
#define LRGRAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with -fvisibility=hidden: only what is marked here (and the JNI entry points) is exported. */
#if defined(__GNUC__) || defined(__clang__)
#define LRGRAD_API __attribute__((visibility("default")))
#else
#define LRGRAD_API
#endif

/*
 * The version of this ABI: the functions below, their arguments and their semantics. It changes whenever any of
 * them changes; a caller built for another version must refuse the library (the Java side compares it with
 * org.lrgrad.jni.NativeLibrary.ABI_VERSION when it loads the library).
 */
#define LRGRAD_ABI_VERSION 4

/* Statuses returned by every operation. */
#define LRGRAD_OK 0
/* An argument is invalid (a negative size, a leading dimension below the columns, a null pointer, an unknown
   enumeration value): nothing was written. */
#define LRGRAD_ERROR_ARGUMENT 1
/* The workspace given to lrgrad_sgemm is null or smaller than lrgrad_sgemm_workspace_size: nothing was written.
   (Before ABI 3, status 2 meant that the library could not allocate; it allocates nothing now.) */
#define LRGRAD_ERROR_WORKSPACE 2
/* The variant is unknown or was not built into this library. */
#define LRGRAD_ERROR_VARIANT 3
/* Not an error: lrgrad_all_finite's answer when a float is infinite or NaN (since ABI 4). */
#define LRGRAD_NOT_FINITE 4

/* Implementations, the first argument of every operation. */
/* Plain C loops: the native oracle, built for every platform. */
#define LRGRAD_VARIANT_SCALAR 0
/* Arm NEON intrinsics (on x86 through SIMDe, which maps them to AVX2/FMA). */
#define LRGRAD_VARIANT_NEON 1

/* Where Adam puts eps and the bias corrections (org.lrgrad.kernels.AdamConvention). */
/* torch.optim.Adam/AdamW: d = (m / bc1) / (sqrt(v) / sqrt(bc2) + eps); AdamW decays p before the step. */
#define LRGRAD_ADAM_TORCH 0
/* GaLore's AdamW: d = m / (sqrt(v) + eps) * sqrt(bc2) / bc1; decoupled decay after the step. */
#define LRGRAD_ADAM_GALORE 1

/* Returns LRGRAD_ABI_VERSION as compiled into the library. */
LRGRAD_API int32_t lrgrad_abi_version(void);

/* 1 when this library has the variant, else 0. */
LRGRAD_API int32_t lrgrad_has_variant(int32_t variant);

/*
 * The floats of workspace lrgrad_sgemm needs for an m x n x k product in this variant (0 when it needs none, at
 * most (128 + 2048) * 256 for NEON's packing panels); -1 for an unknown variant or a negative size.
 */
LRGRAD_API int64_t lrgrad_sgemm_workspace_size(int32_t variant, int32_t m, int32_t n, int32_t k);

/*
 * C <- alpha*op(A)*op(B) + beta*C with op(A) m x k, op(B) k x n; A is stored m x k (k x m when trans_a), B k x n
 * (n x k when trans_b). With beta = 0, C is not read. With k = 0, C <- beta*C. m = 0 or n = 0 does nothing.
 * workspace holds workspace_size floats, at least lrgrad_sgemm_workspace_size(variant, m, n, k), not overlapping
 * any matrix; its contents are scratch. The library allocates no memory of its own, here or anywhere.
 */
LRGRAD_API int32_t lrgrad_sgemm(int32_t variant, int32_t trans_a, int32_t trans_b, int32_t m, int32_t n, int32_t k,
    float alpha, const float *a, int32_t lda, const float *b, int32_t ldb, float beta, float *c, int32_t ldc,
    float *workspace, int64_t workspace_size);

/* SGD: g' = g + wd*p; p <- p - lr*g'. */
LRGRAD_API int32_t lrgrad_sgd_step(int32_t variant, int32_t len, float lr, float weight_decay, float *p,
    const float *g);

/*
 * SGD with momentum (torch.optim.SGD): g' = g + wd*p; buf <- g' on step 1, else momentum*buf + (1-dampening)*g';
 * p <- p - lr*(nesterov ? g' + momentum*buf : buf). step is 1-based. A new buf below FLT_MIN is stored as +0
 * (subnormals cost microcode assists on x86; p changes by less than lr*FLT_MIN).
 */
LRGRAD_API int32_t lrgrad_momentum_step(int32_t variant, int32_t len, int32_t step, float lr, float momentum,
    float dampening, int32_t nesterov, float weight_decay, float *p, const float *g, float *buf);

/*
 * One Adam/AdamW step: m <- b1*m + (1-b1)*g', v <- b2*v + (1-b2)*g'*g' with g' = g + wd*p when not decoupled;
 * then p <- p - step_scale * (m / (sqrt(v) / sqrt_bc2 + eps)) (TORCH) or p - step_scale * (m / (sqrt(v) + eps))
 * (GALORE, which ignores sqrt_bc2); decoupled decay placed as the convention says. The step-only scalars come from
 * the caller, so that every bridge uses the same bits: step_scale = lr / bc1 (TORCH) or lr * sqrt(bc2) / bc1
 * (GALORE), sqrt_bc2 = sqrt(bc2), with bc = 1 - beta^step in double, rounded to float once
 * (org.lrgrad.kernels.AdamBiasCorrection). With eps > 0, a new m or v below FLT_MIN is stored as +0 (subnormals
 * cost microcode assists on x86; the step changes by less than lr*FLT_MIN/eps); with eps = 0 every value is kept.
 */
LRGRAD_API int32_t lrgrad_adam_step(int32_t variant, int32_t len, float lr, float beta1, float beta2, float eps,
    float weight_decay, int32_t decoupled_weight_decay, int32_t convention, float step_scale, float sqrt_bc2,
    float *p, const float *g, float *m, float *v);

/*
 * Adam's moments and bias-corrected direction without a parameter: out <- scale * (the ratio of lrgrad_adam_step),
 * with scale the step_scale of lr = 1. out may be g (the same pointer). m and v are flushed as in lrgrad_adam_step.
 */
LRGRAD_API int32_t lrgrad_adam_direction(int32_t variant, int32_t len, float beta1, float beta2, float eps,
    int32_t convention, float scale, float sqrt_bc2, const float *g, float *m, float *v, float *out);

/* Y <- Y + 1*bias^T over rows x cols. */
LRGRAD_API int32_t lrgrad_bias_add(int32_t variant, int32_t rows, int32_t cols, const float *bias, float *y,
    int32_t ldy);

/* db <- the column sums of dY (rows x cols); rows = 0 writes zeros. */
LRGRAD_API int32_t lrgrad_bias_gradient(int32_t variant, int32_t rows, int32_t cols, const float *dy, int32_t lddy,
    float *db);

/* y <- x <= 0 ? 0 : x, so NaN stays NaN (torch.relu); y may be x. */
LRGRAD_API int32_t lrgrad_relu(int32_t variant, int32_t len, const float *x, float *y);

/* dx <- x <= 0 ? 0 : dy (dy where x > 0 or x is NaN); dx may be dy. */
LRGRAD_API int32_t lrgrad_relu_backward(int32_t variant, int32_t len, const float *x, const float *dy, float *dx);

/*
 * Whether every one of the len floats of x is finite (since ABI 4): LRGRAD_OK when none is infinite or NaN,
 * LRGRAD_NOT_FINITE when one is, otherwise an error status. Decided by each float's exponent bits, so no
 * floating-point setting changes the answer. A trainer asks this of every gradient before it steps.
 */
LRGRAD_API int32_t lrgrad_all_finite(int32_t variant, int32_t len, const float *x);

#ifdef __cplusplus
}
#endif

#endif /* LRGRAD_H */
