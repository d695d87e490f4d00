/* SPDX-License-Identifier: MIT */
/*
 * io_png.c: PNG through libpng 1.6. Decoding brings every colour type to gray, gray+alpha, RGB
 * or RGBA at 8 or 16 bits (palettes and low bit depths expand, tRNS becomes alpha; no gamma, no
 * background compositing, sBIT ignored), keeps iCCP and eXIf, and hands out non-interlaced files
 * row by row; an Adam7 file is decoded whole first. Encoding writes u8/u16 rows of any stride,
 * with iCCP and eXIf. The streaming decoder and encoder of codec_stream.h are the only code
 * paths: load and save are open + all rows + close.
 *
 * libpng reports errors by longjmp; every setjmp is in this file, in each function that enters
 * libpng (a decoder's state outlives the calls, so each call sets its own), and each failure
 * becomes "<name>: <libpng's text>" in the context. Nothing is printed. After a failure the
 * libpng state is not touched again: later calls return the failure's status.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "codec_stream.h"

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
    /* Streaming. */
    png_uint_32 next_row; /* rows handed out so far */
    int failed;           /* status of the failure that stopped the decoder, 0 if none */
    unsigned char *whole; /* an Adam7 file decoded at open (row_bytes apart), else NULL */
} pngio_reader;

typedef struct pngio_writer {
    pngio_diag diag;
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

/* Records the failure libpng reported and marks the reader as stopped. */
static int reader_fail(pngio_reader *r)
{
    r->failed = fail(r->ctx, r->in->name, &r->diag, TPROC_ERR_CORRUPT);
    return r->failed;
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
 * decoded format. r is zeroed. On failure the error is recorded; free r either way.
 */
static int reader_begin(pngio_reader *r, tproc_ctx *ctx, tproc__input *in, int strict)
{
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

static void reader_free(pngio_reader *r)
{
    if (!r)
        return;
    if (r->png)
        png_destroy_read_struct(&r->png, &r->info, NULL);
    tproc__dealloc(r->ctx, r->whole);
    tproc__dealloc(r->ctx, r);
}

/* Allocates a reader (counted) and reads the header; *out is NULL on failure. */
static int reader_new(tproc_ctx *ctx, tproc__input *in, int strict, pngio_reader **out)
{
    *out = NULL;
    void *mem;
    int status = tproc__alloc(ctx, sizeof(pngio_reader), "PNG decoder state", &mem);
    if (status)
        return status;
    pngio_reader *r = mem;
    if ((status = reader_begin(r, ctx, in, strict))) {
        reader_free(r);
        return status;
    }
    *out = r;
    return TPROC_OK;
}

/*
 * Sets r->row_bytes, the packed bytes of a decoded row, and *whole, the bytes of every row
 * packed, after checking every size a decode of this header can need against overflow.
 */
static int reader_sizes(pngio_reader *r, size_t *whole)
{
    size_t packed, aligned, total;
    if (tproc__row_bytes((ptrdiff_t)r->width, r->channels, r->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)r->height, &total) ||
        tproc__mul(packed, (size_t)r->height, whole) || *whole > PTRDIFF_MAX)
        return tproc__error(r->ctx, TPROC_ERR_OVERFLOW,
                            "%s: a %lux%lu image of %d %s channels is too large to address",
                            r->in->name, (unsigned long)r->width, (unsigned long)r->height,
                            r->channels, tproc_sample_name(r->sample));
    r->row_bytes = packed;
    return TPROC_OK;
}

/*
 * Asks libpng for the transformations that give the decoded format. libpng allocates its row
 * buffers here, so the caller checks the memory limit first. After this, rows can be read.
 */
static int reader_start(pngio_reader *r)
{
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
        png_get_rowbytes(r->png, r->info) != r->row_bytes) {
        r->failed = TPROC_ERR_UNSUPPORTED;
        return tproc__error(r->ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: libpng decodes to an unexpected format (%d channels, %d bits)",
                            r->in->name, png_get_channels(r->png, r->info),
                            png_get_bit_depth(r->png, r->info));
    }
    return TPROC_OK;
}

static void read_rows_raw(png_structp png, unsigned char *first, ptrdiff_t stride, size_t count)
{
    unsigned char *row = first;
    for (size_t i = 0; i < count; i++, row += stride)
        png_read_row(png, row, NULL);
}

/* Every pass visits every row; a row keeps what the earlier passes put there. */
static void read_passes_raw(png_structp png, unsigned char *first, ptrdiff_t stride, size_t height,
                            int passes)
{
    for (int pass = 0; pass < passes; pass++)
        read_rows_raw(png, first, stride, height);
}

/*
 * The next count rows of a non-interlaced file, into first, first + stride, ... Once the last
 * row is out, the chunks after the image data are read too (the last CRCs, a late eXIf), so a
 * damaged end fails the call that reads the last row, as it fails a load.
 */
static int reader_stream(pngio_reader *r, unsigned char *first, ptrdiff_t stride, size_t count)
{
    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    read_rows_raw(r->png, first, stride, count);
    r->next_row += (png_uint_32)count;
    if (r->next_row == r->height)
        png_read_end(r->png, r->info);
    return TPROC_OK;
}

/* Decodes all of an interlaced (or any) file into first, first + stride, ..., to the end. */
static int reader_whole(pngio_reader *r, unsigned char *first, ptrdiff_t stride)
{
    if (setjmp(png_jmpbuf(r->png)))
        return reader_fail(r);
    read_passes_raw(r->png, first, stride, r->height, r->passes);
    png_read_end(r->png, r->info);
    return TPROC_OK;
}

/* tproc__decoder.read_rows. */
static int decoder_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    pngio_reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->in->name, r->failed, r->next_row, r->height,
                                     r->whole, r->row_bytes, first, stride, count);
    if (status == TPROC__DECODE_ROWS)
        return reader_stream(r, first, stride, count);
    if (status == TPROC_OK)
        r->next_row += (png_uint_32)count;
    return status;
}

