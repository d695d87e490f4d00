/* SPDX-License-Identifier: MIT */
/*
 * separable.h: symmetric separable convolution shared by box, gaussian and sharpen. A kernel
 * is 2r+1 symmetric weights (w[k] = w[-k]) applied down the columns, then along the rows, of a
 * tile whose input view already holds the r-pixel halo on every side.
 *
 * Two paths compute it:
 * - double: every format and channel count (u16, f32, the premultiplied f32 the engine hands
 *   over for images with alpha, and u8 when the fixed-point path is not exact enough). Results
 *   are the real-valued convolution up to double rounding.
 * - u8 fixed point (gaussian on u8 without alpha): 16-bit lanes, described in separable.c,
 *   within tproc__sep_kernel.fixed_error levels (< 0.5) of the real convolution before the
 *   final rounding, so the output is within 1 level of the exact result.
 * Both do the same arithmetic in the same order whatever the tile, so results do not depend on
 * the tiling.
 */
#ifndef TILEPROC_KERNELS_SEPARABLE_H
#define TILEPROC_KERNELS_SEPARABLE_H

#include <stddef.h>
#include <stdint.h>

#include "tileproc/filter.h"

typedef struct tproc__sep_kernel {
    int radius;         /* r: the kernel has 2r+1 taps, the halo is r each side */
    double scale;       /* multiplies the result of the double path (1/N^2 for box) */
    const double *w;    /* r+1 weights: w[0] the centre, w[k] the taps at -k and +k */
    int fixed;          /* 1: the u8 fixed-point path meets its error bound */
    double fixed_error; /* the fixed-point path's bound before final rounding, in levels */
    const uint16_t *wq; /* r+1 weights in Q16 for the fixed-point path (sum 65536) */
    uint16_t bias;      /* added to each pass to centre the truncation error */
} tproc__sep_kernel;

/* Normalised gaussian: radius ceil(3 sigma), weights exp(-x^2 / 2 sigma^2) / sum. Allocates
 * the kernel (weights in the same block) with tproc__alloc; free with tproc__sep_free(). */
int tproc__sep_gaussian(tproc_ctx *ctx, double sigma, tproc__sep_kernel **out);
/* Box of radius r: weights 1 and scale 1 / (2r+1)^2 (the double path sums, then scales). */
int tproc__sep_box(tproc_ctx *ctx, int radius, tproc__sep_kernel **out);
void tproc__sep_free(tproc_ctx *ctx, tproc__sep_kernel *kernel);

/*
 * The stage of a separable filter built with one of the above (or a failed status passed
 * through): a halo of the kernel's radius each side, premultiplied for alpha, the kernel as
 * state (the format stays as the engine pre-filled it). tproc__sep_release and
 * tproc__sep_stage_scratch are the matching release and scratch_size functions of a filter
 * descriptor.
 */
int tproc__sep_stage(int status, tproc__sep_kernel *kernel, tproc_stage *stage);
void tproc__sep_release(tproc_ctx *ctx, tproc_stage *stage);

/* The same for filters that keep more than the kernel: the state is a zeroed block of size
 * bytes whose first member is the kernel pointer (tproc__sep_kernel *). On failure the kernel is
 * freed. tproc__sep_release_state is the matching release. */
int tproc__sep_stage_state(tproc_ctx *ctx, int status, tproc__sep_kernel *kernel, size_t size,
                           tproc_stage *stage);
void tproc__sep_release_state(tproc_ctx *ctx, tproc_stage *stage);
size_t tproc__sep_stage_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out);

/* Scratch bytes the calls below need for a tile (any sample type, any path). 0 on overflow
 * is impossible: sizes are bounded by the tile sizes the engine asks about. */
size_t tproc__sep_scratch_size(const tproc__sep_kernel *k, int channels, ptrdiff_t in_w,
                               ptrdiff_t out_w);

/*
 * Computes output row y (0-based in call->out) of the double path: out_w * channels blurred
 * samples (natural range of call->in.sample, packed) into row, which lies in scratch after the
 * area this function uses itself (see tproc__sep_row_buffer()).
 */
void tproc__sep_row_f64(const tproc__sep_kernel *k, const tproc_call *call, ptrdiff_t y,
                        double *row);
/* Where tproc__sep_row_f64() may be given its row: a double buffer of out_w * channels in
 * call->scratch that the function itself does not use. */
double *tproc__sep_row_buffer(const tproc__sep_kernel *k, const tproc_call *call);

/* Writes a packed row of doubles to row y of call->out: rounded half up and clamped for u8 and
 * u16, converted as is for f32. */
void tproc__sep_store_row(const tproc_call *call, ptrdiff_t y, const double *row);

/* The whole tile: the u8 fixed-point path when k->fixed and the view is u8, otherwise the
 * double path. Returns TPROC_OK. */
int tproc__sep_process(const tproc__sep_kernel *k, const tproc_call *call);

/*
 * The u8 fixed-point path (k->fixed; u8 in and out, the input's centre rows as packed samples)
 * with a point pass of the caller's after the blur: for each output row, finish() gets the n
 * blurred samples as Q7 sums before rounding (acc / 128 is within k->fixed_error levels of the
 * exact blur), the n input samples at the same positions, and the packed output row to fill.
 */
typedef void (*tproc__sep_finish_fn)(const void *user, const uint16_t *acc, const uint8_t *centre,
                                     uint8_t *out, size_t n);
void tproc__sep_fixed_rows(const tproc__sep_kernel *k, const tproc_call *call,
                           tproc__sep_finish_fn finish, const void *user);

#endif
