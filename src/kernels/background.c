/* SPDX-License-Identifier: MIT */
/*
 * background.c: a COLOUR parameter as the pixel of an image's format (background.h).
 */
#include "background.h"

#include "filter_internal.h"

void tproc__background_get(const tproc_stage *stage, const tproc_format *in, tproc__background *bg)
{
    double rgba[4];
    tproc_params_colour(stage->filter, stage->params, rgba);
    int alpha_in = tproc__has_alpha(in->channels);
    bg->channels = in->channels + (!alpha_in && rgba[3] < 255.0);
    int colour = tproc__colour_channels(bg->channels);
    double max = tproc__sample_max(in->sample), a = rgba[3] / 255.0;
    double luma = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2];
    for (int c = 0; c < 4; c++)
        bg->value[c] = bg->premul[c] = 0.0;
    for (int c = 0; c < colour; c++) {
        double v = (colour == 1 ? luma : rgba[c]) / 255.0;
        bg->value[c] = v * max;
        bg->premul[c] = v * a;
    }
    if (tproc__has_alpha(bg->channels)) {
        bg->value[colour] = a * max;
        bg->premul[colour] = a;
    }
}

void tproc__copy_pixels_alpha(unsigned char *dst, ptrdiff_t dst_step, int out_channels,
                              const unsigned char *src, ptrdiff_t src_step, int in_channels,
                              tproc_sample s, ptrdiff_t n)
{
    size_t size = tproc_sample_size(s), bytes = size * (size_t)in_channels;
    int add_alpha = out_channels > in_channels;
    double max = tproc__sample_max(s);
    for (ptrdiff_t x = 0; x < n; x++, dst += dst_step, src += src_step) {
        memcpy(dst, src, bytes);
        if (add_alpha)
            tproc__put_sample(dst, s, out_channels - 1, max);
    }
}
