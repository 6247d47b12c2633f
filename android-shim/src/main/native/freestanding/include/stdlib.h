/* The part of <stdlib.h> the library uses (the sgemm's packing buffers), for its freestanding Android build. */
#ifndef LRGRAD_FREESTANDING_STDLIB_H
#define LRGRAD_FREESTANDING_STDLIB_H
#include <stddef.h>
void *malloc(size_t size);
void free(void *pointer);
#endif
