/* SPDX-License-Identifier: MIT */
/*
 * median_sort.h: the median filter's kernels, min/max selection on vectors for every sample
 * type (see median_sort.c). Medians are one of the window's values, so every path gives exactly
 * the same bytes; only the speed differs.
 */
#ifndef TILEPROC_KERNELS_MEDIAN_SORT_H
#define TILEPROC_KERNELS_MEDIAN_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/simd.h"
#include "tileproc/filter.h"

typedef struct tproc__median {
    int radius; /* 1..3 */
    tproc__simd simd;
} tproc__median;

/* The sorting networks of the window columns for radius 2 and 3 (pairs of rows: min to the
 * first); exposed for the tests. */
extern const uint8_t tproc__median_sort5[9][2];
extern const uint8_t tproc__median_sort7[16][2];

/* Fills m for radius 1..3 with the kernels of the given level. */
void tproc__median_init(tproc__median *m, int radius, tproc__simd level);

/* Scratch bytes for a tile (SIZE_MAX on overflow). */
size_t tproc__median_scratch(const tproc__median *m, tproc_sample sample, int channels,
                             ptrdiff_t in_w, ptrdiff_t out_w);

/* Fills call->out; alpha (for 2 or 4 channels) is the centre pixel's. */
void tproc__median_process(const tproc__median *m, const tproc_call *call);

#endif
