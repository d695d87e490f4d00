/* SPDX-License-Identifier: MIT */
/*
 * codec.c: the codec table (from codecs.def) and what is done with it for every format alike:
 * detection by magic bytes, names and extensions, save options, and the checks every decoder
 * and encoder makes on its calls.
 */
#include <string.h>
#include <strings.h>

#include "codec.h"

#define TPROC_CODEC(name) extern const tproc__codec tproc__codec_##name;
#include "codecs.def"
#undef TPROC_CODEC

static const tproc__codec *const codecs[] = {
#define TPROC_CODEC(name) &tproc__codec_##name,
#include "codecs.def"
#undef TPROC_CODEC
};
#define CODEC_COUNT (sizeof codecs / sizeof codecs[0])

size_t tproc__codec_count(void)
{
    return CODEC_COUNT;
}

const tproc__codec *tproc__codec_at(size_t index)
{
    return index < CODEC_COUNT ? codecs[index] : NULL;
}

const tproc__codec *tproc__codec_of(tproc_file_format format)
{
    for (size_t i = 0; i < CODEC_COUNT; i++)
        if (codecs[i]->format == format)
            return codecs[i];
    return NULL;
}

const tproc__codec *tproc__codec_sniff(const void *head, size_t n)
{
    if (!head)
        return NULL;
    for (size_t i = 0; i < CODEC_COUNT; i++)
        if (codecs[i]->sniff(head, n < TPROC__SNIFF_BYTES ? n : TPROC__SNIFF_BYTES))
            return codecs[i];
    return NULL;
}

/* Writes the codecs' labels or first extensions as a list: "PNG or JPEG", ".png, .jpg or
 * <last>" (last may be NULL). */
static void list_codecs(char *buf, size_t size, int extensions, const char *last)
{
    size_t n = CODEC_COUNT + (last ? 1 : 0), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w;
        if (i == CODEC_COUNT)
            w = snprintf(buf + used, size - used, "%s%s", sep, last);
        else if (extensions)
            w = snprintf(buf + used, size - used, "%s.%s", sep, codecs[i]->extensions[0]);
        else
            w = snprintf(buf + used, size - used, "%s%s", sep, codecs[i]->label);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int tproc__codec_detect(tproc_ctx *ctx, tproc__opened_input *o, const tproc__codec **out)
{
    *out = NULL;
    tproc__input *in = &o->in;
    unsigned char head[TPROC__SNIFF_BYTES];
    size_t got = tproc__input_read(in, head, sizeof head);
    if (in->error)
        return tproc__error_file(ctx, TPROC_ERR_IO, in->name, "read failed: %s",
                                 strerror(in->error));
    int status = tproc__input_rewind(ctx, o);
    if (status)
        return status;
    if (got == 0)
        return tproc__error_file(ctx, TPROC_ERR_FORMAT, in->name, "empty file");
    *out = tproc__codec_sniff(head, got);
    if (!*out) {
        char labels[128];
        list_codecs(labels, sizeof labels, 0, NULL);
        return tproc__error_file(ctx, TPROC_ERR_FORMAT, in->name, "not a %s file", labels);
    }
    return TPROC_OK;
}

/* --- the public face of the table ------------------------------------------------------- */

const char *tproc_file_format_name(tproc_file_format format)
{
    const tproc__codec *c = tproc__codec_of(format);
    return c ? c->name : "unknown";
}

const char *tproc_file_format_label(tproc_file_format format)
{
    const tproc__codec *c = tproc__codec_of(format);
    return c ? c->label : "unknown";
}

const char *tproc_file_format_extension(tproc_file_format format)
{
    const tproc__codec *c = tproc__codec_of(format);
    return c ? c->extensions[0] : NULL;
}

size_t tproc_file_format_count(void)
{
    return CODEC_COUNT;
}

tproc_file_format tproc_file_format_at(size_t index)
{
    return index < CODEC_COUNT ? codecs[index]->format : TPROC_FILE_UNKNOWN;
}

tproc_file_format tproc_file_format_detect(const void *data, size_t size)
{
    const tproc__codec *c = tproc__codec_sniff(data, size);
    return c ? c->format : TPROC_FILE_UNKNOWN;
}

/* The codec with name as one of its extensions (and, with by_name, as its name). */
static const tproc__codec *codec_named(const char *name, int by_name)
{
    for (size_t i = 0; name && i < CODEC_COUNT; i++) {
        if (by_name && strcasecmp(codecs[i]->name, name) == 0)
            return codecs[i];
        for (const char *const *e = codecs[i]->extensions; *e; e++)
            if (strcasecmp(*e, name) == 0)
                return codecs[i];
    }
    return NULL;
}

tproc_file_format tproc_file_format_from_name(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return TPROC_FILE_UNKNOWN;
    const tproc__codec *c = codec_named(dot + 1, 0);
    return c ? c->format : TPROC_FILE_UNKNOWN;
}

tproc_file_format tproc_file_format_parse(const char *name)
{
    const tproc__codec *c = codec_named(name, 1);
    return c ? c->format : TPROC_FILE_UNKNOWN;
}

/* --- save options ----------------------------------------------------------------------- */

void tproc_save_options_init(tproc_save_options *options)
{
    memset(options, 0, sizeof *options);
    for (size_t i = 0; i < CODEC_COUNT; i++)
        if (codecs[i]->save_defaults)
            codecs[i]->save_defaults(options);
}

int tproc__save_options_resolve(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                                tproc_save_options *o)
{
    if (options)
        *o = *options;
    else
        tproc_save_options_init(o);
    for (size_t i = 0; i < CODEC_COUNT; i++) {
        int status = codecs[i]->save_resolve ? codecs[i]->save_resolve(ctx, name, o) : TPROC_OK;
        if (status)
            return status;
    }
    const tproc__codec *c = tproc__codec_of(o->format);
    if (!c || !c->encoder_open) {
        char choices[128];
        list_codecs(choices, sizeof choices, 1, "set the format");
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "unknown output format (use %s)",
                                 choices);
    }
    return TPROC_OK;
}

