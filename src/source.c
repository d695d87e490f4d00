/* SPDX-License-Identifier: MIT */
/*
 * source.c: where rows come from: a view in memory (zero copy), the caller's callback, or a
 * file decoded by its codec (codec.h), row by row or whole. A file source is also how every
 * load decodes (load.c), so loading and streaming share the input, detection, decoder,
 * orientation and metadata code. A file's EXIF orientation is applied on the way out: a
 * horizontal mirror row by row, anything else only by holding the whole image.
 *
 * A file's decoder is first opened for a caller holding the whole image (it decodes nothing
 * until rows are read); the first rows read one band at a time reopen it for streaming, so
 * that data ending early stops the stream there (see tproc__decode_request).
 */
#include <stdlib.h>
#include <string.h>

#include "decode_colour.h"
#include "stream_internal.h"
#include "view_internal.h"

/* What every constructor checks first: an output pointer (cleared), then its arguments. */
static int arguments(tproc_ctx *ctx, tproc_source **out, int fine, const char *problem)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no output pointer");
    *out = NULL;
    return fine ? TPROC_OK : tproc__error(ctx, TPROC_ERR_ARG, "source: %s", problem);
}

static int source_alloc(tproc_ctx *ctx, int kind, tproc_source **out)
{
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc_source), "source", &p);
    if ((*out = p) != NULL)
        **out = (tproc_source){.ctx = tproc__ctx(ctx), .kind = kind, .orientation = 1, .shrink = 1};
    return status;
}

int tproc_source_new_callback(tproc_ctx *ctx, const tproc_format *f, tproc_read_rows_fn read,
                              void *user, tproc_source **out)
{
    int status = arguments(ctx, out, read != NULL, "no read function");
    if (status)
        return status;
    size_t packed, aligned;
    if (!f || f->width < 1 || f->height < 1 || f->channels < 1 || f->channels > 4 ||
        tproc_sample_size(f->sample) == 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: invalid format");
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "source: rows too wide to address");
    if ((status = source_alloc(ctx, TPROC__SOURCE_CALLBACK, out)))
        return status;
    (*out)->format = *f;
    (*out)->read = read;
    (*out)->user = user;
    return TPROC_OK;
}

int tproc_source_new_view(tproc_ctx *ctx, const tproc_view *view, tproc_source **out)
{
    int status = arguments(ctx, out, view && !tproc_view_validate(view), "invalid view");
    if (status || (status = source_alloc(ctx, TPROC__SOURCE_VIEW, out)))
        return status;
    tproc_format f = {view->width, view->height, view->channels, view->sample};
    (*out)->format = f;
    (*out)->view = *view;
    return TPROC_OK;
}

/* Opens (or reopens) the decoder at the start of the input; whole as in the request. */
static int open_decoder(tproc_source *s, int whole)
{
    if (s->dec_open) {
        s->dec.close(s->dec.state);
        s->dec_open = 0;
    }
    int status = tproc__input_rewind(s->ctx, &s->input);
    if (status)
        return status;
    tproc__decode_request request = {0};
    request.strict = s->options.strict;
    request.scale_denom = s->shrink;
    request.whole = whole;
    request.page = s->options.page;
    request.level = s->options.level;
    request.region = s->region;
    if ((status = tproc__decoder_open(s->codec, s->ctx, &s->input.in, &request, &s->dec)) ||
        (status = tproc__decode_colour(s->ctx, s->path, &s->options, &s->dec)))
        return status;
    s->dec_open = 1;
    s->dec_whole = whole;
    if (s->shrink == 1 && s->region.width == 0)
        s->full_format = s->dec.format;
    s->format = s->dec.format;
    s->orientation = s->options.ignore_orientation ? 1 : s->dec.orientation;
    if (s->orientation >= 5 && s->orientation <= 8) { /* the transposing ones */
        s->format.width = s->dec.format.height;
        s->format.height = s->dec.format.width;
    }
    return TPROC_OK;
}

/* A page or level other than the first only from a codec with pages. */
static int check_pages(tproc_source *s)
{
    if ((s->options.page || s->options.level) && !s->codec->pages)
        return tproc__error_file(s->ctx, TPROC_ERR_ARG, s->path,
                                 "a %s file has one page and one level (asked for page %d, "
                                 "level %d)",
                                 s->codec->label, s->options.page, s->options.level);
    return TPROC_OK;
}

