/*
 * What liblrgrad.so takes from a C library, defined here for its freestanding Android build: Android's C library
 * (Bionic) is not available to link against on a machine without the NDK, and a library linked against glibc
 * does not load on Android. Everything here is hidden (-fvisibility=hidden and the version script), so a process
 * that has its own C library (a desktop JVM that loads this build in the tests) keeps using its own.
 *
 * - malloc/free: anonymous mmap/munmap through the Linux system call (Android's kernel is Linux; the numbers are
 *   the architecture's generic ones). One mapping per allocation: the library allocates only the sgemm's two
 *   packing buffers per call, so the cost is two system call pairs per sgemm.
 * - memcpy/memmove/memset: byte loops (the compiler may emit calls to them for copies of any size).
 * - exp/log in double: argument reduction by ln 2 and a polynomial, within about one ulp of the correctly rounded
 *   result (the library needs them for softmax cross-entropy, whose sums are in double); pow as exp(y·log x) for
 *   the x >= 0 it is used with (Adam's bias corrections β^t), relative error about |y·log x| ulps.
 * - snprintf: %s, %d and %% only (the JNI glue's exception messages).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__aarch64__)
#define SYS_MUNMAP 215
#define SYS_MMAP 222
static long syscall6(long number, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
#elif defined(__x86_64__)
#define SYS_MMAP 9
#define SYS_MUNMAP 11
static long syscall6(long number, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
}
#else
#error "the freestanding build supports aarch64 and x86_64"
#endif

#define PROT_READ_WRITE 3
#define MAP_PRIVATE_ANONYMOUS 0x22
/* The mapping's length is kept in front of the block; 16 bytes keep the block 16-byte aligned. */
#define HEADER 16

void *malloc(size_t size) {
  if (size > SIZE_MAX - HEADER) {
    return NULL;
  }
  size_t total = size + HEADER;
  long address = syscall6(SYS_MMAP, 0, (long)total, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
  if (address < 0 && address > -4096) { /* -errno */
    return NULL;
  }
  *(size_t *)address = total;
  return (char *)address + HEADER;
}

void free(void *pointer) {
  if (pointer != NULL) {
    char *base = (char *)pointer - HEADER;
    syscall6(SYS_MUNMAP, (long)base, (long)*(size_t *)base, 0, 0, 0, 0);
  }
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) {
    *d++ = *s++;
  }
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n--) {
      *d++ = *s++;
    }
  } else {
    while (n--) {
      d[n] = s[n];
    }
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

/* ln 2 split so that k·LN2_HI is exact for |k| < 2^11 (LN2_HI has 32 significant bits). */
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;

static double bits_to_double(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

static uint64_t double_to_bits(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}

/* x·2^k for the k exp can produce, through at most two exact power-of-two factors before the last. */
static double scale_by_power_of_two(double x, long k) {
  if (k > 1023) {
    x *= bits_to_double((uint64_t)(1023 + 1023) << 52);
    k -= 1023;
  } else if (k < -1022) {
    x *= bits_to_double((uint64_t)(1) << 52); /* 2^-1022 */
    k += 1022;
  }
  return x * bits_to_double((uint64_t)(k + 1023) << 52);
}

double exp(double x) {
  if (x != x) {
    return x;
  }
  if (x > 709.782712893383973096) {
    return INFINITY;
  }
  if (x < -745.133219101941108420) {
    return 0.0;
  }
  /* x = k·ln 2 + r with |r| <= ln 2 / 2, then exp(r) by its Taylor series to r^13 (error < 1e-17 there). */
  double kd = (double)(long)(x * INV_LN2 + (x >= 0 ? 0.5 : -0.5));
  double r = (x - kd * LN2_HI) - kd * LN2_LO;
  double p = 1.0 / 6227020800.0;
  static const double inverse_factorials[] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                              1.0 / 362880.0,    1.0 / 40320.0,    1.0 / 5040.0,
                                              1.0 / 720.0,       1.0 / 120.0,      1.0 / 24.0,
                                              1.0 / 6.0,         0.5,              1.0,
                                              1.0};
  for (size_t i = 0; i < sizeof inverse_factorials / sizeof inverse_factorials[0]; i++) {
    p = p * r + inverse_factorials[i];
  }
  return scale_by_power_of_two(p, (long)kd);
}

double log(double x) {
  if (x != x || x == INFINITY) {
    return x;
  }
  if (x < 0) {
    return NAN;
  }
  if (x == 0) {
    return -INFINITY;
  }
  uint64_t bits = double_to_bits(x);
  long k = (long)((bits >> 52) & 0x7ff);
  if (k == 0) { /* subnormal: scale into the normal range first */
    bits = double_to_bits(x * bits_to_double((uint64_t)(1023 + 54) << 52));
    k = (long)((bits >> 52) & 0x7ff) - 54;
  }
  k -= 1023;
  double m = bits_to_double((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL); /* x = m·2^k, m in [1, 2) */
  if (m > 1.41421356237309504880) {
    m *= 0.5;
    k++;
  }
  /* log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| <= 0.1716: the odd series to s^23 (error < 1e-18). */
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  double series = 0.0;
  for (int n = 23; n >= 3; n -= 2) {
    series = series * s2 + 1.0 / n;
  }
  double log_m = 2.0 * s + 2.0 * s * (s2 * series);
  return (double)k * LN2_HI + (log_m + (double)k * LN2_LO);
}

double pow(double x, double y) {
  if (y == 0) {
    return 1.0;
  }
  if (x < 0) {
    return NAN;
  }
  return exp(y * log(x));
}

static size_t put_char(char *out, size_t size, size_t at, char c) {
  if (at + 1 < size) {
    out[at] = c;
  }
  return at + 1;
}

int snprintf(char *out, size_t size, const char *format, ...) {
  va_list args;
  va_start(args, format);
  size_t at = 0;
  for (const char *f = format; *f != '\0'; f++) {
    if (*f != '%' || f[1] == '\0') {
      at = put_char(out, size, at, *f);
      continue;
    }
    f++;
    if (*f == 's') {
      for (const char *s = va_arg(args, const char *); *s != '\0'; s++) {
        at = put_char(out, size, at, *s);
      }
    } else if (*f == 'd') {
      int value = va_arg(args, int);
      unsigned int magnitude = value < 0 ? 0u - (unsigned int)value : (unsigned int)value;
      char digits[10];
      int count = 0;
      do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
      } while (magnitude != 0);
      if (value < 0) {
        at = put_char(out, size, at, '-');
      }
      while (count > 0) {
        at = put_char(out, size, at, digits[--count]);
      }
    } else {
      at = put_char(out, size, at, *f); /* %% and anything else: the character itself */
    }
  }
  va_end(args);
  if (size > 0) {
    out[at < size ? at : size - 1] = '\0';
  }
  return (int)at;
}
