/* SPDX-License-Identifier: MIT */
/*
 * jpeg_read.c: JPEG decoding. Gray stays gray; YCbCr and RGB become RGB; CMYK and YCCK are
 * delivered as CMYK ink (tproc__decoder.cmyk, inverted for Adobe files), which the codec
 * layer's colour step (decode_colour.c) turns into RGB; EXIF (APP1) and ICC (APP2, reassembled) are
 * kept. Data comes in through a source manager over tproc__input, so memory and FILE* are one path.
 * A decoder can shrink on load (DCT scaling, 1/2 to 1/8). A multi-scan (progressive) file needs all
 * of its data before row 0: streamed, it is decoded whole at open; for a caller holding the whole
 * image (tproc__decode_request.whole) its rows go straight into the caller's memory, and libjpeg's
 * working memory is capped by what the limit leaves once that memory is taken.
 *
 * A region (tproc__decode_request.region) of a single-scan file at full size is read natively
 * with libjpeg-turbo's partial decoding: jpeg_crop_scanline decodes only the iMCU columns
 * around it, jpeg_skip_scanlines passes over the rows above without making their pixels (their
 * Huffman data is still read), and jpeg_abort_decompress stops after its last row. The result
 * is byte for byte a crop of the full decode: the decoded columns reach at least a pixel past
 * the region on the left and an iMCU past it on the right, so fancy upsampling never sees a
 * crop edge next to a region pixel, and the skip ends on an iMCU row boundary at least a row
 * above the region (libjpeg-turbo #915: a skip not ending on a row group boundary returns
 * stale rows before 3.1.1), the rows between being decoded and dropped. Other files (multi-
 * scan, CMYK, scaled, libjpeg without these calls) leave the region to the codec layer.
 */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>

#include "jpeg_codec.h"

/* More scans than this is a corrupt or hostile progressive file (real ones have about 10);
 * each scan of a progressive file costs a pass over the whole coefficient buffer. */
#define MAX_SCANS 1000

static const unsigned char icc_prefix[12] = {'I', 'C', 'C', '_', 'P', 'R',
                                             'O', 'F', 'I', 'L', 'E', 0};

/* --- reader ------------------------------------------------------------------------------- */

typedef struct reader {
    struct jpeg_decompress_struct cinfo;
    tproc__jpeg_errors err;
    tproc__jpeg_source src;
    struct jpeg_progress_mgr progress;
    tproc_ctx *ctx;
    tproc__input *in;
    int channels;             /* what rows come out as: 1 gray, 3 RGB or 4 CMYK */
    int cmyk;                 /* rows are CMYK (the colour step makes them RGB) */
    int inverted;             /* CMYK as Adobe (Photoshop) writes it: 255 means no ink */
    int multi_scan;           /* progressive or non-interleaved: all data is read before row 0 */
    int scale_denom;          /* 1, 2, 4 or 8: libjpeg's DCT-domain reduction */
    int started;              /* jpeg_start_decompress ran */
    JDIMENSION width, height; /* of the output, after scaling */
    size_t row_bytes;         /* packed bytes of one output row */
    size_t next_row;          /* rows handed out so far */
    int failed;               /* status of the failure that stopped the decoder, 0 if none */
    unsigned char *whole;     /* a multi-scan decode made at open (row_bytes apart), else NULL */
    unsigned char *exif;      /* a copy of the first EXIF APP1 payload (markers die at finish) */
    size_t exif_size;
    JOCTET *icc; /* from jpeg_read_icc_profile (malloc'd by libjpeg) */
    unsigned int icc_size;
    int cropping;           /* a region read natively: rows are the region's */
    JDIMENSION region_x;    /* the region's first column and row in the stored image */
    JDIMENSION region_y;
    JDIMENSION full_width;  /* output size before the region */
    JDIMENSION full_height;
    JDIMENSION dec_x;       /* the columns libjpeg decodes: dec_w from dec_x */
    JDIMENSION dec_w;
    unsigned char *dec_row; /* one decoded row, dec_w pixels, to cut the region from */
} reader;

static void reader_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > MAX_SCANS)
        tproc__jpeg_abandon(cinfo, TPROC__JPEG_CAUSE_SCANS, JERR_BAD_PROGRESSION);
}

