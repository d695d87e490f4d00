/* SPDX-License-Identifier: MIT */
/*
 * crop.c: crop:x=,y=,width=,height= keeps a rectangle of the image. At the head of a chain it
 * is a sub-view of the input (no copy); later in a chain it maps each output rectangle to the
 * same rectangle shifted by (x, y) and copies.
 */
#include "filter_internal.h"

enum { X, Y, WIDTH, HEIGHT };

static const tproc_param_desc params[] = {
    {"x", TPROC_PARAM_INT, 0, 0, 1e9, TPROC_PARAM_REQUIRED, NULL, "left edge of the rectangle"},
    {"y", TPROC_PARAM_INT, 0, 0, 1e9, TPROC_PARAM_REQUIRED, NULL, "top edge of the rectangle"},
    {"width", TPROC_PARAM_INT, 1, 1, 1e9, TPROC_PARAM_REQUIRED, NULL, "width in pixels"},
    {"height", TPROC_PARAM_INT, 1, 1, 1e9, TPROC_PARAM_REQUIRED, NULL, "height in pixels"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const tproc_format *in = &stage->in;
    ptrdiff_t x = (ptrdiff_t)tproc__param(stage, X), y = (ptrdiff_t)tproc__param(stage, Y);
    ptrdiff_t w = (ptrdiff_t)tproc__param(stage, WIDTH);
    ptrdiff_t h = (ptrdiff_t)tproc__param(stage, HEIGHT);
    if (x >= in->width || y >= in->height || w > in->width - x || h > in->height - y)
        return tproc__filter_error(ctx, stage->filter,
                                   "the rectangle %tdx%td at (%td, %td) reaches outside the "
                                   "%tdx%td image",
                                   w, h, x, y, in->width, in->height);
    stage->geometry = 1;
    stage->out.width = w;
    stage->out.height = h;
    return TPROC_OK;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    out.x += (ptrdiff_t)tproc__param(stage, X);
    out.y += (ptrdiff_t)tproc__param(stage, Y);
    return out;
}

static int process(const tproc_call *call)
{
    return tproc_view_copy(NULL, &call->in, &call->out);
}

static int as_view(const tproc_stage *stage, const tproc_view *in, tproc_view *out)
{
    return tproc_view_sub(in, (ptrdiff_t)tproc__param(stage, X), (ptrdiff_t)tproc__param(stage, Y),
                          stage->out.width, stage->out.height, out);
}

const tproc_filter tproc__filter_crop = {
    .abi = TPROC_FILTER_ABI,
    .name = "crop",
    .summary = "keep a rectangle (x, y, width, height)",
    .params = params,
    .param_count = 4,
    .prepare = prepare,
    .map_rect = map_rect,
    .process = process,
    .as_view = as_view,
};
