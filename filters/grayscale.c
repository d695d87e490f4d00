/* SPDX-License-Identifier: MIT */
/*
 * grayscale.c: RGB to luma, Y = kr*R + kg*G + kb*B with the weights of
 *     standard=709 (default): 0.2126, 0.7152, 0.0722 (Rec. 709, sRGB primaries)
 *     standard=601:           0.299,  0.587,  0.114  (Rec. 601, classic TV / JPEG)
 * applied to the samples as stored (no linearisation). RGB becomes 1 channel and RGBA becomes
 * gray+alpha (alpha copied unchanged); gray and gray+alpha input pass through unchanged.
 *
 * Rounding: u8 and u16 results are Y evaluated in double exactly as written above (products
 * summed left to right, no fused multiply-add) and rounded half up; Y never leaves [0, max], so
 * there is nothing to clamp. No fixed-point shortcut: integer weights cannot reproduce how the
 * double sum rounds the many colours whose exact luma lies on a half, and the conversion is
 * cheap next to memory traffic anyway. f32 is computed the same way in double and stored as
 * float, not clamped.
 */
#include "filter_internal.h"

static const char *const standards[] = {"709", "601", NULL};

static const tproc_param_desc params[] = {
    {"standard", TPROC_PARAM_ENUM, 0, 0, 0, 0, standards,
     "luma weights: 709 (0.2126 0.7152 0.0722) or 601 (0.299 0.587 0.114)"},
};

static const double weights[2][3] = {{0.2126, 0.7152, 0.0722}, {0.299, 0.587, 0.114}};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* nothing can fail */
    if (stage->in.channels >= 3)
        stage->out.channels = stage->in.channels - 2; /* RGB -> gray, RGBA -> gray+alpha */
    return TPROC_OK;
}

/*
 * One row of RGB(A) to gray(+alpha). Output pixel x lies at or before input pixel x, and each
 * pixel is read completely before it is written, so in == out works.
 */
static void row_u8(const double *k, const unsigned char *in, unsigned char *out, size_t width,
                   int channels)
{
    int alpha = channels == 4;
    size_t step = (size_t)channels, ostep = alpha ? 2 : 1;
    for (size_t x = 0; x < width; x++, in += step, out += ostep) {
        double y = k[0] * in[0] + k[1] * in[1] + k[2] * in[2];
        unsigned char a = alpha ? in[3] : 0;
        out[0] = (unsigned char)(y + 0.5); /* y >= 0, so truncation is floor */
        if (alpha)
            out[1] = a;
    }
}

static void row_u16(const double *k, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    size_t step = 2 * (size_t)channels, ostep = channels == 4 ? 4 : 2;
    for (size_t x = 0; x < width; x++, in += step, out += ostep) {
        uint16_t v[4];
        memcpy(v, in, step);
        double y = k[0] * v[0] + k[1] * v[1] + k[2] * v[2];
        v[0] = (uint16_t)(y + 0.5);
        v[1] = v[3];
        memcpy(out, v, ostep);
    }
}

static void row_f32(const double *k, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    size_t step = 4 * (size_t)channels, ostep = channels == 4 ? 8 : 4;
    for (size_t x = 0; x < width; x++, in += step, out += ostep) {
        float v[4];
        memcpy(v, in, step);
        double y = k[0] * (double)v[0] + k[1] * (double)v[1] + k[2] * (double)v[2];
        v[0] = (float)y;
        v[1] = v[3];
        memcpy(out, v, ostep);
    }
}

static void process_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    const tproc_format *f = &stage->in;
    int channels = f->channels;
    size_t w = (size_t)width;
    if (channels < 3) {
        size_t bytes = w * (size_t)channels * tproc_sample_size(f->sample);
        if (out != in)
            memmove(out, in, bytes);
        return;
    }
    const double *k = weights[tproc__param(stage, 0) == 1 ? 1 : 0];
    if (f->sample == TPROC_U8)
        row_u8(k, in, out, w, channels);
    else if (f->sample == TPROC_U16)
        row_u16(k, in, out, w, channels);
    else
        row_f32(k, in, out, w, channels);
}

const tproc_filter tproc__filter_grayscale = {
    .abi = TPROC_FILTER_ABI,
    .name = "grayscale",
    .summary = "RGB to luma (Rec. 709 or 601); RGBA to gray+alpha, gray unchanged",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .process_row = process_row,
};
