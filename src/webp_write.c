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
    return tproc__output_write(picture->custom_ptr, data, size) == TPROC_OK;
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

/* Metadata for the container around the bitstream (none: both NULL). */
typedef struct chunks {
    const void *icc, *exif;
    size_t icc_size, exif_size;
} chunks;

/* The bitstream in memory, then a container with the ICC and EXIF chunks around it. */
static int encode_with_chunks(tproc_ctx *ctx, const WebPConfig *config, WebPPicture *picture,
                              const chunks *c, tproc__output *out)
{
    WebPMemoryWriter mem;
    WebPMemoryWriterInit(&mem);
    picture->writer = WebPMemoryWrite;
    picture->custom_ptr = &mem;
    int status = TPROC_OK;
    if (!WebPEncode(config, picture)) {
        WebPMemoryWriterClear(&mem);
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, out->name, "%s",
                                 encode_error_text(picture->error_code));
    }
    WebPMux *mux = WebPMuxNew();
    WebPData image = {mem.mem, mem.size}, assembled = {NULL, 0};
    WebPData icc = {c->icc, c->icc_size}, exif = {c->exif, c->exif_size};
    if (!mux || WebPMuxSetImage(mux, &image, 0) != WEBP_MUX_OK ||
        (c->icc && WebPMuxSetChunk(mux, "ICCP", &icc, 0) != WEBP_MUX_OK) ||
        (c->exif && WebPMuxSetChunk(mux, "EXIF", &exif, 0) != WEBP_MUX_OK) ||
        WebPMuxAssemble(mux, &assembled) != WEBP_MUX_OK)
        status = tproc__error_file(ctx, TPROC_ERR_NOMEM, out->name,
                                   "libwebpmux failed to add the ICC/EXIF chunks");
    else
        status = tproc__output_write(out, assembled.bytes, assembled.size);
    WebPDataClear(&assembled);
    WebPMuxDelete(mux);
    WebPMemoryWriterClear(&mem);
    return status;
}

/* Encodes a filled picture onto out: straight through libwebp's writer callback, or through
 * libwebpmux when there are chunks to add. */
static int encode_picture(tproc_ctx *ctx, const WebPConfig *config, WebPPicture *picture,
                          const chunks *c, tproc__output *out)
{
    if (c->icc || c->exif)
        return encode_with_chunks(ctx, config, picture, c, out);
    picture->writer = write_to_output;
    picture->custom_ptr = out;
    if (WebPEncode(config, picture))
        return TPROC_OK;
    return out->status ? out->status
                       : tproc__error_file(ctx, TPROC_ERR_NOMEM, out->name, "%s",
                                           encode_error_text(picture->error_code));
}

static int writer_finish(void *state)
{
    writer *w = state;
    int status = tproc__encoder_finishing(w->ctx, w->name, w->failed, w->finished, &w->format,
                                          w->rows_done);
    if (status)
        return status;
    chunks c = {w->icc, w->exif, w->icc_size, w->exif_size};
    if ((status = encode_picture(w->ctx, &w->config, &w->picture, &c, w->out)))
        return w->failed = status;
    w->finished = 1;
    return TPROC_OK;
}

/* libwebp's settings from resolved options: lossy at a quality, or lossless and exact. */
static int config_from_options(tproc_ctx *ctx, const char *name, const tproc_save_options *o,
                               WebPConfig *config)
{
    if (!WebPConfigInit(config))
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, name, "libwebp version mismatch");
    config->quality = (float)o->quality;
    config->method = o->effort;
    if (o->lossless) {
        config->lossless = 1;
        config->exact = 1;
    }
    if (!WebPValidateConfig(config))
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "invalid WebP settings");
    return TPROC_OK;
}

/* The encoder's settings and its picture, whose ARGB memory is ours. */
static int writer_configure(writer *w, const tproc_save_options *o)
{
    int status = config_from_options(w->ctx, w->name, o, &w->config);
    if (status)
        return status;
    if (!WebPPictureInit(&w->picture))
        return tproc__error_file(w->ctx, TPROC_ERR_UNSUPPORTED, w->name,
                                 "libwebp version mismatch");
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
    enc->gathers = 1; /* the whole image, encoded at finish */
    return TPROC_OK;
}

/* --- tiles: one encoder state per thread (tproc__tile_writer)
 * ------------------------------------- */

typedef struct tile_state {
    tproc_ctx *ctx;
    const char *name;
    WebPConfig config;
    unsigned char *icc, *exif; /* counted copies */
    chunks chunks;             /* pointing at them */
    unsigned char *rgb;        /* gray tiles as RGB(A) for libwebp's import; counted, kept */
    size_t rgb_bytes;
} tile_state;

