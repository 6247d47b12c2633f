/*
 * A stand-in for liblrgrad.so from an older lrgrad release: the same JNI entry point, reporting ABI version 2 (the
 * last one with softmax cross-entropy and Adafactor in C and Adam's bias corrections computed in C). The loader must
 * refuse it.
 */
#include <jni.h>

#include "org_lrgrad_jni_NativeLibrary.h"

JNIEXPORT jint JNICALL Java_org_lrgrad_jni_NativeLibrary_nativeAbiVersion(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return 2;
}
