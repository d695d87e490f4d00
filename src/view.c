/* SPDX-License-Identifier: MIT */
/*
 * view.c: the view algebra. Every operation is O(1), copies nothing, and checks its request
 * before touching *out, so a failed call leaves the caller's view as it was.
 */
#include <string.h>

#include "internal.h"
#include "view_internal.h"

static ptrdiff_t abs_diff(ptrdiff_t v)
{
    return v < 0 ? -v : v;
}

size_t tproc_view_pixel_size(const tproc_view *view)
{
    return (size_t)view->channels * tproc_sample_size(view->sample);
}

/* Checks the shape and that the farthest byte the view reaches fits in ptrdiff_t. */
static int check_shape(ptrdiff_t width, ptrdiff_t height, int channels, tproc_sample sample,
                       ptrdiff_t pixel_stride, ptrdiff_t row_stride)
{
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || tproc_sample_size(sample) == 0)
        return TPROC_ERR_ARG;
    size_t pixel = (size_t)channels * tproc_sample_size(sample);
    if (pixel_stride == PTRDIFF_MIN || row_stride == PTRDIFF_MIN)
        return TPROC_ERR_OVERFLOW;
    /* Two pixels of one row (or column) must not share samples. */
    if ((width > 1 && (size_t)abs_diff(pixel_stride) < pixel) ||
        (height > 1 && (size_t)abs_diff(row_stride) < pixel))
        return TPROC_ERR_ARG;
    size_t across, down, span;
    if (tproc__mul((size_t)(width - 1), (size_t)abs_diff(pixel_stride), &across) ||
        tproc__mul((size_t)(height - 1), (size_t)abs_diff(row_stride), &down) ||
        tproc__add(across, down, &span) || tproc__add(span, pixel, &span) ||
        span > (size_t)PTRDIFF_MAX)
        return TPROC_ERR_OVERFLOW;
    return TPROC_OK;
}

int tproc_view_init(tproc_view *out, void *data, ptrdiff_t width, ptrdiff_t height, int channels,
                    tproc_sample sample, ptrdiff_t pixel_stride, ptrdiff_t row_stride)
{
    if (!out || !data)
        return TPROC_ERR_ARG;
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || tproc_sample_size(sample) == 0)
        return TPROC_ERR_ARG;
    size_t pixel = (size_t)channels * tproc_sample_size(sample), row;
    if (pixel_stride == 0)
        pixel_stride = (ptrdiff_t)pixel;
    if (row_stride == 0) {
        if (tproc__mul((size_t)width, (size_t)abs_diff(pixel_stride), &row) ||
            row > (size_t)PTRDIFF_MAX)
            return TPROC_ERR_OVERFLOW;
        row_stride = (ptrdiff_t)row;
    }
    int status = check_shape(width, height, channels, sample, pixel_stride, row_stride);
    if (status)
        return status;
    tproc_view v = {data, width, height, channels, sample, pixel_stride, row_stride, 0};
    *out = v;
    return TPROC_OK;
}

int tproc_view_validate(const tproc_view *view)
{
    if (!view || !view->data)
        return TPROC_ERR_ARG;
    return check_shape(view->width, view->height, view->channels, view->sample, view->pixel_stride,
                       view->row_stride);
}

void tproc__view_extent(const tproc_view *v, ptrdiff_t *lo, ptrdiff_t *hi)
{
    ptrdiff_t across = (v->width - 1) * v->pixel_stride, down = (v->height - 1) * v->row_stride;
    *lo = (across < 0 ? across : 0) + (down < 0 ? down : 0);
    *hi = (across > 0 ? across : 0) + (down > 0 ? down : 0) + (ptrdiff_t)tproc_view_pixel_size(v);
}

int tproc__views_overlap(const tproc_view *a, const tproc_view *b)
{
    ptrdiff_t alo, ahi, blo, bhi;
    tproc__view_extent(a, &alo, &ahi);
    tproc__view_extent(b, &blo, &bhi);
    /* Integer addresses: the two views may come from unrelated allocations. */
    uintptr_t a0 = (uintptr_t)a->data + (uintptr_t)alo, a1 = (uintptr_t)a->data + (uintptr_t)ahi;
    uintptr_t b0 = (uintptr_t)b->data + (uintptr_t)blo, b1 = (uintptr_t)b->data + (uintptr_t)bhi;
    return a0 < b1 && b0 < a1;
}

void tproc__view_packed(tproc_view *out, void *data, ptrdiff_t width, ptrdiff_t height,
                        int channels, tproc_sample sample)
{
    ptrdiff_t pixel = (ptrdiff_t)((size_t)channels * tproc_sample_size(sample));
    tproc_view v = {data, width, height, channels, sample, pixel, pixel * width, 0};
    *out = v;
}

