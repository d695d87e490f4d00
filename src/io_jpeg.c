/* SPDX-License-Identifier: MIT */
/* stub for local builds only */
#include "io_internal.h"
int tproc__jpeg_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info) { (void)in; (void)info; return tproc__error(ctx, TPROC_ERR_UNSUPPORTED, "stub"); }
int tproc__jpeg_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *o, tproc_image **out) { (void)in; (void)o; (void)out; return tproc__error(ctx, TPROC_ERR_UNSUPPORTED, "stub"); }
int tproc__jpeg_save(tproc_ctx *ctx, const tproc_view *v, tproc__output *out, const tproc_save_options *o) { (void)v; (void)out; (void)o; return tproc__error(ctx, TPROC_ERR_UNSUPPORTED, "stub"); }
