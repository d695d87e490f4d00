/* SPDX-License-Identifier: MIT */
/* simd.c: which instruction set the area kernels use (see simd.h). */
#include "kernels/simd.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"portable", "avx2", "avx512"};

/* The cap from tproc__simd_cap; -1: none set. Read and written relaxed: a test sets it between
 * runs, and a stale value only means a slower (identical) path. */
static int cap = -1;

const char *tproc__simd_name(tproc__simd level)
{
    return level >= TPROC__SIMD_PORTABLE && level <= TPROC__SIMD_AVX512 ? names[level] : "?";
}

int tproc__simd_supported(tproc__simd level)
{
    switch (level) {
    case TPROC__SIMD_PORTABLE:
        return 1;
#if TPROC__SIMD_X86
    case TPROC__SIMD_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
               __builtin_cpu_supports("popcnt");
    case TPROC__SIMD_AVX512:
        return tproc__simd_supported(TPROC__SIMD_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq");
#endif
    default:
        return 0;
    }
}

/* TILEPROC_SIMD, once: the level named there, or AVX-512 (no cap). */
static tproc__simd env_cap(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        const char *e = getenv("TILEPROC_SIMD");
        v = TPROC__SIMD_AVX512;
        for (int i = 0; e && i <= TPROC__SIMD_AVX512; i++)
            if (strcmp(e, names[i]) == 0)
                v = i;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return (tproc__simd)v;
}

tproc__simd tproc__simd_level(void)
{
    int top = (int)env_cap();
    int c = __atomic_load_n(&cap, __ATOMIC_RELAXED);
    if (c >= 0 && c < top)
        top = c;
    for (int level = top; level > TPROC__SIMD_PORTABLE; level--)
        if (tproc__simd_supported((tproc__simd)level))
            return (tproc__simd)level;
    return TPROC__SIMD_PORTABLE;
}

void tproc__simd_cap(tproc__simd level)
{
    __atomic_store_n(&cap, (int)level, __ATOMIC_RELAXED);
}