/* The status a libjpeg error code maps to. */
static int status_of(int msg_code)
{
    switch (msg_code) {
    case JERR_NO_SOI:
    case JERR_INPUT_EMPTY:
        return TPROC_ERR_FORMAT;
    case JERR_BAD_PRECISION:
    case JERR_ARITH_NOTIMPL:
    case JERR_SOF_UNSUPPORTED:
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
    case JERR_COMPONENT_COUNT:
        return TPROC_ERR_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return TPROC_ERR_NOMEM;
    case JERR_NO_BACKING_STORE:
        return TPROC_ERR_LIMIT;
    default:
        return TPROC_ERR_CORRUPT;
    }
}

/* Records why libjpeg gave up and returns the status it maps to. */
static int reader_error(reader *r)
{
    const char *name = r->in->name;
    tproc__jpeg_errors *err = &r->err;
    switch (err->cause) {
    case TPROC__JPEG_CAUSE_READ:
        return tproc__error_file(r->ctx, TPROC_ERR_IO, name, "read error: %s",
                                 strerror(r->in->error));
    case TPROC__JPEG_CAUSE_SCANS:
        return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, name,
                                 "corrupt JPEG data: more than %d scans", MAX_SCANS);
    case TPROC__JPEG_CAUSE_STRICT:
        if (r->src.eof || err->pub.msg_code == JWRN_HIT_MARKER)
            return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, name, "truncated JPEG data (%s)",
                                     err->message);
        return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, name, "%s", err->message);
    case TPROC__JPEG_CAUSE_WRITE:
    case TPROC__JPEG_CAUSE_LIBJPEG:
        break;
    }
    int status = status_of(err->pub.msg_code);
    if (status == TPROC_ERR_LIMIT)
        /* libjpeg needed more working memory than max_memory_to_use (our limit) allows. */
        return tproc__error_file(r->ctx, status, name,
                                 "decoding needs more working memory than %s of %zu bytes "
                                 "allows (%s)",
                                 tproc__limit_name(r->ctx), tproc_ctx_memory_limit(r->ctx),
                                 err->message);
    if (status == TPROC_ERR_CORRUPT && r->src.eof)
        return tproc__error_file(r->ctx, status, name, "truncated JPEG data (%s)", err->message);
    return tproc__error_file(r->ctx, status, name, "%s", err->message);
}

/*
 * Maps a tproc__jpeg_protect result: statuses pass through, a longjmp becomes its recorded
 * error and stops the reader (libjpeg's state is not to be used again after it bailed out).
 */
static int reader_status(reader *r, int rc)
{
    if (rc == TPROC__JPEG_LONGJMP)
        return r->failed = reader_error(r);
    return rc;
}

/* Runs a step under tproc__jpeg_protect and maps its result. */
static int reader_run(reader *r, tproc__jpeg_step_fn step, void *state)
{
    return reader_status(r, tproc__jpeg_protect(&r->err, step, state));
}

static int reader_open_step(void *state)
{
    reader *r = state;
    jpeg_create_decompress(&r->cinfo);
    r->cinfo.mem->max_memory_to_use = tproc__jpeg_memory_budget(r->ctx);
    tproc__jpeg_source_init(&r->src, r->in, &r->cinfo);
    r->progress.progress_monitor = reader_progress;
    r->cinfo.progress = &r->progress;
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&r->cinfo, TRUE);
    return TPROC_OK;
}

static void reader_close(reader **pr)
{
    reader *r = *pr;
    if (!r)
        return;
    *pr = NULL;
    /* Safe on a half-created object and mid-image: it frees what the memory manager holds. */
    jpeg_destroy_decompress(&r->cinfo);
    free(r->icc);
    tproc__dealloc(r->ctx, r->exif);
    tproc__dealloc(r->ctx, r->whole);
    tproc__dealloc(r->ctx, r->dec_row);
    tproc__dealloc(r->ctx, r);
}

/*
 * Allocates a reader and reads the header (through SOF and up to the first SOS). On failure
 * *out is still set when the reader exists, so the caller can inspect it, and the returned
 * value may be TPROC__JPEG_LONGJMP (not yet recorded; see reader_status). Close it either way.
 */