static void decoder_close(void *state)
{
    reader_free(state);
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

/* "<name>: a WxH C-channel S image", what a whole decode holds, for limit messages. */
static void reader_describe(const pngio_reader *r, const char *extra, char *buf, size_t size)
{
    snprintf(buf, size, "%s: a %lux%lu %d-channel %s image%s", r->in->name, (unsigned long)r->width,
             (unsigned long)r->height, r->channels, tproc_sample_name(r->sample), extra);
}

int tproc__png_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                            tproc__decoder *out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no decoder to open", in->name);
    memset(out, 0, sizeof *out);
    pngio_reader *r;
    int status = reader_new(ctx, in, options && options->strict, &r);
    if (status)
        return status;
    size_t whole;
    char what[300];
    if (!(status = reader_sizes(r, &whole))) {
        /* What this decoder holds: an Adam7 file decoded whole, else libpng's row buffers
         * (about a row; libpng allocates them in reader_start, outside our count). */
        reader_describe(r, r->interlaced ? " (interlaced, decoded whole)" : " (one row)", what,
                        sizeof what);
        status = tproc__check_limit(ctx, r->interlaced ? whole : r->row_bytes, what);
    }
    if (!status)
        status = reader_start(r);
    if (!status && r->interlaced) {
        void *mem;
        if (!(status = tproc__alloc(ctx, whole, what, &mem))) {
            r->whole = mem;
            status = reader_whole(r, r->whole, (ptrdiff_t)r->row_bytes);
        }
    }
    if (status) {
        reader_free(r);
        return status;
    }
    out->format.width = (ptrdiff_t)r->width;
    out->format.height = (ptrdiff_t)r->height;
    out->format.channels = r->channels;
    out->format.sample = r->sample;
    out->whole_image = r->interlaced;
    out->whole_bytes = r->interlaced ? whole : 0;
    /* Pointers into libpng's info struct: valid until close. */
    png_bytep data;
    png_uint_32 size;
    if (reader_icc(r, &data, &size)) {
        out->icc = data;
        out->icc_size = size;
    }
    out->orientation = 1;
    if (reader_exif(r, &data, &size)) {
        out->exif = data;
        out->exif_size = size;
        out->orientation = tproc__exif_orientation(data, size);
    }
    out->state = r;
    out->read_rows = decoder_read;
    out->close = decoder_close;
    return TPROC_OK;
}

