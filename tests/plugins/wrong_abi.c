/* SPDX-License-Identifier: MIT */
/* wrong_abi.c: a plugin built for another filter ABI: its init refuses, as a plugin must. */
#include <tileproc/tileproc.h>

__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    (void)ctx;
    (void)reg;
    return abi == TPROC_FILTER_ABI + 100 ? TPROC_OK : TPROC_ERR_UNSUPPORTED;
}
