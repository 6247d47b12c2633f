/* JNI glue of org.lrgrad.jni.NativeLibrary: one C file per Java class with native methods. */
#include <jni.h>

#include "lrgrad.h"
#include "org_lrgrad_jni_NativeLibrary.h"

JNIEXPORT jint JNICALL Java_org_lrgrad_jni_NativeLibrary_nativeAbiVersion(JNIEnv *env, jclass cls) {
  (void)env;
  (void)cls;
  return (jint)lrgrad_abi_version();
}