static int reader_open_raw(tproc_ctx *ctx, tproc__input *in, int strict, reader **out)
{
    *out = NULL;
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(reader), 1, in->name, "JPEG decoder state", &mem);
    if (status)
        return status;
    reader *r = mem; /* zeroed, so closing before jpeg_create_decompress is safe */
    r->ctx = ctx;
    r->in = in;
    r->scale_denom = 1;
    tproc__jpeg_errors_init(&r->err, (j_common_ptr)&r->cinfo);
    r->err.strict = strict;
    *out = r;
    return tproc__jpeg_protect(&r->err, reader_open_step, r);
}

static int reader_open(tproc_ctx *ctx, tproc__input *in, int strict, reader **out)
{
    reader *r = NULL;
    int status = reader_open_raw(ctx, in, strict, &r);
    if (status) {
        status = r ? reader_status(r, status) : status;
        reader_close(&r);
        return status;
    }
    *out = r;
    return TPROC_OK;
}

/* Chooses the output colour space for the header just read. */
static int reader_choose_color(reader *r)
{
    switch (r->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        r->cinfo.out_color_space = JCS_GRAYSCALE;
        r->channels = 1;
        return TPROC_OK;
    case JCS_YCbCr:
    case JCS_RGB:
        r->cinfo.out_color_space = JCS_RGB;
        r->channels = 3;
        return TPROC_OK;
    case JCS_CMYK:
    case JCS_YCCK:
        /* libjpeg converts YCCK to CMYK; CMYK to RGB is the codec layer's (decode_colour.c). */
        r->cinfo.out_color_space = JCS_CMYK;
        r->channels = 4;
        r->cmyk = 1;
        r->inverted = r->cinfo.saw_Adobe_marker ? 1 : 0;
        return TPROC_OK;
    default:
        return tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->in->name,
                                 "unsupported JPEG colour space (%d components)",
                                 r->cinfo.num_components);
    }
}

static int reader_dimensions_step(void *state)
{
    reader *r = state;
    r->cinfo.scale_num = 1;
    r->cinfo.scale_denom = (unsigned int)r->scale_denom;
    jpeg_calc_output_dimensions(&r->cinfo);
    r->multi_scan = jpeg_has_multiple_scans(&r->cinfo) ? 1 : 0;
    return TPROC_OK;
}

/* After the header: output colour space, scaled size, row size, whether rows need all data. */
static int reader_setup(reader *r)
{
    int status = reader_choose_color(r);
    if (status || (status = reader_run(r, reader_dimensions_step, r)))
        return status;
    r->width = r->cinfo.output_width;
    r->height = r->cinfo.output_height;
    if (tproc__mul(r->width, (size_t)r->channels, &r->row_bytes))
        return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->in->name, "row too large");
    return TPROC_OK;
}

static int reader_icc_step(void *state)
{
    reader *r = state;
    if (!jpeg_read_icc_profile(&r->cinfo, &r->icc, &r->icc_size)) {
        free(r->icc); /* NULL on failure; freeing keeps that an assumption, not a leak */
        r->icc = NULL;
        r->icc_size = 0;
    }
    return TPROC_OK;
}

static int is_exif(jpeg_saved_marker_ptr m)
{
    return m->marker == JPEG_APP0 + 1 && m->data_length >= TPROC__EXIF_PREFIX_SIZE &&
           memcmp(m->data, TPROC__EXIF_PREFIX, TPROC__EXIF_PREFIX_SIZE) == 0;
}

static int is_icc(jpeg_saved_marker_ptr m)
{
    return m->marker == JPEG_APP0 + 2 && m->data_length >= sizeof icc_prefix &&
           memcmp(m->data, icc_prefix, sizeof icc_prefix) == 0;
}

/*
 * Keeps the EXIF (the first APP1 holding it, without its "Exif\0\0" prefix) and the ICC profile
 * (reassembled from its APP2 markers) in the reader: libjpeg frees the saved markers when the
 * image is finished.
 */
