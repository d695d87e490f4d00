/* SPDX-License-Identifier: MIT */
/*
 * invert.c: the photographic negative, v' = max - v on every colour channel, where max is the
 * sample type's maximum (255, 65535, or 1.0 for f32). Alpha, the last channel of gray+alpha and
 * RGBA, is copied unchanged. No parameters.
 *
 * Rounding: none is needed. For u8 and u16, max - v is v with every bit flipped, so a row is
 * XORed with a byte pattern (0xff on colour bytes, 0 on alpha bytes) that the compiler
 * vectorises: the filter runs at memory speed and needs no table. f32 computes 1 - v in double
 * and rounds it to float (the same as 1.0f - v: double has the bits to make that rounding
 * exact) and is not clamped: values outside [0, 1] stay outside.
 */
#include "kernels/point_lut.h"

/* Flips every bit of colour bytes. Pixels of 2, 4 or 8 bytes (the sizes that have alpha) divide
 * 16, so one 16-byte mask covers every lane; without alpha the mask is all ones. */
static void row_int(const unsigned char *in, unsigned char *out, size_t bytes, size_t pixel_size,
                    size_t sample_size, int alpha)
{
    unsigned char mask[16];
    for (size_t i = 0; i < 16; i++)
        mask[i] = (unsigned char)(alpha && i % pixel_size >= pixel_size - sample_size ? 0 : 0xff);
    size_t i = 0;
    for (; i + 16 <= bytes; i += 16)
        for (size_t j = 0; j < 16; j++)
            out[i + j] = (unsigned char)(in[i + j] ^ mask[j]);
    for (; i < bytes; i++)
        out[i] = (unsigned char)(in[i] ^ mask[i % 16]);
}

/* The definition (f32 only: u8 and u16 flip bits). */
static double map(const double *values, double v, double max)
{
    (void)values; /* no parameters */
    return max - v;
}

static void process_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    int channels = stage->in.channels;
    if (stage->in.sample == TPROC_F32) {
        tproc__point_row_f32(map, NULL, in, out, (size_t)width, channels);
        return;
    }
    size_t sample_size = stage->in.sample == TPROC_U16 ? 2 : 1;
    size_t pixel_size = sample_size * (size_t)channels;
    row_int(in, out, (size_t)width * pixel_size, pixel_size, sample_size,
            tproc__has_alpha(channels));
}

const tproc_filter tproc__filter_invert = {
    .abi = TPROC_FILTER_ABI,
    .name = "invert",
    .summary = "negative: max - v on colour channels (alpha unchanged)",
    .process_row = process_row,
};
