/* SPDX-License-Identifier: MIT */
/*
 * png_write.c: PNG encoding: u8/u16 rows of any stride, 1-4 channels, non-interlaced, with
 * iCCP (libpng checks the profile) and eXIf (its orientation reset to 1).
 */
#include <setjmp.h>
#include <string.h>

#include "png_codec.h"

typedef struct pngio_writer {
    tproc__png_diag diag;
    tproc_ctx *ctx;
    tproc__output *out;
    png_structp png;
    png_infop info;
    tproc_format format;
    size_t pixel_size;
    ptrdiff_t rows_done;    /* rows written so far */
    int failed;             /* status of the failure that stopped the encoder, 0 if none */
    int finished;           /* the trailer was written */
    unsigned char *scratch; /* one packed row, for views whose pixels are not adjacent */
    unsigned char *exif;    /* the caller's EXIF with the orientation reset to 1 */
} pngio_writer;

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

static int writer_fail(pngio_writer *w)
{
    w->failed = tproc__png_fail(w->ctx, w->out->name, &w->diag, TPROC_ERR_ARG);
    return w->failed;
}

static void writer_free(pngio_writer *w)
{
    if (!w)
        return;
    if (w->png)
        png_destroy_write_struct(&w->png, &w->info);
    tproc__dealloc(w->ctx, w->scratch);
    tproc__dealloc(w->ctx, w->exif);
    tproc__dealloc(w->ctx, w);
}

/* Everything before the first row (signature, IHDR, iCCP, eXIf), under one setjmp. */
static int writer_begin(pngio_writer *w, int level, const void *icc, png_uint_32 icc_size,
                        png_uint_32 exif_size)
{
    static const int color_types[4] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (setjmp(png_jmpbuf(w->png)))
        return writer_fail(w);
    png_set_write_fn(w->png, w, write_data, flush_data);
    /* The read-side dimension limit protects decoders only; any valid PNG size may be written. */
    png_set_user_limits(w->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_IHDR(w->png, w->info, (png_uint_32)w->format.width, (png_uint_32)w->format.height,
                 w->format.sample == TPROC_U16 ? 16 : 8, color_types[w->format.channels - 1],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(w->png, level);
    if (icc) {
        /* libpng checks the profile against the PNG (size, header, colour space), but not
         * against its list of flawed sRGB profiles: those are common (skimage's astronaut),
         * harmless, and what --colour keep must write back (issue 12). */
        png_set_option(w->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
        w->diag.stage = "ICC profile rejected: ";
        png_set_iCCP(w->png, w->info, "icc", PNG_COMPRESSION_TYPE_BASE, icc, icc_size);
        w->diag.stage = NULL;
    }
    if (w->exif)
        png_set_eXIf_1(w->png, w->info, exif_size, w->exif);
    png_write_info(w->png, w->info);
    if (w->format.sample == TPROC_U16 && tproc__png_little_endian())
        png_set_swap(w->png); /* native u16 samples, written big-endian */
    return TPROC_OK;
}

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

static int writer_rows(pngio_writer *w, const tproc_view *rows, unsigned char *scratch)
{
    if (setjmp(png_jmpbuf(w->png)))
        return writer_fail(w);
    write_rows_raw(w->png, rows, scratch, w->pixel_size);
    w->rows_done += rows->height;
    return TPROC_OK;
}

static int writer_end(pngio_writer *w)
{
    if (setjmp(png_jmpbuf(w->png)))
        return writer_fail(w);
    png_write_end(w->png, NULL);
    w->finished = 1;
    return TPROC_OK;
}

/* tproc__encoder.write_rows. */
static int encoder_write(void *state, const tproc_view *rows)
{
    pngio_writer *w = state;
    int status = tproc__encoder_rows(w->ctx, w->out->name, w->failed, w->finished, &w->format,
                                     w->rows_done, rows);
    if (status)
        return status;
    /* Rows libpng can read in place need only adjacent pixels; any row stride works. */
    unsigned char *scratch = NULL;
    if (rows->pixel_stride != (ptrdiff_t)w->pixel_size) {
        if (!w->scratch) {
            void *mem;
            /* width * pixel_size was checked at open. */
            if ((status = tproc__alloc_file(w->ctx, (size_t)w->format.width * w->pixel_size, 1,
                                            w->out->name, "PNG row buffer", &mem)))
                return status;
            w->scratch = mem;
        }
        scratch = w->scratch;
    }
    return writer_rows(w, rows, scratch);
}

/* tproc__encoder.finish. */
static int encoder_finish(void *state)
{
    pngio_writer *w = state;
    int status = tproc__encoder_finishing(w->ctx, w->out->name, w->failed, w->finished, &w->format,
                                          w->rows_done);
    return status ? status : writer_end(w);
}

static void encoder_close(void *state)
{
    writer_free(state);
}

/* Checks what libpng cannot take before anything is allocated. */
static int check_request(tproc_ctx *ctx, const char *name, const tproc_format *format,
                         const tproc_save_options *options, int *level)
{
    if (format->sample != TPROC_U8 && format->sample != TPROC_U16)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "PNG takes u8 or u16 samples");
    if ((uint64_t)format->width > PNG_UINT_31_MAX || (uint64_t)format->height > PNG_UINT_31_MAX)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "%tdx%td is larger than PNG allows",
                                 format->width, format->height);
    *level = options && options->compression >= 0 ? options->compression
                                                  : TPROC__PNG_DEFAULT_COMPRESSION;
    if (*level > 9)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "PNG compression must be 0-9, got %d",
                                 *level);
    if (options && ((options->icc_size && options->icc_size > PNG_UINT_31_MAX) ||
                    (options->exif_size && options->exif_size > PNG_UINT_31_MAX)))
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "metadata too large for a PNG chunk");
    return TPROC_OK;
}

int tproc__png_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                            const tproc_save_options *options, tproc__encoder *enc)
{
    const char *name = out->name;
    int level = TPROC__PNG_DEFAULT_COMPRESSION;
    int status = check_request(ctx, name, format, options, &level);
    if (status)
        return status;
    const void *icc = options && options->icc_size ? options->icc : NULL;
    const void *exif = options && options->exif_size ? options->exif : NULL;
    void *mem;
    if ((status = tproc__alloc_file(ctx, sizeof(pngio_writer), 1, name, "PNG encoder state", &mem)))
        return status;
    pngio_writer *w = mem;
    w->ctx = ctx;
    w->out = out;
    w->format = *format;
    w->pixel_size = (size_t)format->channels * (format->sample == TPROC_U16 ? 2u : 1u);
    if (exif)
        status = tproc__exif_upright_copy(ctx, name, exif, options->exif_size, 0, &w->exif);
    if (!status) {
        w->png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &w->diag, tproc__png_on_error,
                                           tproc__png_on_warning, NULL, NULL, NULL);
        if (w->png)
            w->info = png_create_info_struct(w->png);
        if (!w->png || !w->info)
            status = tproc__error_file(ctx, TPROC_ERR_NOMEM, name, "cannot create a PNG encoder");
    }
    if (!status)
        status = writer_begin(w, level, icc, (png_uint_32)(icc ? options->icc_size : 0),
                              (png_uint_32)(exif ? options->exif_size : 0));
    if (status) {
        writer_free(w);
        return status;
    }
    enc->state = w;
    enc->write_rows = encoder_write;
    enc->finish = encoder_finish;
    enc->close = encoder_close;
    return TPROC_OK;
}
