/* SPDX-License-Identifier: MIT */
/*
 * border.c: where a read outside an image lands under each border rule, and filling a
 * rectangle that may reach past the edges. Rows are resolved once each; within a row the part
 * inside the image is copied as a run and only the overhang goes pixel by pixel.
 */
#include <string.h>

#include "internal.h"
#include "view_internal.h"

/* Non-negative remainder. */
static ptrdiff_t mod(ptrdiff_t i, ptrdiff_t n)
{
    ptrdiff_t m = i % n;
    return m < 0 ? m + n : m;
}

ptrdiff_t tproc_border_index(ptrdiff_t i, ptrdiff_t n, tproc_border border)
{
    if (n <= 0)
        return -1;
    if (i >= 0 && i < n)
        return i;
    switch (border) {
    case TPROC_BORDER_REPLICATE:
        return i < 0 ? 0 : n - 1;
    case TPROC_BORDER_REFLECT: { /* period 2n: abc|cba|abc */
        ptrdiff_t m = mod(i, 2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }
    case TPROC_BORDER_REFLECT_101: { /* period 2n-2: abc|b|abc; a single sample reflects to itself
                                      */
        if (n == 1)
            return 0;
        ptrdiff_t m = mod(i, 2 * n - 2);
        return m < n ? m : 2 * n - 2 - m;
    }
    case TPROC_BORDER_WRAP:
        return mod(i, n);
    case TPROC_BORDER_CONSTANT:
    default:
        return -1;
    }
}

int tproc_view_read_border(const tproc_view *src, tproc_rect rect, tproc_border border,
                           const double *value, const tproc_view *dst)
{
    if (!src || tproc_view_validate(src))
        return TPROC_ERR_ARG;
    tproc_rect all = {0, 0, src->width, src->height};
    return tproc__read_border_region(src, all, src->width, src->height, rect, border, value, dst);
}

int tproc__read_border_region(const tproc_view *region, tproc_rect at, ptrdiff_t full_width,
                              ptrdiff_t full_height, tproc_rect rect, tproc_border border,
                              const double *value, const tproc_view *dst)
{
    if (!region || !dst || tproc_view_validate(region) || tproc_view_validate(dst))
        return TPROC_ERR_ARG;
    if (dst->width != rect.width || dst->height != rect.height ||
        dst->channels != region->channels || dst->sample != region->sample)
        return TPROC_ERR_ARG;
    if (dst->flags & TPROC_VIEW_READONLY)
        return TPROC_ERR_READONLY;
    if ((unsigned)border > TPROC_BORDER_WRAP)
        return TPROC_ERR_ARG;
    /* Every position rect.x + x must be representable. */
    if (rect.x > PTRDIFF_MAX - rect.width || rect.y > PTRDIFF_MAX - rect.height)
        return TPROC_ERR_RANGE;
    unsigned char fill[16];
    size_t pixel = tproc_view_pixel_size(region);
    tproc__encode_pixel(fill, region->sample, region->channels, value);

    /* Columns [in0, in1) of dst read image columns rect.x + in0 ... directly. */
    ptrdiff_t in0 = rect.x >= 0 ? 0 : rect.x < -rect.width ? rect.width : -rect.x;
    ptrdiff_t in1 = rect.x > full_width - rect.width ? full_width - rect.x : rect.width;
    if (in1 < in0)
        in1 = in0;
    ptrdiff_t packed = (ptrdiff_t)pixel;
    for (ptrdiff_t y = 0; y < rect.height; y++) {
        unsigned char *d = tproc_view_pixel(dst, 0, y);
        ptrdiff_t sy = tproc_border_index(rect.y + y, full_height, border);
        if (sy < 0) {
            for (ptrdiff_t x = 0; x < rect.width; x++, d += dst->pixel_stride)
                memcpy(d, fill, pixel);
            continue;
        }
        sy -= at.y;
        for (ptrdiff_t x = 0; x < in0; x++, d += dst->pixel_stride) {
            ptrdiff_t sx = tproc_border_index(rect.x + x, full_width, border);
            memcpy(d, sx < 0 ? fill : tproc_view_pixel(region, sx - at.x, sy), pixel);
        }
        if (in1 > in0) {
            const unsigned char *s = tproc_view_pixel(region, rect.x + in0 - at.x, sy);
            if (region->pixel_stride == packed && dst->pixel_stride == packed) {
                memcpy(d, s, pixel * (size_t)(in1 - in0));
                d += packed * (in1 - in0);
            } else {
                for (ptrdiff_t x = in0; x < in1; x++, d += dst->pixel_stride) {
                    memcpy(d, s, pixel);
                    s += region->pixel_stride;
                }
            }
        }
        for (ptrdiff_t x = in1; x < rect.width; x++, d += dst->pixel_stride) {
            ptrdiff_t sx = tproc_border_index(rect.x + x, full_width, border);
            memcpy(d, sx < 0 ? fill : tproc_view_pixel(region, sx - at.x, sy), pixel);
        }
    }
    return TPROC_OK;
}
