/* SPDX-License-Identifier: MIT */
/*
 * reduce_x86.c: the 2x2 reduction of 1- and 3-channel rows with SSSE3 or AVX2, chosen once at
 * run time (reduce.c calls tproc__reduce_2x2_u8_simd and does the rest of the row itself). The
 * bytes are those of the portable loop: each pair of horizontal neighbours is summed exactly in
 * 16 bits (pmaddubsw with ones), the two rows' sums are added, and (sum + 2) >> 2 is
 * pmulhrsw by 1 << 13, which computes (sum * 2^13 + 2^14) >> 15: the same thing.
 */
#include <stdatomic.h>

#include "reduce.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The 12 output bytes (4 pixels) from 24 bytes of each of two rows of RGB, read as bytes 0-15
 * (lo) and 8-23 (hi). The shuffles put each output sample's two bytes side by side, so that
 * pmaddubsw adds them: outputs 0-5 from lo, 6-7 from hi into the first register, outputs 8-11
 * from hi into the second. */
#define RGB_MASKS                                                                                  \
    const __m128i first_lo = _mm_setr_epi8(0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, -1, -1, -1, -1);  \
    const __m128i first_hi =                                                                       \
        _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 4, 7, 5, 8);                 \
    const __m128i second_hi =                                                                      \
        _mm_setr_epi8(6, 9, 10, 13, 11, 14, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1)

__attribute__((target("ssse3"))) static ptrdiff_t
grey_ssse3(const unsigned char *a, const unsigned char *b, unsigned char *out, ptrdiff_t pairs)
{
    const __m128i ones = _mm_set1_epi8(1), quarter = _mm_set1_epi16(1 << 13);
    ptrdiff_t x = 0;
    for (; x + 16 <= pairs; x += 16) {
        const __m128i *p = (const __m128i *)(const void *)(a + 2 * x);
        const __m128i *q = (const __m128i *)(const void *)(b + 2 * x);
        __m128i s0 = _mm_add_epi16(_mm_maddubs_epi16(_mm_loadu_si128(p), ones),
                                   _mm_maddubs_epi16(_mm_loadu_si128(q), ones));
        __m128i s1 = _mm_add_epi16(_mm_maddubs_epi16(_mm_loadu_si128(p + 1), ones),
                                   _mm_maddubs_epi16(_mm_loadu_si128(q + 1), ones));
        __m128i r = _mm_packus_epi16(_mm_mulhrs_epi16(s0, quarter), _mm_mulhrs_epi16(s1, quarter));
        _mm_storeu_si128((__m128i *)(void *)(out + x), r);
    }
    return x;
}

/* One row's 12 pair sums (outputs 0-7 in first, 8-11 in second) from its 24 bytes at p. */
__attribute__((target("ssse3"))) static inline void pair_sums_ssse3(const unsigned char *p,
                                                                    __m128i *first, __m128i *second)
{
    RGB_MASKS;
    const __m128i ones = _mm_set1_epi8(1);
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 8));
    *first = _mm_maddubs_epi16(
        _mm_or_si128(_mm_shuffle_epi8(lo, first_lo), _mm_shuffle_epi8(hi, first_hi)), ones);
    *second = _mm_maddubs_epi16(_mm_shuffle_epi8(hi, second_hi), ones);
}

__attribute__((target("ssse3"))) static ptrdiff_t
rgb_ssse3(const unsigned char *a, const unsigned char *b, unsigned char *out, ptrdiff_t pairs)
{
    const __m128i quarter = _mm_set1_epi16(1 << 13);
    ptrdiff_t x = 0;
    for (; x + 4 <= pairs; x += 4) {
        __m128i a0, a1, b0, b1;
        pair_sums_ssse3(a + 6 * x, &a0, &a1);
        pair_sums_ssse3(b + 6 * x, &b0, &b1);
        __m128i s0 = _mm_add_epi16(a0, b0), s1 = _mm_add_epi16(a1, b1);
        __m128i r = _mm_packus_epi16(_mm_mulhrs_epi16(s0, quarter), _mm_mulhrs_epi16(s1, quarter));
        /* 12 bytes, as 8 + 4, so that nothing past this block's output is touched. */
        unsigned char *o = out + 3 * x;
        _mm_storel_epi64((__m128i *)(void *)o, r);
        _mm_storeu_si32(o + 8, _mm_srli_si128(r, 8));
    }
    return x;
}