static void tile_close(void *state)
{
    tile_state *t = state;
    if (!t)
        return;
    tproc__dealloc(t->ctx, t->icc);
    tproc__dealloc(t->ctx, t->exif);
    tproc__dealloc(t->ctx, t->rgb);
    tproc__dealloc(t->ctx, t);
}

/* Gray or gray+alpha rows as RGB or RGBA in t->rgb (grown as needed), as pack_row makes
 * them; *out points at the packed rows. */
static int expand_gray(tile_state *t, const tproc_view *v, const unsigned char **out)
{
    int ch = v->channels == 2 ? 4 : 3;
    size_t bytes = (size_t)v->width * (size_t)v->height * (size_t)ch; /* <= 16383^2 * 4 */
    if (bytes > t->rgb_bytes) {
        void *mem;
        int status = tproc__alloc_file(t->ctx, bytes, 0, t->name, "a WebP tile as RGB", &mem);
        if (status)
            return status;
        tproc__dealloc(t->ctx, t->rgb);
        t->rgb = mem;
        t->rgb_bytes = bytes;
    }
    unsigned char *q = t->rgb;
    for (ptrdiff_t y = 0; y < v->height; y++) {
        const unsigned char *p = (const unsigned char *)v->data + y * v->row_stride;
        for (ptrdiff_t x = 0; x < v->width; x++, p += v->pixel_stride, q += ch) {
            q[0] = q[1] = q[2] = p[0];
            if (ch == 4)
                q[3] = p[1];
        }
    }
    *out = t->rgb;
    return TPROC_OK;
}

/* One tile: libwebp imports the rows where they lie (RGB straight to YUV for lossy, to ARGB
 * for lossless), which is what the writer's packed ARGB becomes, so the bytes are the same. */
static int tile_encode(void *state, const tproc_view *v, tproc__output *out)
{
    tile_state *t = state;
    if (v->width > TPROC__WEBP_MAX_SIDE || v->height > TPROC__WEBP_MAX_SIDE ||
        v->sample != TPROC_U8)
        return tproc__error_file(t->ctx, TPROC_ERR_ARG, out->name,
                                 "a WebP tile must be u8, at most %d pixels a side",
                                 TPROC__WEBP_MAX_SIDE);
    const unsigned char *rows = v->data;
    int ch = v->channels, status = TPROC_OK;
    ptrdiff_t stride = v->row_stride;
    if (ch > 2 && v->pixel_stride != ch)
        return tproc__error_file(t->ctx, TPROC_ERR_ARG, out->name, "WebP tiles take packed pixels");
    if (ch <= 2) {
        if ((status = expand_gray(t, v, &rows)))
            return status;
        ch = ch == 2 ? 4 : 3;
        stride = v->width * ch;
    }
    WebPPicture picture;
    if (!WebPPictureInit(&picture))
        return tproc__error_file(t->ctx, TPROC_ERR_UNSUPPORTED, out->name,
                                 "libwebp version mismatch");
    picture.use_argb = t->config.lossless;
    picture.width = (int)v->width;
    picture.height = (int)v->height;
    int imported = ch == 4 ? WebPPictureImportRGBA(&picture, rows, (int)stride)
                           : WebPPictureImportRGB(&picture, rows, (int)stride);
    if (!imported)
        status = tproc__error_file(t->ctx, TPROC_ERR_NOMEM, out->name, "%s",
                                   encode_error_text(picture.error_code));
    else
        status = encode_picture(t->ctx, &t->config, &picture, &t->chunks, out);
    WebPPictureFree(&picture);
    return status;
}

int tproc__webp_tile_encoder_open(tproc_ctx *ctx, const char *name, int channels,
                                  const tproc_save_options *options, tproc__tile_encoder *enc)
{
    (void)channels; /* every count of u8 channels is taken */
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(tile_state), 1, name, "WebP tile encoder", &mem);
    if (status)
        return status;
    tile_state *t = mem;
    t->ctx = ctx;
    t->name = name;
    status = config_from_options(ctx, name, options, &t->config);
    if (!status && options->icc && options->icc_size)
        status =
            tproc__memdup(ctx, name, "ICC copy", options->icc, options->icc_size, (void **)&t->icc);
    if (!status && options->exif && options->exif_size)
        status =
            tproc__exif_upright_copy(ctx, name, options->exif, options->exif_size, 0, &t->exif);
    if (status) {
        tile_close(t);
        return status;
    }
    t->chunks =
        (chunks){t->icc, t->exif, t->icc ? options->icc_size : 0, t->exif ? options->exif_size : 0};
    enc->state = t;
    enc->encode = tile_encode;
    enc->close = tile_close;
    return TPROC_OK;
}
