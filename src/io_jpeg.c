/* SPDX-License-Identifier: MIT */
/*
 * io_jpeg.c: JPEG reading and writing through libjpeg(-turbo)'s classic API. libjpeg reports
 * fatal errors by calling error_exit, which must not return: ours longjmps back into
 * jpeg_protect(), the file's only setjmp, which every libjpeg call made here runs under (a
 * decoder or encoder lives across calls, so each call runs its libjpeg work through it anew).
 * Warnings (recoverable corrupt data) are counted and their first text kept, never printed;
 * a strict load turns the first one into an error. Data comes in through a source manager over
 * tproc__input and goes out through a destination manager over tproc__output, so memory and
 * FILE* are one code path.
 *
 * The streaming decoder and encoder of codec_stream.h are the only code paths: load is the
 * decoder's steps with the image as the row destination, save is open + rows + finish + close.
 * A decoder can shrink on load (DCT scaling, 1/2 to 1/8); a multi-scan (progressive) file is
 * decoded whole at open, since libjpeg reads all of its data before the first row.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "codec_stream.h"

/* Bytes moved per read or write callback. */
#define JPEG_IO_BUFFER 16384
/* More scans than this is a corrupt or hostile progressive file (real ones have about 10);
 * each scan of a progressive file costs a pass over the whole coefficient buffer. */
#define JPEG_MAX_SCANS 1000
/* Largest payload of one marker segment (the 16-bit length counts itself). */
#define JPEG_MARKER_MAX 65533u
/* jpeg_write_icc_profile's chunking: at most 255 APP2 markers of 65519 payload bytes. */
#define JPEG_ICC_MAX (255u * 65519u)

static const unsigned char exif_prefix[6] = {'E', 'x', 'i', 'f', 0, 0};
static const unsigned char icc_prefix[12] = {'I', 'C', 'C', '_', 'P', 'R',
                                             'O', 'F', 'I', 'L', 'E', 0};

/* --- error manager ------------------------------------------------------------------------ */

/* Why a libjpeg call was abandoned when libjpeg's own message code doesn't say it. */
enum jpeg_cause {
    CAUSE_LIBJPEG = 0, /* error_exit with libjpeg's message */
    CAUSE_READ,        /* the input failed (tproc__input.error) */
    CAUSE_WRITE,       /* the output failed (tproc__output.status, message already recorded) */
    CAUSE_SCANS,       /* more than JPEG_MAX_SCANS scans */
    CAUSE_STRICT       /* a warning in strict mode */
};

typedef struct jpeg_err {
    struct jpeg_error_mgr pub; /* first, so libjpeg's pointer is ours */
    jmp_buf jump;
    enum jpeg_cause cause;
    int strict;                    /* the first warning is fatal */
    int stop_when_data_ends;       /* running out of data is fatal (row decoders) */
    char message[JMSG_LENGTH_MAX]; /* text of the fatal error */
    char warning[JMSG_LENGTH_MAX]; /* text of the first warning */
} jpeg_err;

static jpeg_err *err_of(j_common_ptr cinfo)
{
    return (jpeg_err *)(void *)cinfo->err;
}

