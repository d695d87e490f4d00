/* SPDX-License-Identifier: MIT */
/*
 * sobel_u8.c: the Sobel magnitude on u8 in integers (see sobel_u8.h).
 *
 * Both Sobel kernels are rank 1: gx is [1 2 1] down the columns, then [-1 0 1] along the row;
 * gy is [-1 0 1] down, then [1 2 1] along. The vertical pass keeps a + 2b + c and c - a per
 * column sample in 16-bit lanes, the horizontal one forms gx and gy (both within +-1020) and
 * q = gx^2 + gy^2 (at most 2080800, exact in 32 bits and in float).
 *
 * Rounding: the filter's output is round-half-up(sqrt(q)) clamped to 255 (a tie cannot occur).
 * Here it is trunc(fl(fl(sqrt(q)) + 0.5)) in single precision, clamped: for q below 65281 (an
 * output below 256) sqrt(q) is at least 0.00049 from any k + 1/2, because q and (k + 1/2)^2
 * are at least 1/4 apart, while the two roundings together move it by at most 2^-15 (3.1e-5);
 * above, the result is at least 256 and clamps. tproc__sobel_round is checked against the
 * exact integer rule in the tests (every q up to 69632, samples beyond). IEEE square root is
 * correctly rounded in every build (sqrtf, vsqrtps), so all builds give the same bytes.
 */
#include "kernels/sobel_u8.h"

#include <math.h>
#include <string.h>

#include "filter_internal.h"
#include "kernels/area_rows.h"

#if TPROC__SIMD_X86
#include <immintrin.h>
#endif

#define CHUNK 1024 /* output samples per pass of the horizontal and rounding loops */

TPROC__SIMD_BODY void vert_body(uint16_t *restrict sv, uint16_t *restrict dv,
                                const uint8_t *restrict a, const uint8_t *restrict b,
                                const uint8_t *restrict c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sv[i] = (uint16_t)(a[i] + 2 * b[i] + c[i]);
        dv[i] = (uint16_t)(c[i] - a[i]);
    }
}
TPROC__SIMD_VARIANTS(vert,
                     (uint16_t *restrict sv, uint16_t *restrict dv, const uint8_t *restrict a,
                      const uint8_t *restrict b, const uint8_t *restrict c, size_t n),
                     (sv, dv, a, b, c, n))

TPROC__SIMD_BODY void horiz_body(int32_t *restrict q, const uint16_t *restrict sv,
                                 const uint16_t *restrict dv, size_t ch, size_t n)
{
    for (size_t t = 0; t < n; t++) {
        int32_t gx = (int16_t)(uint16_t)(sv[t + 2 * ch] - sv[t]);
        int32_t gy = (int16_t)(uint16_t)(dv[t] + 2 * dv[t + ch] + dv[t + 2 * ch]);
        q[t] = gx * gx + gy * gy;
    }
}
TPROC__SIMD_VARIANTS(horiz,
                     (int32_t *restrict q, const uint16_t *restrict sv, const uint16_t *restrict dv,
                      size_t ch, size_t n),
                     (q, sv, dv, ch, n))

/* The rounding, per build: the compiler does not vectorise sqrtf (errno), so the vector builds
 * use the square-root instruction directly; all compute the same correctly rounded values. */
static void round_portable(uint8_t *out, const int32_t *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int32_t m = (int32_t)(sqrtf((float)q[i]) + 0.5f);
        out[i] = (uint8_t)(m < 255 ? m : 255);
    }
}

#if TPROC__SIMD_X86
TPROC__TARGET_AVX2 static void round_avx2(uint8_t *out, const int32_t *q, size_t n)
{
    const __m256 half = _mm256_set1_ps(0.5f);
    const __m256i top = _mm256_set1_epi32(255);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)(const void *)(q + i)));
        __m256i m = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_sqrt_ps(x), half));
        m = _mm256_min_epi32(m, top);
        __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
        _mm_storel_epi64((__m128i *)(void *)(out + i), _mm_packus_epi16(w, w));
    }
    for (; i < n; i++) {
        int32_t m = (int32_t)(sqrtf((float)q[i]) + 0.5f);
        out[i] = (uint8_t)(m < 255 ? m : 255);
    }
}