int tproc__source_open_input(tproc_ctx *ctx, tproc__opened_input *input,
                             const tproc_load_options *options, tproc_source **out)
{
    *out = NULL;
    tproc_source *s;
    int status = source_alloc(ctx, TPROC__SOURCE_FILE, &s);
    if (status) {
        tproc__input_close(input);
        return status;
    }
    s->input = *input;
    s->path = strdup(input->in.name);
    s->input.in.name = s->path;
    if (options)
        s->options = *options;
    if (!s->path)
        status = tproc__error_file(ctx, TPROC_ERR_NOMEM, input->in.name, "out of memory");
    else if (!(status = tproc__codec_detect(s->ctx, &s->input, &s->codec)) &&
             !(status = check_pages(s)) && !(status = open_decoder(s, 1)) &&
             !(status =
                   tproc__memdup(ctx, s->path, "ICC copy", s->dec.icc, s->dec.icc_size, &s->icc)))
        status = tproc__memdup(ctx, s->path, "EXIF copy", s->dec.exif, s->dec.exif_size, &s->exif);
    s->icc_size = s->icc ? s->dec.icc_size : 0;
    s->exif_size = s->exif ? s->dec.exif_size : 0;
    if (status) {
        tproc_source_free(&s);
        return status;
    }
    s->file_format = s->codec->format;
    *out = s;
    return TPROC_OK;
}

int tproc_source_open(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
                      tproc_source **out)
{
    tproc__opened_input input;
    int status = arguments(ctx, out, path != NULL, "no file name");
    if (!status)
        status = tproc__input_open_path(ctx, path, 1, &input);
    return status ? status : tproc__source_open_input(ctx, &input, options, out);
}

int tproc_source_open_memory(tproc_ctx *ctx, const void *data, size_t size,
                             const tproc_load_options *options, tproc_source **out)
{
    int status = arguments(ctx, out, data || !size, "no data");
    if (status)
        return status;
    tproc__opened_input input;
    tproc__input_open_memory(&input, "<memory>", data, size);
    return tproc__source_open_input(ctx, &input, options, out);
}

tproc_format tproc_source_format(const tproc_source *source)
{
    return source->format;
}

tproc_file_format tproc_source_file_format(const tproc_source *source)
{
    return source && source->kind == TPROC__SOURCE_FILE ? source->file_format : TPROC_FILE_UNKNOWN;
}

tproc_format tproc__source_full_format(const tproc_source *source)
{
    return source->kind == TPROC__SOURCE_FILE ? source->full_format : source->format;
}

const char *tproc__source_whole_reason(const tproc_source *s, size_t *bytes)
{
    *bytes = 0;
    if (s->kind != TPROC__SOURCE_FILE)
        return NULL;
    const char *why = NULL;
    if (s->dec.whole_image)
        why = s->dec.whole_reason ? s->dec.whole_reason : "its file format";
    else if (s->orientation > 2)
        why = "its EXIF orientation";
    if (!why)
        return NULL;
    size_t packed, aligned;
    if (tproc__row_bytes(s->format.width, s->format.channels, s->format.sample, &packed,
                         &aligned) ||
        tproc__mul(aligned, (size_t)s->format.height, bytes))
        *bytes = SIZE_MAX;
    if (tproc__add(*bytes, s->dec.whole_bytes, bytes))
        *bytes = SIZE_MAX;
    return why;
}

int tproc_source_streams(const tproc_source *source)
{
    size_t bytes;
    return tproc__source_whole_reason(source, &bytes) == NULL;
}

/* Reverses the pixels of a packed row in place (orientation 2). */
static void mirror_row(unsigned char *row, ptrdiff_t width, size_t pixel)
{
    unsigned char tmp[16];
    for (ptrdiff_t a = 0, b = width - 1; a < b; a++, b--) {
        memcpy(tmp, row + (size_t)a * pixel, pixel);
        memcpy(row + (size_t)a * pixel, row + (size_t)b * pixel, pixel);
        memcpy(row + (size_t)b * pixel, tmp, pixel);
    }
}

