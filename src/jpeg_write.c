/* SPDX-License-Identifier: MIT */
/*
 * jpeg_write.c: JPEG encoding of u8 gray or RGB rows of any stride: quality, 4:2:0 or 4:4:4,
 * baseline or progressive, EXIF in APP1 (its orientation reset to 1; no JFIF APP0 then) and
 * ICC in APP2. Data goes out through a destination manager over tproc__output, so memory and
 * FILE* are one path.
 */
#include <string.h>

#include <jerror.h>

#include "jpeg_codec.h"

/* Largest payload of one marker segment (the 16-bit length counts itself). */
#define MARKER_MAX 65533u
/* jpeg_write_icc_profile's chunking: at most 255 APP2 markers of 65519 payload bytes. */
#define ICC_MAX (255u * 65519u)

/* --- destination manager ------------------------------------------------------------------ */

typedef struct dest_mgr {
    struct jpeg_destination_mgr pub; /* first, so libjpeg's pointer is ours */
    tproc__output *out;
    JOCTET buffer[TPROC__JPEG_BUFFER];
} dest_mgr;

static dest_mgr *dest_of(j_compress_ptr cinfo)
{
    return (dest_mgr *)(void *)cinfo->dest;
}

static void dest_init(j_compress_ptr cinfo)
{
    dest_mgr *d = dest_of(cinfo);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = sizeof d->buffer;
}

/* Called when the buffer is full: all of it is written, whatever free_in_buffer says. */
static boolean dest_empty(j_compress_ptr cinfo)
{
    dest_mgr *d = dest_of(cinfo);
    if (tproc__output_write(d->out, d->buffer, sizeof d->buffer))
        tproc__jpeg_abandon((j_common_ptr)cinfo, TPROC__JPEG_CAUSE_WRITE, JERR_FILE_WRITE);
    dest_init(cinfo);
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
    dest_mgr *d = dest_of(cinfo);
    size_t n = sizeof d->buffer - d->pub.free_in_buffer;
    if (n > 0 && tproc__output_write(d->out, d->buffer, n))
        tproc__jpeg_abandon((j_common_ptr)cinfo, TPROC__JPEG_CAUSE_WRITE, JERR_FILE_WRITE);
}

/* --- writer ------------------------------------------------------------------------------- */

typedef struct writer {
    struct jpeg_compress_struct cinfo;
    tproc__jpeg_errors err;
    dest_mgr dest;
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
    size_t reserved;        /* libjpeg's own memory, counted against the limit */
} writer;

/* Parameters, SOI and the headers, APP1 (EXIF) and APP2 (ICC): everything before row 0. */
static int writer_open_step(void *state)
{
    writer *w = state;
    j_compress_ptr c = &w->cinfo;
    const tproc_format *f = &w->format;
    jpeg_create_compress(c);
    c->mem->max_memory_to_use = tproc__jpeg_memory_budget(w->ctx);
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
    writer *w = state;
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
    writer *w = state;
    jpeg_finish_compress(&w->cinfo);
    w->finished = 1;
    return TPROC_OK;
}

static int writer_error(writer *w)
{
    tproc__jpeg_errors *err = &w->err;
    const char *name = w->name;
    if (err->cause == TPROC__JPEG_CAUSE_WRITE)
        return w->dest.out->status ? w->dest.out->status : TPROC_ERR_IO;
    switch (err->pub.msg_code) {
    case JERR_OUT_OF_MEMORY:
        return tproc__error_file(w->ctx, TPROC_ERR_NOMEM, name, "%s", err->message);
    case JERR_NO_BACKING_STORE:
        return tproc__error_file(w->ctx, TPROC_ERR_LIMIT, name,
                                 "encoding needs more working memory than %s of %zu bytes "
                                 "allows (%s)",
                                 tproc__limit_name(w->ctx), tproc_ctx_memory_limit(w->ctx),
                                 err->message);
    case JERR_IMAGE_TOO_BIG:
        return tproc__error_file(w->ctx, TPROC_ERR_UNSUPPORTED, name, "%s", err->message);
    default:
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, name, "JPEG encoder: %s", err->message);
    }
}

/* Runs a step under tproc__jpeg_protect; a longjmp becomes its error and stops the encoder. */
static int writer_run(writer *w, tproc__jpeg_step_fn step)
{
    int rc = tproc__jpeg_protect(&w->err, step, w);
    if (rc == TPROC__JPEG_LONGJMP)
        return w->failed = writer_error(w);
    return rc;
}

