/* SPDX-License-Identifier: MIT */
/*
 * webp_codec.h: what the WebP codec's files share (webp_codec.c: the descriptor, the options
 * and reading a file's bytes; webp_read.c: decoding; webp_write.c: encoding), through libwebp
 * with libwebpdemux for the ICC and EXIF chunks and libwebpmux to write them.
 *
 * libwebp works on whole images: its decoder needs the whole file in memory and writes the
 * whole picture (it has no row callback), its encoder takes the whole picture. So a WebP
 * input is decoded whole (whole_image, "a WebP file") and a WebP output holds its image until
 * finish; both count that memory against the limit before taking it. libwebp reports errors
 * by status codes, so there is no error trap here.
 */
#ifndef TILEPROC_WEBP_CODEC_H
#define TILEPROC_WEBP_CODEC_H

#include <webp/decode.h>

#include "codec.h"

/* WebP's largest width or height (the bitstream's 14-bit sizes). */
#define TPROC__WEBP_MAX_SIDE 16383
/* The effort (libwebp's method 0-6) when the save options leave it unset (negative). */
#define TPROC__WEBP_DEFAULT_EFFORT 4

/* A WebP file's bytes in memory: the input's own memory when it has some, else a counted
 * copy read up to the size its RIFF header declares (owned, freed by tproc__webp_bytes_free). */
typedef struct tproc__webp_bytes {
    const uint8_t *data;
    size_t size;
    unsigned char *owned;
} tproc__webp_bytes;

int tproc__webp_bytes_read(tproc_ctx *ctx, tproc__input *in, tproc__webp_bytes *b);
void tproc__webp_bytes_free(tproc_ctx *ctx, tproc__webp_bytes *b);

/* libwebp's decode status in words ("truncated WebP data"). */
const char *tproc__webp_status_text(VP8StatusCode status);

/* The codec's entry points (webp_read.c, webp_write.c); the encoder takes u8, 1-4 channels. */
tproc__info_fn tproc__webp_info;
tproc__decoder_open_fn tproc__webp_decoder_open;
tproc__encoder_open_fn tproc__webp_encoder_open;
tproc__tile_encoder_open_fn tproc__webp_tile_encoder_open;

#endif /* TILEPROC_WEBP_CODEC_H */
