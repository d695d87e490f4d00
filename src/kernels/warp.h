/* SPDX-License-Identifier: MIT */
/*
 * warp.h: affine resampling shared by rotate (any angle) and affine.
 *
 * Geometry. Coordinates are pixel indices (a pixel's centre is at integers). A warp holds the
 * forward 2x3 matrix F (input -> output) and its inverse M, computed from F as OpenCV's
 * invertAffineTransform does; output pixel (x, y) samples the input at
 *     (M[0] x + M[1] y + M[2], M[3] x + M[4] y + M[5]).
 * OpenCV's warpAffine(src, F, size) samples the same places.
 *
 * Positions are quantised as warpAffine quantises them: each term to 1/1024 pixel (rounded to
 * nearest even), their sum to 1/32 for bilinear and bicubic (rounded half up) and to whole
 * pixels for nearest (rounded half up). Bilinear u8 without alpha is then exactly OpenCV's
 * fixed-point result (weights (32 - fx)(32 - fy) * 32 in Q15, rounded half up); other types
 * compute the same weights in double. Bicubic is Catmull-Rom (a = -0.5, as vips and resize;
 * OpenCV's INTER_CUBIC uses a = -0.75), in double, rounded half up and clamped (f32 unclamped).
 *
 * Taps outside the input read the background (OpenCV's BORDER_CONSTANT with borderValue), so
 * edges blend into it; the run's border rule never shows. Images with alpha are interpolated
 * premultiplied (the engine's premultiply, the background premultiplied likewise); an image
 * without alpha on a background that is not opaque gets an alpha channel, opaque inside.
 *
 * Every output pixel is computed from its own coordinates, so any tiling gives the same bytes.
 */
#ifndef TILEPROC_KERNELS_WARP_H
#define TILEPROC_KERNELS_WARP_H

#include "background.h"

typedef enum tproc__interp {
    TPROC__INTERP_NEAREST = 0,
    TPROC__INTERP_BILINEAR = 1,
    TPROC__INTERP_BICUBIC = 2
} tproc__interp;

/* The interpolation parameter's choices, in tproc__interp's order. */
extern const char *const tproc__interp_names[];

typedef struct tproc__warp {
    double forward[6]; /* F, row-major [a b tx; c d ty] */
    double inverse[6]; /* M */
    tproc__interp interp;
    tproc__background bg;
    ptrdiff_t in_width, in_height;
} tproc__warp;

/* Sets inverse from forward as OpenCV's invertAffineTransform does; 0 if F is singular. */
int tproc__warp_invert(tproc__warp *w);

/*
 * Prepares a warp stage whose warp (forward matrix and interpolation) is filled in and whose
 * output size is out_w x out_h: the warp (copied) becomes the state, with the background and
 * the output channels; geometry, premultiply for alpha, whole_image when output rows run up
 * the input. Refuses a singular matrix.
 */
int tproc__warp_stage(tproc_ctx *ctx, tproc_stage *stage, const tproc__warp *warp, ptrdiff_t out_w,
                      ptrdiff_t out_h);
/* The descriptor's release, map_rect, scratch_size and process of a warp stage. */
void tproc__warp_release(tproc_ctx *ctx, tproc_stage *stage);
tproc_rect tproc__warp_map_rect(const tproc_stage *stage, tproc_rect out);
size_t tproc__warp_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out);
int tproc__warp_process(const tproc_call *call);

/* max(1, round(v)) for an output side; -1 if it does not fit. */
ptrdiff_t tproc__warp_side(double v);

#endif
