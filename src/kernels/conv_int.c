/* SPDX-License-Identifier: MIT */
/*
 * conv_int.c: the kernels of convolve's integer path (see conv_int.h for why it is exact).
 *
 * Sums are kept in unsigned lanes, 16 or 32 bits, so they wrap instead of overflowing: the
 * arithmetic is exact modulo 2^16 (or 2^32), and the true S' lies in [-2^15, 2^15) (or the
 * 32-bit range), so reading the lane as signed gives it back whatever the order of the terms.
 * A rank-1 matrix runs as a vertical pass into a row of sums and a horizontal pass over it;
 * 3x3 and 5x5 matrices on u8 with 16-bit sums run fused, every tap unrolled; other matrices
 * add one tap at a time over a row of sums. The output formula is then applied to the row.
 * The loops are plain C that the compiler vectorises, built for each instruction set (simd.h).
 */
#include "kernels/conv_int.h"

#include <string.h>

#include "filter_internal.h"
#include "kernels/area_rows.h"

/* --- output formulas ------------------------------------------------------------------------ */

TPROC__SIMD_BODY int32_t fixed_out(int32_t s, int32_t mul, int32_t add, int shift, int32_t max)
{
    int32_t v = (s * mul + add) >> shift;
    return v < 0 ? 0 : v > max ? max : v;
}

TPROC__SIMD_BODY double double_out(int32_t s, double unit, double scale, double offset, double max)
{
    double v = scale * ((double)s * unit) + offset;
    v = v > 0.0 ? v : 0.0;
    v = v < max ? v : max;
    return v + 0.5;
}

TPROC__SIMD_BODY void map16_u8_body(uint8_t *restrict out, const uint16_t *restrict s, int32_t mul,
                                    int32_t add, int shift, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)fixed_out((int16_t)s[i], mul, add, shift, 255);
}
TPROC__SIMD_VARIANTS(map16_u8,
                     (uint8_t *restrict out, const uint16_t *restrict s, int32_t mul, int32_t add,
                      int shift, size_t n),
                     (out, s, mul, add, shift, n))

#define MAP32(name, out_t, max)                                                                    \
    TPROC__SIMD_BODY void name##_fixed_body(out_t *restrict out, const uint32_t *restrict s,       \
                                            int32_t mul, int32_t add, int shift, size_t n)         \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            out[i] = (out_t)fixed_out((int32_t)s[i], mul, add, shift, max);                        \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(name##_fixed,                                                             \
                         (out_t *restrict out, const uint32_t *restrict s, int32_t mul,            \
                          int32_t add, int shift, size_t n),                                       \
                         (out, s, mul, add, shift, n))                                             \
    TPROC__SIMD_BODY void name##_double_body(out_t *restrict out, const uint32_t *restrict s,      \
                                             double unit, double scale, double offset, size_t n)   \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            out[i] = (out_t)(int32_t)double_out((int32_t)s[i], unit, scale, offset, max);          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(name##_double,                                                            \
                         (out_t *restrict out, const uint32_t *restrict s, double unit,            \
                          double scale, double offset, size_t n),                                  \
                         (out, s, unit, scale, offset, n))
MAP32(map32_u8, uint8_t, 255)
MAP32(map32_u16, uint16_t, 65535)

/* --- one tap at a time ---------------------------------------------------------------------- */

/* acc[i] += w * src[i] (modulo the lane width), for the sum and source types. */
#define TAP(name, acc_t, src_t)                                                                    \
    TPROC__SIMD_BODY void name##_body(acc_t *restrict acc, const src_t *restrict src, acc_t w,     \
                                      size_t n)                                                    \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            acc[i] = (acc_t)(acc[i] + (acc_t)(w * src[i]));                                        \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(name,                                                                     \
                         (acc_t *restrict acc, const src_t *restrict src, acc_t w, size_t n),      \
                         (acc, src, w, n))
TAP(tap16_u8, uint16_t, uint8_t)
TAP(tap16_16, uint16_t, uint16_t)
TAP(tap32_u8, uint32_t, uint8_t)
TAP(tap32_u16, uint32_t, uint16_t)
TAP(tap32_32, uint32_t, uint32_t)

/* --- fused 3x3 and 5x5, u8 with 16-bit sums ------------------------------------------------ */

