/* SPDX-License-Identifier: MIT */
/*
 * sink.c: where streamed rows go: the caller's callback, a new image, or a PNG/JPEG file
 * encoded row by row. A file is written under a temporary name beside the target and renamed
 * into place only when the run finishes; an aborted or failed run removes it.
 */
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "stream_internal.h"

enum { SINK_CALLBACK, SINK_IMAGE, SINK_FILE };

struct tproc_sink {
    tproc_ctx *ctx;
    int kind;
    int begun, done;
    tproc_format format;
    /* SINK_CALLBACK */
    tproc_write_rows_fn write;
    void *user;
    /* SINK_IMAGE */
    tproc_image *image;
    /* SINK_FILE */
    char *path;
    tproc__atomic_file file; /* file.fp is NULL for stdout */
    FILE *fp;
    tproc__output out;
    tproc_save_options options;
    tproc__encoding encoding;
    void *icc, *exif; /* the sink's own copies of the metadata to write */
};

static int sink_alloc(tproc_ctx *ctx, int kind, tproc_sink **out)
{
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc_sink), "sink", &p);
    if ((*out = p) != NULL)
        **out = (tproc_sink){.ctx = tproc__ctx(ctx), .kind = kind};
    return status;
}

int tproc_sink_new_callback(tproc_ctx *ctx, tproc_write_rows_fn write, void *user, tproc_sink **out)
{
    if (!out || !write)
        return tproc__error(ctx, TPROC_ERR_ARG, "sink: no write function or output pointer");
    int status = sink_alloc(ctx, SINK_CALLBACK, out);
    if (status)
        return status;
    (*out)->write = write;
    (*out)->user = user;
    return TPROC_OK;
}

int tproc_sink_new_image(tproc_ctx *ctx, tproc_sink **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "sink: no output pointer");
    return sink_alloc(ctx, SINK_IMAGE, out);
}

tproc_image *tproc_sink_take_image(tproc_sink *sink)
{
    if (!sink || !sink->done)
        return NULL;
    tproc_image *image = sink->image;
    sink->image = NULL;
    return image;
}

int tproc_sink_open(tproc_ctx *ctx, const char *path, const tproc_save_options *options,
                    tproc_sink **out)
{
    if (!out || !path)
        return tproc__error(ctx, TPROC_ERR_ARG, "sink: no %s",
                            out ? "file name" : "output pointer");
    *out = NULL;
    int to_stdout = strcmp(path, "-") == 0;
    tproc_save_options o;
    if (options)
        o = *options;
    else
        tproc_save_options_init(&o);
    if (o.format == TPROC_FILE_UNKNOWN && !to_stdout)
        o.format = tproc_file_format_from_name(path);
    const char *name = to_stdout ? "<stdout>" : path;
    int status = tproc__save_options_resolve(ctx, name, &o, &o);
    if (status)
        return status;
    tproc_sink *s;
    if ((status = sink_alloc(ctx, SINK_FILE, &s)))
        return status;
    s->options = o;
    /* Keep copies: the caller's blocks (a source's, say) may not outlive the run's start. */
    if (!(status = tproc__memdup(ctx, name, "ICC copy", o.icc, o.icc_size, &s->icc)))
        status = tproc__memdup(ctx, name, "EXIF copy", o.exif, o.exif_size, &s->exif);
    s->options.icc = s->icc;
    s->options.icc_size = s->icc ? o.icc_size : 0;
    s->options.exif = s->exif;
    s->options.exif_size = s->exif ? o.exif_size : 0;
    s->path = strdup(name);
    if (status)
        ; /* recorded above */
    else if (!s->path)
        status = tproc__error_file(ctx, TPROC_ERR_NOMEM, name, "out of memory");
    else if (to_stdout)
        s->fp = stdout;
    else if (!(status = tproc__atomic_open(ctx, path, &s->file)))
        s->fp = s->file.fp;
    if (status) {
        tproc_sink_free(&s);
        return status;
    }
    tproc__output o2 = {s->path, s->ctx, s->fp, NULL, 0, 0, TPROC_OK, 0};
    s->out = o2;
    *out = s;
    return TPROC_OK;
}

size_t tproc__sink_whole_bytes(const tproc_sink *sink, const tproc_format *f)
{
    size_t packed, aligned, bytes;
    if (sink->kind != SINK_IMAGE)
        return 0;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)f->height, &bytes))
        return SIZE_MAX;
    return bytes;
}

int tproc__sink_writes_behind(const tproc_sink *s)
{
    return s->kind == SINK_FILE && s->encoding.open && !s->encoding.enc.gathers;
}

int tproc__sink_begin(tproc_sink *s, const tproc_format *f, int threads)
{
    if (s->begun)
        return tproc__error(s->ctx, TPROC_ERR_STATE, "sink: already used by a run");
    s->begun = 1;
    s->format = *f;
    if (s->kind == SINK_IMAGE)
        return tproc_image_new(s->ctx, f->width, f->height, f->channels, f->sample, &s->image);
    if (s->kind != SINK_FILE)
        return TPROC_OK;
    s->out.threads = threads;
    return tproc__encoding_begin(s->ctx, &s->out, f, &s->options, &s->encoding);
}

int tproc__sink_write(tproc_sink *s, ptrdiff_t y, const tproc_view *rows)
{
    switch (s->kind) {
    case SINK_CALLBACK: {
        int status = s->write(s->user, y, rows);
        if (status && !tproc_ctx_message(s->ctx)[0])
            tproc__error(s->ctx, status, "sink callback failed at row %td: %s", y,
                         tproc_strerror(status));
        return status;
    }
    case SINK_IMAGE: {
        tproc_view all = tproc_image_view(s->image), part;
        tproc_view_sub(&all, 0, y, rows->width, rows->height, &part);
        return tproc_view_copy(s->ctx, rows, &part);
    }
    default:
        return tproc__encoding_write(&s->encoding, rows);
    }
}

int tproc__sink_finish(tproc_sink *s)
{
    int status = TPROC_OK;
    if (s->kind == SINK_FILE) {
        status = tproc__encoding_finish(&s->encoding);
        tproc__encoding_close(&s->encoding); /* before the file closes: see tproc__sink_abort */
        if (s->file.fp) {
            status = tproc__atomic_commit(s->ctx, &s->file, status);
            s->fp = NULL;
        }
    }
    if (!status)
        s->done = 1;
    return status;
}

void tproc__sink_abort(tproc_sink *s)
{
    /* The encoder first: closing it may still write to the file (libtiff flushes). */
    tproc__encoding_close(&s->encoding);
    if (s->kind == SINK_FILE && s->file.fp) {
        tproc__atomic_commit(s->ctx, &s->file, TPROC_ERR_CANCELLED);
        s->fp = NULL;
    }
    tproc_image_free(&s->image);
}

void tproc_sink_free(tproc_sink **psink)
{
    if (!psink || !*psink)
        return;
    tproc_sink *s = *psink;
    *psink = NULL;
    tproc__encoding_close(&s->encoding);
    if (!s->done)
        tproc__sink_abort(s);
    tproc_image_free(&s->image);
    tproc__dealloc(s->ctx, s->icc);
    tproc__dealloc(s->ctx, s->exif);
    free(s->path);
    tproc__dealloc(s->ctx, s);
}
