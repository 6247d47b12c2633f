/* The part of <string.h> the library uses (and the compiler may call), for its freestanding Android build. */
#ifndef LRGRAD_FREESTANDING_STRING_H
#define LRGRAD_FREESTANDING_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int value, size_t n);
#endif
