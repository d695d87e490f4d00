/* SPDX-License-Identifier: MIT */
/*
 * morph.h: grey-level morphology shared by erode, dilate, open, close, tophat and gradient: the
 * minimum or maximum over a structuring element of radius r (a square, a cross or a disk, the
 * same elements as OpenCV's getStructuringElement with a (2r+1) x (2r+1) size: MORPH_RECT,
 * MORPH_CROSS, MORPH_ELLIPSE).
 *
 * Every element is a union of centred rectangles (a square is one, a cross two lines, a disk its
 * staircase of about r rectangles), and a rectangle's minimum or maximum is separable: a vertical
 * line, then a horizontal one. Each line runs van Herk / Gil-Werman: blocks of the line's length,
 * a suffix and a prefix extremum per block, and each output is the extremum of one suffix and
 * one prefix, so the cost per pixel does not depend on the line's length. The vertical pass
 * works on whole rows at a time (vectorised). Horizontal lines up to 1023 pixels go by doubling
 * instead (extrema over 2, 4, 8, ... samples, log2 of the length in vectorised passes), which
 * measures faster than the sequential vHGW along a row up to that length (morph.c).
 *
 * Minimum and maximum are exact, so any tiling gives the same bytes. f32 samples are compared as
 * integer keys of the same order (-0 < +0, NaNs beyond the infinities), a total order, so NaNs
 * too give the same result whatever the tiling.
 */
#ifndef TILEPROC_KERNELS_MORPH_H
#define TILEPROC_KERNELS_MORPH_H

#include "tileproc/filter.h"

typedef enum tproc__morph_shape {
    TPROC__MORPH_SQUARE = 0,
    TPROC__MORPH_CROSS = 1,
    TPROC__MORPH_DISK = 2
} tproc__morph_shape;

/* What a filter computes from the element's minimum (erosion) and maximum (dilation). */
typedef enum tproc__morph_op {
    TPROC__MORPH_ERODE,
    TPROC__MORPH_DILATE,
    TPROC__MORPH_OPEN,     /* dilate(erode(f)) */
    TPROC__MORPH_CLOSE,    /* erode(dilate(f)) */
    TPROC__MORPH_TOPHAT,   /* f - open(f) */
    TPROC__MORPH_GRADIENT, /* dilate(f) - erode(f) */
} tproc__morph_op;

/* The element: the union of rectangles [-half_w[i], half_w[i]] x [-half_h[i], half_h[i]]. */
typedef struct tproc__morph_element {
    int radius;
    int count;
    int *half_w, *half_h; /* count each, in the same block as the struct */
} tproc__morph_element;

/* The parameter table every morphology filter shares: radius, shape. */
extern const tproc_param_desc tproc__morph_params[2];

/* A morphology stage: the element as state and a halo of r (2r for the two-pass operations);
 * the format stays. The matching release and scratch_size of a filter descriptor follow. */
int tproc__morph_prepare(tproc_ctx *ctx, tproc_stage *stage, tproc__morph_op op);
void tproc__morph_release(tproc_ctx *ctx, tproc_stage *stage);
size_t tproc__morph_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out);

/* Fills call->out. Colour channels get the operation; alpha is copied from the input pixel at
 * the same place (OpenCV treats it as one more channel: compare colour channels). */
int tproc__morph_process(const tproc_call *call);

/* Defines the descriptor tproc__filter_NAME of a morphology filter computing OP. */
#define TPROC__MORPH_FILTER(NAME, OP, SUMMARY)                                                     \
    static int NAME##_prepare(tproc_ctx *ctx, tproc_stage *stage)                                  \
    {                                                                                              \
        return tproc__morph_prepare(ctx, stage, OP);                                               \
    }                                                                                              \
    const tproc_filter tproc__filter_##NAME = {                                                    \
        .abi = TPROC_FILTER_ABI,                                                                   \
        .name = #NAME,                                                                             \
        .summary = SUMMARY,                                                                        \
        .params = tproc__morph_params,                                                             \
        .param_count = 2,                                                                          \
        .prepare = NAME##_prepare,                                                                 \
        .release = tproc__morph_release,                                                           \
        .scratch_size = tproc__morph_scratch,                                                      \
        .process = tproc__morph_process,                                                           \
    }

#endif
