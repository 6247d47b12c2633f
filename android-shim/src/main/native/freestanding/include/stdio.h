/* The part of <stdio.h> the library uses, for its freestanding Android build (no C library to link against):
   jni.h includes this header, and the JNI glue formats its exception messages with snprintf (%s and %d only).
   Defined in lrgrad_freestanding.c, hidden inside the library. */
#ifndef LRGRAD_FREESTANDING_STDIO_H
#define LRGRAD_FREESTANDING_STDIO_H
#include <stddef.h>
int snprintf(char *out, size_t size, const char *format, ...);
#endif
