/* SPDX-License-Identifier: MIT */
/*
 * view.h: a borrowed, non-owning 2-D strided description of pixels, the C side of Python's
 * buffer protocol and of cv::Mat's header.
 *
 * Pixel (x, y), channel c lives at
 *     data + y * row_stride + x * pixel_stride + c * sample_size
 * with both strides in bytes and signed. Rectangles, flips, transposes, rotations, channel
 * selections and steps are O(1) changes to those numbers and copy nothing; any composition is
 * again a view. Operations refuse out-of-range requests with TPROC_ERR_RANGE (never undefined
 * behaviour) and leave *out untouched on failure.
 *
 * Lifetime: a view points into memory it does not own. It must not outlive the image (or the
 * caller memory) it was taken from; nothing is ever freed through a view.
 */
#ifndef TILEPROC_VIEW_H
#define TILEPROC_VIEW_H

#include "base.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The view may be read but not written (a read-only Python buffer, say). */
#define TPROC_VIEW_READONLY 1u

typedef struct tproc_view {
    unsigned char *data;    /* the first sample of pixel (0, 0) */
    ptrdiff_t width;        /* pixels; >= 1 */
    ptrdiff_t height;       /* pixels; >= 1 */
    int channels;           /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    tproc_sample sample;    /* sample type of every channel */
    ptrdiff_t pixel_stride; /* bytes from (x, y) to (x + 1, y); may be negative */
    ptrdiff_t row_stride;   /* bytes from (x, y) to (x, y + 1); may be negative */
    unsigned flags;         /* TPROC_VIEW_READONLY */
} tproc_view;

/*
 * Describes caller memory as a view. A stride of 0 means packed (pixel_stride = channels *
 * sample size; row_stride = width * pixel_stride). Fails if a size is non-positive, channels is
 * not 1-4, the sample type is unknown, strides would overlap the samples of one pixel, or the
 * byte extent overflows.
 */
TPROC_API int tproc_view_init(tproc_view *out, void *data, ptrdiff_t width, ptrdiff_t height,
                              int channels, tproc_sample sample, ptrdiff_t pixel_stride,
                              ptrdiff_t row_stride);

/* Checks that a view is well formed (as tproc_view_init would have made it). */
TPROC_API int tproc_view_validate(const tproc_view *view);

/* Address of pixel (x, y); no bounds check (the caller keeps 0 <= x < width, 0 <= y < height). */
static inline unsigned char *tproc_view_pixel(const tproc_view *v, ptrdiff_t x, ptrdiff_t y)
{
    return v->data + y * v->row_stride + x * v->pixel_stride;
}

/* Bytes one pixel's samples take (channels * sample size). */
TPROC_API size_t tproc_view_pixel_size(const tproc_view *view);

/* True when pixels are packed left to right and rows top to bottom with no gaps. */
TPROC_API int tproc_view_is_contiguous(const tproc_view *view);

/* The rectangle (x, y, width, height); it must lie inside the view. */
TPROC_API int tproc_view_sub(const tproc_view *view, ptrdiff_t x, ptrdiff_t y, ptrdiff_t width,
                             ptrdiff_t height, tproc_view *out);
/* Mirror left-right. */
TPROC_API int tproc_view_flip_h(const tproc_view *view, tproc_view *out);
/* Mirror top-bottom. */
TPROC_API int tproc_view_flip_v(const tproc_view *view, tproc_view *out);
/* Swap x and y (mirror about the top-left to bottom-right diagonal). */
TPROC_API int tproc_view_transpose(const tproc_view *view, tproc_view *out);
/* Rotate clockwise by 0, 90, 180 or 270 degrees (negative multiples of 90 turn the other way). */
TPROC_API int tproc_view_rotate(const tproc_view *view, int degrees, tproc_view *out);
/* Channels [first, first + count) of every pixel, e.g. (3, 1) is the alpha of RGBA. */
TPROC_API int tproc_view_channels(const tproc_view *view, int first, int count, tproc_view *out);
/* Every x_step-th pixel of every y_step-th row, starting at (0, 0); sizes round up. */
TPROC_API int tproc_view_step(const tproc_view *view, ptrdiff_t x_step, ptrdiff_t y_step,
                              tproc_view *out);

/* EXIF orientation 1-8 as a view transform that shows the stored pixels upright; values
 * outside 1-8 are treated as 1. */
TPROC_API int tproc_view_orient(const tproc_view *view, int exif_orientation, tproc_view *out);

/*
 * Copies src into dst, which must have the same width and height. Sample types convert
 * (u8 -> u16 multiplies by 257; u16 -> u8 is round(v / 257); to f32 divides by the maximum; from
 * f32 clamps to [0, 1] and rounds half up); channel counts convert (gray -> RGB repeats,
 * RGB -> gray is Rec. 601 luma rounded, a missing alpha is opaque, an extra one is dropped).
 * Overlapping src and dst are handled as if src were copied out first (a view copied onto
 * itself is left as it is, without a copy).
 */
TPROC_API int tproc_view_copy(tproc_ctx *ctx, const tproc_view *src, const tproc_view *dst);

/* Sets every pixel of dst to value[0..channels-1], given in the sample's natural range (u8
 * 0-255, u16 0-65535, f32 as is); integer types round and clamp. */
TPROC_API int tproc_view_fill(const tproc_view *dst, const double *value);

/* Differences between two views of the same size, channels and sample type. */
typedef struct tproc_diff {
    double max_abs;   /* largest |a - b| over all samples, in sample units */
    double mean_abs;  /* mean |a - b| */
    size_t differing; /* samples that are not equal */
    double psnr;      /* dB against the type's maximum (1.0 for f32); INFINITY when equal */
} tproc_diff;
TPROC_API int tproc_view_compare(const tproc_view *a, const tproc_view *b, tproc_diff *out);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_VIEW_H */