/* Pixels a row job converts (whole rows, at least one): small enough that the decoder's last
 * rows of a band leave little to convert after it, large enough to be worth a hand-over. */
#define JOB_PIXELS 32768

/*
 * A file's rows, streamed: the decoder is reopened for streaming before the first.
 * With jobs and a decoder that can leave its conversion for later (the colour step), rows
 * are read raw a few at a time and each batch's conversion is handed to jobs while the next
 * is decoded; mirrored first (orientation 2: a pixel's conversion does not depend on where
 * it is), so that no row is touched here once handed over.
 */
static int read_file_rows(tproc_source *s, unsigned char *first, ptrdiff_t stride, ptrdiff_t count,
                          size_t pixel, tproc__row_jobs *jobs)
{
    int status = s->dec_whole ? open_decoder(s, 0) : TPROC_OK;
    int defer = jobs && s->dec.read_raw && s->dec.convert_rows;
    ptrdiff_t batch = defer ? JOB_PIXELS / (s->dec.format.width > 0 ? s->dec.format.width : 1)
                            : count;
    if (batch < 1)
        batch = 1;
    for (ptrdiff_t done = 0; !status && done < count; done += batch) {
        ptrdiff_t n = count - done < batch ? count - done : batch;
        unsigned char *rows = first + done * stride;
        if (defer)
            status = s->dec.read_raw(s->dec.state, rows, stride, (size_t)n);
        else
            status = s->dec.read_rows(s->dec.state, rows, stride, (size_t)n);
        if (!status && s->orientation == 2)
            for (ptrdiff_t y = 0; y < n; y++)
                mirror_row(rows + y * stride, s->format.width, pixel);
        if (!status && defer)
            tproc__row_jobs_submit(jobs, s->dec.convert_rows, s->dec.state, rows, stride,
                                   (size_t)n);
    }
    return status;
}

int tproc__source_read(tproc_source *s, unsigned char *first, ptrdiff_t stride, ptrdiff_t count)
{
    return tproc__source_read_jobs(s, first, stride, count, NULL);
}

int tproc__source_read_jobs(tproc_source *s, unsigned char *first, ptrdiff_t stride,
                            ptrdiff_t count, tproc__row_jobs *jobs)
{
    if (count <= 0)
        return TPROC_OK;
    if (s->next + count > s->format.height)
        return tproc__error(s->ctx, TPROC_ERR_STATE, "source: read past the last row");
    int status = TPROC_OK;
    tproc_view rows;
    tproc_view_init(&rows, first, s->format.width, count, s->format.channels, s->format.sample, 0,
                    stride);
    switch (s->kind) {
    case TPROC__SOURCE_VIEW: {
        tproc_view part;
        tproc_view_sub(&s->view, 0, s->next, s->format.width, count, &part);
        status = tproc_view_copy(s->ctx, &part, &rows);
        break;
    }
    case TPROC__SOURCE_CALLBACK:
        status = s->read(s->user, s->next, count, &rows);
        if (status && !tproc_ctx_message(s->ctx)[0])
            tproc__error(s->ctx, status, "source callback failed at row %td: %s", s->next,
                         tproc_strerror(status));
        break;
    default:
        status = read_file_rows(s, first, stride, count, tproc_view_pixel_size(&rows), jobs);
        break;
    }
    if (!status)
        s->next += count;
    return status;
}

/* The file's ICC profile and EXIF onto image, and its orientation (header metadata first, so
 * that a decoder starting later sees their memory taken; what came after the image data
 * once every row is read). */
static int keep_metadata(tproc_source *s, tproc_image *image, int trailer)
{
    if (trailer) {
        const void *icc = s->dec.icc, *exif = s->dec.exif;
        s->dec.trailer(s->dec.state, &s->dec);
        if (s->dec.icc == icc && s->dec.exif == exif)
            return TPROC_OK;
    }
    int status = tproc_image_set_icc(image, s->dec.icc, s->dec.icc_size);
    if (!status)
        status = tproc_image_set_exif(image, s->dec.exif, s->dec.exif_size);
    tproc_image_set_orientation(image, s->dec.orientation);
    return status;
}