__attribute__((target("avx2"))) static ptrdiff_t
grey_avx2(const unsigned char *a, const unsigned char *b, unsigned char *out, ptrdiff_t pairs)
{
    const __m256i ones = _mm256_set1_epi8(1), quarter = _mm256_set1_epi16(1 << 13);
    ptrdiff_t x = 0;
    for (; x + 32 <= pairs; x += 32) {
        const __m256i *p = (const __m256i *)(const void *)(a + 2 * x);
        const __m256i *q = (const __m256i *)(const void *)(b + 2 * x);
        __m256i s0 = _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(p), ones),
                                      _mm256_maddubs_epi16(_mm256_loadu_si256(q), ones));
        __m256i s1 = _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_loadu_si256(p + 1), ones),
                                      _mm256_maddubs_epi16(_mm256_loadu_si256(q + 1), ones));
        __m256i r =
            _mm256_packus_epi16(_mm256_mulhrs_epi16(s0, quarter), _mm256_mulhrs_epi16(s1, quarter));
        /* packus works within 128-bit halves: quarters s0.lo s1.lo s0.hi s1.hi back in order. */
        r = _mm256_permute4x64_epi64(r, 0xD8);
        _mm256_storeu_si256((__m256i *)(void *)(out + x), r);
    }
    return x;
}

/* Two 16-byte loads, from p and p + 24, as the two halves of one register. */
__attribute__((target("avx2"))) static inline __m256i load_halves(const unsigned char *p)
{
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(p + 24));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

/* As pair_sums_ssse3 for 48 bytes at p: each 128-bit half does 24 of them. */
__attribute__((target("avx2"))) static inline void pair_sums_avx2(const unsigned char *p,
                                                                  __m256i *first, __m256i *second)
{
    RGB_MASKS;
    const __m256i ones = _mm256_set1_epi8(1);
    __m256i lo = load_halves(p), hi = load_halves(p + 8);
    *first = _mm256_maddubs_epi16(
        _mm256_or_si256(_mm256_shuffle_epi8(lo, _mm256_broadcastsi128_si256(first_lo)),
                        _mm256_shuffle_epi8(hi, _mm256_broadcastsi128_si256(first_hi))),
        ones);
    *second =
        _mm256_maddubs_epi16(_mm256_shuffle_epi8(hi, _mm256_broadcastsi128_si256(second_hi)), ones);
}

/* As rgb_ssse3, 8 pixels at a time: each 128-bit half does 4 of them. */
__attribute__((target("avx2"))) static ptrdiff_t
rgb_avx2(const unsigned char *a, const unsigned char *b, unsigned char *out, ptrdiff_t pairs)
{
    const __m256i quarter = _mm256_set1_epi16(1 << 13);
    /* Each half's 12 output bytes (dwords 0-2 of it) moved together into the first 24. */
    const __m256i compact = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    ptrdiff_t x = 0;
    for (; x + 8 <= pairs; x += 8) {
        __m256i a0, a1, b0, b1;
        pair_sums_avx2(a + 6 * x, &a0, &a1);
        pair_sums_avx2(b + 6 * x, &b0, &b1);
        __m256i s0 = _mm256_add_epi16(a0, b0), s1 = _mm256_add_epi16(a1, b1);
        __m256i r =
            _mm256_packus_epi16(_mm256_mulhrs_epi16(s0, quarter), _mm256_mulhrs_epi16(s1, quarter));
        r = _mm256_permutevar8x32_epi32(r, compact);
        /* 24 bytes, as 16 + 8, so that nothing past this block's output is touched. */
        unsigned char *o = out + 3 * x;
        _mm_storeu_si128((__m128i *)(void *)o, _mm256_castsi256_si128(r));
        _mm_storel_epi64((__m128i *)(void *)(o + 16), _mm256_extracti128_si256(r, 1));
    }
    return x;
}

/* The level in use (2 AVX2, 1 SSSE3, 0 none), -1 until the first row asks the CPU. */
static _Atomic int active = -1;

int tproc__reduce_set_simd(int level)
{
    __builtin_cpu_init();
    int have = __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3") ? 1 : 0;
    int l = level < have ? level : have;
    atomic_store_explicit(&active, l, memory_order_relaxed);
    return l;
}

ptrdiff_t tproc__reduce_2x2_u8_simd(const unsigned char *a, const unsigned char *b,
                                    unsigned char *out, ptrdiff_t pairs, int ch)
{
    int l = atomic_load_explicit(&active, memory_order_relaxed);
    if (l < 0) /* any thread racing here finds the same */
        l = tproc__reduce_set_simd(2);
    if (l >= 2)
        return ch == 1 ? grey_avx2(a, b, out, pairs) : rgb_avx2(a, b, out, pairs);
    if (l == 1)
        return ch == 1 ? grey_ssse3(a, b, out, pairs) : rgb_ssse3(a, b, out, pairs);
    return 0;
}

#else

int tproc__reduce_set_simd(int level)
{
    (void)level;
    return 0;
}

ptrdiff_t tproc__reduce_2x2_u8_simd(const unsigned char *a, const unsigned char *b,
                                    unsigned char *out, ptrdiff_t pairs, int ch)
{
    (void)a;
    (void)b;
    (void)out;
    (void)pairs;
    (void)ch;
    return 0;
}

#endif
