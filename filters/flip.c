/* SPDX-License-Identifier: MIT */
/*
 * flip.c: flip:axis=horizontal|vertical mirrors the image left-right or top-bottom. At the head
 * of a chain it is a view with a negated stride (no copy); later it maps each output rectangle
 * to its mirror image and copies through a flipped view.
 */
#include "filter_internal.h"

enum { AXIS };
enum { HORIZONTAL, VERTICAL };

static const char *const axes[] = {"horizontal", "vertical", NULL};
static const tproc_param_desc params[] = {
    {"axis", TPROC_PARAM_ENUM, HORIZONTAL, 0, 0, 0, axes,
     "horizontal mirrors left-right, vertical top-bottom"},
};

static int vertical(const tproc_stage *stage)
{
    return tproc__param(stage, AXIS) == VERTICAL;
}

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* nothing can fail */
    stage->geometry = 1;
    /* The first output row is the last input row: a stream cannot start until it has all. */
    stage->whole_image = vertical(stage);
    return TPROC_OK;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    tproc_rect r = out;
    if (vertical(stage))
        r.y = stage->in.height - out.y - out.height;
    else
        r.x = stage->in.width - out.x - out.width;
    return r;
}

static int as_view(const tproc_stage *stage, const tproc_view *in, tproc_view *out)
{
    return vertical(stage) ? tproc_view_flip_v(in, out) : tproc_view_flip_h(in, out);
}

static int process(const tproc_call *call)
{
    tproc_view mirrored;
    as_view(call->stage, &call->in, &mirrored);
    return tproc_view_copy(NULL, &mirrored, &call->out);
}

const tproc_filter tproc__filter_flip = {
    .abi = TPROC_FILTER_ABI,
    .name = "flip",
    .summary = "mirror left-right (horizontal) or top-bottom (vertical)",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .map_rect = map_rect,
    .process = process,
    .as_view = as_view,
};
