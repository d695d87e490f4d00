/* SPDX-License-Identifier: MIT */
/*
 * sharpen.c: unsharp mask. blurred = gaussian(sigma) (as the gaussian filter, computed in
 * double); d = v - blurred; the output is v + amount * d where |d| > threshold * max (max = 255,
 * 65535, or 1 for f32), and v elsewhere. Integer outputs are rounded half up and clamped; f32
 * is not clamped. With alpha the engine hands over premultiplied f32 (alpha is sharpened like
 * the other channels). Halo: the gaussian's radius ceil(3 sigma).
 */
#include "filter_internal.h"
#include "kernels/separable.h"

static const tproc_param_desc params[] = {
    {"sigma", TPROC_PARAM_FLOAT, 1.0, 0.0, 1000.0, TPROC_PARAM_MIN_OPEN, NULL,
     "standard deviation of the blur, in pixels"},
    {"amount", TPROC_PARAM_FLOAT, 1.0, 0.0, 100.0, 0, NULL,
     "how much of the difference from the blur to add"},
    {"threshold", TPROC_PARAM_FLOAT, 0.0, 0.0, 1.0, 0, NULL,
     "leave samples whose difference is at most this fraction of the maximum"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__sep_kernel *k = NULL;
    int status = tproc__sep_gaussian(ctx, tproc__param(stage, 0), &k);
    return tproc__sep_stage(status, k, stage);
}

static int process(const tproc_call *call)
{
    const tproc__sep_kernel *k = call->stage->state;
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
    .release = tproc__sep_release,
    .scratch_size = tproc__sep_stage_scratch,
    .process = process,
};
