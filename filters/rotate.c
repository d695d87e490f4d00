/* SPDX-License-Identifier: MIT */
/*
 * rotate.c: rotate:angle=A[,interpolation=][,background=] turns the image clockwise by A degrees
 * (any finite number; default 90).
 *
 * Multiples of 90 (0, 90, -90, 450, ...) are exact: at the head of a chain a transposed and/or
 * flipped view (no copy); later each output rectangle maps to the input rectangle that turns
 * into it, copied through a rotated view. interpolation and background do not apply.
 *
 * Any other angle resamples (kernels/warp.c): the output grows to hold the whole turned image,
 * round(W |cos A| + H |sin A|) x round(W |sin A| + H |cos A|) as vips rotate and sharp rotate,
 * and the image turns about its centre onto the output's centre. In OpenCV's terms, with pixel
 * centres at integers, the forward matrix is getRotationMatrix2D(((W-1)/2, (H-1)/2), -A, 1)
 * with (W'-1)/2 - (W-1)/2 and (H'-1)/2 - (H-1)/2 added to its translations, and the output is
 * warpAffine with it (BORDER_CONSTANT, the background). (vips places the image up to half a
 * pixel differently.) The corners are background, black by default; a background that is not
 * opaque gives an image without alpha an alpha channel. Streams for angles within 90 degrees of
 * 0; the band of input rows it holds grows with W |sin A|.
 */
#include "filter_internal.h"
#include "kernels/warp.h"

enum { P_ANGLE, P_INTERP, P_BACKGROUND, P_COUNT };

static const tproc_param_desc params[P_COUNT] = {
    {"angle", TPROC_PARAM_FLOAT, 90, -1e9, 1e9, 0, NULL,
     "clockwise rotation in degrees; multiples of 90 are exact"},
    {"interpolation", TPROC_PARAM_ENUM, TPROC__INTERP_BILINEAR, 0, 0, 0, tproc__interp_names,
     "nearest, bilinear or bicubic (Catmull-Rom), for angles that are not multiples of 90"},
    {"background", TPROC_PARAM_COLOUR, 0, 0, 255, 0, NULL,
     "colour of the corners the turned image leaves uncovered"},
};

/* The angle as 0, 90, 180 or 270 when it is a multiple of 90, else -1. */
static int right_angle(const tproc_stage *stage)
{
    double a = fmod(tproc__param(stage, P_ANGLE), 360.0);
    if (fmod(a, 90.0) != 0.0)
        return -1;
    return ((int)(a / 90.0) + 4) % 4 * 90;
}

static int prepare_warp(tproc_ctx *ctx, tproc_stage *stage)
{
    double w = (double)stage->in.width, h = (double)stage->in.height;
    /* Reduced first, so large angles keep their precision (and 30 and 390 agree). */
    double a = -fmod(tproc__param(stage, P_ANGLE), 360.0) * (3.14159265358979323846 / 180.0);
    double c = cos(a), s = sin(a);
    ptrdiff_t ow = tproc__warp_side(w * fabs(c) + h * fabs(s));
    ptrdiff_t oh = tproc__warp_side(w * fabs(s) + h * fabs(c));
    if (ow < 0 || oh < 0)
        return tproc__filter_error(ctx, stage->filter, "the output is too large");
    double cx = (w - 1) / 2, cy = (h - 1) / 2;
    tproc__warp warp;
    memset(&warp, 0, sizeof warp);
    warp.interp = (tproc__interp)(int)tproc__param(stage, P_INTERP);
    double *f = warp.forward; /* getRotationMatrix2D((cx, cy), -angle, 1), then centred */
    f[0] = c;
    f[1] = s;
    f[2] = (1 - c) * cx - s * cy;
    f[3] = -s;
    f[4] = c;
    f[5] = s * cx + (1 - c) * cy;
    f[2] += ((double)ow - 1) / 2 - cx;
    f[5] += ((double)oh - 1) / 2 - cy;
    return tproc__warp_stage(ctx, stage, &warp, ow, oh);
}

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    int degrees = right_angle(stage);
    if (degrees < 0)
        return prepare_warp(ctx, stage);
    stage->geometry = 1;
    /* Every turn sends the last input row somewhere into the first output rows. */
    stage->whole_image = degrees != 0;
    if (degrees == 90 || degrees == 270) {
        stage->out.width = stage->in.height;
        stage->out.height = stage->in.width;
    }
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    if (stage->state)
        tproc__warp_release(ctx, stage);
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    if (stage->state)
        return tproc__warp_map_rect(stage, out);
    ptrdiff_t W = stage->in.width, H = stage->in.height;
    tproc_rect r = out;
    switch (right_angle(stage)) {
    case 90: /* out(x, y) = in(y, H - 1 - x) */
        r.x = out.y;
        r.y = H - out.x - out.width;
        r.width = out.height;
        r.height = out.width;
        break;
    case 180: /* out(x, y) = in(W - 1 - x, H - 1 - y) */
        r.x = W - out.x - out.width;
        r.y = H - out.y - out.height;
        break;
    case 270: /* out(x, y) = in(W - 1 - y, x) */
        r.x = W - out.y - out.height;
        r.y = out.x;
        r.width = out.height;
        r.height = out.width;
        break;
    default: /* 0 */
        break;
    }
    return r;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    return stage->state ? tproc__warp_scratch(stage, in, out) : 0;
}

static int as_view(const tproc_stage *stage, const tproc_view *in, tproc_view *out)
{
    if (stage->state)
        return TPROC_ERR_NOT_FOUND; /* resampled, not a view */
    return tproc_view_rotate(in, right_angle(stage), out);
}

static int process(const tproc_call *call)
{
    if (call->stage->state)
        return tproc__warp_process(call);
    tproc_view turned;
    as_view(call->stage, &call->in, &turned);
    return tproc_view_copy(NULL, &turned, &call->out);
}

const tproc_filter tproc__filter_rotate = {
    .abi = TPROC_FILTER_ABI,
    .name = "rotate",
    .summary = "rotate clockwise by any angle (multiples of 90 exactly, without resampling)",
    .params = params,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .map_rect = map_rect,
    .scratch_size = scratch_size,
    .process = process,
    .as_view = as_view,
};
