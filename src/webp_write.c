/* SPDX-License-Identifier: MIT */
/*
 * webp_write.c: WebP encoding of u8 rows with 1-4 channels (gray becomes RGB, alpha is kept):
 * lossy at a quality, or lossless (exact: colours under transparent pixels are kept too), at
 * an effort 0-6 (libwebp's method). An ICC profile and EXIF (its orientation reset to 1) go
 * into ICCP and EXIF chunks through libwebpmux.
 *
 * libwebp's encoder takes the whole picture, so the rows are packed as they come into the
 * picture's ARGB memory, counted against the limit at open; the encoding is done at finish.
 * Images past WebP's 16383-pixel sides are refused at open, before any row is taken.
 */

#include <webp/encode.h>
#include <webp/mux.h>

#include "webp_codec.h"

typedef struct writer {
    tproc_ctx *ctx;
    tproc__output *out;
    const char *name;
    tproc_format format;
    WebPConfig config;
    WebPPicture picture; /* argb is our counted memory (libwebp doesn't free it) */
    uint32_t *argb;
    unsigned char *icc, *exif; /* counted copies: they are written at finish */
    size_t icc_size, exif_size;
    ptrdiff_t rows_done;
    int failed, finished;
} writer;

static void writer_close(void *state)
{
    writer *w = state;
    if (!w)
        return;
    WebPPictureFree(&w->picture); /* frees only what libwebp allocated itself */
    tproc__dealloc(w->ctx, w->argb);
    tproc__dealloc(w->ctx, w->icc);
    tproc__dealloc(w->ctx, w->exif);
    tproc__dealloc(w->ctx, w);
}

/* Packs one row of 1-4 u8 channels into ARGB words. */
static void pack_row(const tproc_view *rows, ptrdiff_t y, uint32_t *argb)
{
    const unsigned char *p = (const unsigned char *)rows->data + y * rows->row_stride;
    int c = rows->channels;
    for (ptrdiff_t x = 0; x < rows->width; x++, p += rows->pixel_stride) {
        uint32_t r = p[0], g = c >= 3 ? p[1] : r, b = c >= 3 ? p[2] : r;
        uint32_t a = c == 2 ? p[1] : c == 4 ? p[3] : 255u;
        argb[x] = a << 24 | r << 16 | g << 8 | b;
    }
}

static int writer_write(void *state, const tproc_view *rows)
{
    writer *w = state;
    int status = tproc__encoder_rows(w->ctx, w->name, w->failed, w->finished, &w->format,
                                     w->rows_done, rows);
    if (status)
        return status;
    for (ptrdiff_t y = 0; y < rows->height; y++)
        pack_row(rows, y, w->argb + (size_t)(w->rows_done + y) * (size_t)w->format.width);
    w->rows_done += rows->height;
    return TPROC_OK;
}

/* libwebp's writer callback: straight to the output. */
static int write_to_output(const uint8_t *data, size_t size, const WebPPicture *picture)
{
    writer *w = picture->custom_ptr;
    return tproc__output_write(w->out, data, size) == TPROC_OK;
}

static const char *encode_error_text(WebPEncodingError e)
{
    switch (e) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY:
        return "libwebp ran out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION:
        return "bad picture size for WebP";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW:
    case VP8_ENC_ERROR_PARTITION_OVERFLOW:
        return "WebP partition overflow (try a lower quality)";
    case VP8_ENC_ERROR_FILE_TOO_BIG:
        return "the WebP file would be larger than 4 GiB";
    default:
        return "libwebp failed to encode";
    }
}

/* The bitstream in memory, then a container with the ICC and EXIF chunks around it. */
static int encode_with_chunks(writer *w)
{
    WebPMemoryWriter mem;
    WebPMemoryWriterInit(&mem);
    w->picture.writer = WebPMemoryWrite;
    w->picture.custom_ptr = &mem;
    int status = TPROC_OK;
    if (!WebPEncode(&w->config, &w->picture)) {
        WebPMemoryWriterClear(&mem);
        return tproc__error_file(w->ctx, TPROC_ERR_NOMEM, w->name, "%s",
                                 encode_error_text(w->picture.error_code));
    }
    WebPMux *mux = WebPMuxNew();
    WebPData image = {mem.mem, mem.size}, assembled = {NULL, 0};
    WebPData icc = {w->icc, w->icc_size}, exif = {w->exif, w->exif_size};
    if (!mux || WebPMuxSetImage(mux, &image, 0) != WEBP_MUX_OK ||
        (w->icc && WebPMuxSetChunk(mux, "ICCP", &icc, 0) != WEBP_MUX_OK) ||
        (w->exif && WebPMuxSetChunk(mux, "EXIF", &exif, 0) != WEBP_MUX_OK) ||
        WebPMuxAssemble(mux, &assembled) != WEBP_MUX_OK)
        status = tproc__error_file(w->ctx, TPROC_ERR_NOMEM, w->name,
                                   "libwebpmux failed to add the ICC/EXIF chunks");
    else
        status = tproc__output_write(w->out, assembled.bytes, assembled.size);
    WebPDataClear(&assembled);
    WebPMuxDelete(mux);
    WebPMemoryWriterClear(&mem);
    return status;
}

