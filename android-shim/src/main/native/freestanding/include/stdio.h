/* <stdio.h> for the library's freestanding Android build: jni.h includes it, and nothing in the library uses it (the
   JNI glue formats its exception messages itself), so it declares nothing. */
#ifndef LRGRAD_FREESTANDING_STDIO_H
#define LRGRAD_FREESTANDING_STDIO_H
#endif
