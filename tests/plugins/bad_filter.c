/* SPDX-License-Identifier: MIT */
/* bad_filter.c: a plugin whose filter descriptor claims another ABI; registration refuses it. */
#include <tileproc/tileproc.h>

static void row(const tproc_params *p, const tproc_stage *s, const unsigned char *in,
                unsigned char *out, ptrdiff_t w, const tproc_format *fi, const tproc_format *fo)
{
    (void)p, (void)s, (void)in, (void)out, (void)w, (void)fi, (void)fo;
}

static const tproc_filter stale = {
    .abi = TPROC_FILTER_ABI + 1, .name = "stale", .summary = "x", .process_row = row};

__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    (void)abi;
    return reg(ctx, &stale);
}
