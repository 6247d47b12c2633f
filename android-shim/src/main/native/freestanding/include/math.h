/* The part of <math.h> the library uses, for its freestanding Android build. sqrt and sqrtf are the CPU's
   correctly rounded square root instructions (built with -fno-math-errno); exp, log and pow are defined in
   lrgrad_freestanding.c. */
#ifndef LRGRAD_FREESTANDING_MATH_H
#define LRGRAD_FREESTANDING_MATH_H
#define sqrt(x) __builtin_sqrt(x)
#define sqrtf(x) __builtin_sqrtf(x)
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
double exp(double x);
double log(double x);
double pow(double x, double y);
#endif