/* A file's rows as stored, straight into a new image in one decoder call. */
static int load_file(tproc_source *s, int metadata, tproc_image **out)
{
    int status = s->dec_whole ? TPROC_OK : open_decoder(s, 1);
    tproc_image *image = NULL;
    const tproc_format *f = &s->dec.format;
    if (!status)
        status = tproc__image_new_named(s->ctx, TPROC_SUBJECT_FILE, s->path, f->width, f->height,
                                        f->channels, f->sample, &image);
    if (!status && metadata)
        status = keep_metadata(s, image, 0);
    if (!status) {
        tproc_view v = tproc_image_view(image);
        status = s->dec.read_rows(s->dec.state, v.data, v.row_stride, (size_t)v.height);
    }
    if (!status && metadata && s->dec.trailer)
        status = keep_metadata(s, image, 1);
    if (status)
        tproc_image_free(&image);
    *out = image;
    return status;
}

int tproc__source_load_whole(tproc_source *s, int metadata, tproc_image **out)
{
    *out = NULL;
    if (s->next != 0)
        return tproc__error(s->ctx, TPROC_ERR_STATE, "source: already read from");
    tproc_image *image;
    int status;
    if (s->kind == TPROC__SOURCE_FILE) {
        status = load_file(s, metadata, &image);
    } else {
        tproc_format f = s->format;
        status = tproc__image_new_named(s->ctx, TPROC_SUBJECT_NONE, "source", f.width, f.height,
                                        f.channels, f.sample, &image);
        if (!status) {
            tproc_view v = tproc_image_view(image);
            if ((status = tproc__source_read(s, v.data, v.row_stride, v.height)))
                tproc_image_free(&image);
        }
    }
    if (status)
        return status;
    if (s->orientation != 1) {
        tproc_view stored = tproc_image_view(image), upright;
        tproc_view_orient(&stored, s->orientation, &upright);
        tproc_image_set_view(image, &upright);
    }
    s->next = s->format.height;
    *out = image;
    return TPROC_OK;
}

int tproc_source_load(tproc_source *source, tproc_image **out)
{
    if (!out)
        return tproc__error(source ? source->ctx : NULL, TPROC_ERR_ARG,
                            "source: no output pointer");
    *out = NULL;
    if (!source)
        return tproc__error(NULL, TPROC_ERR_ARG, "source: no source");
    return tproc__source_load_whole(source, 1, out);
}

/*
 * The stored rectangle an upright one (of an image whose stored size is width x height) comes
 * from under EXIF orientation o: each upright corner maps to a stored pixel (the inverse of
 * tproc_view_orient), and the rectangle is their bounding box.
 */
static tproc_rect stored_rect(tproc_rect r, int o, ptrdiff_t width, ptrdiff_t height)
{
    ptrdiff_t xs[2] = {r.x, r.x + r.width - 1}, ys[2] = {r.y, r.y + r.height - 1};
    ptrdiff_t lo_x = PTRDIFF_MAX, lo_y = PTRDIFF_MAX, hi_x = -1, hi_y = -1;
    for (int i = 0; i < 4; i++) {
        ptrdiff_t x = xs[i & 1], y = ys[i >> 1], sx = x, sy = y;
        switch (o) {
        case 2: sx = width - 1 - x; break;
        case 3: sx = width - 1 - x; sy = height - 1 - y; break;
        case 4: sy = height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = height - 1 - x; break;
        case 7: sx = width - 1 - y; sy = height - 1 - x; break;
        case 8: sx = width - 1 - y; sy = x; break;
        default: break;
        }
        lo_x = sx < lo_x ? sx : lo_x;
        lo_y = sy < lo_y ? sy : lo_y;
        hi_x = sx > hi_x ? sx : hi_x;
        hi_y = sy > hi_y ? sy : hi_y;
    }
    tproc_rect out = {lo_x, lo_y, hi_x - lo_x + 1, hi_y - lo_y + 1};
    return out;
}

