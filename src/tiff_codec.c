/* SPDX-License-Identifier: MIT */
/*
 * tiff_codec.c: TIFF through libtiff: the codec descriptor (signatures, extensions, what the
 * encoder takes), libtiff's per-handle error and warning handlers, and the client I/O that lets
 * libtiff read a tproc__input (a seekable file or memory, standard input read whole) and write a
 * tproc__output (a seekable file or a growing memory buffer).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "tiff_codec.h"

/* "II*\0" and "MM\0*" (classic), "II+\0" and "MM\0+" (BigTIFF). */
static int tiff_sniff(const unsigned char *h, size_t n)
{
    if (n < 4)
        return 0;
    return (h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) ||
           (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43));
}

/* Every format tileproc holds is a TIFF: u8, u16 and f32, 1-4 channels. */
static void tiff_encodable(tproc_format *f)
{
    (void)f;
}

/* Tiles: multiples of 16 (TIFF's rule), at most 65536 a side; the enums in range. */
static int tiff_save_resolve(tproc_ctx *ctx, const char *name, tproc_save_options *o)
{
    if (o->tile_width < 0 || o->tile_height < 0 || o->tile_width % 16 || o->tile_height % 16 ||
        o->tile_width > 65536 || o->tile_height > 65536 || (!o->tile_width && o->tile_height))
        return tproc__error_file(ctx, TPROC_ERR_ARG, name,
                                 "TIFF tiles must be multiples of 16 up to 65536, got %dx%d",
                                 o->tile_width, o->tile_height);
    if ((int)o->tiff_compression < 0 || o->tiff_compression > TPROC_TIFF_WEBP)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "unknown TIFF compression %d",
                                 (int)o->tiff_compression);
    if ((int)o->tiff_predictor < 0 || o->tiff_predictor > TPROC_TIFF_PREDICTOR_FLOAT)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "unknown TIFF predictor %d",
                                 (int)o->tiff_predictor);
    return TPROC_OK;
}

static const char *const tiff_extensions[] = {"tif", "tiff", NULL};

const tproc__codec tproc__codec_tiff = {
    .name = "tiff",
    .label = "TIFF",
    .format = TPROC_FILE_TIFF,
    .extensions = tiff_extensions,
    .scales = 0,
    .pages = 1,
    .regions = 1,
    .sniff = tiff_sniff,
    .info = tproc__tiff_info,
    .decoder_open = tproc__tiff_decoder_open,
    .encodable = tiff_encodable,
    .encoder_open = tproc__tiff_encoder_open,
    .save_resolve = tiff_save_resolve,
};

const char *tproc__tiff_compression_name(int compression)
{
    switch (compression) {
    case COMPRESSION_NONE:
        return "none";
    case COMPRESSION_LZW:
        return "lzw";
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
        return "deflate";
    case COMPRESSION_JPEG:
        return "jpeg";
    case COMPRESSION_OJPEG:
        return "old-jpeg";
    case COMPRESSION_PACKBITS:
        return "packbits";
    case COMPRESSION_CCITTRLE:
    case COMPRESSION_CCITTFAX3:
        return "ccitt-g3";
    case COMPRESSION_CCITTFAX4:
        return "ccitt-g4";
    case COMPRESSION_ZSTD:
        return "zstd";
    case COMPRESSION_WEBP:
        return "webp";
    case COMPRESSION_LZMA:
        return "lzma";
    case COMPRESSION_JBIG:
        return "jbig";
    case COMPRESSION_LERC:
        return "lerc";
    default:
        return "other";
    }
}

/* libtiff's handlers: keep the first error and the last warning of this handle, print nothing.
 * Returning 1 tells libtiff the message is handled (no global handler runs). */
static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    tproc__tiff_diag *d = user;
    if (d && !d->cause[0])
        vsnprintf(d->cause, sizeof d->cause, fmt, ap);
    return 1;
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    tproc__tiff_diag *d = user;
    if (d)
        vsnprintf(d->warning, sizeof d->warning, fmt, ap);
    return 1;
}

