/* SPDX-License-Identifier: MIT */
/*
 * background.h: the colour a filter paints where its output has no input (resize's contain
 * bars, rotate's and affine's corners, extend's margins, composite never), from the filter's
 * COLOUR parameter, as sharp paints its backgrounds: 8-bit numbers scaled to the image's sample
 * type (u16 by 257, f32 by 1/255), a gray image taking the Rec. 709 luma of an RGB colour, and
 * a colour that is not opaque adding an alpha channel to an image without one (filled opaque
 * where the image is).
 */
#ifndef TILEPROC_KERNELS_BACKGROUND_H
#define TILEPROC_KERNELS_BACKGROUND_H

#include "tileproc/filter.h"

typedef struct tproc__background {
    int channels;     /* the output's channels: the input's, or one more for alpha */
    double value[4];  /* the pixel in the output's natural range (u8 0-255, u16 0-65535, f32 0-1) */
    double premul[4]; /* the same as premultiplied f32 in [0, 1] (the engine's premultiply) */
} tproc__background;

/* The background of a stage whose filter has a COLOUR parameter, for an input of in. */
void tproc__background_get(const tproc_stage *stage, const tproc_format *in, tproc__background *bg);

/* Copies n pixels from src (in_channels each, pixel stride src_step bytes) to dst (out_channels,
 * dst_step) of sample type s; an alpha channel dst has and src lacks is set opaque. */
void tproc__copy_pixels_alpha(unsigned char *dst, ptrdiff_t dst_step, int out_channels,
                              const unsigned char *src, ptrdiff_t src_step, int in_channels,
                              tproc_sample s, ptrdiff_t n);

#endif
