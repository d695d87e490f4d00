/* SPDX-License-Identifier: MIT */
/*
 * affine.c: affine:matrix=a b;c d[,dx=][,dy=][,interpolation=][,background=] maps the image by
 * the 2x2 matrix (output = [a b; c d] input, as sharp's and vips's affine), resampled by
 * kernels/warp.c with the same interpolation, background and alpha rules as rotate.
 *
 * The output is the bounding box of the mapped image, round(W |a| + H |b|) x
 * round(W |c| + H |d|) (as vips affine), with the input's centre ((W-1)/2, (H-1)/2) on the
 * output's centre moved by (dx, dy) output pixels: the forward matrix in OpenCV's terms is
 * [a b tx; c d ty] with tx = (W'-1)/2 + dx - (a (W-1)/2 + b (H-1)/2) and ty likewise, and the
 * output is warpAffine with it. dx and dy shift the image within that box (whole pixels move
 * it, parts leave the box; fractions resample it). Streams when output rows run down the input.
 */
#include "filter_internal.h"
#include "kernels/warp.h"

enum { P_MATRIX, P_DX, P_DY, P_INTERP, P_BACKGROUND, P_COUNT };

/* Larger entries only make images over any pixel limit. */
#define ENTRY_MAX 1e4

static const tproc_param_desc params[P_COUNT] = {
    {"matrix", TPROC_PARAM_MATRIX, 0, 2, 2, TPROC_PARAM_REQUIRED | TPROC_PARAM_ANY_SIZE, NULL,
     "the 2x2 matrix 'a b;c d': output x = a x + b y, y = c x + d y (about the centre)"},
    {"dx", TPROC_PARAM_FLOAT, 0, -1e6, 1e6, 0, NULL, "moves the image right in the output"},
    {"dy", TPROC_PARAM_FLOAT, 0, -1e6, 1e6, 0, NULL, "moves the image down in the output"},
    {"interpolation", TPROC_PARAM_ENUM, TPROC__INTERP_BILINEAR, 0, 0, 0, tproc__interp_names,
     "nearest, bilinear or bicubic (Catmull-Rom)"},
    {"background", TPROC_PARAM_COLOUR, 0, 0, 255, 0, NULL, "colour where the output has no image"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const double *m = stage->params->matrix;
    for (int i = 0; i < 4; i++)
        if (!(fabs(m[i]) <= ENTRY_MAX))
            return tproc__filter_error(ctx, stage->filter,
                                       "matrix entries must be within [-%g, %g], got %g", ENTRY_MAX,
                                       ENTRY_MAX, m[i]);
    double w = (double)stage->in.width, h = (double)stage->in.height;
    ptrdiff_t ow = tproc__warp_side(w * fabs(m[0]) + h * fabs(m[1]));
    ptrdiff_t oh = tproc__warp_side(w * fabs(m[2]) + h * fabs(m[3]));
    if (ow < 0 || oh < 0)
        return tproc__filter_error(ctx, stage->filter, "the output is too large");
    double cx = (w - 1) / 2, cy = (h - 1) / 2;
    tproc__warp warp;
    memset(&warp, 0, sizeof warp);
    warp.interp = (tproc__interp)(int)tproc__param(stage, P_INTERP);
    double *f = warp.forward;
    f[0] = m[0];
    f[1] = m[1];
    f[3] = m[2];
    f[4] = m[3];
    f[2] = ((double)ow - 1) / 2 + tproc__param(stage, P_DX) - (m[0] * cx + m[1] * cy);
    f[5] = ((double)oh - 1) / 2 + tproc__param(stage, P_DY) - (m[2] * cx + m[3] * cy);
    return tproc__warp_stage(ctx, stage, &warp, ow, oh);
}

const tproc_filter tproc__filter_affine = {
    .abi = TPROC_FILTER_ABI,
    .name = "affine",
    .summary = "map by a 2x2 matrix (scale, shear, rotate) into its bounding box",
    .params = params,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = tproc__warp_release,
    .map_rect = tproc__warp_map_rect,
    .scratch_size = tproc__warp_scratch,
    .process = tproc__warp_process,
};