static int reader_take_metadata(reader *r)
{
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next) {
        if (is_exif(m)) {
            size_t size = m->data_length - TPROC__EXIF_PREFIX_SIZE;
            if (size == 0)
                break;
            void *copy;
            int status = tproc__alloc_file(r->ctx, size, 0, r->in->name, "JPEG EXIF copy", &copy);
            if (status)
                return status;
            memcpy(copy, m->data + TPROC__EXIF_PREFIX_SIZE, size);
            r->exif = copy;
            r->exif_size = size;
            break;
        }
    }
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next)
        if (is_icc(m))
            /* Reassembles a profile split over several APP2 markers (and warns on bad ones). */
            return reader_run(r, reader_icc_step, r);
    return TPROC_OK;
}

#if defined(LIBJPEG_TURBO_VERSION_NUMBER) && LIBJPEG_TURBO_VERSION_NUMBER >= 2000000
#define NATIVE_REGIONS 1 /* jpeg_crop_scanline and jpeg_skip_scanlines, with #237 fixed (2.0) */
#else
#define NATIVE_REGIONS 0
#endif

/* After jpeg_start_decompress: the columns and the skip of a native region (see the top). */
static void reader_crop(reader *r)
{
#if NATIVE_REGIONS
    j_decompress_ptr c = &r->cinfo;
    JDIMENSION imcu_w = (JDIMENSION)(c->max_h_samp_factor * DCTSIZE);
    JDIMENSION imcu_h = (JDIMENSION)(c->max_v_samp_factor * DCTSIZE);
    JDIMENSION left = r->region_x > 0 ? r->region_x - 1 : 0;
    JDIMENSION right = r->region_x + r->width + imcu_w; /* one past the last column wanted */
    if (right > r->full_width || right < r->region_x)
        right = r->full_width;
    JDIMENSION x = left, w = right - left;
    if (x > 0 || w < r->full_width)
        jpeg_crop_scanline(c, &x, &w); /* x goes down to an iMCU boundary, w grows to match */
    r->dec_x = x;
    r->dec_w = w;
    JDIMENSION skip = r->region_y > 0 ? (r->region_y - 1) / imcu_h * imcu_h : 0;
    if (skip > 0 && jpeg_skip_scanlines(c, skip) != skip)
        tproc__jpeg_abandon((j_common_ptr)c, TPROC__JPEG_CAUSE_LIBJPEG, JERR_BAD_STATE);
#else
    (void)r;
#endif
}

static int reader_start_step(void *state)
{
    reader *r = state;
    jpeg_start_decompress(&r->cinfo);
    if (r->cropping)
        reader_crop(r);
    return TPROC_OK;
}

/*
 * Starts decompression; libjpeg's working memory is capped at what the limit leaves now. For a
 * multi-scan file this reads all of the data into libjpeg's coefficient buffer.
 */
static int reader_start(reader *r)
{
    if (r->cropping) { /* a row of the whole width: enough for any decoded columns */
        void *row;
        int status = tproc__alloc_file(r->ctx, (size_t)r->full_width * (size_t)r->channels, 0,
                                       r->in->name, "JPEG row around a region", &row);
        if (status)
            return status;
        r->dec_row = row;
    }
    r->cinfo.mem->max_memory_to_use = tproc__jpeg_memory_budget(r->ctx);
    int status = reader_run(r, reader_start_step, r);
    if (status)
        return status;
    r->started = 1;
    if (r->cinfo.output_components != r->channels ||
        r->cinfo.output_width != (r->cropping ? r->dec_w : r->width) ||
        r->cinfo.output_height != (r->cropping ? r->full_height : r->height))
        return r->failed = tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->in->name,
                                             "decoder output does not match the header");
    return TPROC_OK;
}

typedef struct rows_request {
    reader *r;
    unsigned char *first; /* row 0 of the destination */
    ptrdiff_t stride;     /* bytes between destination rows */
    size_t count;
} rows_request;

/*
 * The next count rows; once the last one is out, jpeg_finish_decompress reads to EOI, so late
 * corrupt-data warnings (and strict failures) belong to the call that reads the last row.
 */
/* The next count rows of a native region: rows down to its top are decoded and dropped, and
 * each row is cut from the decoded columns; after its last row libjpeg stops (no finish). */