int tproc__tiff_fail(tproc_ctx *ctx, const char *file, tproc__tiff_io *io, int status,
                     const char *doing)
{
    if (io->diag.status)
        return io->diag.status;
    const char *cause = io->diag.cause[0] ? io->diag.cause : "libtiff failed without a reason";
    /* libtiff often starts with the file's name, which the error names already. */
    size_t n = strlen(file);
    if (strncmp(cause, file, n) == 0 && strncmp(cause + n, ": ", 2) == 0)
        cause += n + 2;
    if (strstr(cause, "Out of memory") || strstr(cause, "out of memory") ||
        strstr(cause, "allocate memory") || strstr(cause, "Cannot allocate"))
        status = TPROC_ERR_NOMEM;
    if (strstr(cause, "exceeds limit") || strstr(cause, "max_single_mem_alloc"))
        status = TPROC_ERR_LIMIT;
    int recorded = tproc__error_file(ctx, status, file, "%s%s", doing ? doing : "", cause);
    io->diag.cause[0] = '\0';
    return recorded;
}

/* Reading. */

/* libtiff reads back what it wrote when it links a new directory to the last one. */
static tmsize_t output_read(tproc__tiff_io *io, void *buf, size_t n)
{
    tproc__output *out = io->out;
    size_t got;
    if (out->fp) {
        got = fread(buf, 1, n, out->fp);
        /* Writing may follow: the stream must be positioned again (C11 7.21.5.3). */
        if (fseeko(out->fp, (off_t)(io->base + (long long)(io->pos + got)), SEEK_SET) != 0)
            return -1;
    } else {
        got = io->pos >= out->size              ? 0
              : out->size - (size_t)io->pos < n ? out->size - (size_t)io->pos
                                                : n;
        if (got)
            memcpy(buf, out->data + io->pos, got);
    }
    io->pos += got;
    return (tmsize_t)got;
}

static tmsize_t io_read(thandle_t h, void *buf, tmsize_t n)
{
    tproc__tiff_io *io = (tproc__tiff_io *)h;
    if (n < 0)
        return -1;
    if (!io->in)
        return output_read(io, buf, (size_t)n);
    size_t got = tproc__input_read(io->in, buf, (size_t)n);
    if (io->in->error) {
        snprintf(io->diag.cause, sizeof io->diag.cause, "read failed: %s", strerror(io->in->error));
        return -1;
    }
    return (tmsize_t)got;
}

static toff_t input_seek(tproc__tiff_io *io, toff_t off, int whence)
{
    tproc__input *in = io->in;
    if (in->fp) {
        long long target = (long long)off;
        if (whence == SEEK_SET)
            target += io->base;
        if (off > (toff_t)0x7fffffffffffffffLL || fseeko(in->fp, (off_t)target, whence) != 0)
            return (toff_t)-1;
        long long now = (long long)ftello(in->fp);
        return now < io->base ? (toff_t)-1 : (toff_t)(now - io->base);
    }
    unsigned long long target;
    if (whence == SEEK_SET)
        target = off;
    else if (whence == SEEK_CUR)
        target = in->pos + off;
    else
        target = in->size + off;
    /* Past the end is allowed (reads there return nothing), as with a file. */
    in->pos = target > in->size ? in->size : (size_t)target;
    return (toff_t)target;
}

/* Writing: at any position, since libtiff rewrites the header and directories. */

static tmsize_t io_write(thandle_t h, void *buf, tmsize_t n)
{
    tproc__tiff_io *io = (tproc__tiff_io *)h;
    tproc__output *out = io->out;
    if (!out || n < 0 || io->diag.status)
        return -1;
    size_t len = (size_t)n;
    const unsigned char *p = buf;
    if (out->fp) {
        if (tproc__output_write(out, p, len)) {
            io->diag.status = out->status;
            return -1;
        }
    } else {
        /* Memory: overwrite what exists, pad a gap with zeros, append the rest. */
        static const unsigned char zeros[256];
        while (io->pos > out->size) {
            size_t gap = io->pos - out->size;
            if (tproc__output_write(out, zeros, gap < sizeof zeros ? gap : sizeof zeros)) {
                io->diag.status = out->status;
                return -1;
            }
        }
        size_t over = out->size - (size_t)io->pos < len ? out->size - (size_t)io->pos : len;
        if (over)
            memcpy(out->data + io->pos, p, over);
        if (over < len && tproc__output_write(out, p + over, len - over)) {
            io->diag.status = out->status;
            return -1;
        }
    }
    io->pos += len;
    if (io->pos > io->end)
        io->end = io->pos;
    return n;
}