int tproc__png_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info)
{
    pngio_reader *r;
    int status = reader_new(ctx, in, 0, &r);
    if (status)
        return status;
    png_bytep exif, icc;
    png_uint_32 exif_size, icc_size;
    info->format = TPROC_FILE_PNG;
    info->width = (ptrdiff_t)r->width;
    info->height = (ptrdiff_t)r->height;
    info->channels = r->channels;
    info->sample = r->sample;
    info->bit_depth = r->bit_depth;
    info->interlaced = r->interlaced;
    info->progressive = 0;
    /* Only an eXIf before the image data is seen without decoding. */
    info->has_exif = reader_exif(r, &exif, &exif_size);
    info->orientation = info->has_exif ? tproc__exif_orientation(exif, exif_size) : 1;
    info->has_icc = reader_icc(r, &icc, &icc_size);
    reader_free(r);
    return TPROC_OK;
}

/* Copies iCCP and eXIf (including an eXIf after the image data) into the image. */
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

/*
 * The decoder's steps with the image as the destination: rows go straight into it (an Adam7
 * file too, so a load never holds the image twice), and the limit is checked for the image
 * before libpng allocates anything.
 */
int tproc__png_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                    tproc_image **out)
{
    *out = NULL;
    pngio_reader *r;
    tproc_image *image = NULL;
    size_t whole;
    int status = reader_new(ctx, in, options && options->strict, &r);
    if (status)
        return status;
    if (!(status = reader_sizes(r, &whole)) &&
        !(status =
              tproc__image_new_for_decode(ctx, in->name, (ptrdiff_t)r->width, (ptrdiff_t)r->height,
                                          r->channels, r->sample, &image)) &&
        !(status = reader_start(r))) {
        tproc_view v = tproc_image_view(image);
        status = r->interlaced ? reader_whole(r, v.data, v.row_stride)
                               : decoder_read(r, v.data, v.row_stride, (size_t)r->height);
    }
    if (status == TPROC_OK)
        status = keep_metadata(r, image);
    reader_free(r);
    if (status != TPROC_OK) {
        tproc_image_free(&image);
        return status;
    }
    *out = image;
    return TPROC_OK;
}

/* --- encoding ----------------------------------------------------------------------------- */

static int writer_fail(pngio_writer *w)
{
    w->failed = fail(w->ctx, w->out->name, &w->diag, TPROC_ERR_ARG);
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
        /* libpng checks the profile against the PNG (size, header, colour space). */
        w->diag.stage = "ICC profile rejected: ";
        png_set_iCCP(w->png, w->info, "icc", PNG_COMPRESSION_TYPE_BASE, icc, icc_size);
        w->diag.stage = NULL;
    }
    if (w->exif)
        png_set_eXIf_1(w->png, w->info, exif_size, w->exif);
    png_write_info(w->png, w->info);
    if (w->format.sample == TPROC_U16 && little_endian())
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

/* Whether the encoder can take a call: not stopped by a failure, not finished. */
static int writer_usable(pngio_writer *w)
{
    if (w->failed)
        return tproc__error(w->ctx, w->failed, "%s: the encoder stopped at an earlier error",
                            w->out->name);
    if (w->finished)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: the PNG is already finished", w->out->name);
    return TPROC_OK;
}