static int reader_region_rows(rows_request *q)
{
    reader *r = q->r;
    j_decompress_ptr c = &r->cinfo;
    JSAMPROW row = r->dec_row;
    while (c->output_scanline < r->region_y)
        if (jpeg_read_scanlines(c, &row, 1) != 1)
            return r->failed = tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->in->name,
                                                 "decoder returned no rows");
    size_t offset = (size_t)(r->region_x - r->dec_x) * (size_t)r->channels;
    for (size_t i = 0; i < q->count; i++) {
        if (jpeg_read_scanlines(c, &row, 1) != 1)
            return r->failed = tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->in->name,
                                                 "decoder returned no rows");
        memcpy(q->first + (ptrdiff_t)i * q->stride, r->dec_row + offset, r->row_bytes);
    }
    r->next_row += q->count;
    if (r->next_row == r->height)
        jpeg_abort_decompress(c);
    return TPROC_OK;
}

static int reader_rows_step(void *state)
{
    rows_request *q = state;
    reader *r = q->r;
    if (r->cropping)
        return reader_region_rows(q);
    size_t done = 0;
    while (done < q->count) {
        JSAMPROW rows[16];
        size_t n = q->count - done;
        if (n > 16)
            n = 16;
        for (size_t i = 0; i < n; i++)
            rows[i] = q->first + (ptrdiff_t)(done + i) * q->stride;
        JDIMENSION got = jpeg_read_scanlines(&r->cinfo, rows, (JDIMENSION)n);
        if (got == 0)
            return r->failed = tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->in->name,
                                                 "decoder returned no rows");
        done += got;
    }
    r->next_row += q->count;
    if (r->next_row == r->height)
        jpeg_finish_decompress(&r->cinfo);
    return TPROC_OK;
}

/* Decodes the next count rows (row_bytes each) to first, first + stride, ... */
static int reader_read_rows(reader *r, unsigned char *first, ptrdiff_t stride, size_t count)
{
    int status = r->started ? TPROC_OK : reader_start(r);
    rows_request q = {r, first, stride, count};
    return status ? status : reader_run(r, reader_rows_step, &q);
}

/* tproc__decoder.read_rows. */
static int decoder_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->in->name, r->failed, &r->next_row, r->height,
                                     r->whole, r->row_bytes, first, stride, count);
    return status == TPROC__DECODE_ROWS ? reader_read_rows(r, first, stride, count) : status;
}

static void decoder_close(void *state)
{
    reader *r = state;
    reader_close(&r);
}

/*
 * For streamed rows: checks the memory a decoder holds against the limit, and for a
 * multi-scan file takes the buffer it is decoded into at open. Before reader_start, so
 * libjpeg's coefficients get only what is left.
 */
static int reader_reserve(reader *r, size_t *whole)
{
    char what[200];
    snprintf(what, sizeof what, "a %ux%u %d-channel u8 image%s", (unsigned)r->width,
             (unsigned)r->height, r->channels,
             r->multi_scan ? " (progressive, decoded whole)" : " (one row)");
    /* libjpeg's own row buffers are capped by max_memory_to_use at start. */
    if (!r->multi_scan)
        return tproc__check_limit_file(r->ctx, r->row_bytes, r->in->name, what);
    if (tproc__mul(r->row_bytes, r->height, whole) || *whole > PTRDIFF_MAX)
        return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->in->name, "image too large");
    void *mem;
    int status = tproc__alloc_file(r->ctx, *whole, 0, r->in->name, what, &mem);
    if (!status)
        r->whole = mem;
    return status;
}

/* Takes a region natively when this file and libjpeg allow it (see the top); checks it. */
static int reader_region(reader *r, const tproc_rect *region, int scale)
{
    if (region->width == 0)
        return TPROC_OK;
    int status =
        tproc__region_check(r->ctx, r->in->name, region, (ptrdiff_t)r->width, (ptrdiff_t)r->height);
    if (status)
        return status;
    if (!NATIVE_REGIONS || scale != 1 || r->multi_scan || r->cmyk)
        return TPROC_OK; /* the codec layer cuts the region from full rows */
    r->cropping = 1;
    r->full_width = r->width;
    r->full_height = r->height;
    r->region_x = (JDIMENSION)region->x;
    r->region_y = (JDIMENSION)region->y;
    r->width = (JDIMENSION)region->width;
    r->height = (JDIMENSION)region->height;
    r->row_bytes = (size_t)r->width * (size_t)r->channels;
    return TPROC_OK;
}

