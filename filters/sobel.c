/* SPDX-License-Identifier: MIT */
/*
 * sobel.c: edge magnitude with the 3x3 Sobel operator. For each colour channel
 *     gx = [-1 0 1; -2 0 2; -1 0 1] (correlated with the 3x3 neighbourhood), gy its transpose,
 *     v' = sqrt(gx^2 + gy^2)
 * in the sample's natural units (u8 0-255, u16 0-65535, f32 as is). Integer outputs are the
 * exact magnitude rounded half up and clamped to the type's maximum (a tie cannot occur: the
 * square of k + 1/2 is never an integer); f32 is not clamped. Alpha is copied unchanged. Halo 1,
 * no premultiplication (an edge detector measures the stored colour). u8 runs in integer lanes
 * with the same bytes (kernels/sobel_u8.c); u16 and f32 compute the formula as written here.
 */
#include "filter_internal.h"
#include "kernels/sobel_u8.h"

/* The stage's state: which build of the u8 kernels runs. */
typedef struct sobel_state {
    tproc__simd simd;
} sobel_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    stage->halo = (tproc_halo){1, 1, 1, 1};
    sobel_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "sobel state", (void **)&st);
    if (status)
        return status;
    st->simd = tproc__simd_level();
    stage->state = st;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    if (stage->in.sample != TPROC_U8)
        return 0;
    return tproc__sobel_u8_scratch(stage->in.channels, in.width, out.width);
}

/* Channel k of the pixel at p as a double in natural units. */
static inline double get(const unsigned char *p, tproc_sample s, int k)
{
    switch (s) {
    case TPROC_U8:
        return p[k];
    case TPROC_U16:
        return ((const uint16_t *)(const void *)p)[k];
    default:
        return ((const float *)(const void *)p)[k];
    }
}

static int process(const tproc_call *call)
{
    if (call->in.sample == TPROC_U8) {
        const sobel_state *st = call->stage->state;
        tproc__sobel_u8(st->simd, call);
        return TPROC_OK;
    }
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc_sample s = in->sample;
    const int ch = out->channels, cc = tproc__colour_channels(ch);
    /* Output (x, y) is centred on input (x + ox, y + oy). */
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    const ptrdiff_t ps = in->pixel_stride, rs = in->row_stride;
    const size_t ss = tproc_sample_size(s);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (ptrdiff_t x = 0; x < out->width; x++) {
            const unsigned char *c = tproc_view_pixel(in, ox + x, oy + y);
            const unsigned char *nw = c - rs - ps, *n = c - rs, *ne = c - rs + ps;
            const unsigned char *w = c - ps, *e = c + ps;
            const unsigned char *sw = c + rs - ps, *so = c + rs, *se = c + rs + ps;
            unsigned char *d = tproc_view_pixel(out, x, y);
            for (int k = 0; k < cc; k++) {
                /* Exact for integer samples: every term is a small integer. */
                double gx = get(ne, s, k) - get(nw, s, k) + 2.0 * (get(e, s, k) - get(w, s, k)) +
                            get(se, s, k) - get(sw, s, k);
                double gy = get(sw, s, k) - get(nw, s, k) + 2.0 * (get(so, s, k) - get(n, s, k)) +
                            get(se, s, k) - get(ne, s, k);
                double mag = sqrt(gx * gx + gy * gy);
                if (s == TPROC_F32) {
                    ((float *)(void *)d)[k] = (float)mag;
                } else {
                    /* mag >= 0 and below 2^19: truncating mag + 0.5 rounds half up, and the
                     * integer clamp compiles without a branch. */
                    long m = (long)(mag + 0.5);
                    if (s == TPROC_U8)
                        d[k] = (unsigned char)(m < 255 ? m : 255);
                    else
                        ((uint16_t *)(void *)d)[k] = (uint16_t)(m < 65535 ? m : 65535);
                }
            }
            if (cc < ch) /* alpha: the centre pixel's */
                memcpy(d + (size_t)cc * ss, c + (size_t)cc * ss, ss);
        }
    }
    return TPROC_OK;
}

const tproc_filter tproc__filter_sobel = {
    .abi = TPROC_FILTER_ABI,
    .name = "sobel",
    .summary = "edge magnitude sqrt(gx^2 + gy^2) of the 3x3 Sobel operator per colour channel",
    .prepare = prepare,
    .release = release,
    .scratch_size = scratch_size,
    .process = process,
};
