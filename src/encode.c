/* SPDX-License-Identifier: MIT */
/*
 * encode.c: the one way out. Saving a view (tproc_save*) and a file sink's strips both go
 * through an encoding: the codec table's encoder for the format, fed rows top to bottom,
 * converted first when the encoder cannot take them as they are (PNG takes u8/u16, so f32
 * becomes u16; JPEG takes u8 gray or RGB, so others become u8 and alpha is dropped).
 */
#include <string.h>

#include "atomic.h"
#include "codec.h"
#include "colour.h"

/* Rows converted at a time when saving a view the encoder cannot take as it is. */
#define CONVERT_ROWS 64

/*
 * The profile an output of channels carries (issue 12): the options' one only when its header's
 * colour space is the pixels' (gray for 1-2 channels, RGB for 3-4), so no output ever carries a
 * profile that misdescribes it (a CMYK profile on RGB, an RGB one on gray): a mismatched one is
 * left out. Without one, embed_profile gives outputs the compact sRGB profile (RGB) or a gray
 * profile with sRGB's tone curve (gray).
 */
static int output_profile(tproc_ctx *ctx, const tproc_save_options *o, int channels,
                          const void **icc, size_t *size)
{
    const unsigned char *p = o->icc;
    *icc = NULL;
    *size = 0;
    if (p && o->icc_size >= 128) {
        const char *want = channels <= 2 ? "GRAY" : "RGB ";
        if (memcmp(p + 16, want, 4) == 0) {
            *icc = p;
            *size = o->icc_size;
        }
        return TPROC_OK;
    }
    if (p && o->icc_size > 0) { /* too short to say: the encoder's checks decide */
        *icc = p;
        *size = o->icc_size;
        return TPROC_OK;
    }
    if (!o->embed_profile)
        return TPROC_OK;
    const unsigned char *srgb;
    int status = tproc__srgb_profile_bytes(ctx, channels <= 2, &srgb, size);
    *icc = status ? NULL : srgb;
    return status;
}

int tproc__encoding_begin(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                          const tproc_save_options *options, tproc__encoding *e)
{
    memset(e, 0, sizeof *e);
    e->ctx = ctx;
    e->out = out;
    e->codec = tproc__codec_of(options->format);
    if (!e->codec || !e->codec->encoder_open)
        return tproc__error_file(ctx, TPROC_ERR_ARG, out->name, "unknown output format");
    e->format = e->encoded = *format;
    e->codec->encodable(&e->encoded);
    tproc_save_options o = *options;
    int status = output_profile(ctx, options, e->encoded.channels, &o.icc, &o.icc_size);
    if (!status)
        status = tproc__encoder_open(e->codec, ctx, out, &e->encoded, &o, &e->enc);
    e->open = status == TPROC_OK;
    return status;
}

int tproc__encoding_write(tproc__encoding *e, const tproc_view *rows)
{
    if (rows->channels == e->encoded.channels && rows->sample == e->encoded.sample)
        return e->enc.write_rows(e->enc.state, rows);
    /* Convert the strip first; strips all have the same height but the last. */
    if (!e->convert || tproc_image_height(e->convert) < rows->height) {
        tproc_image_free(&e->convert);
        int status = tproc_image_new(e->ctx, rows->width, rows->height, e->encoded.channels,
                                     e->encoded.sample, &e->convert);
        if (status)
            return status;
    }
    tproc_view all = tproc_image_view(e->convert), part;
    tproc_view_sub(&all, 0, 0, rows->width, rows->height, &part);
    int status = tproc_view_copy(e->ctx, rows, &part);
    return status ? status : e->enc.write_rows(e->enc.state, &part);
}

int tproc__encoding_finish(tproc__encoding *e)
{
    int status = e->enc.finish(e->enc.state);
    return status ? status : tproc__output_flush(e->out);
}

void tproc__encoding_close(tproc__encoding *e)
{
    if (e->open)
        e->enc.close(e->enc.state);
    e->open = 0;
    tproc_image_free(&e->convert);
}

