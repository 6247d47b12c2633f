/* The part of <math.h> the library uses, for its freestanding Android build: sqrtf is the CPU's correctly rounded
   square root instruction (built with -fno-math-errno). */
#ifndef LRGRAD_FREESTANDING_MATH_H
#define LRGRAD_FREESTANDING_MATH_H
#define sqrt(x) __builtin_sqrt(x)
#define sqrtf(x) __builtin_sqrtf(x)
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#endif
