/* SPDX-License-Identifier: MIT */
/*
 * codec_util.h: one codec on its own, for the suites that test a codec's behaviour without
 * detection in front of it: a decoder read whole into a new image (what a load does, without
 * orientation or metadata) and an encoder fed a whole view.
 */
#ifndef TILEPROC_TEST_CODEC_UTIL_H
#define TILEPROC_TEST_CODEC_UTIL_H

#include "codec.h"

/* Decodes in with open (as a load does: the whole image at once, lenient unless strict) into
 * a new image named after the input in errors. */
static inline int tu_codec_load(tproc_ctx *ctx, tproc__decoder_open_fn *open, tproc__input *in,
                                const tproc_load_options *options, tproc_image **out)
{
    tproc__decode_request q = {0};
    q.strict = options && options->strict;
    q.whole = 1;
    tproc__decoder d;
    *out = NULL;
    int status = open(ctx, in, &q, &d);
    if (status)
        return status;
    const tproc_format *f = &d.format;
    status = tproc__image_new_named(ctx, TPROC_SUBJECT_FILE, in->name, f->width, f->height,
                                    f->channels, f->sample, out);
    if (!status) {
        tproc_view v = tproc_image_view(*out);
        status = d.read_rows(d.state, v.data, v.row_stride, (size_t)v.height);
    }
    if (status)
        tproc_image_free(out);
    d.close(d.state);
    return status;
}

/* Encodes all of view with the format's encoder (through tproc__encoder_open) onto out. */
static inline int tu_codec_save(tproc_ctx *ctx, tproc_file_format format, const tproc_view *view,
                                tproc__output *out, const tproc_save_options *options)
{
    tproc_format f = {view->width, view->height, view->channels, view->sample};
    tproc__encoder enc;
    int status = tproc__encoder_open(tproc__codec_of(format), ctx, out, &f, options, &enc);
    if (status)
        return status;
    status = enc.write_rows(enc.state, view);
    if (!status)
        status = enc.finish(enc.state);
    enc.close(enc.state);
    return status;
}

#endif
