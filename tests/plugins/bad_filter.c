/* SPDX-License-Identifier: MIT */
/* bad_filter.c: a plugin whose filter descriptor claims another ABI; registration refuses it. */
#include <tileproc/tileproc.h>

static double same(const double *values, double v, double max)
{
    (void)values, (void)max;
    return v;
}

static const tproc_filter stale = {
    .abi = TPROC_FILTER_ABI + 1, .name = "stale", .summary = "x", .map = same};

__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    (void)abi;
    return reg(ctx, &stale);
}
