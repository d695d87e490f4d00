/* SPDX-License-Identifier: MIT */
/*
 * sobel_u8.h: the Sobel edge magnitude on u8 samples, in integer lanes, the same bytes as the
 * filter's double definition (sobel.c) on every instruction set. See sobel_u8.c.
 */
#ifndef TILEPROC_KERNELS_SOBEL_U8_H
#define TILEPROC_KERNELS_SOBEL_U8_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/simd.h"
#include "tileproc/filter.h"

/* Scratch bytes for a tile of channels x in_w input pixels (SIZE_MAX on overflow). */
size_t tproc__sobel_u8_scratch(int channels, ptrdiff_t in_w, ptrdiff_t out_w);

/* Fills call->out (u8, halo 1); alpha is the centre pixel's. */
void tproc__sobel_u8(tproc__simd level, const tproc_call *call);

/* out[i] = min(255, round half up(sqrt(q[i]))) for 0 <= q[i] <= 2080800, as the kernel rounds;
 * for the tests, which check it against the exact rule for every q. */
void tproc__sobel_round(tproc__simd level, uint8_t *out, const int32_t *q, size_t n);

#endif