int tproc__encode_view(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                       const tproc_save_options *options)
{
    if (!view || tproc_view_validate(view))
        return tproc__error_file(ctx, TPROC_ERR_ARG, out->name, "invalid view");
    tproc_save_options o;
    int status = tproc__save_options_resolve(ctx, out->name, options, &o);
    if (status)
        return status;
    tproc_format format = {view->width, view->height, view->channels, view->sample};
    tproc__encoding e;
    status = tproc__encoding_begin(ctx, out, &format, &o, &e);
    /* In strips, so that a conversion holds a strip, not a second image. */
    for (ptrdiff_t y = 0; !status && y < view->height; y += CONVERT_ROWS) {
        tproc_view strip;
        ptrdiff_t n = view->height - y < CONVERT_ROWS ? view->height - y : CONVERT_ROWS;
        tproc_view_sub(view, 0, y, view->width, n, &strip);
        status = tproc__encoding_write(&e, &strip);
    }
    if (!status)
        status = tproc__encoding_finish(&e);
    tproc__encoding_close(&e);
    return status;
}

int tproc__tile_writer_begin(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                             int channels, tproc__tile_writer *t)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    t->out = (tproc__output){.name = name, .ctx = tproc__ctx(ctx), .status = TPROC_OK};
    int status = tproc__save_options_resolve(ctx, name, options, &t->options);
    const tproc__codec *codec = status ? NULL : tproc__codec_of(t->options.format);
    if (status || !codec || !codec->tile_encoder_open || channels < 1 || channels > 4)
        return status;
    tproc_format f = {1, 1, channels, TPROC_U8};
    codec->encodable(&f);
    if (f.channels != channels || f.sample != TPROC_U8)
        return TPROC_OK; /* rows would need converting: an encoding each */
    tproc_save_options o = t->options;
    status = output_profile(ctx, &t->options, channels, &o.icc, &o.icc_size);
    if (!status)
        status = codec->tile_encoder_open(ctx, name, channels, &o, &t->enc);
    t->open = status == TPROC_OK;
    t->channels = channels;
    return status;
}

int tproc__tile_writer_encode(tproc__tile_writer *t, const tproc_view *view, const void **data,
                              size_t *size)
{
    t->out.size = 0;
    t->out.status = TPROC_OK;
    int status;
    if (t->open && view->sample == TPROC_U8 && view->channels == t->channels &&
        !tproc_view_validate(view))
        status = t->enc.encode(t->enc.state, view, &t->out);
    else
        status = tproc__encode_view(t->ctx, view, &t->out, &t->options);
    *data = t->out.data;
    *size = status ? 0 : t->out.size;
    return status;
}

void tproc__tile_writer_end(tproc__tile_writer *t)
{
    if (t->open)
        t->enc.close(t->enc.state);
    t->open = 0;
    tproc__dealloc(t->ctx, t->out.data);
    t->out.data = NULL;
    t->out.capacity = t->out.size = 0;
}

void tproc_save_options_from_image(tproc_save_options *options, const tproc_image *image)
{
    tproc_save_options_init(options);
    options->icc = tproc_image_icc(image, &options->icc_size);
    options->exif = tproc_image_exif(image, &options->exif_size);
}

int tproc_save_file(tproc_ctx *ctx, const tproc_view *view, FILE *fp, const char *name,
                    const tproc_save_options *options)
{
    if (!fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_save_file: no file");
    tproc__output out = {name ? name : "<stream>", tproc__ctx(ctx), fp, NULL, 0, 0, TPROC_OK,
                         tproc_ctx_threads(ctx)};
    return tproc__encode_view(ctx, view, &out, options);
}

int tproc_save_memory(tproc_ctx *ctx, const tproc_view *view, const tproc_save_options *options,
                      void **data, size_t *size)
{
    if (!data || !size)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_save_memory: no output pointers");
    *data = NULL;
    *size = 0;
    int threads = tproc_ctx_threads(ctx);
    tproc__output out = {"<memory>", tproc__ctx(ctx), NULL, NULL, 0, 0, TPROC_OK, threads};
    int status = tproc__encode_view(ctx, view, &out, options);
    if (status) {
        tproc__dealloc(ctx, out.data);
        return status;
    }
    *data = out.data;
    *size = out.size;
    return TPROC_OK;
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
    int status = tproc__save_format_from_name(ctx, path, &o);
    if (status)
        return status;
    tproc__atomic_file file;
    if ((status = tproc__atomic_open(ctx, path, &file)))
        return status;
    tproc__output out = {path, tproc__ctx(ctx), file.fp, NULL, 0, 0, TPROC_OK,
                         tproc_ctx_threads(ctx)};
    status = tproc__encode_view(ctx, view, &out, &o);
    return tproc__atomic_commit(ctx, &file, status);
}
