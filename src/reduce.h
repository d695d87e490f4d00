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

#endif /* TILEPROC_REDUCE_H */