static void err_exit(j_common_ptr cinfo)
{
    jpeg_err *err = err_of(cinfo);
    (*err->pub.format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

/* Level -1 is a corrupt-data warning; 0 and up are trace messages, which we drop. */
static void err_emit(j_common_ptr cinfo, int level)
{
    jpeg_err *err = err_of(cinfo);
    if (level >= 0)
        return;
    if (err->pub.num_warnings++ == 0)
        (*err->pub.format_message)(cinfo, err->warning);
    /* A row decoder stops where the data does: the end of the file, or a marker where entropy
     * data should be (a small file declaring a huge size hits one at once). A whole load may
     * keep libjpeg's grey rows, since the memory limit bounds it; a stream is bounded by
     * nothing, and a few kilobytes declaring 64250x64250 would stream 4 gigapixels of grey. */
    int ran_out = err->pub.msg_code == JWRN_JPEG_EOF || err->pub.msg_code == JWRN_HIT_MARKER;
    if (err->strict || (err->stop_when_data_ends && ran_out)) {
        /* Like TurboJPEG's stop-on-warning: leave at once rather than decode garbage. */
        err->cause = CAUSE_STRICT;
        (*err->pub.format_message)(cinfo, err->message);
        longjmp(err->jump, 1);
    }
}

/* libjpeg's default would print; keep the text instead. */
static void err_output(j_common_ptr cinfo)
{
    jpeg_err *err = err_of(cinfo);
    (*err->pub.format_message)(cinfo, err->message);
}

static void err_init(jpeg_err *err)
{
    jpeg_std_error(&err->pub);
    err->pub.error_exit = err_exit;
    err->pub.emit_message = err_emit;
    err->pub.output_message = err_output;
    err->cause = CAUSE_LIBJPEG;
    err->message[0] = '\0';
    err->warning[0] = '\0';
}

/* Leaves the current libjpeg call through error_exit for a reason of our own. */
static void err_abandon(j_common_ptr cinfo, enum jpeg_cause cause, int code)
{
    err_of(cinfo)->cause = cause;
    cinfo->err->msg_code = code;
    (*cinfo->err->error_exit)(cinfo);
}

typedef int (*jpeg_step_fn)(void *state);
/* jpeg_protect's result when libjpeg left through error_exit (never a tproc status). */
#define JPEG_LONGJMP 1

/*
 * Runs step under setjmp. The locals here are never modified after setjmp, and the state the
 * step changes lives in the caller's objects, so nothing is indeterminate after a longjmp.
 * Returns step's status, or JPEG_LONGJMP when libjpeg bailed out (see err).
 */
static int jpeg_protect(jpeg_err *err, jpeg_step_fn step, void *state)
{
    if (setjmp(err->jump))
        return JPEG_LONGJMP;
    return step(state);
}

/* The context's limit minus what is in use, as libjpeg's max_memory_to_use (0 = none). */
static long memory_budget(tproc_ctx *ctx)
{
    size_t limit = tproc_ctx_memory_limit(ctx);
    if (limit == SIZE_MAX)
        return 0;
    size_t used = tproc_ctx_memory_in_use(ctx);
    size_t left = used < limit ? limit - used : 0;
    if (left == 0)
        return 1; /* 0 would mean unlimited */
    return left > (size_t)LONG_MAX ? LONG_MAX : (long)left;
}

/* --- source manager ----------------------------------------------------------------------- */

typedef struct jpeg_src {
    struct jpeg_source_mgr pub; /* first, so libjpeg's pointer is ours */
    tproc__input *in;
    int started; /* some data was read */
    int eof;     /* the data ended before EOI and a fake EOI was inserted */
    JOCTET buffer[JPEG_IO_BUFFER];
} jpeg_src;

static jpeg_src *src_of(j_decompress_ptr cinfo)
{
    return (jpeg_src *)(void *)cinfo->src;
}

static void src_init(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

static boolean src_fill(j_decompress_ptr cinfo)
{
    jpeg_src *src = src_of(cinfo);
    size_t n = tproc__input_read(src->in, src->buffer, sizeof src->buffer);
    if (n == 0) {
        if (src->in->error)
            err_abandon((j_common_ptr)cinfo, CAUSE_READ, JERR_FILE_READ);
        if (!src->started)
            ERREXIT(cinfo, JERR_INPUT_EMPTY);
        /* Like jpeg_stdio_src: warn, then end the data with an EOI so that libjpeg finishes
         * the image (the missing part decodes grey) instead of failing. */
        src->eof = 1; /* before the warning: a strict load leaves from inside it */
        WARNMS(cinfo, JWRN_JPEG_EOF);
        src->buffer[0] = (JOCTET)0xFF;
        src->buffer[1] = (JOCTET)JPEG_EOI;
        n = 2;
    }
    src->started = 1;
    src->pub.next_input_byte = src->buffer;
    src->pub.bytes_in_buffer = n;
    return TRUE;
}

static void src_skip(j_decompress_ptr cinfo, long num_bytes)
{
    jpeg_src *src = src_of(cinfo);
    if (num_bytes <= 0)
        return;
    size_t skip = (size_t)num_bytes;
    while (skip > src->pub.bytes_in_buffer) {
        skip -= src->pub.bytes_in_buffer;
        src_fill(cinfo);
        if (src->eof)
            return; /* leave the fake EOI for the marker reader */
    }
    src->pub.next_input_byte += skip;
    src->pub.bytes_in_buffer -= skip;
}

static void src_term(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

/* --- reader ------------------------------------------------------------------------------- */

typedef struct jpeg_reader {
    struct jpeg_decompress_struct cinfo;
    jpeg_err err;
    jpeg_src src;
    struct jpeg_progress_mgr progress;
    tproc_ctx *ctx;
    tproc__input *in;
    int channels;             /* what rows come out as: 1 gray or 3 RGB */
    int cmyk;                 /* libjpeg delivers CMYK, converted to RGB per row */
    int inverted;             /* CMYK as Adobe (Photoshop) writes it: 255 means no ink */
    int multi_scan;           /* progressive or non-interleaved: all data is read before row 0 */
    int scale_denom;          /* 1, 2, 4 or 8: libjpeg's DCT-domain reduction */
    JDIMENSION width, height; /* of the output, after scaling */
    size_t row_bytes;         /* packed bytes of one output row */
    JDIMENSION next_row;      /* rows handed out so far */
    int failed;               /* status of the failure that stopped the decoder, 0 if none */
    unsigned char *cmyk_row;  /* one CMYK row for the conversion */
    unsigned char *whole;     /* a multi-scan decode made at open (row_bytes apart), else NULL */
    unsigned char *exif;      /* a copy of the first EXIF APP1 payload (markers die at finish) */
    size_t exif_size;
    JOCTET *icc; /* from jpeg_read_icc_profile (malloc'd by libjpeg) */
    unsigned int icc_size;
} jpeg_reader;

static void reader_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS)
        err_abandon(cinfo, CAUSE_SCANS, JERR_BAD_PROGRESSION);
}

/* Records why libjpeg gave up and returns the status it maps to. */
static int reader_error(jpeg_reader *r)
{
    const char *name = r->in->name;
    jpeg_err *err = &r->err;
    switch (err->cause) {
    case CAUSE_READ:
        return tproc__error(r->ctx, TPROC_ERR_IO, "%s: read error: %s", name,
                            strerror(r->in->error));
    case CAUSE_SCANS:
        return tproc__error(r->ctx, TPROC_ERR_CORRUPT, "%s: corrupt JPEG data: more than %d scans",
                            name, JPEG_MAX_SCANS);
    case CAUSE_STRICT:
        if (r->src.eof || err->pub.msg_code == JWRN_HIT_MARKER)
            return tproc__error(r->ctx, TPROC_ERR_CORRUPT, "%s: truncated JPEG data (%s)", name,
                                err->message);
        return tproc__error(r->ctx, TPROC_ERR_CORRUPT, "%s: %s", name, err->message);
    case CAUSE_WRITE:
    case CAUSE_LIBJPEG:
        break;
    }
    int status;
    switch (err->pub.msg_code) {
    case JERR_NO_SOI:
    case JERR_INPUT_EMPTY:
        status = TPROC_ERR_FORMAT;
        break;
    case JERR_BAD_PRECISION:
    case JERR_ARITH_NOTIMPL:
    case JERR_SOF_UNSUPPORTED:
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
    case JERR_COMPONENT_COUNT:
        status = TPROC_ERR_UNSUPPORTED;
        break;
    case JERR_OUT_OF_MEMORY:
        status = TPROC_ERR_NOMEM;
        break;
    case JERR_NO_BACKING_STORE:
        /* libjpeg needed more working memory than max_memory_to_use (our limit) allows. */
        return tproc__error(r->ctx, TPROC_ERR_LIMIT,
                            "%s: decoding needs more working memory than the memory limit of "
                            "%zu bytes allows (%s)",
                            name, tproc_ctx_memory_limit(r->ctx), err->message);
    default:
        status = TPROC_ERR_CORRUPT;
        break;
    }
    if (status == TPROC_ERR_CORRUPT && r->src.eof)
        return tproc__error(r->ctx, status, "%s: truncated JPEG data (%s)", name, err->message);
    return tproc__error(r->ctx, status, "%s: %s", name, err->message);
}

/*
 * Maps a jpeg_protect result: statuses pass through, a longjmp becomes its recorded error and
 * stops the reader (libjpeg's state is not to be used again after it bailed out).
 */
static int reader_status(jpeg_reader *r, int rc)
{
    if (rc == JPEG_LONGJMP)
        return r->failed = reader_error(r);
    return rc;
}

static int reader_open_step(void *state)
{
    jpeg_reader *r = state;
    jpeg_create_decompress(&r->cinfo);
    r->cinfo.mem->max_memory_to_use = memory_budget(r->ctx);
    r->src.in = r->in;
    r->src.pub.init_source = src_init;
    r->src.pub.fill_input_buffer = src_fill;
    r->src.pub.skip_input_data = src_skip;
    r->src.pub.resync_to_restart = jpeg_resync_to_restart;
    r->src.pub.term_source = src_term;
    r->src.pub.next_input_byte = NULL;
    r->src.pub.bytes_in_buffer = 0;
    r->cinfo.src = &r->src.pub;
    r->progress.progress_monitor = reader_progress;
    r->cinfo.progress = &r->progress;
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_save_markers(&r->cinfo, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&r->cinfo, TRUE);
    return TPROC_OK;
}

static void reader_close(jpeg_reader **pr)
{
    jpeg_reader *r = *pr;
    if (!r)
        return;
    *pr = NULL;
    /* Safe on a half-created object and mid-image: it frees what the memory manager holds. */
    jpeg_destroy_decompress(&r->cinfo);
    free(r->icc);
    tproc__dealloc(r->ctx, r->exif);
    tproc__dealloc(r->ctx, r->whole);
    tproc__dealloc(r->ctx, r->cmyk_row);
    tproc__dealloc(r->ctx, r);
}

/*
 * Allocates a reader and reads the header (through SOF and up to the first SOS). On failure
 * *out is still set when the reader exists, so the caller can inspect it, and the returned
 * value may be JPEG_LONGJMP (not yet recorded; see reader_status). Close it either way.
 */
static int reader_open_raw(tproc_ctx *ctx, tproc__input *in, int strict, jpeg_reader **out)
{
    *out = NULL;
    void *mem;
    int status = tproc__alloc(ctx, sizeof(jpeg_reader), "JPEG decoder state", &mem);
    if (status)
        return status;
    jpeg_reader *r = mem; /* zeroed, so closing before jpeg_create_decompress is safe */
    r->ctx = ctx;
    r->in = in;
    r->scale_denom = 1;
    err_init(&r->err);
    r->err.strict = strict;
    r->cinfo.err = &r->err.pub;
    *out = r;
    return jpeg_protect(&r->err, reader_open_step, r);
}

static int reader_open(tproc_ctx *ctx, tproc__input *in, int strict, jpeg_reader **out)
{
    jpeg_reader *r = NULL;
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
static int reader_choose_color(jpeg_reader *r)
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
        /* libjpeg converts YCCK to CMYK; CMYK to RGB is ours (cmyk_to_rgb). */
        r->cinfo.out_color_space = JCS_CMYK;
        r->channels = 3;
        r->cmyk = 1;
        r->inverted = r->cinfo.saw_Adobe_marker ? 1 : 0;
        return TPROC_OK;
    default:
        return tproc__error(r->ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: unsupported JPEG colour space (%d components)", r->in->name,
                            r->cinfo.num_components);
    }
}

static int reader_dimensions_step(void *state)
{
    jpeg_reader *r = state;
    r->cinfo.scale_num = 1;
    r->cinfo.scale_denom = (unsigned int)r->scale_denom;
    jpeg_calc_output_dimensions(&r->cinfo);
    r->multi_scan = jpeg_has_multiple_scans(&r->cinfo) ? 1 : 0;
    return TPROC_OK;
}

/* After the header: output colour space, scaled size, row size, whether rows need all data. */
static int reader_setup(jpeg_reader *r)
{
    int status = reader_choose_color(r);
    if (status)
        return status;
    if ((status = reader_status(r, jpeg_protect(&r->err, reader_dimensions_step, r))))
        return status;
    r->width = r->cinfo.output_width;
    r->height = r->cinfo.output_height;
    if (tproc__mul(r->width, (size_t)r->channels, &r->row_bytes))
        return tproc__error(r->ctx, TPROC_ERR_OVERFLOW, "%s: row too large", r->in->name);
    return TPROC_OK;
}

static int reader_icc_step(void *state)
{
    jpeg_reader *r = state;
    if (!jpeg_read_icc_profile(&r->cinfo, &r->icc, &r->icc_size)) {
        free(r->icc); /* NULL on failure; freeing keeps that an assumption, not a leak */
        r->icc = NULL;
        r->icc_size = 0;
    }
    return TPROC_OK;
}

/*
 * Keeps the EXIF (the first APP1 holding it, without its "Exif\0\0" prefix) and the ICC profile
 * (reassembled from its APP2 markers) in the reader: libjpeg frees the saved markers when the
 * image is finished.
 */
static int reader_take_metadata(jpeg_reader *r)
{
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= sizeof exif_prefix &&
            memcmp(m->data, exif_prefix, sizeof exif_prefix) == 0) {
            size_t size = m->data_length - sizeof exif_prefix;
            if (size == 0)
                break;
            void *copy;
            int status = tproc__alloc(r->ctx, size, "JPEG EXIF copy", &copy);
            if (status)
                return status;
            memcpy(copy, m->data + sizeof exif_prefix, size);
            r->exif = copy;
            r->exif_size = size;
            break;
        }
    }
    for (jpeg_saved_marker_ptr m = r->cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 2 && m->data_length >= sizeof icc_prefix &&
            memcmp(m->data, icc_prefix, sizeof icc_prefix) == 0)
            /* Reassembles a profile split over several APP2 markers (and warns on bad ones). */
            return reader_status(r, jpeg_protect(&r->err, reader_icc_step, r));
    return TPROC_OK;
}

