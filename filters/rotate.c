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

static int degrees(const tproc_params *p)
{
    return 90 * ((int)p->value[ANGLE] + 1);
}

static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    (void)ctx;
    stage->geometry = 1;
    /* Every rotation sends the last input row somewhere into the first output rows. */
    stage->whole_image = 1;
    if (degrees(p) != 180) {
        stage->out.width = in->height;
        stage->out.height = in->width;
    }
    return TPROC_OK;
}

static void map_rect(const tproc_params *p, const tproc_stage *stage, const tproc_format *in,
                     tproc_rect out, tproc_rect *r)
{
    (void)stage;
    ptrdiff_t W = in->width, H = in->height;
    switch (degrees(p)) {
    case 90: /* out(x, y) = in(y, H - 1 - x) */
        r->x = out.y;
        r->y = H - out.x - out.width;
        r->width = out.height;
        r->height = out.width;
        break;
    case 180: /* out(x, y) = in(W - 1 - x, H - 1 - y) */
        r->x = W - out.x - out.width;
        r->y = H - out.y - out.height;
        r->width = out.width;
        r->height = out.height;
        break;
    default: /* 270: out(x, y) = in(W - 1 - y, x) */
        r->x = W - out.y - out.height;
        r->y = out.x;
        r->width = out.height;
        r->height = out.width;
        break;
    }
}

static int process(const tproc_call *call)
{
    tproc_view turned;
    tproc_view_rotate(&call->in, degrees(call->params), &turned);
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
};
