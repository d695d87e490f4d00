/* SPDX-License-Identifier: MIT */
/*
 * io.c: the format-independent half of loading and saving: recognising a file by its magic
 * bytes, opening paths, reading memory or FILE* through one input type, applying the EXIF
 * orientation as a view transform, converting views to what an encoder takes, and writing
 * files atomically (a temporary file beside the target, renamed only on success).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_internal.h"

const char *tproc_file_format_name(tproc_file_format format)
{
    switch (format) {
    case TPROC_FILE_PNG:
        return "png";
    case TPROC_FILE_JPEG:
        return "jpeg";
    default:
        return "unknown";
    }
}

tproc_file_format tproc_file_format_detect(const void *data, size_t size)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const unsigned char *p = data;
    if (!p)
        return TPROC_FILE_UNKNOWN;
    if (size >= 8 && memcmp(p, png, 8) == 0)
        return TPROC_FILE_PNG;
    /* SOI; libjpeg accepts any marker after it, so the third byte is not checked. */
    if (size >= 2 && p[0] == 0xff && p[1] == 0xd8)
        return TPROC_FILE_JPEG;
    return TPROC_FILE_UNKNOWN;
}

tproc_file_format tproc_file_format_from_name(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return TPROC_FILE_UNKNOWN;
    if (strcasecmp(dot, ".png") == 0)
        return TPROC_FILE_PNG;
    if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 ||
        strcasecmp(dot, ".jpe") == 0 || strcasecmp(dot, ".jfif") == 0)
        return TPROC_FILE_JPEG;
    return TPROC_FILE_UNKNOWN;
}

/* --- inputs and outputs ------------------------------------------------------------------- */

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

