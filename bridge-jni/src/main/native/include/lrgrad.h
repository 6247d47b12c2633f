/*
 * lrgrad's native library: its public C API. The JNI glue (and later the FFM bindings) call these functions, so
 * every bridge runs the same native code.
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
#define LRGRAD_ABI_VERSION 1

/* Returns LRGRAD_ABI_VERSION as compiled into the library. */
LRGRAD_API int32_t lrgrad_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LRGRAD_H */
