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

static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    ptrdiff_t x = (ptrdiff_t)p->value[X], y = (ptrdiff_t)p->value[Y];
    ptrdiff_t w = (ptrdiff_t)p->value[WIDTH], h = (ptrdiff_t)p->value[HEIGHT];
    if (x >= in->width || y >= in->height || w > in->width - x || h > in->height - y)
        return tproc__filter_error(ctx, &tproc__filter_crop,
                                   "the rectangle %tdx%td at (%td, %td) reaches outside the "
                                   "%tdx%td image",
                                   w, h, x, y, in->width, in->height);
    stage->geometry = 1;
    stage->out.width = w;
    stage->out.height = h;
    return TPROC_OK;
}

static void map_rect(const tproc_params *p, const tproc_stage *stage, const tproc_format *in,
                     tproc_rect out, tproc_rect *in_rect)
{
    (void)stage;
    (void)in;
    *in_rect = out;
    in_rect->x += (ptrdiff_t)p->value[X];
    in_rect->y += (ptrdiff_t)p->value[Y];
}

static int process(const tproc_call *call)
{
    return tproc_view_copy(NULL, &call->in, &call->out);
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
};
