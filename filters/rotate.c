/* SPDX-License-Identifier: MIT */
/*
 * rotate.c: rotate:angle=90|180|270 turns the image clockwise. At the head of a chain it is a
 * transposed and/or flipped view (no copy); later it maps each output rectangle to the input
 * rectangle that turns into it and copies through a rotated view.
 */
#include "filter_internal.h"

enum { ANGLE };
static const char *const angles[] = {"90", "180", "270", NULL};
static const tproc_param_desc params[] = {
    {"angle", TPROC_PARAM_ENUM, 0, 0, 0, 0, angles, "clockwise rotation in degrees"},
};

static int degrees(const tproc_stage *stage)
{
    return 90 * ((int)tproc__param(stage, ANGLE) + 1);
}

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* nothing can fail */
    stage->geometry = 1;
    /* Every rotation sends the last input row somewhere into the first output rows. */
    stage->whole_image = 1;
    if (degrees(stage) != 180) {
        stage->out.width = stage->in.height;
        stage->out.height = stage->in.width;
    }
    return TPROC_OK;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    ptrdiff_t W = stage->in.width, H = stage->in.height;
    tproc_rect r;
    switch (degrees(stage)) {
    case 90: /* out(x, y) = in(y, H - 1 - x) */
        r.x = out.y;
        r.y = H - out.x - out.width;
        r.width = out.height;
        r.height = out.width;
        break;
    case 180: /* out(x, y) = in(W - 1 - x, H - 1 - y) */
        r.x = W - out.x - out.width;
        r.y = H - out.y - out.height;
        r.width = out.width;
        r.height = out.height;
        break;
    default: /* 270: out(x, y) = in(W - 1 - y, x) */
        r.x = W - out.y - out.height;
        r.y = out.x;
        r.width = out.height;
        r.height = out.width;
        break;
    }
    return r;
}

static int as_view(const tproc_stage *stage, const tproc_view *in, tproc_view *out)
{
    return tproc_view_rotate(in, degrees(stage), out);
}

static int process(const tproc_call *call)
{
    tproc_view turned;
    as_view(call->stage, &call->in, &turned);
    return tproc_view_copy(NULL, &turned, &call->out);
}

const tproc_filter tproc__filter_rotate = {
    .abi = TPROC_FILTER_ABI,
    .name = "rotate",
    .summary = "rotate clockwise by 90, 180 or 270 degrees",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .map_rect = map_rect,
    .process = process,
    .as_view = as_view,
};
