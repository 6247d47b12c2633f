/*
 * JNI glue of org.lrgrad.jni.JniKernels: each native method pins its Java arrays with GetPrimitiveArrayCritical,
 * calls the lrgrad_* function, releases the arrays, and only then turns a status other than LRGRAD_OK into an
 * exception. No JNI function is called between the first Get and the last Release (the critical region), and every
 * method leaves through one path.
 */
#include <jni.h>
#include <stddef.h>

#include "lrgrad.h"
#include "org_lrgrad_jni_JniKernels.h"

/* A status of this glue, beside lrgrad.h's: a Java array could not be pinned. */
#define JNI_ERROR_PIN (-1)

/* The exception classes the glue throws, resolved once in JNI_OnLoad (global references). */
static jclass illegal_argument;
static jclass illegal_state;
static jclass out_of_memory;

static jclass global_class(JNIEnv *env, const char *name) {
  jclass local = (*env)->FindClass(env, name);
  if (local == NULL) {
    return NULL;
  }
  jclass global = (jclass)(*env)->NewGlobalRef(env, local);
  (*env)->DeleteLocalRef(env, local);
  return global;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  (void)reserved;
  JNIEnv *env;
  if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK) {
    return JNI_ERR;
  }
  illegal_argument = global_class(env, "java/lang/IllegalArgumentException");
  illegal_state = global_class(env, "java/lang/IllegalStateException");
  out_of_memory = global_class(env, "java/lang/OutOfMemoryError");
  if (illegal_argument == NULL || illegal_state == NULL || out_of_memory == NULL) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_6;
}

/*
 * The arrays of one call. The same Java array may come as several arguments (disjoint regions of one buffer, or an
 * output aliasing its input): it is pinned once, so that a JVM that copies instead of pinning still sees one copy,
 * written back once. Arrays are compared before the critical region starts.
 */
enum { MAX_ARRAYS = 6 };

typedef struct pinned {
  int count;
  jarray arrays[MAX_ARRAYS];
  int written[MAX_ARRAYS];
  int same_as[MAX_ARRAYS]; /* the index of the first argument with this array, or its own index */
  void *elements[MAX_ARRAYS];
} pinned;

/* Adds an argument (null allowed) and returns its index; call before pin_all. */
static int add(JNIEnv *env, pinned *p, jarray array, int written) {
  int index = p->count++;
  p->arrays[index] = array;
  p->written[index] = written;
  p->same_as[index] = index;
  p->elements[index] = NULL;
  for (int j = 0; j < index && array != NULL; j++) {
    if (p->same_as[j] == j && p->arrays[j] != NULL && (*env)->IsSameObject(env, p->arrays[j], array)) {
      p->same_as[index] = j;
      p->written[j] |= written;
      break;
    }
  }
  return index;
}

static void release_all(JNIEnv *env, pinned *p, int up_to) {
  for (int i = up_to - 1; i >= 0; i--) {
    if (p->same_as[i] == i && p->elements[i] != NULL) {
      /* A read-only array is not copied back (JNI_ABORT) when the JVM had to copy it. */
      (*env)->ReleasePrimitiveArrayCritical(env, p->arrays[i], p->elements[i], p->written[i] ? 0 : JNI_ABORT);
    }
  }
}

/* Enters the critical region: pins every distinct array. On failure releases what it pinned and returns 0. */
static int pin_all(JNIEnv *env, pinned *p) {
  for (int i = 0; i < p->count; i++) {
    if (p->same_as[i] != i || p->arrays[i] == NULL) {
      continue;
    }
    p->elements[i] = (*env)->GetPrimitiveArrayCritical(env, p->arrays[i], NULL);
    if (p->elements[i] == NULL) {
      release_all(env, p, i);
      return 0;
    }
  }
  for (int i = 0; i < p->count; i++) {
    p->elements[i] = p->elements[p->same_as[i]];
  }
  return 1;
}

/* Leaves the critical region. */
static void unpin_all(JNIEnv *env, pinned *p) {
  release_all(env, p, p->count);
}

static float *floats(const pinned *p, int index, jint offset) {
  return p->elements[index] == NULL ? NULL : (float *)p->elements[index] + offset;
}

