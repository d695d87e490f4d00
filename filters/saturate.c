/* SPDX-License-Identifier: MIT */
/*
 * saturate.c: saturate:amount=S is modulate:saturation=S, the shorthand issue 15 allows: the
 * chroma C of CIE LCh multiplied by S (0 gives gray), lightness and hue kept. It is modulate
 * itself: prepare() hands modulate's prepare() that parameter set, and the rows are modulate's.
 */
#include "filter_internal.h"

static const tproc_param_desc params_table[] = {
    {"amount", TPROC_PARAM_FLOAT, 1, 0, 100, 0, NULL,
     "multiplies the chroma C in CIE LCh (0: gray, 1: unchanged), as modulate:saturation="},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const tproc_filter *m = &tproc__filter_modulate;
    tproc_params p;
    tproc_params_init(m, &p);
    int status = tproc_params_set(ctx, m, &p, "saturation", tproc__param(stage, 0));
    if (status)
        return status;
    /* modulate reads its parameters in prepare() only; the rows read the state. */
    tproc_stage as_modulate = *stage;
    as_modulate.filter = m;
    as_modulate.params = &p;
    if ((status = m->prepare(ctx, &as_modulate)))
        return status;
    stage->state = as_modulate.state;
    stage->out = as_modulate.out;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__filter_modulate.release(ctx, stage);
}

static void row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    tproc__filter_modulate.process_row(stage, in, out, width);
}

const tproc_filter tproc__filter_saturate = {
    .abi = TPROC_FILTER_ABI,
    .name = "saturate",
    .summary = "multiply the saturation (chroma in CIE LCh): modulate:saturation= in short",
    .params = params_table,
    .param_count = 1,
    .prepare = prepare,
    .release = release,
    .process_row = row,
};