static int reader_start_step(void *state)
{
    jpeg_reader *r = state;
    jpeg_start_decompress(&r->cinfo);
    return TPROC_OK;
}

/*
 * Starts decompression; libjpeg's working memory is capped at what the limit leaves now. For a
 * multi-scan file this reads all of the data into libjpeg's coefficient buffer.
 */
static int reader_start(jpeg_reader *r)
{
    if (r->cmyk) {
        size_t bytes;
        if (tproc__mul(r->width, 4, &bytes))
            return tproc__error(r->ctx, TPROC_ERR_OVERFLOW, "%s: row too large", r->in->name);
        void *row;
        int status = tproc__alloc(r->ctx, bytes, "JPEG CMYK row", &row);
        if (status)
            return status;
        r->cmyk_row = row;
    }
    r->cinfo.mem->max_memory_to_use = memory_budget(r->ctx);
    int status = reader_status(r, jpeg_protect(&r->err, reader_start_step, r));
    if (status)
        return status;
    int want = r->cmyk ? 4 : r->channels;
    if (r->cinfo.output_components != want || r->cinfo.output_width != r->width ||
        r->cinfo.output_height != r->height)
        return r->failed =
                   tproc__error(r->ctx, TPROC_ERR_UNSUPPORTED,
                                "%s: decoder output does not match the header", r->in->name);
    return TPROC_OK;
}

