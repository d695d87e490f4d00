/* SPDX-License-Identifier: MIT */
/*
 * simd.h: run-time choice of instruction set for the area-filter kernels (box, convolve,
 * sobel, sharpen's point pass, median).
 *
 * Those kernels are written once, in plain C that the compiler vectorises (integer or exactly
 * specified floating-point arithmetic only), and compiled three times: for the portable
 * baseline, for AVX2 and for AVX-512 (F, BW, VL, DQ). A filter's prepare() asks
 * tproc__simd_level() which build to use and keeps the answer in its state. Every build does the
 * same operations on the same values, so the output bytes do not depend on the choice; the
 * tests check that by capping the level (tproc__simd_cap) and comparing.
 *
 * The environment variable TILEPROC_SIMD=portable|avx2|avx512, read once, caps the level for a
 * whole process (benchmarks, or a CPU whose AVX-512 is slower than its AVX2).
 */
#ifndef TILEPROC_KERNELS_SIMD_H
#define TILEPROC_KERNELS_SIMD_H

typedef enum tproc__simd {
    TPROC__SIMD_PORTABLE = 0,
    TPROC__SIMD_AVX2 = 1,
    TPROC__SIMD_AVX512 = 2
} tproc__simd;

#if defined(__x86_64__) && defined(__GNUC__)
#define TPROC__SIMD_X86 1
#define TPROC__TARGET_AVX2 __attribute__((target("avx2,bmi,bmi2,popcnt")))
#define TPROC__TARGET_AVX512                                                                       \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,bmi,bmi2,popcnt")))
#else
#define TPROC__SIMD_X86 0
#endif

/* The best level the CPU and this build support, capped by TILEPROC_SIMD and tproc__simd_cap. */
tproc__simd tproc__simd_level(void);

/* Whether the CPU and this build support a level (ignoring any cap). */
int tproc__simd_supported(tproc__simd level);

/* For tests and benchmarks: caps the level that later prepare() calls choose, for the whole
 * process (stages already prepared keep theirs). */
void tproc__simd_cap(tproc__simd level);

/* "portable", "avx2", "avx512". */
const char *tproc__simd_name(tproc__simd level);

/*
 * The three builds of a kernel: write its body once as
 *     TPROC__SIMD_BODY void name_body(args) { ... }
 * then TPROC__SIMD_VARIANTS(name, (parameter list), (argument list)) defines name_portable,
 * name_avx2 and name_avx512, each the body inlined and vectorised for its instruction set.
 */
#define TPROC__SIMD_BODY static inline __attribute__((always_inline))
#if TPROC__SIMD_X86
#define TPROC__SIMD_VARIANTS(name, params, args)                                                   \
    static void name##_portable params                                                             \
    {                                                                                              \
        name##_body args;                                                                          \
    }                                                                                              \
    TPROC__TARGET_AVX2 static void name##_avx2 params                                              \
    {                                                                                              \
        name##_body args;                                                                          \
    }                                                                                              \
    TPROC__TARGET_AVX512 static void name##_avx512 params                                          \
    {                                                                                              \
        name##_body args;                                                                          \
    }
#else
#define TPROC__SIMD_VARIANTS(name, params, args)                                                   \
    static void name##_portable params                                                             \
    {                                                                                              \
        name##_body args;                                                                          \
    }
#endif

/*
 * Picks one build of a kernel: TPROC__SIMD_PICK(level, name) is
 * name_avx512, name_avx2 or name_portable (the portable one on other CPUs and compilers).
 */
#if TPROC__SIMD_X86
#define TPROC__SIMD_PICK(level, name)                                                              \
    ((level) == TPROC__SIMD_AVX512 ? name##_avx512                                                 \
     : (level) == TPROC__SIMD_AVX2 ? name##_avx2                                                   \
                                   : name##_portable)
#else
#define TPROC__SIMD_PICK(level, name) ((void)(level), name##_portable)
#endif

#endif
