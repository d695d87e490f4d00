/* SPDX-License-Identifier: MIT */
/*
 * median.c: median of the (2r + 1) x (2r + 1) neighbourhood, per colour channel. The window
 * holds an odd number of samples, so the result is its middle value (one of the input values;
 * no averaging, no rounding). Alpha is copied unchanged; halo r; no premultiplication.
 *
 * f32 is ordered as -inf < ... < -0 < +0 < ... < +inf, -0 and +0 being distinct; NaNs (not
 * expected in images) sort beyond the infinities.
 *
 * Speed (kernels/median_sort.c): min/max on whole rows, which vectorise. Radius 1 uses the
 * column identity (sort each column of 3; the median of the nine is the median of {largest
 * column minimum, median of column medians, smallest column maximum}); radius 2 and 3 sort the
 * columns with sorting networks and select the median with a pruned merging network.
 */
#include "filter_internal.h"
#include "kernels/median_sort.h"

enum { P_RADIUS, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"radius", TPROC_PARAM_INT, 1, 1, 3, 0, NULL, "window half-size: (2r+1) x (2r+1) pixels"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    int r = (int)tproc__param(stage, P_RADIUS);
    stage->halo = (tproc_halo){r, r, r, r};
    tproc__median *m;
    int status = tproc__alloc_uninit(ctx, sizeof *m, "median network", (void **)&m);
    if (status)
        return status;
    tproc__median_init(m, r, tproc__simd_level());
    stage->state = m;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    return tproc__median_scratch(stage->state, stage->in.sample, stage->in.channels, in.width,
                                 out.width);
}

static int process(const tproc_call *call)
{
    tproc__median_process(call->stage->state, call);
    return TPROC_OK;
}

const tproc_filter tproc__filter_median = {
    .abi = TPROC_FILTER_ABI,
    .name = "median",
    .summary = "median of the (2r+1) x (2r+1) neighbourhood per colour channel",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .scratch_size = scratch_size,
    .process = process,
};