/*
 * CMYK to RGB without a colour profile: R = (255 - C)(255 - K) / 255, likewise G from M and
 * B from Y. Adobe-marked files (Photoshop) store every sample inverted (255 - ink), so there
 * the formula reads R = C * K / 255 on the stored values. Rounded to nearest.
 */
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, size_t width, int inverted)
{
    for (size_t x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];
        for (int c = 0; c < 3; c++) {
            unsigned v = inverted ? cmyk[c] : 255u - cmyk[c];
            rgb[c] = (unsigned char)((v * k + 127u) / 255u);
        }
    }
}

typedef struct rows_request {
    jpeg_reader *r;
    unsigned char *first; /* row 0 of the destination */
    ptrdiff_t stride;     /* bytes between destination rows */
    size_t count;
} rows_request;

/*
 * The next count rows; once the last one is out, jpeg_finish_decompress reads to EOI, so late
 * corrupt-data warnings (and strict failures) belong to the call that reads the last row.
 */
static int reader_rows_step(void *state)
{
    rows_request *q = state;
    jpeg_reader *r = q->r;
    size_t done = 0;
    while (done < q->count) {
        JSAMPROW rows[16];
        size_t n = q->count - done;
        if (r->cmyk)
            n = 1;
        else if (n > 16)
            n = 16;
        for (size_t i = 0; i < n; i++)
            rows[i] = r->cmyk ? r->cmyk_row : q->first + (ptrdiff_t)(done + i) * q->stride;
        JDIMENSION got = jpeg_read_scanlines(&r->cinfo, rows, (JDIMENSION)n);
        if (got == 0)
            return r->failed = tproc__error(r->ctx, TPROC_ERR_CORRUPT,
                                            "%s: decoder returned no rows", r->in->name);
        if (r->cmyk)
            cmyk_to_rgb(r->cmyk_row, q->first + (ptrdiff_t)done * q->stride, r->width, r->inverted);
        done += got;
    }
    r->next_row += (JDIMENSION)q->count;
    if (r->next_row == r->height)
        jpeg_finish_decompress(&r->cinfo);
    return TPROC_OK;
}

