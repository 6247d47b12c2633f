/*
 * A stand-in for liblrgrad.so from another lrgrad release: the same JNI entry point, reporting the next ABI
 * version. The loader must refuse it.
 */
#include <jni.h>

#include "lrgrad.h"
#include "org_lrgrad_jni_NativeLibrary.h"

JNIEXPORT jint JNICALL Java_org_lrgrad_jni_NativeLibrary_nativeAbiVersion(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return LRGRAD_ABI_VERSION + 1;
}
