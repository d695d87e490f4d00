/* SPDX-License-Identifier: MIT */
/*
 * area_rows.h: what the area kernels (box, convolve, sobel, median, sharpen's point pass) share
 * for moving rows: packed access to rows of views whose pixels may have gaps between them, and
 * the carving of a tile's scratch block into 64-byte aligned parts.
 */
#ifndef TILEPROC_KERNELS_AREA_ROWS_H
#define TILEPROC_KERNELS_AREA_ROWS_H

#include <string.h>

#include "internal.h"
#include "tileproc/view.h"

static inline size_t tproc__pixel_bytes(const tproc_view *v)
{
    return (size_t)v->channels * tproc_sample_size(v->sample);
}

/* Pixels [x, x + n) of row y of v, packed: the row itself when v's pixels are packed, otherwise
 * a copy in buf (n pixels). */
static inline const unsigned char *tproc__row_in(const tproc_view *v, ptrdiff_t x, ptrdiff_t y,
                                                 ptrdiff_t n, unsigned char *buf)
{
    const unsigned char *src = tproc_view_pixel(v, x, y);
    size_t px = tproc__pixel_bytes(v);
    if (v->pixel_stride == (ptrdiff_t)px)
        return src;
    for (ptrdiff_t i = 0; i < n; i++)
        memcpy(buf + (size_t)i * px, src + i * v->pixel_stride, px);
    return buf;
}

/* Where packed row y of out is written: the row itself, or buf (then tproc__row_flush). */
static inline unsigned char *tproc__row_out(const tproc_view *v, ptrdiff_t y, unsigned char *buf)
{
    return v->pixel_stride == (ptrdiff_t)tproc__pixel_bytes(v) ? tproc_view_pixel(v, 0, y) : buf;
}

static inline void tproc__row_flush(const tproc_view *v, ptrdiff_t y, const unsigned char *buf)
{
    size_t px = tproc__pixel_bytes(v);
    if (v->pixel_stride == (ptrdiff_t)px)
        return;
    unsigned char *dst = tproc_view_pixel(v, 0, y);
    for (ptrdiff_t i = 0; i < v->width; i++)
        memcpy(dst + i * v->pixel_stride, buf + (size_t)i * px, px);
}

/* Copies the alpha samples (the last channel) of row y of in, from pixel x0 on, to row y of
 * out: the area filters that do not premultiply keep the centre pixel's alpha. */
static inline void tproc__copy_alpha(const tproc_view *in, ptrdiff_t x0, ptrdiff_t yin,
                                     const tproc_view *out, ptrdiff_t yout)
{
    size_t ss = tproc_sample_size(in->sample), at = (size_t)(out->channels - 1) * ss;
    const unsigned char *s = tproc_view_pixel(in, x0, yin) + at;
    unsigned char *d = tproc_view_pixel(out, 0, yout) + at;
    for (ptrdiff_t x = 0; x < out->width; x++, s += in->pixel_stride, d += out->pixel_stride)
        memcpy(d, s, ss);
}

/*
 * Scratch layout: tproc__carve(&total, count, size) returns the offset of the next part of
 * count elements of size bytes and moves total past it (64-byte aligned). On overflow total
 * becomes SIZE_MAX, which the engine refuses as a scratch size, so offsets are never used.
 */
static inline size_t tproc__carve(size_t *total, size_t count, size_t size)
{
    size_t at = *total, bytes;
    if (at == SIZE_MAX || tproc__mul(count, size, &bytes) || tproc__align_up(bytes, 64, &bytes) ||
        tproc__add(at, bytes, total)) {
        *total = SIZE_MAX;
        return 0;
    }
    return at;
}

#endif
