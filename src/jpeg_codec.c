/* SPDX-License-Identifier: MIT */
/*
 * jpeg_codec.c: JPEG through libjpeg(-turbo): the codec descriptor (signature, extensions, what
 * the encoder takes, the quality option) and the error manager reader and writer share.
 */
#include <limits.h>
#include <string.h>

#include <jerror.h>

#include "jpeg_codec.h"

/* SOI; libjpeg accepts any marker after it, so the third byte is not checked. */
static int jpeg_sniff(const unsigned char *head, size_t n)
{
    return n >= 2 && head[0] == 0xff && head[1] == 0xd8;
}

/* u8 gray or RGB: other sample types become u8, alpha is dropped. */
static void jpeg_encodable(tproc_format *f)
{
    f->sample = TPROC_U8;
    f->channels = f->channels >= 3 ? 3 : 1;
}

static void jpeg_save_defaults(tproc_save_options *o)
{
    o->quality = TPROC__JPEG_DEFAULT_QUALITY;
}

/* Quality 1-100; 0 means the default. */
static int jpeg_save_resolve(tproc_ctx *ctx, const char *name, tproc_save_options *o)
{
    if (o->quality == 0)
        o->quality = TPROC__JPEG_DEFAULT_QUALITY;
    if (o->quality < 1 || o->quality > 100)
        return tproc__error_file(ctx, TPROC_ERR_ARG, name, "JPEG quality must be 1-100, got %d",
                                 o->quality);
    return TPROC_OK;
}

static const char *const jpeg_extensions[] = {"jpg", "jpeg", "jpe", "jfif", NULL};

const tproc__codec tproc__codec_jpeg = {
    .name = "jpeg",
    .label = "JPEG",
    .format = TPROC_FILE_JPEG,
    .extensions = jpeg_extensions,
    .scales = 1,
    .regions = 1,
    .sniff = jpeg_sniff,
    .info = tproc__jpeg_info,
    .decoder_open = tproc__jpeg_decoder_open,
    .encodable = jpeg_encodable,
    .encoder_open = tproc__jpeg_encoder_open,
    .save_defaults = jpeg_save_defaults,
    .save_resolve = jpeg_save_resolve,
};

/* --- error manager ------------------------------------------------------------------------ */

static tproc__jpeg_errors *errors_of(j_common_ptr cinfo)
{
    return (tproc__jpeg_errors *)(void *)cinfo->err;
}

static void on_error_exit(j_common_ptr cinfo)
{
    tproc__jpeg_errors *err = errors_of(cinfo);
    (*err->pub.format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

/* Level -1 is a corrupt-data warning; 0 and up are trace messages, which we drop. */
static void on_emit(j_common_ptr cinfo, int level)
{
    tproc__jpeg_errors *err = errors_of(cinfo);
    if (level >= 0)
        return;
    if (err->pub.num_warnings++ == 0)
        (*err->pub.format_message)(cinfo, err->warning);
    /* Streamed rows stop where the data does: the end of the file, or a marker where entropy
     * data should be (a small file declaring a huge size hits one at once). A caller holding
     * the whole image may keep libjpeg's grey rows, since the memory limit bounds it; a stream
     * is bounded by nothing, and a few kilobytes declaring 64250x64250 would stream 4
     * gigapixels of grey. */
    int ran_out = err->pub.msg_code == JWRN_JPEG_EOF || err->pub.msg_code == JWRN_HIT_MARKER;
    if (err->strict || (err->stop_when_data_ends && ran_out)) {
        /* Like TurboJPEG's stop-on-warning: leave at once rather than decode garbage. */
        err->cause = TPROC__JPEG_CAUSE_STRICT;
        (*err->pub.format_message)(cinfo, err->message);
        longjmp(err->jump, 1);
    }
}

/* libjpeg's default would print; keep the text instead. */
static void on_output(j_common_ptr cinfo)
{
    tproc__jpeg_errors *err = errors_of(cinfo);
    (*err->pub.format_message)(cinfo, err->message);
}

void tproc__jpeg_errors_init(tproc__jpeg_errors *err, j_common_ptr cinfo)
{
    jpeg_std_error(&err->pub);
    err->pub.error_exit = on_error_exit;
    err->pub.emit_message = on_emit;
    err->pub.output_message = on_output;
    err->cause = TPROC__JPEG_CAUSE_LIBJPEG;
    err->message[0] = '\0';
    err->warning[0] = '\0';
    cinfo->err = &err->pub;
}

void tproc__jpeg_abandon(j_common_ptr cinfo, tproc__jpeg_cause cause, int code)
{
    errors_of(cinfo)->cause = cause;
    cinfo->err->msg_code = code;
    (*cinfo->err->error_exit)(cinfo);
}

int tproc__jpeg_protect(tproc__jpeg_errors *err, tproc__jpeg_step_fn step, void *state)
{
    if (setjmp(err->jump))
        return TPROC__JPEG_LONGJMP;
    return step(state);
}

long tproc__jpeg_memory_budget(tproc_ctx *ctx)
{
    size_t limit = tproc_ctx_memory_limit(ctx);
    if (limit == SIZE_MAX)
        return 0;
    size_t used = tproc_ctx_memory_in_use(ctx);
    size_t left = used < limit ? limit - used : 0;
    if (left == 0)
        return 1; /* 0 would mean unlimited */
    return left > (size_t)LONG_MAX ? LONG_MAX : (long)left;
}