int tproc__output_write(tproc__output *out, const void *data, size_t n)
{
    if (out->status)
        return out->status;
    if (out->fp) {
        if (n && fwrite(data, 1, n, out->fp) != n)
            out->status = tproc__error(out->ctx, TPROC_ERR_IO, "%s: write failed: %s", out->name,
                                       strerror(errno));
        return out->status;
    }
    if (n > out->capacity - out->size) {
        size_t want, cap = out->capacity ? out->capacity : 65536;
        if (tproc__add(out->size, n, &want)) {
            out->status =
                tproc__error(out->ctx, TPROC_ERR_OVERFLOW, "%s: output too large", out->name);
            return out->status;
        }
        while (cap < want)
            cap = cap > SIZE_MAX / 2 ? want : cap * 2;
        void *grown;
        int status = tproc__alloc_uninit(out->ctx, cap, "encoded output", &grown);
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
        out->status = tproc__error(out->ctx, TPROC_ERR_IO, "%s: write failed: %s", out->name,
                                   strerror(errno));
    return out->status;
}

int tproc__decoder_rows(tproc_ctx *ctx, const char *name, int failed, size_t next_row,
                        size_t height, const unsigned char *whole, size_t row_bytes,
                        unsigned char *first, ptrdiff_t stride, size_t count)
{
    if (failed)
        return tproc__error(ctx, failed, "%s: the decoder stopped at an earlier error", name);
    size_t left = height - next_row;
    if (count > left)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: %zu rows asked, %zu left", name, count, left);
    if (count == 0)
        return TPROC_OK;
    if (!first)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no row memory", name);
    if (!whole)
        return TPROC__DECODE_ROWS;
    const unsigned char *src = whole + next_row * row_bytes;
    for (size_t i = 0; i < count; i++, src += row_bytes)
        memcpy(first + (ptrdiff_t)i * stride, src, row_bytes);
    return TPROC_OK;
}

/* --- loading ------------------------------------------------------------------------------ */

/* Reads the magic bytes of in and goes back to the start (FILE* inputs here can seek). */
static int detect(tproc_ctx *ctx, tproc__input *in, tproc_file_format *format)
{
    unsigned char head[8];
    size_t got;
    if (in->fp) {
        long start = ftell(in->fp);
        got = tproc__input_read(in, head, sizeof head);
        if (in->error)
            return tproc__error(ctx, TPROC_ERR_IO, "%s: read failed: %s", in->name,
                                strerror(in->error));
        if (start < 0 || fseek(in->fp, start, SEEK_SET) != 0)
            return tproc__error(ctx, TPROC_ERR_IO, "%s: cannot seek: %s", in->name,
                                strerror(errno));
    } else {
        got = tproc__input_read(in, head, sizeof head);
        in->pos = 0;
    }
    if (got == 0)
        return tproc__error(ctx, TPROC_ERR_FORMAT, "%s: empty file", in->name);
    *format = tproc_file_format_detect(head, got);
    if (*format == TPROC_FILE_UNKNOWN)
        return tproc__error(ctx, TPROC_ERR_FORMAT, "%s: not a PNG or JPEG file", in->name);
    return TPROC_OK;
}

/* Reads a non-seekable stream whole into counted memory. */
static int slurp(tproc_ctx *ctx, tproc__input *in, unsigned char **data, size_t *size)
{
    tproc__output buf = {in->name, ctx, NULL, NULL, 0, 0, TPROC_OK};
    unsigned char chunk[65536];
    size_t got;
    while ((got = tproc__input_read(in, chunk, sizeof chunk)) > 0)
        if (tproc__output_write(&buf, chunk, got))
            break;
    if (!buf.status && in->error)
        buf.status =
            tproc__error(ctx, TPROC_ERR_IO, "%s: read failed: %s", in->name, strerror(in->error));
    if (buf.status) {
        tproc__dealloc(ctx, buf.data);
        return buf.status;
    }
    *data = buf.data;
    *size = buf.size;
    return TPROC_OK;
}

static int run_info(tproc_ctx *ctx, tproc__input *in, tproc_info *out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no output pointer", in->name);
    tproc_file_format format = TPROC_FILE_UNKNOWN;
    int status = detect(ctx, in, &format);
    if (status)
        return status;
    memset(out, 0, sizeof *out);
    status =
        format == TPROC_FILE_PNG ? tproc__png_info(ctx, in, out) : tproc__jpeg_info(ctx, in, out);
    if (!status) {
        out->format = format;
        if (out->orientation < 1 || out->orientation > 8)
            out->orientation = 1;
    }
    return status;
}

static int run_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                    tproc_image **out)
{
    tproc_load_options defaults = {0};
    if (!options)
        options = &defaults;
    tproc_file_format format = TPROC_FILE_UNKNOWN;
    int status = detect(ctx, in, &format);
    if (status)
        return status;
    tproc_image *image = NULL;
    status = format == TPROC_FILE_PNG ? tproc__png_load(ctx, in, options, &image)
                                      : tproc__jpeg_load(ctx, in, options, &image);
    if (status)
        return status;
    if (!options->ignore_orientation && tproc_image_orientation(image) != 1) {
        tproc_view stored = tproc_image_view(image), upright;
        tproc_view_orient(&stored, tproc_image_orientation(image), &upright);
        tproc_image_set_view(image, &upright);
    }
    *out = image;
    return TPROC_OK;
}

/* Seekable FILE*s are read in place; a pipe is read whole into memory first. */
static int with_file(tproc_ctx *ctx, FILE *fp, const char *name, const tproc_load_options *opt,
                     tproc_image **image, tproc_info *info)
{
    tproc__input in = {name ? name : "<stream>", fp, NULL, 0, 0, 0};
    if (ftell(fp) < 0) {
        unsigned char *data;
        size_t size;
        int status = slurp(ctx, &in, &data, &size);
        if (status)
            return status;
        tproc__input mem = {in.name, NULL, data, size, 0, 0};
        status = image ? run_load(ctx, &mem, opt, image) : run_info(ctx, &mem, info);
        tproc__dealloc(ctx, data);
        return status;
    }
    return image ? run_load(ctx, &in, opt, image) : run_info(ctx, &in, info);
}

static int with_path(tproc_ctx *ctx, const char *path, const tproc_load_options *opt,
                     tproc_image **image, tproc_info *info)
{
    if (!path)
        return tproc__error(ctx, TPROC_ERR_ARG, "no file name given");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return tproc__error(ctx, TPROC_ERR_IO, "%s: is a directory", path);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tproc__error(ctx, TPROC_ERR_IO, "%s: %s", path, strerror(errno));
    int status = with_file(ctx, fp, path, opt, image, info);
    fclose(fp);
    return status;
}