static toff_t output_seek(tproc__tiff_io *io, toff_t off, int whence)
{
    unsigned long long target = whence == SEEK_SET   ? off
                                : whence == SEEK_CUR ? io->pos + off
                                                     : io->end + off;
    if (io->out->fp) {
        if (target > 0x7fffffffffffffffULL - (unsigned long long)io->base ||
            fseeko(io->out->fp, (off_t)(io->base + (long long)target), SEEK_SET) != 0) {
            io->diag.status =
                tproc__error_file(io->ctx, TPROC_ERR_IO, io->out->name,
                                  "TIFF output must be seekable: %s", strerror(errno));
            return (toff_t)-1;
        }
    }
    io->pos = target;
    return (toff_t)target;
}

static toff_t io_seek(thandle_t h, toff_t off, int whence)
{
    tproc__tiff_io *io = (tproc__tiff_io *)h;
    return io->in ? input_seek(io, off, whence) : output_seek(io, off, whence);
}

static int io_close(thandle_t h)
{
    (void)h;
    return 0;
}

static toff_t io_size(thandle_t h)
{
    tproc__tiff_io *io = (tproc__tiff_io *)h;
    if (!io->in)
        return (toff_t)io->end;
    if (!io->in->fp)
        return (toff_t)io->in->size;
    long long here = (long long)ftello(io->in->fp);
    if (fseeko(io->in->fp, 0, SEEK_END) != 0)
        return 0;
    long long end = (long long)ftello(io->in->fp);
    if (here < 0 || fseeko(io->in->fp, (off_t)here, SEEK_SET) != 0 || end < io->base)
        return 0;
    return (toff_t)(end - io->base);
}

/* No mapping: see the header. */
static int io_map(thandle_t h, void **base, toff_t *size)
{
    (void)h;
    (void)base;
    (void)size;
    return 0;
}

static void io_unmap(thandle_t h, void *base, toff_t size)
{
    (void)h;
    (void)base;
    (void)size;
}

TIFF *tproc__tiff_open(tproc__tiff_io *io, const char *name, const char *mode)
{
    FILE *fp = io->in ? io->in->fp : io->out->fp;
    if (fp) {
        long long here = (long long)ftello(fp);
        if (here < 0) {
            tproc__error_file(io->ctx, TPROC_ERR_IO, name, "TIFF %s must be seekable: %s",
                              io->in ? "input" : "output", strerror(errno));
            return NULL;
        }
        io->base = here;
    } else if (io->in) {
        io->base = (long long)io->in->pos;
    }
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) {
        tproc__error_file(io->ctx, TPROC_ERR_NOMEM, name, "cannot create a TIFF handle");
        return NULL;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &io->diag);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &io->diag);
    TIFFOpenOptionsSetMaxSingleMemAlloc(opts, TPROC__TIFF_MAX_ALLOC);
    char m[8];
    /* 'm': never map (our map callback refuses anyway). Not 'O' (offsets read on demand): it
     * would save a region read a few hundred KB of a big file's offset arrays, but libtiff then
     * skips its repair of wrong StripByteCounts in uncompressed files, which whole loads of
     * such (common, vendor-written) files rely on. */
    snprintf(m, sizeof m, "%sm", mode);
    TIFF *tif = TIFFClientOpenExt(name, m, (thandle_t)io, io_read, io_write, io_seek, io_close,
                                  io_size, io_map, io_unmap, opts);
    TIFFOpenOptionsFree(opts);
    if (!tif)
        tproc__tiff_fail(io->ctx, name, io, io->in ? TPROC_ERR_CORRUPT : TPROC_ERR_IO,
                         io->in ? "not a readable TIFF: " : "cannot start the TIFF: ");
    return tif;
}
