/* SPDX-License-Identifier: MIT */
/*
 * source.c: where streamed rows come from: a view in memory (zero copy), the caller's
 * callback, or a PNG/JPEG file decoded row by row. A file's EXIF orientation is applied on the
 * way out: a horizontal mirror row by row, anything else only by holding the whole image.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "stream_internal.h"
#include "view_internal.h"

static int source_alloc(tproc_ctx *ctx, int kind, tproc_source **out)
{
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc_source), "source", &p);
    if (status)
        return status;
    tproc_source *s = p;
    s->ctx = tproc__ctx(ctx);
    s->kind = kind;
    s->orientation = 1;
    s->shrink = 1;
    *out = s;
    return TPROC_OK;
}

static int check_format(tproc_ctx *ctx, const tproc_format *f)
{
    if (!f || f->width < 1 || f->height < 1 || f->channels < 1 || f->channels > 4 ||
        tproc_sample_size(f->sample) == 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: invalid format");
    size_t packed, aligned;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "source: rows too wide to address");
    return TPROC_OK;
}

int tproc_source_new_callback(tproc_ctx *ctx, const tproc_format *format, tproc_read_rows_fn read,
                              void *user, tproc_source **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no output pointer");
    *out = NULL;
    if (!read)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no read function");
    int status = check_format(ctx, format);
    if (status || (status = source_alloc(ctx, TPROC__SOURCE_CALLBACK, out)))
        return status;
    (*out)->format = *format;
    (*out)->read = read;
    (*out)->user = user;
    return TPROC_OK;
}

int tproc_source_new_view(tproc_ctx *ctx, const tproc_view *view, tproc_source **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no output pointer");
    *out = NULL;
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG, "source: invalid view");
    int status = source_alloc(ctx, TPROC__SOURCE_VIEW, out);
    if (status)
        return status;
    tproc_format f = {view->width, view->height, view->channels, view->sample};
    (*out)->format = f;
    (*out)->view = *view;
    return TPROC_OK;
}

/* Opens (or reopens) the decoder at the start of the input. */
static int open_decoder(tproc_source *s)
{
    if (s->dec_open) {
        s->dec.close(s->dec.state);
        s->dec_open = 0;
    }
    if (s->fp) {
        if (fseek(s->fp, 0, SEEK_SET) != 0)
            return tproc__error(s->ctx, TPROC_ERR_IO, "%s: cannot seek: %s", s->path,
                                strerror(errno));
    } else {
        s->in.pos = 0;
    }
    unsigned char head[8];
    size_t got = tproc__input_read(&s->in, head, sizeof head);
    if (s->fp)
        fseek(s->fp, 0, SEEK_SET);
    else
        s->in.pos = 0;
    if (got == 0)
        return tproc__error(s->ctx, TPROC_ERR_FORMAT, "%s: empty file", s->path);
    tproc_file_format format = tproc_file_format_detect(head, got);
    int status;
    if (format == TPROC_FILE_PNG)
        status = tproc__png_decoder_open(s->ctx, &s->in, &s->options, &s->dec);
    else if (format == TPROC_FILE_JPEG)
        status = tproc__jpeg_decoder_open(s->ctx, &s->in, &s->options, s->shrink, &s->dec);
    else
        return tproc__error(s->ctx, TPROC_ERR_FORMAT, "%s: not a PNG or JPEG file", s->path);
    if (status)
        return status;
    s->dec_open = 1;
    s->file_format = format;
    if (s->shrink == 1)
        s->full_format = s->dec.format;
    s->format = s->dec.format;
    s->orientation = s->options.ignore_orientation ? 1 : s->dec.orientation;
    if (s->orientation >= 5 && s->orientation <= 8) { /* the transposing ones */
        s->format.width = s->dec.format.height;
        s->format.height = s->dec.format.width;
    }
    return TPROC_OK;
}

int tproc_source_open(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
                      tproc_source **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no output pointer");
    *out = NULL;
    if (!path)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no file name");
    tproc_source *s;
    int status = source_alloc(ctx, TPROC__SOURCE_FILE, &s);
    if (status)
        return status;
    int is_stdin = strcmp(path, "-") == 0;
    s->path = strdup(is_stdin ? "<stdin>" : path);
    if (options)
        s->options = *options;
    if (!s->path) {
        status = tproc__error(ctx, TPROC_ERR_NOMEM, "%s: out of memory", path);
    } else if (is_stdin) {
        /* A pipe cannot seek back to re-read the header: take it whole. */
        tproc__input in = {s->path, stdin, NULL, 0, 0, 0};
        tproc__output buf = {s->path, s->ctx, NULL, NULL, 0, 0, TPROC_OK};
        unsigned char chunk[65536];
        size_t got;
        while ((got = tproc__input_read(&in, chunk, sizeof chunk)) > 0)
            if (tproc__output_write(&buf, chunk, got))
                break;
        status = buf.status;
        if (!status && in.error)
            status =
                tproc__error(ctx, TPROC_ERR_IO, "%s: read failed: %s", s->path, strerror(in.error));
        s->data = buf.data;
        tproc__input mem = {s->path, NULL, buf.data, buf.size, 0, 0};
        s->in = mem;
    } else {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            status = tproc__error(ctx, TPROC_ERR_IO, "%s: is a directory", path);
        else if (!(s->fp = fopen(path, "rb")))
            status = tproc__error(ctx, TPROC_ERR_IO, "%s: %s", path, strerror(errno));
        tproc__input in = {s->path, s->fp, NULL, 0, 0, 0};
        s->in = in;
    }
    if (!status)
        status = open_decoder(s);
    if (status) {
        tproc_source_free(&s);
        return status;
    }
    *out = s;
    return TPROC_OK;
}

