/* SPDX-License-Identifier: MIT */
/* tiff_write.c: TIFF encoding (to come). */
#include "tiff_codec.h"

int tproc__tiff_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc)
{
    (void)format;
    (void)options;
    (void)enc;
    return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, out->name, "TIFF writing is not built");
}
