/* SPDX-License-Identifier: MIT */
/*
 * io_png.c: PNG through libpng 1.6. Decoding brings every colour type to gray, gray+alpha, RGB
 * or RGBA at 8 or 16 bits (palettes and low bit depths expand, tRNS becomes alpha; no gamma, no
 * background compositing, sBIT ignored), keeps iCCP and eXIf, and reads non-interlaced files row
 * by row straight into the image. Encoding writes u8/u16 views of any stride, with iCCP and eXIf.
 *
 * libpng reports errors by longjmp; every setjmp is in this file, in the few functions that call
 * libpng, and each failure becomes "<name>: <libpng's text>" in the context. Nothing is printed.
 * Decoding is split into begin / rows / finish / end so that a streaming row source can reuse it.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "io_internal.h"

/* libpng's own default user limit on width and height; we never raise it when reading. */
#define PNGIO_MAX_DIMENSION 1000000u

/* What the error and warning callbacks record; the first member of reader and writer. */
typedef struct pngio_diag {
    int status;        /* status the failure maps to; 0: classify from the text */
    int recorded;      /* the error is already in the context (a failed output write) */
    char cause[200];   /* libpng's (or our callback's) message for the failure */
    char warning[200]; /* the last warning */
    const char *stage; /* what we were doing, for messages ("" or ends in ": ") */
} pngio_diag;

typedef struct pngio_reader {
    pngio_diag diag;
    tproc_ctx *ctx;
    tproc__input *in;
    png_structp png;
    png_infop info;
    /* As stored. */
    png_uint_32 width, height;
    int bit_depth, color_type, interlaced;
    /* As decoded (after begin). */
    int channels;
    tproc_sample sample;
    size_t row_bytes; /* packed bytes of one decoded row */
    int passes;       /* 7 for Adam7 files (after start), else 1 */
} pngio_reader;

typedef struct pngio_writer {
    pngio_diag diag;
    tproc_ctx *ctx;
    tproc__output *out;
    png_structp png;
    png_infop info;
} pngio_writer;

static int little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* --- callbacks ---------------------------------------------------------------------------- */