static int writer_finish(void *state)
{
    writer *w = state;
    int status = tproc__encoder_finishing(w->ctx, w->name, w->failed, w->finished, &w->format,
                                          w->rows_done);
    if (status)
        return status;
    if (w->icc || w->exif) {
        status = encode_with_chunks(w);
    } else {
        w->picture.writer = write_to_output;
        w->picture.custom_ptr = w;
        if (!WebPEncode(&w->config, &w->picture))
            status = w->out->status ? w->out->status
                                    : tproc__error_file(w->ctx, TPROC_ERR_NOMEM, w->name, "%s",
                                                        encode_error_text(w->picture.error_code));
    }
    if (status)
        return w->failed = status;
    w->finished = 1;
    return TPROC_OK;
}

/* libwebp's settings from the resolved options. */
static int writer_configure(writer *w, const tproc_save_options *o)
{
    if (!WebPConfigInit(&w->config) || !WebPPictureInit(&w->picture))
        return tproc__error_file(w->ctx, TPROC_ERR_UNSUPPORTED, w->name,
                                 "libwebp version mismatch");
    w->config.quality = (float)o->quality;
    w->config.method = o->effort;
    if (o->lossless) {
        w->config.lossless = 1;
        w->config.exact = 1;
    }
    if (!WebPValidateConfig(&w->config))
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, w->name, "invalid WebP settings");
    w->picture.use_argb = 1;
    w->picture.width = (int)w->format.width;
    w->picture.height = (int)w->format.height;
    w->picture.argb = w->argb;
    w->picture.argb_stride = (int)w->format.width;
    return TPROC_OK;
}

int tproc__webp_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc)
{
    if (format->width > TPROC__WEBP_MAX_SIDE || format->height > TPROC__WEBP_MAX_SIDE)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, out->name,
                                 "WebP images are at most %dx%d pixels (the format's limit); "
                                 "this one is %tdx%td",
                                 TPROC__WEBP_MAX_SIDE, TPROC__WEBP_MAX_SIDE, format->width,
                                 format->height);
    if (format->sample != TPROC_U8)
        return tproc__error_file(ctx, TPROC_ERR_ARG, out->name, "WebP takes u8 samples");
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(writer), 1, out->name, "WebP encoder state", &mem);
    if (status)
        return status;
    writer *w = mem;
    w->ctx = ctx;
    w->out = out;
    w->name = out->name;
    w->format = *format;
    char what[160];
    snprintf(what, sizeof what, "a %tdx%td picture for the WebP encoder", format->width,
             format->height);
    /* At most 16383^2 * 4 bytes: no overflow. */
    size_t bytes = (size_t)format->width * (size_t)format->height * 4u;
    if (!(status = tproc__alloc_file(ctx, bytes, 0, out->name, what, &mem))) {
        w->argb = mem;
        status = writer_configure(w, options);
    }
    if (!status && options->icc && options->icc_size)
        status = tproc__memdup(ctx, out->name, "ICC copy", options->icc, options->icc_size,
                               (void **)&w->icc);
    if (!status && options->exif && options->exif_size)
        status = tproc__exif_upright_copy(ctx, out->name, options->exif, options->exif_size, 0,
                                          &w->exif);
    if (status) {
        writer_close(w);
        return status;
    }
    w->icc_size = w->icc ? options->icc_size : 0;
    w->exif_size = w->exif ? options->exif_size : 0;
    enc->state = w;
    enc->write_rows = writer_write;
    enc->finish = writer_finish;
    enc->close = writer_close;
    return TPROC_OK;
}
