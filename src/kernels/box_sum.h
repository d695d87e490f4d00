/* SPDX-License-Identifier: MIT */
/*
 * box_sum.h: the box filter's integer path (u8 and u16): the exact mean of the (2r+1)^2 window,
 * rounded half up, with O(1) work per pixel whatever the radius. See box_sum.c.
 */
#ifndef TILEPROC_KERNELS_BOX_SUM_H
#define TILEPROC_KERNELS_BOX_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/simd.h"
#include "tileproc/filter.h"

typedef struct tproc__box {
    int radius;
    tproc__simd simd; /* which build of the kernels runs */
    /* u8 with a window of at most 15x15: every sum fits 16 bits and the mean is
     * mulhi(sum + half, magic) >> shift, checked for every possible sum in tproc__box_init. */
    int narrow;
    uint16_t magic;
    int shift;
    double inv; /* 1 / N, for the division of wider sums (see box_sum.c) */
} tproc__box;

/* floor(a / N) for 0 <= a < 2^38, given inv = 1 / N with N <= 2001^2, is the truncation of this
 * double (box_sum.c has the proof); the wide kernels compute exactly this. */
#define TPROC__BOX_QUOTIENT(a, inv) ((double)(a) * (inv) + 1.0 / 16777216.0)

/* Fills b for radius r (1..1000) with the kernels of the given level. */
void tproc__box_init(tproc__box *b, int radius, tproc__simd level);

/* Scratch bytes for a tile of u8 or u16 samples (SIZE_MAX on overflow). */
size_t tproc__box_scratch(const tproc__box *b, tproc_sample sample, int channels, ptrdiff_t in_w,
                          ptrdiff_t out_w);

/* Fills call->out (u8 or u16, any channel count) with the rounded means. */
void tproc__box_process(const tproc__box *b, const tproc_call *call);

#endif
