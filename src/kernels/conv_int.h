/* SPDX-License-Identifier: MIT */
/*
 * conv_int.h: convolve's exact integer path for u8 and u16 input (see conv_int.c).
 *
 * convolve defines each output sample as store(scale * S + offset) with S = sum of m * v
 * accumulated in double (convolve.c). When every weight is a multiple of 2^-k with
 * |m * 2^k| <= 2^20, that double sum never rounds, so S = S' * 2^-k with S' = sum of the
 * integer weights a = m * 2^k times the samples: an exact integer. This path computes S' in
 * integer lanes (16 bits when every possible S' fits, else 32) and maps it to the output with
 * the very same double formula, or with an integer formula that tproc__conv_plan() has checked
 * against the double formula for every S' the matrix can produce. The bytes are therefore those
 * of the double definition, on every instruction set.
 */
#ifndef TILEPROC_KERNELS_CONV_INT_H
#define TILEPROC_KERNELS_CONV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/simd.h"
#include "tileproc/filter.h"

typedef struct tproc__conv {
    tproc__simd simd;
    tproc_sample sample;         /* u8 or u16, in and out */
    int mw, mh;                  /* matrix width and height */
    int narrow;                  /* 1: 16-bit lanes (u8, every S' in [-2^15, 2^15)); 0: 32-bit */
    int separable;               /* 1: a[j][i] = vert[j] * horiz[i] (rank 1): two 1-D passes */
    int32_t a[TPROC_MATRIX_MAX]; /* the integer weights, row-major */
    int32_t vert[25], horiz[25];
    int32_t smin, smax; /* the range of S' over all inputs */
    /* Output: fixed: clamp((S' * mul + add) >> shift, 0, max), checked for every S' in
     * [smin, smax]; otherwise the double formula store(scale * (S' * unit) + offset). */
    int fixed;
    int32_t mul, add;
    int shift;
    double unit, scale, offset;
} tproc__conv;

/*
 * Plans the integer path for a matrix (mw x mh, row-major), scale and offset on the given input
 * sample type. Returns 1 and fills c when the path applies (u8/u16, dyadic weights in range,
 * S' within 32 bits), 0 when convolve must use its double path.
 */
int tproc__conv_plan(tproc__conv *c, const double *matrix, int mw, int mh, double scale,
                     double offset, tproc_sample sample, tproc__simd level);

/* Scratch bytes for a tile of channels x in_w input pixels (SIZE_MAX on overflow). */
size_t tproc__conv_scratch(const tproc__conv *c, int channels, ptrdiff_t in_w, ptrdiff_t out_w);

/* Fills call->out; alpha (for 2 or 4 channels) is the centre pixel's. */
void tproc__conv_process(const tproc__conv *c, const tproc_call *call);

#endif