int tproc__jpeg_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                             tproc__decoder *out)
{
    tproc__decode_request q;
    int status = tproc__decoder_prepare(ctx, in, request, out, NULL, &q);
    if (status)
        return status;
    int scale = q.scale_denom;
    if (scale != 1 && scale != 2 && scale != 4 && scale != 8)
        return tproc__error_file(ctx, TPROC_ERR_ARG, in->name,
                                 "JPEG scale must be 1/1, 1/2, 1/4 or 1/8, got 1/%d", scale);
    reader *r = NULL;
    if ((status = reader_open(ctx, in, q.strict, &r)))
        return status;
    r->scale_denom = scale;
    r->err.stop_when_data_ends = !q.whole;
    size_t whole = 0;
    if (!(status = reader_setup(r)))
        status = reader_region(r, &q.region, scale);
    if (!status && !(status = reader_take_metadata(r)) && !q.whole &&
        !(status = reader_reserve(r, &whole)))
        status = reader_start(r);
    if (!status && r->whole)
        status = reader_read_rows(r, r->whole, (ptrdiff_t)r->row_bytes, r->height);
    if (status) {
        reader_close(&r);
        return status;
    }
    r->next_row = 0; /* the whole decode counted its rows; none are handed out yet */
    out->format.width = (ptrdiff_t)r->width;
    out->format.height = (ptrdiff_t)r->height;
    out->format.channels = r->channels;
    out->format.sample = TPROC_U8;
    out->orientation = tproc__exif_orientation(r->exif, r->exif_size);
    out->whole_image = r->multi_scan;
    out->whole_reason = r->multi_scan ? "a progressive JPEG" : NULL;
    out->whole_bytes = whole;
    out->region_done = r->cropping;
    out->cmyk = r->cmyk;
    out->cmyk_inverted = r->inverted;
    out->icc = r->icc;
    out->icc_size = r->icc ? r->icc_size : 0;
    out->exif = r->exif;
    out->exif_size = r->exif_size;
    out->state = r;
    out->read_rows = decoder_read;
    out->close = decoder_close;
    return TPROC_OK;
}

int tproc__jpeg_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info)
{
    memset(info, 0, sizeof *info);
    reader *r = NULL;
    int status = reader_open_raw(ctx, in, 0, &r);
    if (status) {
        /* A 12-bit file fails in jpeg_read_header only after its SOF was parsed: the header
         * is still worth reporting, even though a load refuses it. */
        int twelve = status == TPROC__JPEG_LONGJMP && r->err.cause == TPROC__JPEG_CAUSE_LIBJPEG &&
                     r->err.pub.msg_code == JERR_BAD_PRECISION && r->cinfo.image_width > 0 &&
                     r->cinfo.image_height > 0;
        if (!twelve) {
            status = r ? reader_status(r, status) : status;
            reader_close(&r);
            return status;
        }
    }
    info->format = TPROC_FILE_JPEG;
    info->width = (ptrdiff_t)r->cinfo.image_width;
    info->height = (ptrdiff_t)r->cinfo.image_height;
    info->channels = r->cinfo.num_components == 1 ? 1 : 3;
    info->sample = TPROC_U8;
    info->bit_depth = r->cinfo.data_precision;
    info->interlaced = 0;
    info->progressive = r->cinfo.progressive_mode ? 1 : 0;
    info->has_exif = 0;
    info->orientation = 1;
    info->has_icc = 0;
    /* Only looks at the saved markers: no copies, no ICC reassembly. */
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next) {
        if (!info->has_exif && is_exif(m)) {
            info->has_exif = 1;
            info->orientation = tproc__exif_orientation(m->data + TPROC__EXIF_PREFIX_SIZE,
                                                        m->data_length - TPROC__EXIF_PREFIX_SIZE);
        }
        if (is_icc(m))
            info->has_icc = 1;
    }
    reader_close(&r);
    return TPROC_OK;
}
