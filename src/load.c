/* SPDX-License-Identifier: MIT */
/*
 * load.c: tproc_load* and tproc_info_read*. A load is a file source (source.c) read whole into
 * an image, with its metadata and its EXIF orientation applied as a view transform, so loads
 * and streams decode through the same code. Header info goes straight to the codec's info.
 */
#include <string.h>

#include "stream_internal.h"

/* Loads in (taken over) whole. */
static int load_input(tproc_ctx *ctx, tproc__opened_input *in, const tproc_load_options *options,
                      tproc_image **out)
{
    tproc_source *source;
    int status = tproc__source_open_input(ctx, in, options, &source);
    if (!status)
        status = tproc__source_load_whole(source, 1, out);
    tproc_source_free(&source);
    return status;
}

int tproc_load(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
               tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load: no output pointer");
    *out = NULL;
    tproc__opened_input in;
    int status = tproc__input_open_path(ctx, path, 0, &in);
    return status ? status : load_input(ctx, &in, options, out);
}

int tproc_load_region(tproc_ctx *ctx, const char *path, ptrdiff_t x, ptrdiff_t y,
                      ptrdiff_t width, ptrdiff_t height, const tproc_load_options *options,
                      tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load_region: no output pointer");
    *out = NULL;
    tproc__opened_input in;
    tproc_source *source = NULL;
    int status = tproc__input_open_path(ctx, path, 0, &in);
    if (!status)
        status = tproc__source_open_input(ctx, &in, options, &source);
    if (!status && (status = tproc_source_set_region(source, x, y, width, height)))
        status = tproc__error_about_file(ctx, status, path);
    if (!status)
        status = tproc__source_load_whole(source, 1, out);
    tproc_source_free(&source);
    return status;
}

int tproc_load_file(tproc_ctx *ctx, FILE *fp, const char *name, const tproc_load_options *options,
                    tproc_image **out)
{
    if (!out || !fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load_file: no file or output pointer");
    *out = NULL;
    tproc__opened_input in;
    int status = tproc__input_open_file(ctx, fp, name, &in);
    return status ? status : load_input(ctx, &in, options, out);
}

int tproc_load_memory(tproc_ctx *ctx, const void *data, size_t size,
                      const tproc_load_options *options, tproc_image **out)
{
    if (!out || (!data && size))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_load_memory: no data or output pointer");
    *out = NULL;
    tproc__opened_input in;
    tproc__input_open_memory(&in, "<memory>", data, size);
    return load_input(ctx, &in, options, out);
}

/* The header of in (closed here). */
static int info_input(tproc_ctx *ctx, tproc__opened_input *in, int page, int level,
                      tproc_info *out)
{
    const tproc__codec *codec;
    int status = tproc__codec_detect(ctx, in, &codec);
    if (!status && (page || level) && !codec->pages)
        status = tproc__error_file(ctx, TPROC_ERR_ARG, in->in.name,
                                   "a %s file has one page and one level", codec->label);
    if (!status) {
        memset(out, 0, sizeof *out);
        out->page = page;
        out->level = level;
        status = codec->info(ctx, &in->in, out);
    }
    if (!status) {
        if (out->pages < 1)
            out->pages = 1;
        if (out->levels < 1)
            out->levels = 1;
        out->format = codec->format;
        if (out->orientation < 1 || out->orientation > 8)
            out->orientation = 1;
    }
    tproc__input_close(in);
    return status;
}

int tproc_info_read(tproc_ctx *ctx, const char *path, tproc_info *out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_info_read: no output pointer");
    tproc__opened_input in;
    int status = tproc__input_open_path(ctx, path, 0, &in);
    return status ? status : info_input(ctx, &in, 0, 0, out);
}

int tproc_info_read_file(tproc_ctx *ctx, FILE *fp, const char *name, tproc_info *out)
{
    if (!out || !fp)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_info_read_file: no file or output pointer");
    tproc__opened_input in;
    int status = tproc__input_open_file(ctx, fp, name, &in);
    return status ? status : info_input(ctx, &in, 0, 0, out);
}

int tproc_info_read_memory(tproc_ctx *ctx, const void *data, size_t size, tproc_info *out)
{
    if (!out || (!data && size))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "tproc_info_read_memory: no data or output pointer");
    tproc__opened_input in;
    tproc__input_open_memory(&in, "<memory>", data, size);
    return info_input(ctx, &in, 0, 0, out);
}

int tproc_info_read_page(tproc_ctx *ctx, const char *path, int page, int level, tproc_info *out)
{
    tproc__opened_input in;
    if (!path || !out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_info_read_page: no file or output pointer");
    int status = tproc__input_open_path(ctx, path, 0, &in);
    return status ? status : info_input(ctx, &in, page, level, out);
}
