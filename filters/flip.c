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

static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    (void)ctx;
    (void)in;
    stage->geometry = 1;
    /* The first output row is the last input row: a stream cannot start until it has all. */
    stage->whole_image = p->value[AXIS] == VERTICAL;
    return TPROC_OK;
}

static void map_rect(const tproc_params *p, const tproc_stage *stage, const tproc_format *in,
                     tproc_rect out, tproc_rect *in_rect)
{
    (void)stage;
    *in_rect = out;
    if (p->value[AXIS] == VERTICAL)
        in_rect->y = in->height - out.y - out.height;
    else
        in_rect->x = in->width - out.x - out.width;
}

static int process(const tproc_call *call)
{
    tproc_view mirrored;
    if (call->params->value[AXIS] == VERTICAL)
        tproc_view_flip_v(&call->in, &mirrored);
    else
        tproc_view_flip_h(&call->in, &mirrored);
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
};