/* Decodes the next count rows (row_bytes each) to first, first + stride, ... */
static int reader_read_rows(jpeg_reader *r, unsigned char *first, ptrdiff_t stride, size_t count)
{
    rows_request q = {r, first, stride, count};
    return reader_status(r, jpeg_protect(&r->err, reader_rows_step, &q));
}

/* tproc__decoder.read_rows. */
static int decoder_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    jpeg_reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->in->name, r->failed, r->next_row, r->height,
                                     r->whole, r->row_bytes, first, stride, count);
    if (status == TPROC__DECODE_ROWS)
        return reader_read_rows(r, first, stride, count);
    if (status == TPROC_OK)
        r->next_row += (JDIMENSION)count;
    return status;
}

static void decoder_close(void *state)
{
    jpeg_reader *r = state;
    reader_close(&r);
}

int tproc__jpeg_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                             int scale_denom, tproc__decoder *out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no decoder to open", in->name);
    memset(out, 0, sizeof *out);
    if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: JPEG scale must be 1/1, 1/2, 1/4 or 1/8, got "
                            "1/%d",
                            in->name, scale_denom);
    jpeg_reader *r = NULL;
    int status = reader_open(ctx, in, options && options->strict, &r);
    if (status)
        return status;
    r->scale_denom = scale_denom;
    r->err.stop_when_data_ends = 1;
    size_t whole = 0;
    if (!(status = reader_setup(r)) && !(status = reader_take_metadata(r))) {
        char what[300];
        snprintf(what, sizeof what, "%s: a %ux%u %d-channel u8 image%s", in->name,
                 (unsigned)r->width, (unsigned)r->height, r->channels,
                 r->multi_scan ? " (progressive, decoded whole)" : " (one row)");
        if (!r->multi_scan) {
            /* libjpeg's own row buffers are capped by max_memory_to_use at start. */
            status = tproc__check_limit(ctx, r->row_bytes, what);
        } else if (tproc__mul(r->row_bytes, r->height, &whole) || whole > PTRDIFF_MAX) {
            status = tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: image too large", in->name);
        } else {
            /* Before reader_start, so libjpeg's coefficients get only what is left. */
            void *mem;
            if (!(status = tproc__alloc_uninit(ctx, whole, what, &mem)))
                r->whole = mem;
        }
    }
    if (!status)
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
    out->whole_bytes = whole;
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
    jpeg_reader *r = NULL;
    int status = reader_open_raw(ctx, in, 0, &r);
    if (status) {
        /* A 12-bit file fails in jpeg_read_header only after its SOF was parsed: the header
         * is still worth reporting, even though tproc_load refuses it. */
        int twelve = status == JPEG_LONGJMP && r->err.cause == CAUSE_LIBJPEG &&
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
        if (!info->has_exif && m->marker == JPEG_APP0 + 1 && m->data_length >= sizeof exif_prefix &&
            memcmp(m->data, exif_prefix, sizeof exif_prefix) == 0) {
            info->has_exif = 1;
            info->orientation = tproc__exif_orientation(m->data + sizeof exif_prefix,
                                                        m->data_length - sizeof exif_prefix);
        }
        if (m->marker == JPEG_APP0 + 2 && m->data_length >= sizeof icc_prefix &&
            memcmp(m->data, icc_prefix, sizeof icc_prefix) == 0)
            info->has_icc = 1;
    }
    reader_close(&r);
    return TPROC_OK;
}

