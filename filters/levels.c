/* SPDX-License-Identifier: MIT */
/* levels.c: placeholder until the filter is written. */
#include "filter_internal.h"

static int prepare(tproc_ctx *ctx, const tproc_params *params, const tproc_format *in,
                   tproc_stage *stage)
{
    (void)params;
    (void)in;
    (void)stage;
    return tproc__error(ctx, TPROC_ERR_UNSUPPORTED, "levels: not implemented yet");
}

const tproc_filter tproc__filter_levels = {
    .abi = TPROC_FILTER_ABI,
    .name = "levels",
    .summary = "(not implemented yet)",
    .prepare = prepare,
};