/* Term (j, i) of the sum for output sample t: w[j][i] * row j at sample t + i * ch. */
#define T(j, i) (uint16_t)(w[(j)*K + (i)] * r[j][t + (i)*ch])

#define FUSED(K, SUM)                                                                              \
    TPROC__SIMD_BODY void conv##K##_body(uint8_t *restrict out, const uint8_t *const *rows,        \
                                         size_t ch, const uint16_t *wts, int32_t mul, int32_t add, \
                                         int shift, size_t n)                                      \
    {                                                                                              \
        uint16_t w[K * K];                                                                         \
        const uint8_t *r[K];                                                                       \
        for (int k = 0; k < K * K; k++)                                                            \
            w[k] = wts[k];                                                                         \
        for (int k = 0; k < K; k++)                                                                \
            r[k] = rows[k];                                                                        \
        for (size_t t = 0; t < n; t++) {                                                           \
            uint16_t s = (uint16_t)(SUM);                                                          \
            out[t] = (uint8_t)fixed_out((int16_t)s, mul, add, shift, 255);                         \
        }                                                                                          \
    }                                                                                              \
    TPROC__SIMD_VARIANTS(conv##K,                                                                  \
                         (uint8_t *restrict out, const uint8_t *const *rows, size_t ch,            \
                          const uint16_t *wts, int32_t mul, int32_t add, int shift, size_t n),     \
                         (out, rows, ch, wts, mul, add, shift, n))

#define ROW3(j) T(j, 0) + T(j, 1) + T(j, 2)
#define ROW5(j) T(j, 0) + T(j, 1) + T(j, 2) + T(j, 3) + T(j, 4)
#define K 3
FUSED(3, ROW3(0) + ROW3(1) + ROW3(2))
#undef K
#define K 5
FUSED(5, ROW5(0) + ROW5(1) + ROW5(2) + ROW5(3) + ROW5(4))
#undef K

/* --- the tile ------------------------------------------------------------------------------- */

/* Scratch: packed copies of the mh input rows (for inputs whose pixels have gaps), the
 * vertical sums of a rank-1 matrix, the row of sums, and a packed output row. */
typedef struct layout {
    size_t rows, vert, sums, stage, row_bytes, total;
} layout;

static layout get_layout(const tproc__conv *c, int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    size_t ch = (size_t)channels, ss = tproc_sample_size(c->sample), lane = c->narrow ? 2 : 4;
    size_t n_in, n_out, rows;
    layout l = {0};
    if (tproc__mul((size_t)(in_w > 0 ? in_w : 0), ch, &n_in) ||
        tproc__mul((size_t)(out_w > 0 ? out_w : 0), ch, &n_out) ||
        tproc__mul(n_in, ss, &l.row_bytes) || tproc__align_up(l.row_bytes, 64, &l.row_bytes) ||
        tproc__mul(l.row_bytes, (size_t)c->mh, &rows)) {
        l.total = SIZE_MAX;
        return l;
    }
    l.rows = tproc__carve(&l.total, rows, 1);
    l.vert = tproc__carve(&l.total, c->separable ? n_in : 0, lane);
    l.sums = tproc__carve(&l.total, n_out, lane);
    l.stage = tproc__carve(&l.total, n_out, ss);
    return l;
}

size_t tproc__conv_scratch(const tproc__conv *c, int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    return get_layout(c, channels, in_w, out_w).total;
}

/* acc (n sums) += w * src, choosing the kernel for the lane width and source type. */
static void tap(const tproc__conv *c, void *acc, const void *src, int src_is_sum, int32_t w,
                size_t n)
{
    if (c->narrow) {
        if (src_is_sum)
            TPROC__SIMD_PICK(c->simd, tap16_16)(acc, src, (uint16_t)w, n);
        else
            TPROC__SIMD_PICK(c->simd, tap16_u8)(acc, src, (uint16_t)w, n);
    } else if (src_is_sum) {
        TPROC__SIMD_PICK(c->simd, tap32_32)(acc, src, (uint32_t)w, n);
    } else if (c->sample == TPROC_U8) {
        TPROC__SIMD_PICK(c->simd, tap32_u8)(acc, src, (uint32_t)w, n);
    } else {
        TPROC__SIMD_PICK(c->simd, tap32_u16)(acc, src, (uint32_t)w, n);
    }
}