/*
 * The decoder's steps with the image as the destination: the limit meets the declared size
 * before libjpeg allocates anything big, and rows go straight into the image (a progressive
 * file's coefficients stay libjpeg's, so a load never holds the pixels twice).
 */
int tproc__jpeg_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                     tproc_image **out)
{
    *out = NULL;
    jpeg_reader *r = NULL;
    int status = reader_open(ctx, in, options && options->strict, &r);
    if (status)
        return status;
    tproc_image *image = NULL;
    if ((status = reader_setup(r)) ||
        (status =
             tproc__image_new_for_decode(ctx, in->name, (ptrdiff_t)r->width, (ptrdiff_t)r->height,
                                         r->channels, TPROC_U8, &image)) ||
        (status = reader_take_metadata(r)))
        goto done;
    if (r->exif) {
        if ((status = tproc_image_set_exif(image, r->exif, r->exif_size)))
            goto done;
        tproc_image_set_orientation(image, tproc__exif_orientation(r->exif, r->exif_size));
    }
    if (r->icc && (status = tproc_image_set_icc(image, r->icc, r->icc_size)))
        goto done;
    if ((status = reader_start(r)))
        goto done;
    tproc_view v = tproc_image_view(image);
    if ((status = decoder_read(r, v.data, v.row_stride, (size_t)v.height)))
        goto done;
    *out = image;
    image = NULL;
done:
    tproc_image_free(&image);
    reader_close(&r);
    return status;
}

/* --- destination manager ------------------------------------------------------------------ */

typedef struct jpeg_dest {
    struct jpeg_destination_mgr pub; /* first, so libjpeg's pointer is ours */
    tproc__output *out;
    JOCTET buffer[JPEG_IO_BUFFER];
} jpeg_dest;

static jpeg_dest *dest_of(j_compress_ptr cinfo)
{
    return (jpeg_dest *)(void *)cinfo->dest;
}

static void dest_init(j_compress_ptr cinfo)
{
    jpeg_dest *d = dest_of(cinfo);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = sizeof d->buffer;
}

/* Called when the buffer is full: all of it is written, whatever free_in_buffer says. */
static boolean dest_empty(j_compress_ptr cinfo)
{
    jpeg_dest *d = dest_of(cinfo);
    if (tproc__output_write(d->out, d->buffer, sizeof d->buffer))
        err_abandon((j_common_ptr)cinfo, CAUSE_WRITE, JERR_FILE_WRITE);
    dest_init(cinfo);
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
    jpeg_dest *d = dest_of(cinfo);
    size_t n = sizeof d->buffer - d->pub.free_in_buffer;
    if (n > 0 && tproc__output_write(d->out, d->buffer, n))
        err_abandon((j_common_ptr)cinfo, CAUSE_WRITE, JERR_FILE_WRITE);
}

/* --- writer ------------------------------------------------------------------------------- */

typedef struct jpeg_writer {
    struct jpeg_compress_struct cinfo;
    jpeg_err err;
    jpeg_dest dest;
    tproc_ctx *ctx;
    const char *name;
    tproc_format format;
    int quality, chroma_444, progressive;
    const unsigned char *icc; /* the caller's, used only while opening */
    size_t icc_size;
    unsigned char *app1; /* "Exif\0\0" + a copy of the EXIF with orientation 1 */
    size_t app1_size;
    unsigned char *row;     /* a packed copy of one row when a view's pixels aren't packed */
    const tproc_view *rows; /* the rows of the current write_rows call */
    ptrdiff_t rows_done;    /* rows written so far */
    int failed;             /* status of the failure that stopped the encoder, 0 if none */
    int finished;           /* jpeg_finish_compress ran */
} jpeg_writer;