static void on_error(png_structp png, png_const_charp message)
{
    pngio_diag *d = png_get_error_ptr(png);
    /* A read or write callback may have formatted the cause already. */
    if (message != d->cause)
        snprintf(d->cause, sizeof d->cause, "%s", message ? message : "unknown libpng error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message)
{
    pngio_diag *d = png_get_error_ptr(png);
    snprintf(d->warning, sizeof d->warning, "%s", message ? message : "");
}

static void read_data(png_structp png, png_bytep data, size_t n)
{
    pngio_reader *r = png_get_io_ptr(png);
    size_t got = tproc__input_read(r->in, data, n);
    if (got == n)
        return;
    if (r->in->error) {
        r->diag.status = TPROC_ERR_IO;
        snprintf(r->diag.cause, sizeof r->diag.cause, "read failed: %s", strerror(r->in->error));
    } else {
        r->diag.status = TPROC_ERR_CORRUPT;
        snprintf(r->diag.cause, sizeof r->diag.cause, "unexpected end of file (truncated)");
    }
    png_error(png, r->diag.cause);
}

static void write_data(png_structp png, png_bytep data, size_t n)
{
    pngio_writer *w = png_get_io_ptr(png);
    if (tproc__output_write(w->out, data, n) != TPROC_OK) {
        w->diag.status = w->out->status;
        w->diag.recorded = 1;
        png_error(png, "write failed");
    }
}

static void flush_data(png_structp png)
{
    pngio_writer *w = png_get_io_ptr(png);
    if (tproc__output_flush(w->out) != TPROC_OK) {
        w->diag.status = w->out->status;
        w->diag.recorded = 1;
        png_error(png, "flush failed");
    }
}

/* Records the failure libpng reported through on_error and returns its status. */
static int fail(tproc_ctx *ctx, const char *name, pngio_diag *d, int fallback)
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
        return tproc__error(ctx, status, "%s: %s%s (%s)", name, stage, d->cause, d->warning);
    return tproc__error(ctx, status, "%s: %s%s", name, stage, d->cause);
}

/* --- decoding ----------------------------------------------------------------------------- */

static void reader_end(pngio_reader *r)
{
    if (r->png)
        png_destroy_read_struct(&r->png, &r->info, NULL);
}

static int reader_fail(pngio_reader *r)
{
    return fail(r->ctx, r->in->name, &r->diag, TPROC_ERR_CORRUPT);
}

/* Sets up the decoder the way every read wants it, before any chunk is read. */
static void reader_configure(pngio_reader *r, int strict)
{
    /* Text, timestamps, gamma, background and the other chunks we do not use are skipped
     * without being parsed or inflated (a zTXt bomb costs nothing); iCCP and eXIf are kept.
     * tRNS and PLTE are always processed. libpng's chunk malloc limit (8 MB) stays. */
    static const png_byte wanted[] = "iCCP\0eXIf";
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_AS_DEFAULT, wanted, 2);

    png_uint_32 w = png_get_user_width_max(r->png), h = png_get_user_height_max(r->png);
    png_set_user_limits(r->png, w < PNGIO_MAX_DIMENSION ? w : PNGIO_MAX_DIMENSION,
                        h < PNGIO_MAX_DIMENSION ? h : PNGIO_MAX_DIMENSION);
    if (strict) {
        /* What libpng would otherwise only warn about (bad ancillary chunks, their CRCs). */
        png_set_benign_errors(r->png, 0);
        png_set_crc_action(r->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    }
}

/* The format tileproc decodes to, from IHDR and tRNS. */
static void reader_format(pngio_reader *r)
{
    int trns = png_get_valid(r->png, r->info, PNG_INFO_tRNS) != 0;
    switch (r->color_type) {
    case PNG_COLOR_TYPE_GRAY:
        r->channels = trns ? 2 : 1;
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        r->channels = 2;
        break;
    case PNG_COLOR_TYPE_RGB_ALPHA:
        r->channels = 4;
        break;
    default: /* RGB and palette; png_read_info rejects the other types */
        r->channels = trns ? 4 : 3;
        break;
    }
    r->sample = r->bit_depth == 16 ? TPROC_U16 : TPROC_U8;
    r->passes = 1;
}

/*
 * Checks the signature, reads every chunk up to the first IDAT and fills in the stored and the
 * decoded format. On failure the error is recorded; call reader_end either way.
 */
static int reader_begin(pngio_reader *r, tproc_ctx *ctx, tproc__input *in, int strict)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->in = in;

    unsigned char sig[8];
    size_t got = tproc__input_read(in, sig, sizeof sig);
    if (in->error)
        return tproc__error(ctx, TPROC_ERR_IO, "%s: read failed: %s", in->name,
                            strerror(in->error));
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        int ascii = got >= 4 && png_sig_cmp(sig, 0, 4) == 0;
        return tproc__error(ctx, TPROC_ERR_FORMAT, "%s: %s", in->name,
                            ascii ? "PNG file corrupted by ASCII conversion" : "not a PNG file");
    }

    r->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &r->diag, on_error, on_warning, NULL,
                                      NULL, NULL);
    if (!r->png)
        return tproc__error(ctx, TPROC_ERR_NOMEM, "%s: cannot create a PNG decoder", in->name);
    r->info = png_create_info_struct(r->png);
    if (!r->info)
        return tproc__error(ctx, TPROC_ERR_NOMEM, "%s: cannot create a PNG decoder", in->name);

    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    png_set_read_fn(r->png, r, read_data);
    png_set_sig_bytes(r->png, (int)sizeof sig);
    reader_configure(r, strict);
    png_read_info(r->png, r->info);
    png_get_IHDR(r->png, r->info, &r->width, &r->height, &r->bit_depth, &r->color_type,
                 &r->interlaced, NULL, NULL);
    r->interlaced = r->interlaced != PNG_INTERLACE_NONE;
    reader_format(r);
    return TPROC_OK;
}

/*
 * Checks the decoded size against overflow and the memory limit, then asks libpng for the
 * transformations that give the decoded format. After this, rows can be read.
 */