int tproc_load(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
               tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load: no output pointer");
    *out = NULL;
    return with_path(ctx, path, options, out, NULL);
}

int tproc_load_file(tproc_ctx *ctx, FILE *fp, const char *name, const tproc_load_options *options,
                    tproc_image **out)
{
    if (!out || !fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load_file: no file or output pointer");
    *out = NULL;
    return with_file(ctx, fp, name, options, out, NULL);
}

int tproc_load_memory(tproc_ctx *ctx, const void *data, size_t size,
                      const tproc_load_options *options, tproc_image **out)
{
    if (!out || (!data && size))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load_memory: no data or output pointer");
    *out = NULL;
    tproc__input in = {"<memory>", NULL, data, size, 0, 0};
    return run_load(ctx, &in, options, out);
}

int tproc_info_read(tproc_ctx *ctx, const char *path, tproc_info *out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_info_read: no output pointer");
    return with_path(ctx, path, NULL, NULL, out);
}

int tproc_info_read_file(tproc_ctx *ctx, FILE *fp, const char *name, tproc_info *out)
{
    if (!out || !fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_info_read_file: no file or output pointer");
    return with_file(ctx, fp, name, NULL, NULL, out);
}

int tproc_info_read_memory(tproc_ctx *ctx, const void *data, size_t size, tproc_info *out)
{
    if (!out || (!data && size))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "tproc_info_read_memory: no data or output pointer");
    tproc__input in = {"<memory>", NULL, data, size, 0, 0};
    return run_info(ctx, &in, out);
}

/* --- saving ------------------------------------------------------------------------------- */

void tproc_save_options_init(tproc_save_options *options)
{
    memset(options, 0, sizeof *options);
    options->quality = 90;
    options->compression = 6;
}

void tproc_save_options_from_image(tproc_save_options *options, const tproc_image *image)
{
    tproc_save_options_init(options);
    options->icc = tproc_image_icc(image, &options->icc_size);
    options->exif = tproc_image_exif(image, &options->exif_size);
}

int tproc__save_options_resolve(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                                tproc_save_options *o)
{
    if (options)
        *o = *options;
    else
        tproc_save_options_init(o);
    if (o->quality == 0)
        o->quality = 90;
    if (o->quality < 1 || o->quality > 100)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: JPEG quality must be 1-100, got %d", name,
                            o->quality);
    if (o->compression < 0)
        o->compression = 6;
    if (o->compression > 9)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: PNG compression must be 0-9, got %d", name,
                            o->compression);
    if (o->format != TPROC_FILE_PNG && o->format != TPROC_FILE_JPEG)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: unknown output format (use .png, .jpg or set the format)", name);
    return TPROC_OK;
}

void tproc__encodable_format(tproc_file_format format, int *channels, tproc_sample *sample)
{
    if (format == TPROC_FILE_PNG) {
        if (*sample == TPROC_F32)
            *sample = TPROC_U16;
    } else {
        *sample = TPROC_U8;
        *channels = *channels >= 3 ? 3 : 1;
    }
}

/*
 * Encodes view to out. Converts first when the encoder cannot take the view as it is: PNG takes
 * u8/u16 (f32 becomes u16); JPEG takes u8 gray or RGB (others become u8, alpha is dropped).
 */
static int encode(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                  const tproc_save_options *options)
{
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: invalid view", out->name);
    tproc_save_options o;
    int status = tproc__save_options_resolve(ctx, out->name, options, &o);
    if (status)
        return status;
    int channels = view->channels;
    tproc_sample sample = view->sample;
    tproc__encodable_format(o.format, &channels, &sample);
    tproc_image *converted = NULL;
    tproc_view v = *view;
    if (channels != view->channels || sample != view->sample) {
        status = tproc_image_new(ctx, view->width, view->height, channels, sample, &converted);
        if (status)
            return status;
        v = tproc_image_view(converted);
        if ((status = tproc_view_copy(ctx, view, &v))) {
            tproc_image_free(&converted);
            return status;
        }
    }
    status = o.format == TPROC_FILE_PNG ? tproc__png_save(ctx, &v, out, &o)
                                        : tproc__jpeg_save(ctx, &v, out, &o);
    tproc_image_free(&converted);
    if (!status)
        status = tproc__output_flush(out);
    return status;
}