int tproc__save_format_from_name(tproc_ctx *ctx, const char *path, tproc_save_options *o)
{
    if (o->format == TPROC_FILE_UNKNOWN)
        o->format = tproc_file_format_from_name(path);
    if (o->format != TPROC_FILE_UNKNOWN)
        return TPROC_OK;
    char choices[128];
    list_codecs(choices, sizeof choices, 1, NULL);
    return tproc__error_file(ctx, TPROC_ERR_ARG, path,
                             "cannot tell the format from the name (use %s)", choices);
}

/* --- what every decoder and encoder checks ---------------------------------------------- */

int tproc__encoder_open(const tproc__codec *codec, tproc_ctx *ctx, tproc__output *out,
                        const tproc_format *format, const tproc_save_options *options,
                        tproc__encoder *enc)
{
    const char *name = out && out->name ? out->name : "<output>";
    if (!codec || !codec->encoder_open || !out || !format || !enc)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "no codec, output, format or encoder");
    memset(enc, 0, sizeof *enc);
    size_t pixel = (size_t)format->channels * tproc_sample_size(format->sample), row_bytes;
    if (format->width < 1 || format->height < 1 || format->channels < 1 ||
        format->channels > 4 || pixel == 0)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name,
                                 "%s cannot take a %tdx%td image of %d channels", codec->label,
                                 format->width, format->height, format->channels);
    if (tproc__mul((size_t)format->width, pixel, &row_bytes))
        return tproc__error_file(ctx, TPROC_ERR_OVERFLOW, name, "rows of %td pixels are too long",
                                 format->width);
    return codec->encoder_open(ctx, out, format, options, enc);
}

int tproc__decoder_prepare(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                           tproc__decoder *out, const char *label, tproc__decode_request *q)
{
    if (!out)
        return tproc__error_file(ctx, TPROC_ERR_ARG, in->name, "no decoder to open");
    memset(out, 0, sizeof *out);
    tproc__decode_request defaults = {0};
    *q = request ? *request : defaults;
    if (q->scale_denom == 0)
        q->scale_denom = 1;
    if (label && q->scale_denom != 1)
        return tproc__error_file(ctx, TPROC_ERR_ARG, in->name, "%s has no reduced decodes", label);
    return TPROC_OK;
}

int tproc__decoder_rows(tproc_ctx *ctx, const char *name, int failed, size_t *next, size_t height,
                        const unsigned char *whole, size_t row_bytes, unsigned char *first,
                        ptrdiff_t stride, size_t count)
{
    size_t next_row = *next;
    if (failed)
        return tproc__error_file(ctx, failed, name, "the decoder stopped at an earlier error");
    size_t left = height - next_row;
    if (count > left)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "%zu rows asked, %zu left", count, left);
    if (count == 0)
        return TPROC_OK;
    if (!first)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "no row memory");
    if (!whole)
        return TPROC__DECODE_ROWS;
    const unsigned char *src = whole + next_row * row_bytes;
    for (size_t i = 0; i < count; i++, src += row_bytes)
        memcpy(first + (ptrdiff_t)i * stride, src, row_bytes);
    *next += count;
    return TPROC_OK;
}

/* Whether an encoder can take a call: not stopped by a failure, not finished. */
static int encoder_usable(tproc_ctx *ctx, const char *name, int failed, int finished)
{
    if (failed)
        return tproc__error_file(ctx, failed, name, "the encoder stopped at an earlier error");
    if (finished)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "the file is already finished");
    return TPROC_OK;
}

int tproc__encoder_rows(tproc_ctx *ctx, const char *name, int failed, int finished,
                        const tproc_format *f, ptrdiff_t rows_done, const tproc_view *rows)
{
    int status = encoder_usable(ctx, name, failed, finished);
    if (status)
        return status;
    if (!rows || tproc_view_validate(rows) || rows->width != f->width ||
        rows->channels != f->channels || rows->sample != f->sample)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name,
                                 "rows must be valid views %td pixels wide of %d %s channels",
                                 f->width, f->channels, tproc_sample_name(f->sample));
    if (rows->height > f->height - rows_done)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "%td rows given, %td left", rows->height,
                                 f->height - rows_done);
    return TPROC_OK;
}

int tproc__encoder_finishing(tproc_ctx *ctx, const char *name, int failed, int finished,
                             const tproc_format *f, ptrdiff_t rows_done)
{
    int status = encoder_usable(ctx, name, failed, finished);
    if (status)
        return status;
    if (rows_done != f->height)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "%td of %td rows written", rows_done,
                                 f->height);
    return TPROC_OK;
}