int tproc_source_set_region(tproc_source *s, ptrdiff_t x, ptrdiff_t y, ptrdiff_t width,
                            ptrdiff_t height)
{
    if (!s)
        return tproc__error(NULL, TPROC_ERR_ARG, "source: no source");
    if (s->next != 0 || (s->kind == TPROC__SOURCE_FILE && (s->region.width || s->shrink != 1)))
        return tproc__error(s->ctx, TPROC_ERR_STATE,
                            "source: a region is set once, before reading and shrinking");
    tproc_rect upright = {x, y, width, height};
    int checked = tproc__region_check(s->ctx, s->kind == TPROC__SOURCE_FILE ? s->path : NULL,
                                      &upright, s->format.width, s->format.height);
    if (checked)
        return checked;
    switch (s->kind) {
    case TPROC__SOURCE_VIEW: {
        tproc_view part;
        int status = tproc_view_sub(&s->view, x, y, width, height, &part);
        if (status)
            return tproc__error(s->ctx, status, "source: cannot take the region of the view");
        s->view = part;
        s->format.width = width;
        s->format.height = height;
        return TPROC_OK;
    }
    case TPROC__SOURCE_FILE: {
        s->region = stored_rect(upright, s->orientation, s->full_format.width,
                                s->full_format.height);
        int status = open_decoder(s, s->dec_whole);
        if (status) {
            s->region.width = 0;
            int again = open_decoder(s, s->dec_whole);
            (void)again; /* the first failure is the one to report */
        }
        return status;
    }
    default:
        return tproc__error(s->ctx, TPROC_ERR_UNSUPPORTED,
                            "source: a callback source has no regions");
    }
}

int tproc__source_read_stored(tproc_source *s, tproc_rect r, unsigned char *first,
                              ptrdiff_t stride)
{
    tproc_rect keep = s->region;
    tproc_format format = s->format;
    int orientation = s->orientation;
    s->region.x = keep.x + r.x;
    s->region.y = keep.y + r.y;
    s->region.width = r.width;
    s->region.height = r.height;
    int status = open_decoder(s, 0);
    s->region = keep; /* the source still stands for the image it was opened or cut to */
    s->format = format;
    s->orientation = orientation;
    s->next = s->format.height; /* rows went out, in another order */
    return status ? status : s->dec.read_rows(s->dec.state, first, stride, (size_t)r.height);
}

int tproc__source_shrink(tproc_source *s, int denom)
{
    if (s->kind != TPROC__SOURCE_FILE || s->next != 0 || denom == s->shrink || !s->codec->scales ||
        s->region.width)
        return 0;
    int old = s->shrink;
    s->shrink = denom;
    if (open_decoder(s, s->dec_whole) || s->dec.format.width < 1) {
        s->shrink = old;
        open_decoder(s, s->dec_whole);
        return 0;
    }
    return 1;
}

int tproc__source_rewind(tproc_source *s)
{
    if (s->kind == TPROC__SOURCE_CALLBACK)
        return tproc__error(s->ctx, TPROC_ERR_UNSUPPORTED,
                            "a callback source can be read only once");
    if (s->kind == TPROC__SOURCE_FILE && s->next != 0) {
        int status = open_decoder(s, s->dec_whole);
        if (status)
            return status;
    }
    s->next = 0;
    return TPROC_OK;
}

void tproc__source_hold(tproc_source *s, tproc_image *image)
{
    tproc_image_free(&s->held);
    s->held = image;
    s->kind = TPROC__SOURCE_VIEW;
    s->view = tproc_image_view(image);
    s->next = 0;
}

const void *tproc_source_icc(const tproc_source *source, size_t *size)
{
    *size = source->icc_size;
    return source->icc;
}

const void *tproc_source_exif(const tproc_source *source, size_t *size)
{
    *size = source->exif_size;
    return source->exif;
}

void tproc_source_free(tproc_source **psource)
{
    if (!psource || !*psource)
        return;
    tproc_source *s = *psource;
    *psource = NULL;
    if (s->dec_open)
        s->dec.close(s->dec.state);
    tproc__input_close(&s->input);
    tproc_image_free(&s->held);
    tproc__dealloc(s->ctx, s->icc);
    tproc__dealloc(s->ctx, s->exif);
    free(s->path);
    tproc__dealloc(s->ctx, s);
}