/* Parameters, SOI and the headers, APP1 (EXIF) and APP2 (ICC): everything before row 0. */
static int writer_open_step(void *state)
{
    jpeg_writer *w = state;
    j_compress_ptr c = &w->cinfo;
    const tproc_format *f = &w->format;
    jpeg_create_compress(c);
    c->mem->max_memory_to_use = memory_budget(w->ctx);
    w->dest.pub.init_destination = dest_init;
    w->dest.pub.empty_output_buffer = dest_empty;
    w->dest.pub.term_destination = dest_term;
    c->dest = &w->dest.pub;

    c->image_width = (JDIMENSION)f->width;
    c->image_height = (JDIMENSION)f->height;
    c->input_components = f->channels;
    c->in_color_space = f->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, w->quality, TRUE);
    if (f->channels == 3 && w->chroma_444) {
        /* jpeg_set_defaults gives luma 2x2 (4:2:0); 1x1 everywhere keeps full colour. */
        c->comp_info[0].h_samp_factor = 1;
        c->comp_info[0].v_samp_factor = 1;
    }
    if (w->progressive)
        jpeg_simple_progression(c);
    /* The Exif standard wants APP1 right after SOI, so no JFIF APP0 then. */
    if (w->app1)
        c->write_JFIF_header = FALSE;

    jpeg_start_compress(c, TRUE);
    if (w->app1)
        jpeg_write_marker(c, JPEG_APP0 + 1, w->app1, (unsigned int)w->app1_size);
    if (w->icc)
        jpeg_write_icc_profile(c, w->icc, (unsigned int)w->icc_size);
    return TPROC_OK;
}

static int writer_rows_step(void *state)
{
    jpeg_writer *w = state;
    const tproc_view *v = w->rows;
    size_t pixel = (size_t)v->channels;
    for (ptrdiff_t y = 0; y < v->height; y++) {
        unsigned char *src = v->data + y * v->row_stride;
        JSAMPROW row = src;
        if (v->pixel_stride != v->channels) {
            for (ptrdiff_t x = 0; x < v->width; x++)
                memcpy(w->row + (size_t)x * pixel, src + x * v->pixel_stride, pixel);
            row = w->row;
        }
        jpeg_write_scanlines(&w->cinfo, &row, 1);
    }
    w->rows_done += v->height;
    return TPROC_OK;
}

static int writer_finish_step(void *state)
{
    jpeg_writer *w = state;
    jpeg_finish_compress(&w->cinfo);
    w->finished = 1;
    return TPROC_OK;
}

static int writer_error(jpeg_writer *w)
{
    jpeg_err *err = &w->err;
    const char *name = w->name;
    if (err->cause == CAUSE_WRITE)
        return w->dest.out->status ? w->dest.out->status : TPROC_ERR_IO;
    switch (err->pub.msg_code) {
    case JERR_OUT_OF_MEMORY:
        return tproc__error(w->ctx, TPROC_ERR_NOMEM, "%s: %s", name, err->message);
    case JERR_NO_BACKING_STORE:
        return tproc__error(w->ctx, TPROC_ERR_LIMIT,
                            "%s: encoding needs more working memory than the memory limit of "
                            "%zu bytes allows (%s)",
                            name, tproc_ctx_memory_limit(w->ctx), err->message);
    case JERR_IMAGE_TOO_BIG:
        return tproc__error(w->ctx, TPROC_ERR_UNSUPPORTED, "%s: %s", name, err->message);
    default:
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: JPEG encoder: %s", name, err->message);
    }
}

/* Runs a step under jpeg_protect; a longjmp becomes its error and stops the encoder. */
static int writer_run(jpeg_writer *w, jpeg_step_fn step)
{
    int rc = jpeg_protect(&w->err, step, w);
    if (rc == JPEG_LONGJMP)
        return w->failed = writer_error(w);
    return rc;
}

/* Checks the request and prepares the metadata; everything before libjpeg. */
static int writer_prepare(jpeg_writer *w, const tproc_save_options *o)
{
    const tproc_format *f = &w->format;
    const char *name = w->name;
    if (f->sample != TPROC_U8 || (f->channels != 1 && f->channels != 3) || f->width < 1 ||
        f->height < 1)
        return tproc__error(w->ctx, TPROC_ERR_ARG,
                            "%s: JPEG takes a valid u8 view with 1 or 3 channels", name);
    if (f->width > JPEG_MAX_DIMENSION || f->height > JPEG_MAX_DIMENSION)
        return tproc__error(w->ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: %tdx%td is over JPEG's limit of %ld pixels per side", name,
                            f->width, f->height, (long)JPEG_MAX_DIMENSION);
    w->quality = o && o->quality ? o->quality : 90;
    if (w->quality < 1 || w->quality > 100)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: JPEG quality must be 1-100, got %d", name,
                            w->quality);
    w->chroma_444 = o && o->chroma_444;
    w->progressive = o && o->progressive;
    if (o && o->icc && o->icc_size > 0) {
        if (o->icc_size > JPEG_ICC_MAX)
            return tproc__error(w->ctx, TPROC_ERR_ARG,
                                "%s: ICC profile of %zu bytes is over JPEG's %u", name, o->icc_size,
                                JPEG_ICC_MAX);
        w->icc = o->icc;
        w->icc_size = o->icc_size;
    }
    if (o && o->exif && o->exif_size > 0) {
        const unsigned char *exif = o->exif;
        size_t size = o->exif_size;
        /* Tolerate a blob that already carries the APP1 prefix. */
        if (size >= sizeof exif_prefix && memcmp(exif, exif_prefix, sizeof exif_prefix) == 0) {
            exif += sizeof exif_prefix;
            size -= sizeof exif_prefix;
        }
        if (size > JPEG_MARKER_MAX - sizeof exif_prefix)
            return tproc__error(w->ctx, TPROC_ERR_ARG,
                                "%s: EXIF of %zu bytes does not fit in one JPEG APP1 marker", name,
                                size);
        w->app1_size = size + sizeof exif_prefix;
        void *copy;
        int status = tproc__alloc(w->ctx, w->app1_size, "JPEG EXIF copy", &copy);
        if (status)
            return status;
        w->app1 = copy;
        memcpy(w->app1, exif_prefix, sizeof exif_prefix);
        memcpy(w->app1 + sizeof exif_prefix, exif, size);
        /* Pixels are saved upright, so the copy (never the caller's blob) says so. */
        tproc__exif_set_orientation(w->app1 + sizeof exif_prefix, size, 1);
    }
    return TPROC_OK;
}

