/* SPDX-License-Identifier: MIT */
/*
 * smartcrop.h: where resize's fit=cover crops for position=entropy and position=attention
 * (sharp's strategies, libvips' smartcrop ideas, our own code). The pre-pass (analyse_rows)
 * feeds every input row once; they are averaged into a small copy of the image (at most
 * TPROC__SMART_SIDE cells on its longer side, about the scaled image's size when that is
 * smaller), which is all the search looks at, so it costs one pass and a few hundred
 * kilobytes whatever the image's size.
 *
 * entropy: starting from the whole image, take slices off the sides until the crop's size is
 *   reached, each time dropping the side slice whose luminance histogram (256 bins) has the
 *   lower Shannon entropy, about eight slices an axis.
 * attention: a map of what draws the eye: edges (Sobel magnitude of CIELAB L), skin (a in
 *   [3, 22], b in [4, 31], L >= 15; worth 255) and strong colour (chroma > 60; worth 255),
 *   averaged onto a 32 x 32 grid, blurred by a Gaussian as wide as a sixth of the crop's
 *   diagonal there, and the crop centred on the grid cell where the blurred map peaks.
 */
#ifndef TILEPROC_KERNELS_SMARTCROP_H
#define TILEPROC_KERNELS_SMARTCROP_H

#include "tileproc/filter.h"

#define TPROC__SMART_SIDE 512

typedef struct tproc__smartcrop tproc__smartcrop;

/* For an input of format *in resized to scaled_w x scaled_h; attention: 1, else entropy. */
int tproc__smartcrop_new(tproc_ctx *ctx, const tproc_format *in, ptrdiff_t scaled_w,
                         ptrdiff_t scaled_h, int attention, tproc__smartcrop **out);
/* Rows [y, y + rows->height) of the input, in order. */
void tproc__smartcrop_rows(tproc__smartcrop *sc, const tproc_view *rows, ptrdiff_t y);
/* The crop of out_w x out_h in the scaled image: its top-left corner. */
void tproc__smartcrop_place(const tproc__smartcrop *sc, ptrdiff_t out_w, ptrdiff_t out_h,
                            ptrdiff_t *x, ptrdiff_t *y);
void tproc__smartcrop_free(tproc_ctx *ctx, tproc__smartcrop *sc);

#endif