/* The EXIF to write: APP1 is "Exif\0\0" + the blob (which may carry the prefix already). */
static int writer_exif(writer *w, const unsigned char *exif, size_t size)
{
    if (size >= TPROC__EXIF_PREFIX_SIZE &&
        memcmp(exif, TPROC__EXIF_PREFIX, TPROC__EXIF_PREFIX_SIZE) == 0) {
        exif += TPROC__EXIF_PREFIX_SIZE;
        size -= TPROC__EXIF_PREFIX_SIZE;
    }
    if (size > MARKER_MAX - TPROC__EXIF_PREFIX_SIZE)
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, w->name,
                                 "EXIF of %zu bytes does not fit in one JPEG APP1 marker", size);
    int status =
        tproc__exif_upright_copy(w->ctx, w->name, exif, size, TPROC__EXIF_PREFIX_SIZE, &w->app1);
    if (status)
        return status;
    memcpy(w->app1, TPROC__EXIF_PREFIX, TPROC__EXIF_PREFIX_SIZE);
    w->app1_size = size + TPROC__EXIF_PREFIX_SIZE;
    return TPROC_OK;
}

/* Checks the request and prepares the metadata; everything before libjpeg. */
static int writer_prepare(writer *w, const tproc_save_options *o)
{
    const tproc_format *f = &w->format;
    const char *name = w->name;
    if (f->sample != TPROC_U8 || (f->channels != 1 && f->channels != 3) || f->width < 1 ||
        f->height < 1)
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, name,
                                 "JPEG takes a valid u8 view with 1 or 3 channels");
    if (f->width > JPEG_MAX_DIMENSION || f->height > JPEG_MAX_DIMENSION)
        return tproc__error_file(w->ctx, TPROC_ERR_UNSUPPORTED, name,
                                 "%tdx%td is over JPEG's limit of %ld pixels per side", f->width,
                                 f->height, (long)JPEG_MAX_DIMENSION);
    w->quality = o && o->quality ? o->quality : TPROC__JPEG_DEFAULT_QUALITY;
    if (w->quality < 1 || w->quality > 100)
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, name, "JPEG quality must be 1-100, got %d",
                                 w->quality);
    w->chroma_444 = o && o->chroma_444;
    w->progressive = o && o->progressive;
    if (o && o->icc && o->icc_size > 0) {
        if (o->icc_size > ICC_MAX)
            return tproc__error_file(w->ctx, TPROC_ERR_ARG, name,
                                     "ICC profile of %zu bytes is over JPEG's %u", o->icc_size,
                                     ICC_MAX);
        w->icc = o->icc;
        w->icc_size = o->icc_size;
    }
    if (o && o->exif && o->exif_size > 0)
        return writer_exif(w, o->exif, o->exif_size);
    return TPROC_OK;
}

static void writer_free(writer *w)
{
    if (!w)
        return;
    /* Safe before jpeg_create_compress (the struct is zeroed) and mid-image. */
    jpeg_destroy_compress(&w->cinfo);
    tproc__release(w->ctx, w->reserved);
    tproc__dealloc(w->ctx, w->row);
    tproc__dealloc(w->ctx, w->app1);
    tproc__dealloc(w->ctx, w);
}

/* libjpeg-turbo allocates its compressor itself: 27-28 KiB and 9-10 bytes a sample of a row
 * (mallinfo2 around jpeg_start_compress, 16 to 30000 pixels wide, gray and RGB at 4:2:0). That
 * is counted against the limit, with room to spare, so that the hundreds of tile encoders a
 * pyramid TIFF keeps open are within it too. After writer_prepare, which checked the width. */
static int reserve_libjpeg(writer *w)
{
    size_t estimate =
        ((size_t)32 << 10) + 12 * (size_t)w->format.width * (size_t)w->format.channels;
    int status = tproc__reserve_file(w->ctx, estimate, w->name, "the JPEG encoder's own memory");
    w->reserved = status ? 0 : estimate;
    return status;
}

/* tproc__encoder.write_rows. */
static int encoder_write(void *state, const tproc_view *rows)
{
    writer *w = state;
    const tproc_format *f = &w->format;
    int status =
        tproc__encoder_rows(w->ctx, w->name, w->failed, w->finished, f, w->rows_done, rows);
    if (status)
        return status;
    if (rows->pixel_stride != rows->channels && !w->row) {
        void *mem;
        /* width * channels <= JPEG_MAX_DIMENSION * 3: checked at open. */
        if ((status = tproc__alloc_file(w->ctx, (size_t)f->width * (size_t)f->channels, 1, w->name,
                                        "JPEG row copy", &mem)))
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
    writer *w = state;
    int status =
        tproc__encoder_finishing(w->ctx, w->name, w->failed, w->finished, &w->format, w->rows_done);
    return status ? status : writer_run(w, writer_finish_step);
}

static void encoder_close(void *state)
{
    writer_free(state);
}

int tproc__jpeg_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc)
{
    const char *name = out->name ? out->name : "<output>";
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(writer), 1, name, "JPEG encoder state", &mem);
    if (status)
        return status;
    writer *w = mem; /* zeroed, so destroying before jpeg_create_compress is safe */
    w->ctx = ctx;
    w->name = name;
    w->format = *format;
    w->dest.out = out;
    tproc__jpeg_errors_init(&w->err, (j_common_ptr)&w->cinfo);
    if ((status = writer_prepare(w, options)) || (status = reserve_libjpeg(w)) ||
        (status = writer_run(w, writer_open_step))) {
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