/* Appends src to the text in out (size bytes); formats without the C library, which the freestanding build lacks. */
static size_t append(char *out, size_t size, size_t at, const char *src) {
  while (*src != '\0' && at + 1 < size) {
    out[at++] = *src++;
  }
  out[at] = '\0';
  return at;
}

/* After the critical region: throws for a status other than LRGRAD_OK, unless an exception is already pending. */
static void throw_status(JNIEnv *env, int32_t status, const char *function) {
  if (status == LRGRAD_OK || (*env)->ExceptionCheck(env)) {
    return;
  }
  const char *problem;
  jclass type;
  switch (status) {
    case JNI_ERROR_PIN:
      type = out_of_memory;
      problem = ": GetPrimitiveArrayCritical could not reach a Java array";
      break;
    case LRGRAD_ERROR_WORKSPACE:
      type = illegal_state;
      problem = " got a workspace smaller than lrgrad_sgemm_workspace_size (a bug in lrgrad)";
      break;
    case LRGRAD_ERROR_ARGUMENT:
      type = illegal_argument;
      problem = " rejected arguments that the Java contract accepted (a bug in lrgrad)";
      break;
    default:
      type = illegal_state;
      problem = " returned LRGRAD_ERROR_VARIANT (no such variant) or an unknown status";
      break;
  }
  char message[256];
  append(message, sizeof message, append(message, sizeof message, 0, function), problem);
  (*env)->ThrowNew(env, type, message);
}