TPROC__TARGET_AVX512 static void round_avx512(uint8_t *out, const int32_t *q, size_t n)
{
    const __m512 half = _mm512_set1_ps(0.5f);
    const __m512i top = _mm512_set1_epi32(255);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 x = _mm512_cvtepi32_ps(_mm512_loadu_si512(q + i));
        __m512i m = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_sqrt_ps(x), half));
        _mm_storeu_si128((__m128i *)(void *)(out + i),
                         _mm512_cvtepi32_epi8(_mm512_min_epi32(m, top)));
    }
    if (i < n) {
        __mmask16 k = (__mmask16)((1u << (n - i)) - 1);
        __m512 x = _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(k, q + i));
        __m512i m = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_sqrt_ps(x), half));
        _mm_mask_storeu_epi8(out + i, k, _mm512_cvtepi32_epi8(_mm512_min_epi32(m, top)));
    }
    _mm256_zeroupper();
}
#endif

void tproc__sobel_round(tproc__simd level, uint8_t *out, const int32_t *q, size_t n)
{
    TPROC__SIMD_PICK(level, round)(out, q, n);
}

/* Scratch: the two vertical sums, a chunk of q, three packed input rows and a packed output
 * row. */
typedef struct layout {
    size_t sv, dv, q, rows[3], stage, total;
} layout;

static layout get_layout(int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    size_t ch = (size_t)channels, n_in, n_out;
    layout l = {0};
    if (tproc__mul((size_t)(in_w > 0 ? in_w : 0), ch, &n_in) ||
        tproc__mul((size_t)(out_w > 0 ? out_w : 0), ch, &n_out)) {
        l.total = SIZE_MAX;
        return l;
    }
    l.sv = tproc__carve(&l.total, n_in, 2);
    l.dv = tproc__carve(&l.total, n_in, 2);
    l.q = tproc__carve(&l.total, CHUNK, 4);
    for (int k = 0; k < 3; k++)
        l.rows[k] = tproc__carve(&l.total, n_in, 1);
    l.stage = tproc__carve(&l.total, n_out, 1);
    return l;
}

size_t tproc__sobel_u8_scratch(int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    return get_layout(channels, in_w, out_w).total;
}

void tproc__sobel_u8(tproc__simd level, const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    const ptrdiff_t span = out->width + 2;
    const size_t ch = (size_t)in->channels, n_in = (size_t)span * ch;
    const size_t n_out = (size_t)out->width * ch;
    layout l = get_layout(in->channels, in->width, out->width);
    unsigned char *s = call->scratch;
    uint16_t *sv = (uint16_t *)(void *)(s + l.sv), *dv = (uint16_t *)(void *)(s + l.dv);
    int32_t *q = (int32_t *)(void *)(s + l.q);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        const uint8_t *r[3];
        for (int k = 0; k < 3; k++)
            r[k] = tproc__row_in(in, ox - 1, oy + y - 1 + k, span, s + l.rows[k]);
        TPROC__SIMD_PICK(level, vert)(sv, dv, r[0], r[1], r[2], n_in);
        uint8_t *dst = tproc__row_out(out, y, s + l.stage);
        for (size_t t = 0; t < n_out; t += CHUNK) {
            size_t n = n_out - t < CHUNK ? n_out - t : CHUNK;
            TPROC__SIMD_PICK(level, horiz)(q, sv + t, dv + t, ch, n);
            TPROC__SIMD_PICK(level, round)(dst + t, q, n);
        }
        tproc__row_flush(out, y, s + l.stage);
        if (tproc__has_alpha(in->channels))
            tproc__copy_alpha(in, ox, oy + y, out, y);
    }
}
