/* SPDX-License-Identifier: MIT */
/*
 * png_read.c: PNG decoding. Every colour type becomes gray, gray+alpha, RGB or RGBA at 8 or 16
 * bits (palettes and low bit depths expand, tRNS becomes alpha; no gamma, no background
 * compositing, sBIT ignored); iCCP and eXIf are kept. A non-interlaced file is handed out row
 * by row. An Adam7 file needs all of its data before row 0: streamed, it is decoded whole at
 * open; for a caller holding the whole image (tproc__decode_request.whole) it is decoded
 * straight into the caller's rows in one read_rows call, so a load never holds it twice.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "png_codec.h"

typedef struct pngio_reader {
    tproc__png_diag diag;
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
    size_t next_row;      /* rows handed out so far */
    int failed;           /* status of the failure that stopped the decoder, 0 if none */
    unsigned char *whole; /* an Adam7 file decoded at open (row_bytes apart), else NULL */
} pngio_reader;

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

/* Records the failure libpng reported and marks the reader as stopped. */
static int reader_fail(pngio_reader *r)
{
    r->failed = tproc__png_fail(r->ctx, r->in->name, &r->diag, TPROC_ERR_CORRUPT);
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

    /* A profile on libpng's list of flawed sRGB ones is kept, not complained about (even when
     * strict): it is common and harmless, and the colour step converts it like any other. */
    png_set_option(r->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
    png_uint_32 w = png_get_user_width_max(r->png), h = png_get_user_height_max(r->png);
    png_set_user_limits(r->png, w < TPROC__PNG_MAX_DIMENSION ? w : TPROC__PNG_MAX_DIMENSION,
                        h < TPROC__PNG_MAX_DIMENSION ? h : TPROC__PNG_MAX_DIMENSION);
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
        return tproc__error_file(ctx, TPROC_ERR_IO, in->name, "read failed: %s",
                                 strerror(in->error));
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        int ascii = got >= 4 && png_sig_cmp(sig, 0, 4) == 0;
        return tproc__error_file(ctx, TPROC_ERR_FORMAT, in->name, "%s",
                                 ascii ? "PNG file corrupted by ASCII conversion"
                                       : "not a PNG file");
    }

    r->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &r->diag, tproc__png_on_error,
                                      tproc__png_on_warning, NULL, NULL, NULL);
    if (r->png)
        r->info = png_create_info_struct(r->png);
    if (!r->png || !r->info)
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, in->name, "cannot create a PNG decoder");

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
    int status =
        tproc__alloc_file(ctx, sizeof(pngio_reader), 1, in->name, "PNG decoder state", &mem);
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
        return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->in->name,
                                 "a %lux%lu image of %d %s channels is too large to address",
                                 (unsigned long)r->width, (unsigned long)r->height, r->channels,
                                 tproc_sample_name(r->sample));
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
    if (r->bit_depth == 16 && tproc__png_little_endian())
        png_set_swap(r->png); /* PNG stores big-endian; our u16 samples are native */
    r->passes = png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);

    /* The transformations must give exactly the format promised by reader_format. */
    if (png_get_channels(r->png, r->info) != r->channels ||
        png_get_bit_depth(r->png, r->info) != (r->sample == TPROC_U16 ? 16 : 8) ||
        png_get_rowbytes(r->png, r->info) != r->row_bytes) {
        r->failed = TPROC_ERR_UNSUPPORTED;
        return tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->in->name,
                                 "libpng decodes to an unexpected format (%d channels, %d bits)",
                                 png_get_channels(r->png, r->info),
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
    r->next_row += count;
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
    int status = tproc__decoder_rows(r->ctx, r->in->name, r->failed, &r->next_row, r->height,
                                     r->whole, r->row_bytes, first, stride, count);
    if (status != TPROC__DECODE_ROWS)
        return status;
    if (!r->interlaced)
        return reader_stream(r, first, stride, count);
    /* An Adam7 file for a caller holding the whole image: all passes straight into its rows. */
    if (r->next_row != 0 || count != r->height)
        return tproc__error_file(r->ctx, TPROC_ERR_ARG, r->in->name,
                                 "an interlaced PNG is read whole, in one call");
    if ((status = reader_whole(r, first, stride)))
        return status;
    r->next_row = r->height;
    return TPROC_OK;
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

/* The metadata libpng holds now: pointers into its info struct, valid until close. */
static void reader_metadata(pngio_reader *r, tproc__decoder *out)
{
    png_bytep data;
    png_uint_32 size;
    if (reader_icc(r, &data, &size)) {
        out->icc = data;
        out->icc_size = size;
    }
    if (reader_exif(r, &data, &size)) {
        out->exif = data;
        out->exif_size = size;
    }
}

/* tproc__decoder.trailer: an iCCP or eXIf after the image data. */
static void decoder_trailer(void *state, tproc__decoder *dec)
{
    pngio_reader *r = state;
    if (!r->failed && r->next_row == r->height)
        reader_metadata(r, dec);
}

int tproc__png_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                            tproc__decoder *out)
{
    tproc__decode_request q;
    pngio_reader *r;
    int status = tproc__decoder_prepare(ctx, in, request, out, "PNG", &q);
    if (status || (status = reader_new(ctx, in, q.strict, &r)))
        return status;
    size_t whole = 0;
    if (!(status = reader_sizes(r, &whole)) && !q.whole) {
        /* What this decoder holds: an Adam7 file decoded whole, else libpng's row buffers
         * (about a row; libpng allocates them in reader_start, outside our count). */
        char what[200];
        snprintf(what, sizeof what, "a %lux%lu %d-channel %s image%s", (unsigned long)r->width,
                 (unsigned long)r->height, r->channels, tproc_sample_name(r->sample),
                 r->interlaced ? " (interlaced, decoded whole)" : " (one row)");
        status = tproc__check_limit_file(ctx, r->interlaced ? whole : r->row_bytes, in->name, what);
        if (!status)
            status = reader_start(r);
        void *mem;
        if (!status && r->interlaced &&
            !(status = tproc__alloc_file(ctx, whole, 1, in->name, what, &mem))) {
            r->whole = mem;
            status = reader_whole(r, r->whole, (ptrdiff_t)r->row_bytes);
        }
    } else if (!status) {
        status = reader_start(r);
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
    out->whole_reason = r->interlaced ? "an Adam7-interlaced PNG" : NULL;
    out->whole_bytes = r->whole ? whole : 0;
    reader_metadata(r, out);
    out->orientation = out->exif ? tproc__exif_orientation(out->exif, out->exif_size) : 1;
    out->state = r;
    out->read_rows = decoder_read;
    out->trailer = decoder_trailer;
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
