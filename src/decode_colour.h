/* SPDX-License-Identifier: MIT */
/*
 * decode_colour.h: the colour step every decoder goes through (decode_colour.c), between a
 * codec's decoder and whoever reads its rows (source.c, the only place decoders are opened).
 * No codec converts colours itself: it reports its ICC profile (tproc__decoder.icc) and, for
 * CMYK, delivers ink (tproc__decoder.cmyk); this step applies the load options' colour policy.
 */
#ifndef TILEPROC_DECODE_COLOUR_H
#define TILEPROC_DECODE_COLOUR_H

#include "codec.h"

/*
 * Applies the colour policy of options (NULL: the defaults) to a decoder just opened. When
 * rows must be converted, *dec is replaced by a decoder of the same interface reading the
 * codec's rows and converting each, in order, as it is handed out (so streamed rows equal a
 * whole load's byte for byte); its format is what the caller receives (RGB for CMYK) and its
 * icc what the image then carries under the policy (NULL, the output profile, or the file's).
 * name names the input in messages. On failure *dec is closed.
 */
int tproc__decode_colour(tproc_ctx *ctx, const char *name, const tproc_load_options *options,
                         tproc__decoder *dec);

#endif