int tproc_source_open_memory(tproc_ctx *ctx, const void *data, size_t size,
                             const tproc_load_options *options, tproc_source **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no output pointer");
    *out = NULL;
    if (!data && size)
        return tproc__error(ctx, TPROC_ERR_ARG, "source: no data");
    tproc_source *s;
    int status = source_alloc(ctx, TPROC__SOURCE_FILE, &s);
    if (status)
        return status;
    s->path = strdup("<memory>");
    if (options)
        s->options = *options;
    tproc__input mem = {"<memory>", NULL, data, size, 0, 0};
    s->in = mem;
    s->borrowed = 1;
    if (!s->path)
        status = tproc__error(ctx, TPROC_ERR_NOMEM, "<memory>: out of memory");
    else
        status = open_decoder(s);
    if (status) {
        tproc_source_free(&s);
        return status;
    }
    *out = s;
    return TPROC_OK;
}

tproc_format tproc_source_format(const tproc_source *source)
{
    return source->format;
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
        why = s->file_format == TPROC_FILE_PNG ? "an Adam7-interlaced PNG" : "a progressive JPEG";
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

int tproc__source_read(tproc_source *s, unsigned char *first, ptrdiff_t stride, ptrdiff_t count)
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
        status = s->dec.read_rows(s->dec.state, first, stride, (size_t)count);
        if (!status && s->orientation == 2)
            for (ptrdiff_t y = 0; y < count; y++)
                mirror_row(first + y * stride, s->format.width, tproc_view_pixel_size(&rows));
        break;
    }
    if (!status)
        s->next += count;
    return status;
}

int tproc__source_load_whole(tproc_source *s, tproc_image **out)
{
    *out = NULL;
    /* Rows as stored; the orientation becomes a view transform afterwards. */
    tproc_format stored = s->kind == TPROC__SOURCE_FILE ? s->dec.format : s->format;
    tproc_image *image;
    int status = tproc__image_new_for_decode(
        s->ctx, s->kind == TPROC__SOURCE_FILE ? s->path : "source", stored.width, stored.height,
        stored.channels, stored.sample, &image);
    if (status)
        return status;
    tproc_view v = tproc_image_view(image);
    int orientation = s->orientation;
    if (s->kind == TPROC__SOURCE_FILE && orientation > 2) {
        status = s->dec.read_rows(s->dec.state, v.data, v.row_stride, (size_t)v.height);
        if (!status) {
            tproc_view upright;
            tproc_view_orient(&v, orientation, &upright);
            status = tproc_image_set_view(image, &upright);
        }
    } else {
        status = tproc__source_read(s, v.data, v.row_stride, v.height);
    }
    if (status) {
        tproc_image_free(&image);
        return status;
    }
    s->next = s->format.height;
    *out = image;
    return TPROC_OK;
}

int tproc__source_shrink(tproc_source *s, int denom)
{
    if (s->kind != TPROC__SOURCE_FILE || s->next != 0 || denom == s->shrink)
        return 0;
    if (!s->fp && !s->data && !s->borrowed)
        return 0;
    int old = s->shrink;
    s->shrink = denom;
    if (open_decoder(s) || s->dec.format.width < 1) {
        s->shrink = old;
        open_decoder(s);
        return 0;
    }
    return 1;
}

const void *tproc_source_icc(const tproc_source *source, size_t *size)
{
    *size = source->kind == TPROC__SOURCE_FILE ? source->dec.icc_size : 0;
    return source->kind == TPROC__SOURCE_FILE ? source->dec.icc : NULL;
}

const void *tproc_source_exif(const tproc_source *source, size_t *size)
{
    *size = source->kind == TPROC__SOURCE_FILE ? source->dec.exif_size : 0;
    return source->kind == TPROC__SOURCE_FILE ? source->dec.exif : NULL;
}

void tproc_source_free(tproc_source **psource)
{
    if (!psource || !*psource)
        return;
    tproc_source *s = *psource;
    *psource = NULL;
    if (s->dec_open)
        s->dec.close(s->dec.state);
    if (s->fp)
        fclose(s->fp);
    tproc__dealloc(s->ctx, s->data);
    free(s->path);
    tproc__dealloc(s->ctx, s);
}
