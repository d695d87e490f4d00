/* SPDX-License-Identifier: MIT */
/*
 * reduce.h: one row of a 2x-reduced level from two rows of 8-bit pixels.
 */
#ifndef TILEPROC_REDUCE_H
#define TILEPROC_REDUCE_H

#include <stddef.h>

/*
 * Row out (width (width + 1) / 2) from rows a and b (width pixels of ch 8-bit samples):
 * (a + b + c + d + 2) >> 2 per sample, an odd last column paired with itself (edge copy), as
 * vips' mean shrink does. With alpha (the last of 2 or 4 channels) the colour is the
 * alpha-weighted mean, rounded to nearest, as vips premultiplies, so that transparent pixels
 * lend no colour to their neighbours.
 */
void tproc__reduce_2x2_u8(const unsigned char *a, const unsigned char *b, unsigned char *out,
                          ptrdiff_t width, int ch);

/*
 * The first output pixels of a 1- or 3-channel row (pairs = width / 2 of them, no odd last
 * column) with SSSE3 or AVX2 (reduce_x86.c); returns how many it did, 0 where there is no
 * SIMD. tproc__reduce_2x2_u8 does the rest.
 */
ptrdiff_t tproc__reduce_2x2_u8_simd(const unsigned char *a, const unsigned char *b,
                                    unsigned char *out, ptrdiff_t pairs, int ch);

/*
 * For tests and benchmarks: use SIMD up to level (0 none, 1 SSSE3, 2 AVX2, the default) from
 * now on in every thread; returns the level in use, which the CPU may cap.
 */
int tproc__reduce_set_simd(int level);

#endif /* TILEPROC_REDUCE_H */