JNIEXPORT jboolean JNICALL Java_org_lrgrad_jni_JniKernels_hasVariant(JNIEnv *env, jclass cls, jint variant) {
  (void)env;
  (void)cls;
  return lrgrad_has_variant(variant) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_org_lrgrad_jni_JniKernels_sgemmWorkspaceSize(JNIEnv *env, jclass cls, jint variant,
    jint m, jint n, jint k) {
  (void)env;
  (void)cls;
  return lrgrad_sgemm_workspace_size(variant, m, n, k);
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_sgemm(JNIEnv *env, jclass cls, jint variant,
    jboolean trans_a, jboolean trans_b, jint m, jint n, jint k, jfloat alpha, jfloatArray a, jint a_off, jint lda,
    jfloatArray b, jint b_off, jint ldb, jfloat beta, jfloatArray c, jint c_off, jint ldc, jfloatArray workspace) {
  (void)cls;
  /* The workspace's size from the array itself (before the critical region), not from the caller. */
  jsize workspace_size = workspace == NULL ? 0 : (*env)->GetArrayLength(env, workspace);
  pinned p = {0};
  int ia = add(env, &p, a, 0), ib = add(env, &p, b, 0), ic = add(env, &p, c, 1), iw = add(env, &p, workspace, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_sgemm(variant, trans_a, trans_b, m, n, k, alpha, floats(&p, ia, a_off), lda,
        floats(&p, ib, b_off), ldb, beta, floats(&p, ic, c_off), ldc, floats(&p, iw, 0), workspace_size);
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_sgemm");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_sgdStep(JNIEnv *env, jclass cls, jint variant, jint len,
    jfloat lr, jfloat weight_decay, jfloatArray p_array, jint p_off, jfloatArray g, jint g_off) {
  (void)cls;
  pinned p = {0};
  int ip = add(env, &p, p_array, 1), ig = add(env, &p, g, 0);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_sgd_step(variant, len, lr, weight_decay, floats(&p, ip, p_off), floats(&p, ig, g_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_sgd_step");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_momentumStep(JNIEnv *env, jclass cls, jint variant,
    jint len, jint step, jfloat lr, jfloat momentum, jfloat dampening, jboolean nesterov, jfloat weight_decay,
    jfloatArray p_array, jint p_off, jfloatArray g, jint g_off, jfloatArray buf, jint buf_off) {
  (void)cls;
  pinned p = {0};
  int ip = add(env, &p, p_array, 1), ig = add(env, &p, g, 0), ib = add(env, &p, buf, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_momentum_step(variant, len, step, lr, momentum, dampening, nesterov, weight_decay,
        floats(&p, ip, p_off), floats(&p, ig, g_off), floats(&p, ib, buf_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_momentum_step");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_adamStep(JNIEnv *env, jclass cls, jint variant, jint len,
    jfloat lr, jfloat beta1, jfloat beta2, jfloat eps, jfloat weight_decay, jboolean decoupled, jint convention,
    jfloat step_scale, jfloat sqrt_bc2, jfloatArray p_array, jint p_off, jfloatArray g, jint g_off, jfloatArray m,
    jint m_off,
    jfloatArray v, jint v_off) {
  (void)cls;
  pinned p = {0};
  int ip = add(env, &p, p_array, 1), ig = add(env, &p, g, 0), im = add(env, &p, m, 1), iv = add(env, &p, v, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_adam_step(variant, len, lr, beta1, beta2, eps, weight_decay, decoupled, convention, step_scale,
        sqrt_bc2, floats(&p, ip, p_off), floats(&p, ig, g_off), floats(&p, im, m_off), floats(&p, iv, v_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_adam_step");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_adamDirection(JNIEnv *env, jclass cls, jint variant,
    jint len, jfloat beta1, jfloat beta2, jfloat eps, jint convention, jfloat scale, jfloat sqrt_bc2, jfloatArray g,
    jint g_off, jfloatArray m, jint m_off, jfloatArray v, jint v_off, jfloatArray out, jint out_off) {
  (void)cls;
  pinned p = {0};
  int ig = add(env, &p, g, 0), im = add(env, &p, m, 1), iv = add(env, &p, v, 1), io = add(env, &p, out, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_adam_direction(variant, len, beta1, beta2, eps, convention, scale, sqrt_bc2,
        floats(&p, ig, g_off), floats(&p, im, m_off), floats(&p, iv, v_off), floats(&p, io, out_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_adam_direction");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_biasAdd(JNIEnv *env, jclass cls, jint variant, jint rows,
    jint cols, jfloatArray bias, jint bias_off, jfloatArray y, jint y_off, jint ldy) {
  (void)cls;
  pinned p = {0};
  int ib = add(env, &p, bias, 0), iy = add(env, &p, y, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_bias_add(variant, rows, cols, floats(&p, ib, bias_off), floats(&p, iy, y_off), ldy);
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_bias_add");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_biasGradient(JNIEnv *env, jclass cls, jint variant,
    jint rows, jint cols, jfloatArray dy, jint dy_off, jint lddy, jfloatArray db, jint db_off) {
  (void)cls;
  pinned p = {0};
  int idy = add(env, &p, dy, 0), idb = add(env, &p, db, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_bias_gradient(variant, rows, cols, floats(&p, idy, dy_off), lddy, floats(&p, idb, db_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_bias_gradient");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_relu(JNIEnv *env, jclass cls, jint variant, jint len,
    jfloatArray x, jint x_off, jfloatArray y, jint y_off) {
  (void)cls;
  pinned p = {0};
  int ix = add(env, &p, x, 0), iy = add(env, &p, y, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_relu(variant, len, floats(&p, ix, x_off), floats(&p, iy, y_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_relu");
}

JNIEXPORT void JNICALL Java_org_lrgrad_jni_JniKernels_reluBackward(JNIEnv *env, jclass cls, jint variant,
    jint len, jfloatArray x, jint x_off, jfloatArray dy, jint dy_off, jfloatArray dx, jint dx_off) {
  (void)cls;
  pinned p = {0};
  int ix = add(env, &p, x, 0), idy = add(env, &p, dy, 0), idx = add(env, &p, dx, 1);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_relu_backward(variant, len, floats(&p, ix, x_off), floats(&p, idy, dy_off),
        floats(&p, idx, dx_off));
    unpin_all(env, &p);
  }
  throw_status(env, status, "lrgrad_relu_backward");
}

JNIEXPORT jboolean JNICALL Java_org_lrgrad_jni_JniKernels_allFinite(JNIEnv *env, jclass cls, jint variant, jint len,
    jfloatArray x, jint x_off) {
  (void)cls;
  pinned p = {0};
  int ix = add(env, &p, x, 0);
  int32_t status = JNI_ERROR_PIN;
  if (pin_all(env, &p)) {
    status = lrgrad_all_finite(variant, len, floats(&p, ix, x_off));
    unpin_all(env, &p);
  }
  if (status == LRGRAD_NOT_FINITE) {
    return JNI_FALSE;
  }
  throw_status(env, status, "lrgrad_all_finite");
  return JNI_TRUE; /* ignored when throw_status left an exception pending */
}