/* The output formula over a row of sums. */
static void map_row(const tproc__conv *c, void *dst, const void *sums, size_t n)
{
    tproc__simd v = c->simd;
    if (c->narrow)
        TPROC__SIMD_PICK(v, map16_u8)(dst, sums, c->mul, c->add, c->shift, n);
    else if (c->sample == TPROC_U8 && c->fixed)
        TPROC__SIMD_PICK(v, map32_u8_fixed)(dst, sums, c->mul, c->add, c->shift, n);
    else if (c->sample == TPROC_U8)
        TPROC__SIMD_PICK(v, map32_u8_double)(dst, sums, c->unit, c->scale, c->offset, n);
    else if (c->fixed)
        TPROC__SIMD_PICK(v, map32_u16_fixed)(dst, sums, c->mul, c->add, c->shift, n);
    else
        TPROC__SIMD_PICK(v, map32_u16_double)(dst, sums, c->unit, c->scale, c->offset, n);
}

/* One output row from the mh input rows (rows[j]: packed, from the first input pixel any
 * output sample of the row reads). */
static void conv_row(const tproc__conv *c, const unsigned char *const *rows, size_t ch, size_t n_in,
                     size_t n_out, unsigned char *s, const layout *l, unsigned char *dst)
{
    size_t ss = tproc_sample_size(c->sample), lane = c->narrow ? 2 : 4;
    void *sums = s + l->sums;
    if (c->narrow && !c->separable && c->mw == c->mh && (c->mw == 3 || c->mw == 5)) {
        uint16_t w[25];
        for (int k = 0; k < c->mw * c->mh; k++)
            w[k] = (uint16_t)c->a[k];
        const uint8_t *const *r = (const uint8_t *const *)rows;
        if (c->mw == 3)
            TPROC__SIMD_PICK(c->simd, conv3)(dst, r, ch, w, c->mul, c->add, c->shift, n_out);
        else
            TPROC__SIMD_PICK(c->simd, conv5)(dst, r, ch, w, c->mul, c->add, c->shift, n_out);
        return;
    }
    memset(sums, 0, n_out * lane);
    if (c->separable) {
        void *vert = s + l->vert;
        memset(vert, 0, n_in * lane);
        for (int j = 0; j < c->mh; j++)
            if (c->vert[j])
                tap(c, vert, rows[j], 0, c->vert[j], n_in);
        for (int i = 0; i < c->mw; i++)
            if (c->horiz[i])
                tap(c, sums, (unsigned char *)vert + (size_t)i * ch * lane, 1, c->horiz[i], n_out);
    } else {
        for (int j = 0; j < c->mh; j++)
            for (int i = 0; i < c->mw; i++)
                if (c->a[j * c->mw + i])
                    tap(c, sums, rows[j] + (size_t)i * ch * ss, 0, c->a[j * c->mw + i], n_out);
    }
    map_row(c, dst, sums, n_out);
}

void tproc__conv_process(const tproc__conv *c, const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const int cx = (c->mw - 1) / 2, cy = (c->mh - 1) / 2;
    /* Output (x, y) is centred on input (x + ox, y + oy); its taps start cx, cy before. */
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    const ptrdiff_t span = out->width + c->mw - 1;
    const size_t ch = (size_t)in->channels;
    layout l = get_layout(c, in->channels, in->width, out->width);
    unsigned char *s = call->scratch;
    const unsigned char *rows[25];
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (int j = 0; j < c->mh; j++) {
            ptrdiff_t iy = oy + y + j - cy;
            /* Copies (for gapped pixels) go to slot iy mod mh: the window's rows never share one.
             */
            rows[j] = tproc__row_in(in, ox - cx, iy, span,
                                    s + l.rows + (size_t)(iy % c->mh) * l.row_bytes);
        }
        unsigned char *dst = tproc__row_out(out, y, s + l.stage);
        conv_row(c, rows, ch, (size_t)span * ch, (size_t)out->width * ch, s, &l, dst);
        tproc__row_flush(out, y, s + l.stage);
        if (tproc__has_alpha(in->channels))
            tproc__copy_alpha(in, ox, oy + y, out, y);
    }
}