int tproc_view_is_contiguous(const tproc_view *view)
{
    ptrdiff_t pixel = (ptrdiff_t)tproc_view_pixel_size(view);
    return view->pixel_stride == pixel &&
           (view->height == 1 || view->row_stride == pixel * view->width);
}

int tproc_view_sub(const tproc_view *view, ptrdiff_t x, ptrdiff_t y, ptrdiff_t width,
                   ptrdiff_t height, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    if (x < 0 || y < 0 || width < 1 || height < 1 || x >= view->width || y >= view->height ||
        width > view->width - x || height > view->height - y)
        return TPROC_ERR_RANGE;
    tproc_view v = *view;
    v.data = tproc_view_pixel(view, x, y);
    v.width = width;
    v.height = height;
    *out = v;
    return TPROC_OK;
}

/* The view mirrored left-right (horizontal) or top-bottom: starts at the far end, steps back. */
static int flip(const tproc_view *view, int horizontal, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    tproc_view v = *view;
    v.data =
        tproc_view_pixel(view, horizontal ? view->width - 1 : 0, horizontal ? 0 : view->height - 1);
    if (horizontal)
        v.pixel_stride = -view->pixel_stride;
    else
        v.row_stride = -view->row_stride;
    *out = v;
    return TPROC_OK;
}

int tproc_view_flip_h(const tproc_view *view, tproc_view *out)
{
    return flip(view, 1, out);
}

int tproc_view_flip_v(const tproc_view *view, tproc_view *out)
{
    return flip(view, 0, out);
}

int tproc_view_transpose(const tproc_view *view, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    tproc_view v = *view;
    v.width = view->height;
    v.height = view->width;
    v.pixel_stride = view->row_stride;
    v.row_stride = view->pixel_stride;
    *out = v;
    return TPROC_OK;
}

int tproc_view_rotate(const tproc_view *view, int degrees, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    if (degrees % 90 != 0)
        return TPROC_ERR_RANGE;
    int quarter = ((degrees / 90) % 4 + 4) % 4;
    tproc_view v = *view;
    switch (quarter) {
    case 1: /* clockwise: the left column becomes the top row */
        tproc_view_transpose(view, &v);
        tproc_view_flip_h(&v, &v);
        break;
    case 2:
        tproc_view_flip_h(view, &v);
        tproc_view_flip_v(&v, &v);
        break;
    case 3:
        tproc_view_transpose(view, &v);
        tproc_view_flip_v(&v, &v);
        break;
    default:
        break;
    }
    *out = v;
    return TPROC_OK;
}

int tproc_view_channels(const tproc_view *view, int first, int count, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    if (first < 0 || count < 1 || first >= view->channels || count > view->channels - first)
        return TPROC_ERR_RANGE;
    tproc_view v = *view;
    v.data += (size_t)first * tproc_sample_size(view->sample);
    v.channels = count;
    *out = v;
    return TPROC_OK;
}

int tproc_view_step(const tproc_view *view, ptrdiff_t x_step, ptrdiff_t y_step, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    if (x_step < 1 || y_step < 1)
        return TPROC_ERR_RANGE;
    tproc_view v = *view;
    v.width = x_step >= view->width ? 1 : (view->width - 1) / x_step + 1;
    v.height = y_step >= view->height ? 1 : (view->height - 1) / y_step + 1;
    /* A stride only grows where there is a second pixel to reach, so this cannot overflow the
     * extent of the original view. */
    if (v.width > 1)
        v.pixel_stride = view->pixel_stride * x_step;
    if (v.height > 1)
        v.row_stride = view->row_stride * y_step;
    *out = v;
    return TPROC_OK;
}

int tproc_view_orient(const tproc_view *view, int orientation, tproc_view *out)
{
    if (!view || !out)
        return TPROC_ERR_ARG;
    tproc_view v = *view;
    switch (orientation) {
    case 2:
        tproc_view_flip_h(view, &v);
        break;
    case 3:
        tproc_view_rotate(view, 180, &v);
        break;
    case 4:
        tproc_view_flip_v(view, &v);
        break;
    case 5:
        tproc_view_transpose(view, &v);
        break;
    case 6:
        tproc_view_rotate(view, 90, &v);
        break;
    case 7: /* transverse: mirror about the top-right to bottom-left diagonal */
        tproc_view_transpose(view, &v);
        tproc_view_rotate(&v, 180, &v);
        break;
    case 8:
        tproc_view_rotate(view, 270, &v);
        break;
    default:
        break;
    }
    *out = v;
    return TPROC_OK;
}