static void writer_free(jpeg_writer *w)
{
    if (!w)
        return;
    /* Safe before jpeg_create_compress (the struct is zeroed) and mid-image. */
    jpeg_destroy_compress(&w->cinfo);
    tproc__dealloc(w->ctx, w->row);
    tproc__dealloc(w->ctx, w->app1);
    tproc__dealloc(w->ctx, w);
}

/* Whether the encoder can take a call: not stopped by a failure, not finished. */
static int writer_usable(jpeg_writer *w)
{
    if (w->failed)
        return tproc__error(w->ctx, w->failed, "%s: the encoder stopped at an earlier error",
                            w->name);
    if (w->finished)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: the JPEG is already finished", w->name);
    return TPROC_OK;
}

/* tproc__encoder.write_rows. */
static int encoder_write(void *state, const tproc_view *rows)
{
    jpeg_writer *w = state;
    const tproc_format *f = &w->format;
    int status = writer_usable(w);
    if (status)
        return status;
    if (!rows || tproc_view_validate(rows) || rows->width != f->width ||
        rows->channels != f->channels || rows->sample != f->sample)
        return tproc__error(w->ctx, TPROC_ERR_ARG,
                            "%s: rows must be valid u8 views %td pixels wide of %d channels",
                            w->name, f->width, f->channels);
    if (rows->height > f->height - w->rows_done)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: %td rows given, %td left", w->name,
                            rows->height, f->height - w->rows_done);
    if (rows->pixel_stride != rows->channels && !w->row) {
        void *mem;
        /* width * channels <= JPEG_MAX_DIMENSION * 3: checked at open. */
        if ((status = tproc__alloc(w->ctx, (size_t)f->width * (size_t)f->channels, "JPEG row copy",
                                   &mem)))
            return status;
        w->row = mem;
    }
    w->rows = rows;
    status = writer_run(w, writer_rows_step);
    w->rows = NULL;
    return status;
}

/* tproc__encoder.finish. */
static int encoder_finish(void *state)
{
    jpeg_writer *w = state;
    int status = writer_usable(w);
    if (status)
        return status;
    if (w->rows_done != w->format.height)
        return tproc__error(w->ctx, TPROC_ERR_ARG, "%s: %td of %td rows written", w->name,
                            w->rows_done, w->format.height);
    return writer_run(w, writer_finish_step);
}

static void encoder_close(void *state)
{
    writer_free(state);
}

int tproc__jpeg_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc)
{
    const char *name = out->name ? out->name : "<output>";
    if (!enc || !format)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no format or encoder", name);
    memset(enc, 0, sizeof *enc);
    void *mem;
    int status = tproc__alloc(ctx, sizeof(jpeg_writer), "JPEG encoder state", &mem);
    if (status)
        return status;
    jpeg_writer *w = mem; /* zeroed, so destroying before jpeg_create_compress is safe */
    w->ctx = ctx;
    w->name = name;
    w->format = *format;
    w->dest.out = out;
    err_init(&w->err);
    w->cinfo.err = &w->err.pub;
    if ((status = writer_prepare(w, options)) || (status = writer_run(w, writer_open_step))) {
        writer_free(w);
        return status;
    }
    w->icc = NULL; /* written; the caller's buffer is not needed any more */
    enc->state = w;
    enc->write_rows = encoder_write;
    enc->finish = encoder_finish;
    enc->close = encoder_close;
    return TPROC_OK;
}

int tproc__jpeg_save(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                     const tproc_save_options *options)
{
    const char *name = out->name ? out->name : "<output>";
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: JPEG takes a valid u8 view with 1 or 3 channels", name);
    tproc_format format = {view->width, view->height, view->channels, view->sample};
    tproc__encoder enc;
    int status = tproc__jpeg_encoder_open(ctx, out, &format, options, &enc);
    if (status)
        return status;
    status = enc.write_rows(enc.state, view);
    if (status == TPROC_OK)
        status = enc.finish(enc.state);
    enc.close(enc.state);
    return status;
}
