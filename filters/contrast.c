/* SPDX-License-Identifier: MIT */
/*
 * contrast.c: scales colour samples away from (or towards) mid-grey,
 *     v' = (v - max/2) * amount + max/2,
 * where max is the sample type's maximum (255, 65535, or 1.0 for f32). amount is in [0, 10],
 * default 1.2: 1 is the identity, 0 makes every colour sample mid-grey, above 1 adds contrast.
 * Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table built in prepare() from the same double formula that f32
 * uses, so the hot loop is one table read per sample and every tiling gives the same bytes.
 * f32 is computed in double, stored as float and not clamped, so a later stage still sees
 * values pushed past 0 and 1.
 */
#include "filter_internal.h"

static const tproc_param_desc params[] = {
    {"amount", TPROC_PARAM_FLOAT, 1.2, 0.0, 10.0, 0, NULL,
     "contrast factor around mid-grey (1: unchanged, 0: flat grey)"},
};
#define PARAM_COUNT ((int)(sizeof params / sizeof params[0]))

/* The definition, in the natural range of a type whose maximum is max; k holds the parameters
 * in table order. */
static double map(double v, const double *k, double max)
{
    return (v - max / 2) * k[0] + max / 2;
}

/* The state: the table for the input's integer type (u8: 256 bytes, u16: 65536 entries). */
static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    tproc__stage_defaults(stage, in);
    stage->point = 1;
    if (in->sample == TPROC_U8) {
        unsigned char *t;
        int status = tproc__alloc_uninit(ctx, 256, "contrast lookup table", (void **)&t);
        if (status)
            return status;
        for (int v = 0; v < 256; v++)
            t[v] = tproc__to_u8(map(v, p->value, 255.0));
        stage->state = t;
    } else if (in->sample == TPROC_U16) {
        uint16_t *t;
        int status =
            tproc__alloc_uninit(ctx, 65536 * sizeof *t, "contrast lookup table", (void **)&t);
        if (status)
            return status;
        for (int v = 0; v < 65536; v++)
            t[v] = tproc__to_u16(map(v, p->value, 65535.0));
        stage->state = t;
    }
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc_free(ctx, stage->state);
    stage->state = NULL;
}

/*
 * Table rows. Each output sample depends only on the input sample at the same offset, so
 * in == out is fine. The channel switch happens once per row; small local arrays let the
 * compiler combine the stores, which is what makes a table loop fast without SIMD shuffles.
 */
static void row_u8(const unsigned char *t, const unsigned char *in, unsigned char *out,
                   size_t width, int channels)
{
    if (channels == 2) {
        for (size_t x = 0; x < width; x++, in += 2, out += 2) {
            unsigned char px[2] = {t[in[0]], in[1]};
            memcpy(out, px, 2);
        }
    } else if (channels == 4) {
        for (size_t x = 0; x < width; x++, in += 4, out += 4) {
            unsigned char px[4] = {t[in[0]], t[in[1]], t[in[2]], in[3]};
            memcpy(out, px, 4);
        }
    } else {
        size_t n = width * (size_t)channels, i = 0;
        for (; i + 8 <= n; i += 8) {
            unsigned char v[8];
            for (int k = 0; k < 8; k++)
                v[k] = t[in[i + (size_t)k]];
            memcpy(out + i, v, 8);
        }
        for (; i < n; i++)
            out[i] = t[in[i]];
    }
}

static void row_u16(const uint16_t *t, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    if (channels == 2) {
        for (size_t x = 0; x < width; x++, in += 4, out += 4) {
            uint16_t v[2];
            memcpy(v, in, 4);
            v[0] = t[v[0]];
            memcpy(out, v, 4);
        }
    } else if (channels == 4) {
        for (size_t x = 0; x < width; x++, in += 8, out += 8) {
            uint16_t v[4];
            memcpy(v, in, 8);
            v[0] = t[v[0]];
            v[1] = t[v[1]];
            v[2] = t[v[2]];
            memcpy(out, v, 8);
        }
    } else {
        size_t n = width * (size_t)channels, i = 0;
        for (; i + 4 <= n; i += 4) {
            uint16_t v[4];
            memcpy(v, in + 2 * i, 8);
            for (int k = 0; k < 4; k++)
                v[k] = t[v[k]];
            memcpy(out + 2 * i, v, 8);
        }
        for (; i < n; i++) {
            uint16_t v;
            memcpy(&v, in + 2 * i, 2);
            v = t[v];
            memcpy(out + 2 * i, &v, 2);
        }
    }
}

static void row_f32(const double *k, const unsigned char *in, unsigned char *out, size_t width,
                    int channels)
{
    int colour = tproc__colour_channels(channels);
    for (size_t x = 0; x < width; x++, in += 4 * channels, out += 4 * channels) {
        for (int c = 0; c < colour; c++) {
            float v;
            memcpy(&v, in + 4 * c, 4);
            v = (float)map(v, k, 1.0);
            memcpy(out + 4 * c, &v, 4);
        }
        if (colour != channels)
            memmove(out + 4 * colour, in + 4 * colour, 4);
    }
}

static void process_row(const tproc_params *p, const tproc_stage *stage, const unsigned char *in,
                        unsigned char *out, ptrdiff_t width, const tproc_format *in_format,
                        const tproc_format *out_format)
{
    (void)out_format;
    size_t w = (size_t)width;
    if (in_format->sample == TPROC_U8)
        row_u8(stage->state, in, out, w, in_format->channels);
    else if (in_format->sample == TPROC_U16)
        row_u16(stage->state, in, out, w, in_format->channels);
    else
        row_f32(p->value, in, out, w, in_format->channels);
}

const tproc_filter tproc__filter_contrast = {
    .abi = TPROC_FILTER_ABI,
    .name = "contrast",
    .summary = "scale colour samples around mid-grey by amount (alpha unchanged)",
    .params = params,
    .param_count = PARAM_COUNT,
    .prepare = prepare,
    .release = release,
    .process_row = process_row,
};
