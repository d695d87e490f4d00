/* SPDX-License-Identifier: MIT */
/*
 * sharpen.c: unsharp mask. blurred = gaussian(sigma) (as the gaussian filter, computed in
 * double); d = v - blurred; the output is v + amount * d where |d| > threshold * max (max = 255,
 * 65535, or 1 for f32), and v elsewhere. Integer outputs are rounded half up and clamped; f32
 * is not clamped. With alpha the engine hands over premultiplied f32 (alpha is sharpened like
 * the other channels). Halo: the gaussian's radius ceil(3 sigma).
 *
 * u8 without alpha and with threshold 0 (the default) takes a faster path: the blur is
 * gaussian's 16-bit fixed point (separable.c: within fixed_error levels of the exact blur, 0.04
 * for sigma 1) and the mask a single-precision point pass fused after it
 * (kernels/sharpen_u8.c). Before rounding its result is within amount * fixed_error plus at
 * most 0.005 levels of the exact unsharp mask; the path is used only while that bound is below
 * 0.49 (amount up to about 12 for sigma 1, 6 for sigma 2), so the output is within 1 level of
 * the exact result (the double path's output, bar ties) and usually equal to it. A threshold
 * above 0 keeps the double path, whose comparison of |d| with it must be exact.
 */
#include "filter_internal.h"
#include "kernels/separable.h"
#include "kernels/sharpen_u8.h"

static const tproc_param_desc params[] = {
    {"sigma", TPROC_PARAM_FLOAT, 1.0, 0.0, 1000.0, TPROC_PARAM_MIN_OPEN, NULL,
     "standard deviation of the blur, in pixels"},
    {"amount", TPROC_PARAM_FLOAT, 1.0, 0.0, 100.0, 0, NULL,
     "how much of the difference from the blur to add"},
    {"threshold", TPROC_PARAM_FLOAT, 0.0, 0.0, 1.0, 0, NULL,
     "leave samples whose difference is at most this fraction of the maximum"},
};

/* The u8 fixed-point path is taken while its bound stays below this (see the top). */
#define FUSED_MAX_ERROR 0.49

/* The stage's state: the gaussian kernel (first, see separable.h), and whether u8 takes the
 * fused fixed-point path. */
typedef struct sharpen_state {
    tproc__sep_kernel *k;
    int fused;
    float amount;
    tproc__simd simd;
} sharpen_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__sep_kernel *k = NULL;
    int status = tproc__sep_gaussian(ctx, tproc__param(stage, 0), &k);
    status = tproc__sep_stage_state(ctx, status, k, sizeof(sharpen_state), stage);
    if (status)
        return status;
    sharpen_state *st = stage->state;
    double amount = tproc__param(stage, 1);
    st->amount = (float)amount;
    st->simd = tproc__simd_level();
    st->fused = stage->in.sample == TPROC_U8 && !tproc__has_alpha(stage->in.channels) &&
                tproc__param(stage, 2) == 0.0 && k->fixed &&
                tproc__sharpen_u8_bound(amount, k->fixed_error) < FUSED_MAX_ERROR;
    return TPROC_OK;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    const sharpen_state *st = stage->state;
    return tproc__sep_scratch_size(st->k, stage->work.channels, in.width, out.width);
}

static void finish_u8(const void *user, const uint16_t *acc, const uint8_t *centre, uint8_t *out,
                      size_t n)
{
    const sharpen_state *st = user;
    tproc__sharpen_u8_row(st->simd, st->amount, acc, centre, out, n);
}

static int process(const tproc_call *call)
{
    const sharpen_state *st = call->stage->state;
    if (st->fused && call->in.sample == TPROC_U8) {
        tproc__sep_fixed_rows(st->k, call, finish_u8, st);
        return TPROC_OK;
    }
    const tproc__sep_kernel *k = st->k;
    const tproc_view *in = &call->in;
    double amount = tproc__param(call->stage, 1);
    double limit = tproc__param(call->stage, 2) * tproc__sample_max(in->sample);
    int r = k->radius, ch = in->channels;
    double *row = tproc__sep_row_buffer(k, call);
    for (ptrdiff_t y = 0; y < call->out.height; y++) {
        tproc__sep_row_f64(k, call, y, row);
        for (ptrdiff_t x = 0; x < call->out.width; x++) {
            const unsigned char *p = tproc_view_pixel(in, x + r, y + r);
            for (int c = 0; c < ch; c++) {
                double v = tproc__get_sample(p, in->sample, c);
                double d = v - row[x * ch + c];
                row[x * ch + c] = fabs(d) > limit ? v + amount * d : v;
            }
        }
        tproc__sep_store_row(call, y, row);
    }
    return TPROC_OK;
}

const tproc_filter tproc__filter_sharpen = {
    .abi = TPROC_FILTER_ABI,
    .name = "sharpen",
    .summary = "unsharp mask: add amount x (pixel - gaussian blur) where it exceeds threshold",
    .params = params,
    .param_count = 3,
    .prepare = prepare,
    .release = tproc__sep_release_state,
    .scratch_size = scratch_size,
    .process = process,
};
