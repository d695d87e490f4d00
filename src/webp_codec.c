/* SPDX-License-Identifier: MIT */
/*
 * webp_codec.c: WebP through libwebp: the codec descriptor (signature, extensions, what the
 * encoder takes, the effort and lossless options) and reading a file's bytes into memory,
 * which libwebp's decoder and demuxer need.
 */
#include <string.h>

#include "webp_codec.h"

/* "RIFF", a 32-bit size, "WEBP". */
static int webp_sniff(const unsigned char *head, size_t n)
{
    return n >= 12 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WEBP", 4) == 0;
}

/* u8 with 1-4 channels: the encoder packs gray and gray+alpha itself. */
static void webp_encodable(tproc_format *f)
{
    f->sample = TPROC_U8;
}

static void webp_save_defaults(tproc_save_options *o)
{
    o->effort = TPROC__WEBP_DEFAULT_EFFORT;
}

/* Effort 0-6 (libwebp's method); negative means the default. Quality is JPEG's (1-100,
 * resolved by the JPEG codec, or checked here when this build has no JPEG). */
static int webp_save_resolve(tproc_ctx *ctx, const char *name, tproc_save_options *o)
{
    if (o->effort < 0)
        o->effort = TPROC__WEBP_DEFAULT_EFFORT;
    if (o->effort > 6)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "WebP effort must be 0-6, got %d",
                                 o->effort);
    if (o->quality < 0 || o->quality > 100)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "WebP quality must be 1-100, got %d",
                                 o->quality);
    return TPROC_OK;
}

static const char *const webp_extensions[] = {"webp", NULL};

const tproc__codec tproc__codec_webp = {
    .name = "webp",
    .label = "WebP",
    .format = TPROC_FILE_WEBP,
    .extensions = webp_extensions,
    .scales = 0,
    .sniff = webp_sniff,
    .info = tproc__webp_info,
    .decoder_open = tproc__webp_decoder_open,
    .encodable = webp_encodable,
    .encoder_open = tproc__webp_encoder_open,
    .save_defaults = webp_save_defaults,
    .save_resolve = webp_save_resolve,
    .tile_encoder_open = tproc__webp_tile_encoder_open,
};

const char *tproc__webp_status_text(VP8StatusCode status)
{
    switch (status) {
    case VP8_STATUS_OK:
        return "no error";
    case VP8_STATUS_OUT_OF_MEMORY:
        return "libwebp ran out of memory";
    case VP8_STATUS_INVALID_PARAM:
        return "invalid decoding parameters";
    case VP8_STATUS_BITSTREAM_ERROR:
        return "corrupt WebP data";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        return "unsupported WebP feature";
    case VP8_STATUS_SUSPENDED:
    case VP8_STATUS_NOT_ENOUGH_DATA:
        return "truncated WebP data";
    case VP8_STATUS_USER_ABORT:
        return "decoding aborted";
    }
    return "unknown libwebp error";
}

int tproc__webp_bytes_read(tproc_ctx *ctx, tproc__input *in, tproc__webp_bytes *b)
{
    memset(b, 0, sizeof *b);
    if (in->data) { /* in place: no copy */
        b->data = in->data + in->pos;
        b->size = in->size - in->pos;
        return TPROC_OK;
    }
    unsigned char head[12];
    size_t got = tproc__input_read(in, head, sizeof head);
    if (in->error)
        return tproc__error_file(ctx, TPROC_ERR_IO, in->name, "read error: %s",
                                 strerror(in->error));
    if (got < sizeof head || !webp_sniff(head, got))
        return tproc__error_file(ctx, TPROC_ERR_FORMAT, in->name, "not a WebP file");
    /* The RIFF size counts what follows its own 8 bytes; the data read stops there (or at
     * the end of the file, for a truncated one), so the copy is bounded by the header and the
     * memory limit, not by whatever follows. */
    size_t size = (size_t)head[4] | (size_t)head[5] << 8 | (size_t)head[6] << 16 |
                  (size_t)head[7] << 24;
    if (tproc__add(size, 8, &size) || size < sizeof head)
        return tproc__error_file(ctx, TPROC_ERR_CORRUPT, in->name, "corrupt WebP RIFF size");
    void *mem;
    int status = tproc__alloc_file(ctx, size, 0, in->name, "the WebP file's bytes", &mem);
    if (status)
        return status;
    b->owned = mem;
    memcpy(b->owned, head, sizeof head);
    size_t n = sizeof head + tproc__input_read(in, b->owned + sizeof head, size - sizeof head);
    if (in->error) {
        tproc__webp_bytes_free(ctx, b);
        return tproc__error_file(ctx, TPROC_ERR_IO, in->name, "read error: %s",
                                 strerror(in->error));
    }
    b->data = b->owned;
    b->size = n;
    return TPROC_OK;
}

void tproc__webp_bytes_free(tproc_ctx *ctx, tproc__webp_bytes *b)
{
    tproc__dealloc(ctx, b->owned);
    memset(b, 0, sizeof *b);
}
