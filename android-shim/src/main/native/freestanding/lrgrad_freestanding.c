/*
 * What liblrgrad.so takes from a C library, defined here for its freestanding Android build: Android's C library
 * (Bionic) is not available to link against on a machine without the NDK, and a library linked against glibc
 * does not load on Android. Everything here is hidden (-fvisibility=hidden and the version script), so a process
 * that has its own C library (a desktop JVM that loads this build in the tests) keeps using its own.
 *
 * Only memcpy and memset, as byte loops: the element-wise kernels copy their tails with memcpy, and the compiler
 * may emit calls to both for copies and clears of any size. Nothing else is needed since ABI 3: the library
 * allocates nothing (sgemm's packing workspace comes from the caller), computes no exp, log or pow (softmax
 * cross-entropy and Adafactor run in Java, Adam's bias corrections come from Java), its square roots are the CPU's
 * instructions (math.h), and the JNI glue builds its messages without snprintf. A function missing here fails the
 * link (-Wl,-z,defs), so this file cannot fall behind the C it serves.
 */
#include <stddef.h>

#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) {
    *d++ = *s++;
  }
  return dst;
}

void *memset(void *dst, int value, size_t n) {
  unsigned char *d = dst;
  while (n--) {
    *d++ = (unsigned char)value;
  }
  return dst;
}