static int reader_start(pngio_reader *r)
{
    size_t packed, aligned, total;
    if (tproc__row_bytes((ptrdiff_t)r->width, r->channels, r->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)r->height, &total))
        return tproc__error(r->ctx, TPROC_ERR_OVERFLOW,
                            "%s: a %lux%lu image of %d %s channels is too large to address",
                            r->in->name, (unsigned long)r->width, (unsigned long)r->height,
                            r->channels, tproc_sample_name(r->sample));
    char what[256];
    snprintf(what, sizeof what, "%s: a %lux%lu %d-channel %s image", r->in->name,
             (unsigned long)r->width, (unsigned long)r->height, r->channels,
             tproc_sample_name(r->sample));
    /* Before libpng allocates its row buffers in png_read_update_info. */
    int status = tproc__check_limit(r->ctx, total, what);
    if (status)
        return status;
    r->row_bytes = packed;

    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    if (r->color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(r->png);
    if (r->color_type == PNG_COLOR_TYPE_GRAY && r->bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(r->png);
    if (png_get_valid(r->png, r->info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(r->png);
    if (r->bit_depth == 16 && little_endian())
        png_set_swap(r->png); /* PNG stores big-endian; our u16 samples are native */
    r->passes = png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);

    /* The transformations must give exactly the format promised by reader_format. */
    if (png_get_channels(r->png, r->info) != r->channels ||
        png_get_bit_depth(r->png, r->info) != (r->sample == TPROC_U16 ? 16 : 8) ||
        png_get_rowbytes(r->png, r->info) != packed)
        return tproc__error(r->ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: libpng decodes to an unexpected format (%d channels, %d bits)",
                            r->in->name, png_get_channels(r->png, r->info),
                            png_get_bit_depth(r->png, r->info));
    return TPROC_OK;
}

static void read_rows_raw(png_structp png, unsigned char *first, ptrdiff_t stride, size_t count)
{
    unsigned char *row = first;
    for (size_t i = 0; i < count; i++, row += stride)
        png_read_row(png, row, NULL);
}

/*
 * Decodes the next count rows of the current pass into first, first + stride, ... (each
 * r->row_bytes long). For an interlaced file every pass visits every row of the image, and rows
 * must keep what earlier passes put there.
 */
static int reader_rows(pngio_reader *r, unsigned char *first, ptrdiff_t stride, size_t count)
{
    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    read_rows_raw(r->png, first, stride, count);
    return TPROC_OK;
}

/* Reads the chunks after the image data (checking the last CRCs, eXIf after IDAT). */
static int reader_finish(pngio_reader *r)
{
    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    png_read_end(r->png, r->info);
    return TPROC_OK;
}

static int reader_exif(pngio_reader *r, png_bytep *exif, png_uint_32 *size)
{
    *exif = NULL;
    *size = 0;
    return png_get_valid(r->png, r->info, PNG_INFO_eXIf) &&
           png_get_eXIf_1(r->png, r->info, size, exif) && *exif && *size;
}

static int reader_icc(pngio_reader *r, png_bytep *icc, png_uint_32 *size)
{
    png_charp name = NULL;
    int compression = 0;
    *icc = NULL;
    *size = 0;
    return png_get_valid(r->png, r->info, PNG_INFO_iCCP) &&
           png_get_iCCP(r->png, r->info, &name, &compression, icc, size) && *icc && *size;
}

int tproc__png_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info)
{
    pngio_reader r;
    int status = reader_begin(&r, ctx, in, 0);
    if (status == TPROC_OK) {
        png_bytep exif, icc;
        png_uint_32 exif_size, icc_size;
        info->format = TPROC_FILE_PNG;
        info->width = (ptrdiff_t)r.width;
        info->height = (ptrdiff_t)r.height;
        info->channels = r.channels;
        info->sample = r.sample;
        info->bit_depth = r.bit_depth;
        info->interlaced = r.interlaced;
        info->progressive = 0;
        /* Only an eXIf before the image data is seen without decoding. */
        info->has_exif = reader_exif(&r, &exif, &exif_size);
        info->orientation = info->has_exif ? tproc__exif_orientation(exif, exif_size) : 1;
        info->has_icc = reader_icc(&r, &icc, &icc_size);
    }
    reader_end(&r);
    return status;
}

/* Copies iCCP and eXIf into the image and records the EXIF orientation. */
static int keep_metadata(pngio_reader *r, tproc_image *image)
{
    png_bytep data;
    png_uint_32 size;
    int status = TPROC_OK;
    if (reader_icc(r, &data, &size))
        status = tproc_image_set_icc(image, data, size);
    if (status == TPROC_OK && reader_exif(r, &data, &size)) {
        status = tproc_image_set_exif(image, data, size);
        tproc_image_set_orientation(image, tproc__exif_orientation(data, size));
    }
    return status;
}

int tproc__png_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                    tproc_image **out)
{
    *out = NULL;
    pngio_reader r;
    tproc_image *image = NULL;
    int status = reader_begin(&r, ctx, in, options && options->strict);
    if (status == TPROC_OK)
        status = reader_start(&r);
    if (status == TPROC_OK)
        status = tproc__image_new_for_decode(ctx, in->name, (ptrdiff_t)r.width, (ptrdiff_t)r.height,
                                             r.channels, r.sample, &image);
    if (status == TPROC_OK) {
        tproc_view v = tproc_image_view(image);
        for (int pass = 0; pass < r.passes && status == TPROC_OK; pass++)
            status = reader_rows(&r, v.data, v.row_stride, (size_t)r.height);
    }
    if (status == TPROC_OK)
        status = reader_finish(&r);
    if (status == TPROC_OK)
        status = keep_metadata(&r, image);
    reader_end(&r);
    if (status != TPROC_OK) {
        tproc_image_free(&image);
        return status;
    }
    *out = image;
    return TPROC_OK;
}

/* --- encoding ----------------------------------------------------------------------------- */

/* One row of view, packed (pixels adjacent, left to right) into dst. */
static void pack_row(const tproc_view *view, ptrdiff_t y, unsigned char *dst, size_t pixel_size)
{
    for (ptrdiff_t x = 0; x < view->width; x++, dst += pixel_size)
        memcpy(dst, tproc_view_pixel(view, x, y), pixel_size);
}

