/* SPDX-License-Identifier: MIT */
/*
 * colour_fast_x86.c: the fast path's u8 rows with AVX2, 8 pixels at a time, chosen at run time
 * (colour_fast.c calls tproc__fast_rgb_row_u8_simd when this returns nonzero). The bytes are
 * those of the portable rows: the same float operations in the same order (multiplies and adds,
 * no fused multiply-add; the build has -ffp-contract=off for the portable code too), the same
 * tables, gathered instead of loaded one by one.
 */
#include "colour_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

typedef struct lanes {
    __m256 m[9];
    __m256 zero, one, steps, half;
    __m256i byte;
} lanes;

/* The portable rows' enc8_index and table read, 8 lanes at once. */
__attribute__((target("avx2"))) static inline __m256i encode8(const tproc__fast_rgb *f,
                                                               const lanes *k, __m256 v)
{
    __m256i i = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(v, k->steps), k->half));
    /* enc8 is bytes, padded so that a 4-byte read at the last step stays inside it. */
    return _mm256_and_si256(_mm256_i32gather_epi32((const int *)(const void *)f->enc8, i, 1),
                            k->byte);
}

/* Three channels' linear values to three channels' levels, as packed r | g << 8 | b << 16. */
__attribute__((target("avx2"))) static inline __m256i convert8(const tproc__fast_rgb *f,
                                                                const lanes *k, __m256i ri,
                                                                __m256i gi, __m256i bi)
{
    __m256 r = _mm256_i32gather_ps(f->lin8[0], ri, 4);
    __m256 g = _mm256_i32gather_ps(f->lin8[1], gi, 4);
    __m256 b = _mm256_i32gather_ps(f->lin8[2], bi, 4);
    __m256 out[3];
    for (int c = 0; c < 3; c++) {
        __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(k->m[c * 3], r),
                                               _mm256_mul_ps(k->m[c * 3 + 1], g)),
                                 _mm256_mul_ps(k->m[c * 3 + 2], b));
        /* clamp01 of the portable code: below 0 is 0, above 1 is 1. */
        out[c] = _mm256_min_ps(_mm256_max_ps(s, k->zero), k->one);
    }
    __m256i lr = encode8(f, k, out[0]), lg = encode8(f, k, out[1]), lb = encode8(f, k, out[2]);
    return _mm256_or_si256(lr, _mm256_or_si256(_mm256_slli_epi32(lg, 8), _mm256_slli_epi32(lb, 16)));
}

__attribute__((target("avx2"))) static size_t rows_avx2(const tproc__fast_rgb *f,
                                                         const unsigned char *in,
                                                         unsigned char *out, size_t width,
                                                         int alpha)
{
    lanes k;
    for (int i = 0; i < 9; i++)
        k.m[i] = _mm256_set1_ps(f->m[i]);
    k.zero = _mm256_setzero_ps();
    k.one = _mm256_set1_ps(1.0f);
    k.steps = _mm256_set1_ps((float)(TPROC__ENC8_STEPS - 1));
    k.half = _mm256_set1_ps(0.5f);
    k.byte = _mm256_set1_epi32(0xFF);
    size_t x = 0;
    if (alpha) {
        for (; x + 8 <= width; x += 8) {
            __m256i px = _mm256_loadu_si256((const __m256i *)(const void *)(in + x * 4));
            __m256i rgb = convert8(f, &k, _mm256_and_si256(px, k.byte),
                                   _mm256_and_si256(_mm256_srli_epi32(px, 8), k.byte),
                                   _mm256_and_si256(_mm256_srli_epi32(px, 16), k.byte));
            __m256i a = _mm256_and_si256(px, _mm256_set1_epi32((int)0xFF000000u));
            _mm256_storeu_si256((__m256i *)(void *)(out + x * 4), _mm256_or_si256(rgb, a));
        }
        return x;
    }
    /* RGB: the 24 bytes of 8 pixels as two overlapping 16-byte loads (bytes 0-15 and 8-23),
     * each channel's bytes picked out with a shuffle. */
    const __m128i r_lo = _mm_setr_epi8(0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i r_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i g_lo = _mm_setr_epi8(1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i g_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i b_lo = _mm_setr_epi8(2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i b_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1);
    /* Packed r | g << 8 | b << 16 per 32-bit lane to 12 bytes per 128-bit half. */
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                          0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    for (; x + 8 <= width; x += 8) {
        const unsigned char *p = in + x * 3;
        __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 8));
        __m256i ri = _mm256_cvtepu8_epi32(_mm_or_si128(_mm_shuffle_epi8(lo, r_lo), _mm_shuffle_epi8(hi, r_hi)));
        __m256i gi = _mm256_cvtepu8_epi32(_mm_or_si128(_mm_shuffle_epi8(lo, g_lo), _mm_shuffle_epi8(hi, g_hi)));
        __m256i bi = _mm256_cvtepu8_epi32(_mm_or_si128(_mm_shuffle_epi8(lo, b_lo), _mm_shuffle_epi8(hi, b_hi)));
        __m256i packed = _mm256_shuffle_epi8(convert8(f, &k, ri, gi, bi), pack);
        __m128i first = _mm256_castsi256_si128(packed), second = _mm256_extracti128_si256(packed, 1);
        unsigned char *q = out + x * 3;
        /* 12 bytes each, written as 8 + 4 so that nothing past the 24 bytes is touched (in may
         * be out: the loads above are done). */
        _mm_storel_epi64((__m128i *)(void *)q, first);
        _mm_storeu_si32(q + 8, _mm_srli_si128(first, 8));
        _mm_storel_epi64((__m128i *)(void *)(q + 12), second);
        _mm_storeu_si32(q + 20, _mm_srli_si128(second, 8));
    }
    return x;
}

static _Atomic int simd_enabled = 1;

void tproc__fast_rgb_set_simd(int enabled)
{
    atomic_store(&simd_enabled, enabled);
}

size_t tproc__fast_rgb_row_u8_simd(const tproc__fast_rgb *f, const unsigned char *in,
                                   unsigned char *out, size_t width, int alpha)
{
    if (!atomic_load_explicit(&simd_enabled, memory_order_relaxed) ||
        !__builtin_cpu_supports("avx2"))
        return 0;
    return rows_avx2(f, in, out, width, alpha);
}

#else

void tproc__fast_rgb_set_simd(int enabled)
{
    (void)enabled;
}

size_t tproc__fast_rgb_row_u8_simd(const tproc__fast_rgb *f, const unsigned char *in,
                                   unsigned char *out, size_t width, int alpha)
{
    (void)f;
    (void)in;
    (void)out;
    (void)width;
    (void)alpha;
    return 0;
}

#endif
