/* SPDX-License-Identifier: MIT */
/*
 * convert.c: copying between views of any strides (with sample type and channel conversion),
 * filling and comparing. The common case, same format on both sides, copies whole rows or
 * whole pixels; conversions go through doubles, one sample at a time, with the rounding rules
 * written in view.h.
 */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "view_internal.h"

double tproc__get_sample(const unsigned char *p, tproc_sample s, int c)
{
    switch (s) {
    case TPROC_U8:
        return p[c];
    case TPROC_U16: {
        uint16_t v;
        memcpy(&v, p + 2 * c, 2);
        return v;
    }
    case TPROC_F32: {
        float v;
        memcpy(&v, p + 4 * c, 4);
        return v;
    }
    }
    return 0.0;
}

void tproc__put_sample(unsigned char *p, tproc_sample s, int c, double v)
{
    switch (s) {
    case TPROC_U8:
        p[c] = (unsigned char)floor(tproc__clamp(v, 0.0, 255.0) + 0.5);
        break;
    case TPROC_U16: {
        uint16_t u = (uint16_t)floor(tproc__clamp(v, 0.0, 65535.0) + 0.5);
        memcpy(p + 2 * c, &u, 2);
        break;
    }
    case TPROC_F32: {
        float f = (float)v;
        memcpy(p + 4 * c, &f, 4);
        break;
    }
    }
}

void tproc__encode_pixel(unsigned char *pixel, tproc_sample sample, int channels,
                         const double *value)
{
    for (int c = 0; c < channels; c++)
        tproc__put_sample(pixel, sample, c, value ? value[c] : 0.0);
}

/* Copies n pixels of `size` bytes between strided rows; a fixed size lets the compiler turn
 * each memcpy into a move or two instead of a call. */
#define TPROC__COPY_PIXELS(size)                                                                   \
    for (ptrdiff_t x = 0; x < n; x++, s += ss, d += ds)                                            \
        memcpy(d, s, size);

static void copy_pixels(unsigned char *d, ptrdiff_t ds, const unsigned char *s, ptrdiff_t ss,
                        ptrdiff_t n, size_t pixel)
{
    switch (pixel) {
    case 1:
        TPROC__COPY_PIXELS(1) break;
    case 2:
        TPROC__COPY_PIXELS(2) break;
    case 3:
        TPROC__COPY_PIXELS(3) break;
    case 4:
        TPROC__COPY_PIXELS(4) break;
    case 6:
        TPROC__COPY_PIXELS(6) break;
    case 8:
        TPROC__COPY_PIXELS(8) break;
    case 12:
        TPROC__COPY_PIXELS(12) break;
    case 16:
        TPROC__COPY_PIXELS(16) break;
    default:
        TPROC__COPY_PIXELS(pixel) break;
    }
}

/* Same format on both sides: rows with memcpy when pixels are packed, else pixel by pixel. */
static void copy_same(const tproc_view *src, const tproc_view *dst)
{
    size_t pixel = tproc_view_pixel_size(src);
    ptrdiff_t packed = (ptrdiff_t)pixel;
    for (ptrdiff_t y = 0; y < src->height; y++) {
        const unsigned char *s = tproc_view_pixel(src, 0, y);
        unsigned char *d = tproc_view_pixel(dst, 0, y);
        if (src->pixel_stride == packed && dst->pixel_stride == packed)
            memcpy(d, s, pixel * (size_t)src->width);
        else
            copy_pixels(d, dst->pixel_stride, s, src->pixel_stride, src->width, pixel);
    }
}

/*
 * One pixel from src's layout to dst's, in natural units: colour from colour, gray repeated,
 * Rec. 601 luma for colour to gray; alpha kept, added opaque, or dropped.
 */
static void convert_pixel(const unsigned char *s, const tproc_view *src, unsigned char *d,
                          const tproc_view *dst)
{
    double in[4] = {0}, out[4] = {0};
    double scale = tproc__sample_max(dst->sample) / tproc__sample_max(src->sample);
    for (int c = 0; c < src->channels; c++)
        in[c] = tproc__get_sample(s, src->sample, c);
    int src_colour = src->channels >= 3, dst_colour = dst->channels >= 3;
    int src_alpha = src->channels == 2 || src->channels == 4;
    int dst_alpha = dst->channels == 2 || dst->channels == 4;
    if (dst_colour) {
        for (int c = 0; c < 3; c++)
            out[c] = src_colour ? in[c] : in[0];
    } else {
        out[0] = src_colour ? 0.299 * in[0] + 0.587 * in[1] + 0.114 * in[2] : in[0];
    }
    if (dst_alpha)
        out[dst->channels - 1] = src_alpha ? in[src->channels - 1] : tproc__sample_max(src->sample);
    for (int c = 0; c < dst->channels; c++) {
        double v = out[c] * scale;
        if (src->sample == TPROC_F32 && dst->sample != TPROC_F32)
            v = tproc__clamp(v, 0.0, tproc__sample_max(dst->sample));
        tproc__put_sample(d, dst->sample, c, v);
    }
}

