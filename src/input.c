/* SPDX-License-Identifier: MIT */
/*
 * input.c: the one place files are opened for reading and written to as byte streams: a path
 * (a directory or an unopenable file is an error about it), "-" for standard input, a caller's
 * FILE*, memory; and the output side, a FILE* or a growing buffer. A stream that cannot seek
 * (a pipe, a terminal) is read whole into counted memory when it is opened, since every
 * decoder goes back to the first byte after detection.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "io_internal.h"

size_t tproc__input_read(tproc__input *in, void *buf, size_t n)
{
    if (in->fp) {
        size_t got = fread(buf, 1, n, in->fp);
        if (got < n && ferror(in->fp))
            in->error = errno ? errno : EIO;
        return got;
    }
    size_t left = in->size - in->pos;
    if (n > left)
        n = left;
    if (n)
        memcpy(buf, in->data + in->pos, n);
    in->pos += n;
    return n;
}

/* Reads a stream that cannot seek whole into counted memory; the input then reads that. */
static int read_whole(tproc_ctx *ctx, tproc__opened_input *o)
{
    tproc__input *in = &o->in;
    tproc__output buf = {in->name, tproc__ctx(ctx), NULL, NULL, 0, 0, TPROC_OK, 0};
    unsigned char chunk[65536];
    size_t got;
    while ((got = tproc__input_read(in, chunk, sizeof chunk)) > 0)
        if (tproc__output_write(&buf, chunk, got))
            break;
    if (!buf.status && in->error)
        buf.status =
            tproc__error_file(ctx, TPROC_ERR_IO, in->name, "read failed: %s", strerror(in->error));
    if (buf.status) {
        tproc__dealloc(ctx, buf.data);
        return buf.status;
    }
    in->fp = NULL;
    in->data = o->owned_data = buf.data;
    in->size = buf.size;
    in->pos = 0;
    o->ctx = tproc__ctx(ctx);
    return TPROC_OK;
}

/* Reads fp from its current position: in place if it can seek, else whole now. */
static int attach(tproc_ctx *ctx, FILE *fp, const char *name, tproc__opened_input *o)
{
    o->in.name = name;
    o->in.fp = fp;
    o->start = ftell(fp);
    if (o->start >= 0)
        return TPROC_OK;
    return read_whole(ctx, o);
}

int tproc__input_open_file(tproc_ctx *ctx, FILE *fp, const char *name, tproc__opened_input *o)
{
    memset(o, 0, sizeof *o);
    return attach(ctx, fp, name ? name : "<stream>", o);
}

int tproc__input_open_path(tproc_ctx *ctx, const char *path, int dash_is_stdin,
                           tproc__opened_input *o)
{
    memset(o, 0, sizeof *o);
    if (!path)
        return tproc__error(ctx, TPROC_ERR_ARG, "no file name given");
    if (dash_is_stdin && strcmp(path, "-") == 0)
        return tproc__input_open_file(ctx, stdin, "<stdin>", o);
    o->in.name = path;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return tproc__error_file(ctx, TPROC_ERR_IO, path, "is a directory");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tproc__error_file(ctx, TPROC_ERR_IO, path, "%s", strerror(errno));
    o->owned_fp = fp;
    int status = attach(ctx, fp, path, o);
    if (status)
        tproc__input_close(o);
    return status;
}

void tproc__input_open_memory(tproc__opened_input *o, const char *name, const void *data,
                              size_t size)
{
    memset(o, 0, sizeof *o);
    o->in.name = name;
    o->in.data = data;
    o->in.size = size;
}

int tproc__input_rewind(tproc_ctx *ctx, tproc__opened_input *o)
{
    tproc__input *in = &o->in;
    in->error = 0;
    if (!in->fp) {
        in->pos = 0;
        return TPROC_OK;
    }
    clearerr(in->fp);
    if (fseek(in->fp, o->start, SEEK_SET) != 0)
        return tproc__error_file(ctx, TPROC_ERR_IO, in->name, "cannot seek: %s", strerror(errno));
    return TPROC_OK;
}

void tproc__input_close(tproc__opened_input *o)
{
    if (o->owned_fp)
        fclose(o->owned_fp);
    tproc__dealloc(o->ctx, o->owned_data);
    o->owned_fp = NULL;
    o->owned_data = NULL;
    o->in.fp = NULL;
    o->in.data = NULL;
}

int tproc__output_write(tproc__output *out, const void *data, size_t n)
{
    if (out->status)
        return out->status;
    if (out->fp) {
        if (n && fwrite(data, 1, n, out->fp) != n)
            out->status = tproc__error_file(out->ctx, TPROC_ERR_IO, out->name, "write failed: %s",
                                            strerror(errno));
        return out->status;
    }
    if (n > out->capacity - out->size) {
        size_t want, cap = out->capacity ? out->capacity : 65536;
        if (tproc__add(out->size, n, &want)) {
            out->status =
                tproc__error_file(out->ctx, TPROC_ERR_OVERFLOW, out->name, "output too large");
            return out->status;
        }
        while (cap < want)
            cap = cap > SIZE_MAX / 2 ? want : cap * 2;
        void *grown;
        int status = tproc__alloc_file(out->ctx, cap, 0, out->name, "encoded output", &grown);
        if (status) {
            out->status = status;
            return status;
        }
        if (out->size)
            memcpy(grown, out->data, out->size);
        tproc__dealloc(out->ctx, out->data);
        out->data = grown;
        out->capacity = cap;
    }
    memcpy(out->data + out->size, data, n);
    out->size += n;
    return TPROC_OK;
}

int tproc__output_flush(tproc__output *out)
{
    if (!out->status && out->fp && fflush(out->fp) != 0)
        out->status = tproc__error_file(out->ctx, TPROC_ERR_IO, out->name, "write failed: %s",
                                        strerror(errno));
    return out->status;
}