int tproc_save_file(tproc_ctx *ctx, const tproc_view *view, FILE *fp, const char *name,
                    const tproc_save_options *options)
{
    if (!fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_save_file: no file");
    tproc__output out = {name ? name : "<stream>", tproc__ctx(ctx), fp, NULL, 0, 0, TPROC_OK};
    return encode(ctx, view, &out, options);
}

int tproc_save_memory(tproc_ctx *ctx, const tproc_view *view, const tproc_save_options *options,
                      void **data, size_t *size)
{
    if (!data || !size)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_save_memory: no output pointers");
    *data = NULL;
    *size = 0;
    tproc__output out = {"<memory>", tproc__ctx(ctx), NULL, NULL, 0, 0, TPROC_OK};
    int status = encode(ctx, view, &out, options);
    if (status) {
        tproc__dealloc(ctx, out.data);
        return status;
    }
    *data = out.data;
    *size = out.size;
    return TPROC_OK;
}

int tproc__atomic_open(tproc_ctx *ctx, const char *path, tproc__atomic_file *f)
{
    memset(f, 0, sizeof *f);
    /* Write through a symbolic link to the file it names, as an in-place write would. */
    struct stat st;
    char *target = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        target = realpath(path, NULL);
    if (!target)
        target = strdup(path);
    if (!target)
        return tproc__error(ctx, TPROC_ERR_NOMEM, "%s: out of memory", path);
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = slash ? slash + 1 : target;
    size_t len = strlen(target) + 16;
    char *tmp = malloc(len);
    if (!tmp) {
        free(target);
        return tproc__error(ctx, TPROC_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dir_len, target, base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        free(target);
        return tproc__error(ctx, TPROC_ERR_IO, "%s: cannot create a file there: %s", path,
                            strerror(err));
    }
    /* mkstemp makes the file 0600: keep the mode of the file being replaced, or give what
     * creat() would have given a new one. Failing that is not fatal: the file is ours. */
    mode_t mode;
    if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        /* see above */
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int err = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        free(target);
        return tproc__error(ctx, TPROC_ERR_IO, "%s: %s", path, strerror(err));
    }
    f->tmp = tmp;
    f->target = target;
    f->name = path;
    return TPROC_OK;
}

int tproc__atomic_commit(tproc_ctx *ctx, tproc__atomic_file *f, int status)
{
    if (!f->fp)
        return status;
    /* The data reaches the disk before the name does, so a crash leaves old or new, whole. */
    if (!status && (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0))
        status = tproc__error(ctx, TPROC_ERR_IO, "%s: write failed: %s", f->name, strerror(errno));
    if (fclose(f->fp) != 0 && !status)
        status = tproc__error(ctx, TPROC_ERR_IO, "%s: write failed: %s", f->name, strerror(errno));
    f->fp = NULL;
    if (!status && rename(f->tmp, f->target) != 0)
        status = tproc__error(ctx, TPROC_ERR_IO, "%s: cannot replace the file: %s", f->name,
                              strerror(errno));
    if (status)
        unlink(f->tmp);
    free(f->tmp);
    free(f->target);
    f->tmp = f->target = NULL;
    return status;
}

int tproc_save(tproc_ctx *ctx, const tproc_view *view, const char *path,
               const tproc_save_options *options)
{
    if (!path)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_save: no file name");
    tproc_save_options o;
    if (options)
        o = *options;
    else
        tproc_save_options_init(&o);
    if (o.format == TPROC_FILE_UNKNOWN)
        o.format = tproc_file_format_from_name(path);
    if (o.format == TPROC_FILE_UNKNOWN)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: cannot tell the format from the name (use .png or .jpg)", path);
    tproc__atomic_file file;
    int status = tproc__atomic_open(ctx, path, &file);
    if (status)
        return status;
    tproc__output out = {path, tproc__ctx(ctx), file.fp, NULL, 0, 0, TPROC_OK};
    status = encode(ctx, view, &out, &o);
    return tproc__atomic_commit(ctx, &file, status);
}
