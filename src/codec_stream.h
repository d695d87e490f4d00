/* SPDX-License-Identifier: MIT */
/*
 * codec_stream.h: row-by-row decoding and encoding, the codecs' side of the streaming
 * source/sink layer (source.c, sink.c). A decoder hands out rows top to bottom; an encoder takes
 * them top to bottom. Both keep their libpng/libjpeg state between calls, so every call that
 * enters libpng/libjpeg sets its own setjmp inside io_png.c / io_jpeg.c.
 */
#ifndef TILEPROC_CODEC_STREAM_H
#define TILEPROC_CODEC_STREAM_H

#include "io_internal.h"
#include "tileproc/filter.h"

typedef struct tproc__decoder {
    tproc_format format; /* what read_rows delivers: rows as stored (before orientation) */
    int orientation;     /* EXIF orientation 1-8 from the header (1 if none) */
    /* 1 when rows cannot come one at a time (Adam7 PNG, progressive JPEG): read_rows still
     * works, but the codec had to decode the whole image at open, so it already holds
     * format.width * format.height pixels. */
    int whole_image;
    size_t whole_bytes;     /* bytes the codec holds for a whole_image decode (0 otherwise) */
    const void *icc, *exif; /* metadata seen before the first row (NULL if none) */
    size_t icc_size, exif_size;
    void *state;
    /* Decodes the next count rows into first, first + stride, ... (packed pixels of format).
     * Returns TPROC_OK or a status with the message recorded (naming the input). */
    int (*read_rows)(void *state, unsigned char *first, ptrdiff_t stride, size_t count);
    /* Frees everything; safe after a failure and before all rows were read. */
    void (*close)(void *state);
} tproc__decoder;

/*
 * Opens a decoder on in (positioned at the first byte). options->strict as for load.
 * scale_denom (JPEG only; 1, 2, 4 or 8) asks libjpeg for a DCT-scaled decode: format then
 * has the reduced size, ceil(width / scale_denom) x ceil(height / scale_denom).
 */
int tproc__png_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                            tproc__decoder *out);
int tproc__jpeg_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                             int scale_denom, tproc__decoder *out);

typedef struct tproc__encoder {
    void *state;
    /* Encodes the next rows (the view's rows, top to bottom; any strides). */
    int (*write_rows)(void *state, const tproc_view *rows);
    /* Writes the trailer after the last row; the output is complete after this. */
    int (*finish)(void *state);
    /* Frees everything; safe after a failure and before finish. */
    void (*close)(void *state);
} tproc__encoder;

/*
 * Opens an encoder for an image of the given format onto out. The format must be one the
 * encoder takes as it is (PNG: u8/u16, 1-4 channels; JPEG: u8, 1 or 3 channels); sink.c
 * converts rows first otherwise. options as for tproc_save (quality, compression, metadata).
 */
int tproc__png_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                            const tproc_save_options *options, tproc__encoder *enc);
int tproc__jpeg_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc);

#endif