static void copy_convert(const tproc_view *src, const tproc_view *dst)
{
    for (ptrdiff_t y = 0; y < src->height; y++) {
        const unsigned char *s = tproc_view_pixel(src, 0, y);
        unsigned char *d = tproc_view_pixel(dst, 0, y);
        for (ptrdiff_t x = 0; x < src->width; x++) {
            convert_pixel(s, src, d, dst);
            s += src->pixel_stride;
            d += dst->pixel_stride;
        }
    }
}

int tproc_view_copy(tproc_ctx *ctx, const tproc_view *src, const tproc_view *dst)
{
    if (!src || !dst || tproc_view_validate(src) || tproc_view_validate(dst))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_view_copy: invalid view");
    if (dst->flags & TPROC_VIEW_READONLY)
        return tproc__error(ctx, TPROC_ERR_READONLY, "tproc_view_copy: destination is read-only");
    if (src->width != dst->width || src->height != dst->height)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "tproc_view_copy: sizes differ (%tdx%td into %tdx%td)", src->width,
                            src->height, dst->width, dst->height);
    if (src->data == dst->data && src->pixel_stride == dst->pixel_stride &&
        src->row_stride == dst->row_stride && src->sample == dst->sample &&
        src->channels == dst->channels)
        return TPROC_OK; /* the same pixels: a stream's empty chain decodes into its output */
    if (tproc__views_overlap(src, dst)) {
        /* Copy the source out first, as memmove would. */
        tproc_image *tmp;
        int status = tproc_image_from_view(ctx, src, &tmp);
        if (status)
            return status;
        tproc_view t = tproc_image_view(tmp);
        status = tproc_view_copy(ctx, &t, dst);
        tproc_image_free(&tmp);
        return status;
    }
    if (src->sample == dst->sample && src->channels == dst->channels)
        copy_same(src, dst);
    else
        copy_convert(src, dst);
    return TPROC_OK;
}

int tproc_view_fill(const tproc_view *dst, const double *value)
{
    if (!dst || !value || tproc_view_validate(dst))
        return TPROC_ERR_ARG;
    if (dst->flags & TPROC_VIEW_READONLY)
        return TPROC_ERR_READONLY;
    unsigned char pixel[16];
    size_t size = tproc_view_pixel_size(dst);
    tproc__encode_pixel(pixel, dst->sample, dst->channels, value);
    for (ptrdiff_t y = 0; y < dst->height; y++) {
        unsigned char *d = tproc_view_pixel(dst, 0, y);
        for (ptrdiff_t x = 0; x < dst->width; x++, d += dst->pixel_stride)
            memcpy(d, pixel, size);
    }
    return TPROC_OK;
}

int tproc_view_compare(const tproc_view *a, const tproc_view *b, tproc_diff *out)
{
    if (!a || !b || !out || tproc_view_validate(a) || tproc_view_validate(b))
        return TPROC_ERR_ARG;
    if (a->width != b->width || a->height != b->height || a->channels != b->channels ||
        a->sample != b->sample)
        return TPROC_ERR_ARG;
    double max_abs = 0.0, sum_abs = 0.0, sum_sq = 0.0;
    size_t differing = 0;
    for (ptrdiff_t y = 0; y < a->height; y++) {
        for (ptrdiff_t x = 0; x < a->width; x++) {
            const unsigned char *pa = tproc_view_pixel(a, x, y), *pb = tproc_view_pixel(b, x, y);
            for (int c = 0; c < a->channels; c++) {
                double d =
                    fabs(tproc__get_sample(pa, a->sample, c) - tproc__get_sample(pb, b->sample, c));
                if (d != 0.0)
                    differing++;
                if (d > max_abs)
                    max_abs = d;
                sum_abs += d;
                sum_sq += d * d;
            }
        }
    }
    double n = (double)a->width * (double)a->height * a->channels;
    double peak = tproc__sample_max(a->sample);
    out->max_abs = max_abs;
    out->mean_abs = sum_abs / n;
    out->differing = differing;
    out->psnr = sum_sq == 0.0 ? INFINITY : 10.0 * log10(peak * peak / (sum_sq / n));
    return TPROC_OK;
}