static void write_rows_raw(png_structp png, const tproc_view *view, unsigned char *scratch,
                           size_t pixel_size)
{
    for (ptrdiff_t y = 0; y < view->height; y++) {
        if (scratch) {
            pack_row(view, y, scratch, pixel_size);
            png_write_row(png, scratch);
        } else {
            png_write_row(png, tproc_view_pixel(view, 0, y));
        }
    }
}

/* Everything that calls libpng for one encode, under one setjmp. */
static int writer_run(pngio_writer *w, const tproc_view *view, int level, const void *icc,
                      png_uint_32 icc_size, unsigned char *exif, png_uint_32 exif_size,
                      unsigned char *scratch)
{
    static const int color_types[4] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (setjmp(png_jmpbuf(w->png)))
        return fail(w->ctx, w->out->name, &w->diag, TPROC_ERR_ARG);
    png_set_write_fn(w->png, w, write_data, flush_data);
    /* The read-side dimension limit protects decoders only; any valid PNG size may be written. */
    png_set_user_limits(w->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_IHDR(w->png, w->info, (png_uint_32)view->width, (png_uint_32)view->height,
                 view->sample == TPROC_U16 ? 16 : 8, color_types[view->channels - 1],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(w->png, level);
    if (icc) {
        /* libpng checks the profile against the PNG (size, header, colour space). */
        w->diag.stage = "ICC profile rejected: ";
        png_set_iCCP(w->png, w->info, "icc", PNG_COMPRESSION_TYPE_BASE, icc, icc_size);
        w->diag.stage = NULL;
    }
    if (exif)
        png_set_eXIf_1(w->png, w->info, exif_size, exif);
    png_write_info(w->png, w->info);
    if (view->sample == TPROC_U16 && little_endian())
        png_set_swap(w->png); /* native u16 samples, written big-endian */
    write_rows_raw(w->png, view, scratch, tproc_view_pixel_size(view));
    png_write_end(w->png, NULL);
    return TPROC_OK;
}

int tproc__png_save(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                    const tproc_save_options *options)
{
    const char *name = out->name;
    if ((view->sample != TPROC_U8 && view->sample != TPROC_U16) || view->channels < 1 ||
        view->channels > 4 || view->width < 1 || view->height < 1)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: PNG takes u8 or u16 views of 1-4 channels",
                            name);
    if ((uint64_t)view->width > PNG_UINT_31_MAX || (uint64_t)view->height > PNG_UINT_31_MAX)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: %tdx%td is larger than PNG allows", name,
                            view->width, view->height);
    int level = options ? options->compression : 6;
    if (level < 0)
        level = 6;
    if (level > 9)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: PNG compression must be 0-9, got %d", name,
                            level);
    const void *icc = options && options->icc_size ? options->icc : NULL;
    const void *exif_in = options && options->exif_size ? options->exif : NULL;
    if ((icc && options->icc_size > PNG_UINT_31_MAX) ||
        (exif_in && options->exif_size > PNG_UINT_31_MAX))
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: metadata too large for a PNG chunk", name);

    size_t pixel_size = tproc_view_pixel_size(view), row_bytes;
    if (tproc__mul((size_t)view->width, pixel_size, &row_bytes))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: rows of %td pixels are too long", name,
                            view->width);

    int status;
    void *scratch = NULL, *exif = NULL;
    /* Rows libpng can read in place need only adjacent pixels; any row stride works. */
    if (view->pixel_stride != (ptrdiff_t)pixel_size &&
        (status = tproc__alloc(ctx, row_bytes, "PNG row buffer", &scratch)))
        return status;
    /* The saved EXIF says "upright" (tileproc saves pixels as they are meant to be seen). */
    if (exif_in) {
        if ((status = tproc__alloc(ctx, options->exif_size, "EXIF copy", &exif))) {
            tproc__dealloc(ctx, scratch);
            return status;
        }
        memcpy(exif, exif_in, options->exif_size);
        tproc__exif_set_orientation(exif, options->exif_size, 1);
    }

    pngio_writer w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.out = out;
    w.png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &w.diag, on_error, on_warning, NULL,
                                      NULL, NULL);
    if (w.png)
        w.info = png_create_info_struct(w.png);
    if (!w.png || !w.info)
        status = tproc__error(ctx, TPROC_ERR_NOMEM, "%s: cannot create a PNG encoder", name);
    else
        status = writer_run(&w, view, level, icc, (png_uint_32)(icc ? options->icc_size : 0), exif,
                            (png_uint_32)(exif ? options->exif_size : 0), scratch);
    if (w.png)
        png_destroy_write_struct(&w.png, &w.info);
    tproc__dealloc(ctx, exif);
    tproc__dealloc(ctx, scratch);
    return status;
}
