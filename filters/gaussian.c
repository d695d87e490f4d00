/* SPDX-License-Identifier: MIT */
/*
 * gaussian.c: gaussian blur. Kernel radius ceil(3 sigma), weights exp(-x^2 / 2 sigma^2)
 * normalised to sum 1, applied down the columns and then along the rows (separable.c); the
 * halo is the radius. u8 without alpha takes the 16-bit fixed-point path while its proven error
 * bound allows (sigma 0.25 to about 15.5; within 1 level of the exact result), otherwise a double
 * path. Integer outputs are the result rounded half up and clamped; f32 is not clamped. With
 * alpha the engine hands over premultiplied f32, so alpha is blurred like the other channels
 * and transparent pixels do not bleed colour.
 */
#include "filter_internal.h"
#include "kernels/separable.h"

static const tproc_param_desc params[] = {
    {"sigma", TPROC_PARAM_FLOAT, 1.0, 0.0, 1000.0, TPROC_PARAM_MIN_OPEN, NULL,
     "standard deviation in pixels; the kernel reaches 3 sigma"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__sep_kernel *k = NULL;
    int status = tproc__sep_gaussian(ctx, tproc__param(stage, 0), &k);
    return tproc__sep_stage(status, k, stage);
}

static int process(const tproc_call *call)
{
    return tproc__sep_process(call->stage->state, call);
}

const tproc_filter tproc__filter_gaussian = {
    .abi = TPROC_FILTER_ABI,
    .name = "gaussian",
    .summary = "gaussian blur",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .release = tproc__sep_release,
    .scratch_size = tproc__sep_stage_scratch,
    .process = process,
};
