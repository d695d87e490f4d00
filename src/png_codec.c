/* SPDX-License-Identifier: MIT */
/*
 * png_codec.c: PNG through libpng 1.6: the codec descriptor (signature, extensions, what the
 * encoder takes, the compression option) and the error callbacks reader and writer share.
 */
#include <stdio.h>
#include <string.h>

#include "png_codec.h"

/* The 8-byte PNG signature. */
static int png_sniff(const unsigned char *head, size_t n)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    return n >= sizeof signature && memcmp(head, signature, sizeof signature) == 0;
}

/* u8 and u16 as they are (f32 becomes u16), 1-4 channels. */
static void png_encodable(tproc_format *f)
{
    if (f->sample == TPROC_F32)
        f->sample = TPROC_U16;
}

static void png_save_defaults(tproc_save_options *o)
{
    o->compression = TPROC__PNG_DEFAULT_COMPRESSION;
}

/* Compression: zlib's level 0-9; negative means the default. */
static int png_save_resolve(tproc_ctx *ctx, const char *name, tproc_save_options *o)
{
    if (o->compression < 0)
        o->compression = TPROC__PNG_DEFAULT_COMPRESSION;
    if (o->compression > 9)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "PNG compression must be 0-9, got %d",
                                 o->compression);
    return TPROC_OK;
}

static const char *const png_extensions[] = {"png", NULL};

const tproc__codec tproc__codec_png = {
    .name = "png",
    .label = "PNG",
    .format = TPROC_FILE_PNG,
    .extensions = png_extensions,
    .scales = 0,
    .sniff = png_sniff,
    .info = tproc__png_info,
    .decoder_open = tproc__png_decoder_open,
    .encodable = png_encodable,
    .encoder_open = tproc__png_encoder_open,
    .save_defaults = png_save_defaults,
    .save_resolve = png_save_resolve,
};

int tproc__png_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

void tproc__png_on_error(png_structp png, png_const_charp message)
{
    tproc__png_diag *d = png_get_error_ptr(png);
    /* A read or write callback may have formatted the cause already. */
    if (message != d->cause)
        snprintf(d->cause, sizeof d->cause, "%s", message ? message : "unknown libpng error");
    png_longjmp(png, 1);
}

void tproc__png_on_warning(png_structp png, png_const_charp message)
{
    tproc__png_diag *d = png_get_error_ptr(png);
    snprintf(d->warning, sizeof d->warning, "%s", message ? message : "");
}

int tproc__png_fail(tproc_ctx *ctx, const char *name, tproc__png_diag *d, int fallback)
{
    int status = d->status;
    if (d->recorded)
        return status;
    if (!status) {
        /* libpng's allocation failures: "Out of memory", "Insufficient memory ...". */
        if (strstr(d->cause, "memory"))
            status = TPROC_ERR_NOMEM;
        else if (strstr(d->warning, "exceeds user limit"))
            status = TPROC_ERR_LIMIT;
        else
            status = fallback;
    }
    /* png_check_IHDR warns with the reason and then fails with a generic text. */
    const char *stage = d->stage ? d->stage : "";
    if (strcmp(d->cause, "Invalid IHDR data") == 0 && d->warning[0])
        return tproc__error_file(ctx, status, name, "%s%s (%s)", stage, d->cause, d->warning);
    return tproc__error_file(ctx, status, name, "%s%s", stage, d->cause);
}