/* tproc__encoder.write_rows. */
static int encoder_write(void *state, const tproc_view *rows)
{
    pngio_writer *w = state;
    const tproc_format *f = &w->format;
    int status = writer_usable(w);
    if (status)
        return status;
    if (!rows || tproc_view_validate(rows) || rows->width != f->width ||
        rows->channels != f->channels || rows->sample != f->sample)
        return tproc__error(w->ctx, TPROC_ERR_ARG,
                            "%s: rows must be valid views %td pixels wide of %d %s channels",
                            w->out->name, f->width, f->channels, tproc_sample_name(f->sample));
    if (rows->height > f->height - w->rows_done)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: %td rows given, %td left", w->out->name,
                            rows->height, f->height - w->rows_done);
    /* Rows libpng can read in place need only adjacent pixels; any row stride works. */
    unsigned char *scratch = NULL;
    if (rows->pixel_stride != (ptrdiff_t)w->pixel_size) {
        if (!w->scratch) {
            void *mem;
            /* width * pixel_size was checked at open. */
            if ((status = tproc__alloc(w->ctx, (size_t)f->width * w->pixel_size, "PNG row buffer",
                                       &mem)))
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
    int status = writer_usable(w);
    if (status)
        return status;
    if (w->rows_done != w->format.height)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: %td of %td rows written", w->out->name,
                            w->rows_done, w->format.height);
    return writer_end(w);
}

static void encoder_close(void *state)
{
    writer_free(state);
}

int tproc__png_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                            const tproc_save_options *options, tproc__encoder *enc)
{
    const char *name = out->name;
    if (!enc)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no encoder to open", name);
    memset(enc, 0, sizeof *enc);
    if (!format || (format->sample != TPROC_U8 && format->sample != TPROC_U16) ||
        format->channels < 1 || format->channels > 4 || format->width < 1 || format->height < 1)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: PNG takes u8 or u16 views of 1-4 channels",
                            name);
    if ((uint64_t)format->width > PNG_UINT_31_MAX || (uint64_t)format->height > PNG_UINT_31_MAX)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: %tdx%td is larger than PNG allows", name,
                            format->width, format->height);
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
    size_t pixel_size = (size_t)format->channels * (format->sample == TPROC_U16 ? 2u : 1u);
    size_t row_bytes;
    if (tproc__mul((size_t)format->width, pixel_size, &row_bytes))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: rows of %td pixels are too long", name,
                            format->width);

    void *mem;
    int status = tproc__alloc(ctx, sizeof(pngio_writer), "PNG encoder state", &mem);
    if (status)
        return status;
    pngio_writer *w = mem;
    w->ctx = ctx;
    w->out = out;
    w->format = *format;
    w->pixel_size = pixel_size;
    /* The saved EXIF says "upright" (tileproc saves pixels as they are meant to be seen). */
    if (exif_in) {
        if ((status = tproc__alloc(ctx, options->exif_size, "EXIF copy", &mem))) {
            writer_free(w);
            return status;
        }
        w->exif = mem;
        memcpy(w->exif, exif_in, options->exif_size);
        tproc__exif_set_orientation(w->exif, options->exif_size, 1);
    }
    w->png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &w->diag, on_error, on_warning, NULL,
                                       NULL, NULL);
    if (w->png)
        w->info = png_create_info_struct(w->png);
    if (!w->png || !w->info)
        status = tproc__error(ctx, TPROC_ERR_NOMEM, "%s: cannot create a PNG encoder", name);
    else
        status = writer_begin(w, level, icc, (png_uint_32)(icc ? options->icc_size : 0),
                              (png_uint_32)(exif_in ? options->exif_size : 0));
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

int tproc__png_save(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                    const tproc_save_options *options)
{
    if (!view)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no view", out->name);
    tproc_format format = {view->width, view->height, view->channels, view->sample};
    tproc__encoder enc;
    int status = tproc__png_encoder_open(ctx, out, &format, options, &enc);
    if (status)
        return status;
    status = enc.write_rows(enc.state, view);
    if (status == TPROC_OK)
        status = enc.finish(enc.state);
    enc.close(enc.state);
    return status;
}
