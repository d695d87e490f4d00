/* SPDX-License-Identifier: MIT */
/*
 * decode_colour.c: the colour step between every codec's decoder and its reader (see
 * decode_colour.h), so PNG, JPEG and every codec added later convert colours the same way.
 *
 * Decisions (README, "Colour"):
 * - Which profile describes the input: load options' input profile, else the embedded one,
 *   else none (sRGB; untagged CMYK goes through tproc__cmyk_to_rgb_naive, today's formula,
 *   since no freely licensed CMYK profile can be shipped).
 * - An embedded profile whose colour space does not match the pixels (an RGB profile on a gray
 *   PNG, a CMYK one on RGB) is dropped: the file is read as untagged, as browsers do. A profile
 *   the user gives must match: an error otherwise. A profile lcms2 cannot parse is an error
 *   naming the file under the SRGB policy, with the hint that "ignore" reads it unconverted.
 * - A profile that arrives after the image data (a PNG's late iCCP, against the spec) cannot
 *   convert rows already handed out: it is carried under KEEP only, otherwise dropped.
 * - Rows of the same pixel size are converted in place in the caller's memory; others (CMYK
 *   to RGB, gray to an RGB output profile) are decoded into a strip of this step's own and
 *   converted from there, so no whole extra image is ever held.
 */
#include <stdio.h>
#include <string.h>

#include "colour.h"
#include "decode_colour.h"

/* Rows decoded at a time into the step's strip when the pixel sizes differ. */
#define STRIP_ROWS 16

typedef struct colour_step {
    tproc_ctx *ctx;
    char *name;
    tproc__decoder inner; /* the codec's decoder */
    tproc__transform *t;  /* NULL: rows pass through unchanged */
    int in_place;         /* the output pixel is the input pixel's size */
    size_t in_row_bytes;  /* one packed row as the codec delivers it */
    unsigned char *strip; /* STRIP_ROWS codec rows when not in place */
    void *icc;            /* the profile the image carries (a copy), or NULL */
    size_t icc_size;
    int keep_late_icc; /* KEEP: a profile after the image data is carried too */
} colour_step;

/* In place: the codec's rows as they are (converted later by step_convert). */
static int step_read_raw(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    colour_step *c = state;
    return c->inner.read_rows(c->inner.state, first, stride, count);
}

/* In place: converts rows step_read_raw delivered (the transform is shared read-only). */
static void step_convert(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    const colour_step *c = state;
    size_t width = (size_t)c->inner.format.width;
    for (size_t y = 0; y < count; y++) {
        unsigned char *row = first + (ptrdiff_t)y * stride;
        tproc__transform_apply_row(c->t, row, row, width);
    }
}

static int step_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    colour_step *c = state;
    if (!c->t)
        return c->inner.read_rows(c->inner.state, first, stride, count);
    size_t width = (size_t)c->inner.format.width;
    if (c->in_place) {
        int status = step_read_raw(c, first, stride, count);
        if (!status)
            step_convert(c, first, stride, count);
        return status;
    }
    for (size_t done = 0; done < count;) {
        size_t n = count - done < STRIP_ROWS ? count - done : STRIP_ROWS;
        int status = c->inner.read_rows(c->inner.state, c->strip, (ptrdiff_t)c->in_row_bytes, n);
        if (status)
            return status;
        for (size_t y = 0; y < n; y++)
            tproc__transform_apply_row(c->t, c->strip + y * c->in_row_bytes,
                                       first + (ptrdiff_t)(done + y) * stride, width);
        done += n;
    }
    return TPROC_OK;
}

/* After the last row: EXIF that came late always; a late profile only under KEEP. */
static void step_trailer(void *state, tproc__decoder *dec)
{
    colour_step *c = state;
    if (!c->inner.trailer)
        return;
    c->inner.trailer(c->inner.state, &c->inner);
    dec->exif = c->inner.exif;
    dec->exif_size = c->inner.exif_size;
    if (c->keep_late_icc) {
        dec->icc = c->inner.icc;
        dec->icc_size = c->inner.icc_size;
    }
}

static void step_free(colour_step *c)
{
    tproc__transform_free(&c->t);
    tproc__dealloc(c->ctx, c->strip);
    tproc__dealloc(c->ctx, c->icc);
    tproc__dealloc(c->ctx, c->name);
    tproc__dealloc(c->ctx, c);
}

static void step_close(void *state)
{
    colour_step *c = state;
    c->inner.close(c->inner.state);
    step_free(c);
}

/* The layout of the codec's rows. */
static tproc__layout layout_of(const tproc__decoder *dec)
{
    if (dec->cmyk)
        return TPROC__LAYOUT_CMYK;
    static const tproc__layout by_channels[] = {TPROC__LAYOUT_GRAY, TPROC__LAYOUT_GRAYA,
                                                TPROC__LAYOUT_RGB, TPROC__LAYOUT_RGBA};
    return by_channels[dec->format.channels - 1];
}

static tproc__colour_space space_of(tproc__layout layout)
{
    return layout == TPROC__LAYOUT_CMYK  ? TPROC__SPACE_CMYK
           : layout >= TPROC__LAYOUT_RGB ? TPROC__SPACE_RGB
                                         : TPROC__SPACE_GRAY;
}

/* Opens a profile the options give (bytes, else a file), or leaves *out NULL. */
static int option_profile(tproc_ctx *ctx, const char *name, const void *bytes, size_t size,
                          const char *path, tproc__profile **out)
{
    *out = NULL;
    if (bytes)
        return tproc__profile_open(ctx, name, bytes, size, out);
    return path ? tproc__profile_open_file(ctx, path, out) : TPROC_OK;
}

/* Re-records the last error about an embedded profile with the way round it. */
static int broken_profile(tproc_ctx *ctx, const char *name, int status)
{
    char cause[512];
    const char *m = tproc_ctx_message(ctx);
    size_t n = strlen(name);
    if (strncmp(m, name, n) == 0 && m[n] == ':' && m[n + 1] == ' ')
        m += n + 2; /* profile_open's messages start with the name */
    snprintf(cause, sizeof cause, "%s (the colour policy \"ignore\" reads it unconverted)", m);
    return tproc__error_file(ctx, status, name, "%s", cause);
}

/*
 * The input profile for a transform under the SRGB policy: the options', else the embedded
 * one when its colour space fits the rows (dropped otherwise), else none.
 */
static int input_profile(tproc_ctx *ctx, const char *name, const tproc_load_options *o,
                         const tproc__decoder *dec, tproc__profile **out)
{
    tproc__colour_space want = space_of(layout_of(dec));
    int status = option_profile(ctx, name, o->input_profile, o->input_profile_size,
                                o->input_profile_path, out);
    if (status || *out) {
        if (!status && tproc__profile_info_of(*out)->space != want) {
            status = tproc__error_file(
                ctx, TPROC_ERR_ARG, name, "the input profile is %s but the image is %s",
                tproc__colour_space_name(tproc__profile_info_of(*out)->space),
                tproc__colour_space_name(want));
            tproc__profile_free(out);
        }
        return status;
    }
    if (!dec->icc || dec->icc_size == 0)
        return TPROC_OK;
    if ((status = tproc__profile_open(ctx, name, dec->icc, dec->icc_size, out)))
        return broken_profile(ctx, name, status);
    if (tproc__profile_info_of(*out)->space != want)
        tproc__profile_free(out); /* a mismatched embedded profile: read as untagged */
    return TPROC_OK;
}

/* The transform the SRGB policy needs (KEEP for CMYK too, without an output profile); *t
 * stays NULL when nothing would change. *carry: the output profile's bytes to carry. */
static int make_transform(tproc_ctx *ctx, const char *name, const tproc_load_options *o,
                          int use_output, const tproc__decoder *dec, tproc__transform **t,
                          tproc__profile **carry)
{
    *t = NULL;
    *carry = NULL;
    tproc__profile *in = NULL, *out = NULL;
    int status = input_profile(ctx, name, o, dec, &in);
    if (!status && use_output)
        status = option_profile(ctx, name, o->output_profile, o->output_profile_size,
                                o->output_profile_path, &out);
    if (!status && (in || out || dec->cmyk)) {
        tproc__transform_options to = {(tproc__intent)o->intent, o->black_point_compensation,
                                       dec->cmyk_inverted, TPROC__ENGINE_AUTO};
        status =
            tproc__transform_new(ctx, name, in, layout_of(dec), out, dec->format.sample, &to, t);
    }
    tproc__profile_free(&in);
    if (!status && *t && tproc__transform_is_identity(*t) &&
        tproc__transform_out_layout(*t) == layout_of(dec))
        tproc__transform_free(t);
    if (status)
        tproc__profile_free(&out);
    *carry = out;
    return status;
}

/* Sets the step up around c->inner: the strip, and the format the caller receives. */
static int step_setup(colour_step *c, tproc__decoder *dec)
{
    *dec = c->inner;
    dec->icc = c->icc;
    dec->icc_size = c->icc_size;
    dec->cmyk = 0;
    dec->cmyk_inverted = 0;
    dec->state = c;
    dec->read_rows = step_read;
    dec->read_raw = NULL;
    dec->convert_rows = NULL;
    dec->trailer = c->inner.trailer ? step_trailer : NULL;
    dec->close = step_close;
    if (!c->t)
        return TPROC_OK;
    int in_channels = c->inner.format.channels, out_channels = tproc__transform_out_channels(c->t);
    dec->format.channels = out_channels;
    c->in_place = in_channels == out_channels;
    if (c->in_place) {
        dec->read_raw = step_read_raw;
        dec->convert_rows = step_convert;
    }
    size_t sample = tproc_sample_size(c->inner.format.sample), strip;
    if (tproc__mul((size_t)c->inner.format.width, (size_t)in_channels * sample, &c->in_row_bytes) ||
        tproc__mul(c->in_row_bytes, STRIP_ROWS, &strip))
        return tproc__error_file(c->ctx, TPROC_ERR_OVERFLOW, c->name, "row too large");
    if (c->in_place)
        return TPROC_OK;
    void *mem;
    int status = tproc__alloc_file(c->ctx, strip, 0, c->name, "colour conversion rows", &mem);
    c->strip = mem;
    return status;
}

int tproc__decode_colour(tproc_ctx *ctx, const char *name, const tproc_load_options *options,
                         tproc__decoder *dec)
{
    static const tproc_load_options defaults = {0};
    const tproc_load_options *o = options ? options : &defaults;
    tproc_colour_policy policy = o->colour;
    if (policy == TPROC_COLOUR_KEEP && !dec->cmyk)
        return TPROC_OK; /* pixels and profile as the file has them */
    if (dec->cmyk && (dec->format.channels != 4 || dec->format.sample == TPROC_F32)) {
        dec->close(dec->state);
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, name,
                                 "CMYK rows must be 4 u8 or "
                                 "u16 samples a pixel");
    }
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(colour_step), 1, name, "colour step", &mem);
    colour_step *c = mem;
    if (status) {
        dec->close(dec->state);
        return status;
    }
    c->ctx = ctx;
    c->inner = *dec;
    c->keep_late_icc = policy == TPROC_COLOUR_KEEP;
    tproc__profile *carry = NULL;
    status = tproc__memdup(ctx, name, "file name", name, strlen(name) + 1, &mem);
    c->name = mem;
    if (!status && policy == TPROC_COLOUR_IGNORE && dec->cmyk)
        status = tproc__transform_new(
            ctx, name, NULL, TPROC__LAYOUT_CMYK, NULL, dec->format.sample,
            &(tproc__transform_options){.cmyk_inverted = dec->cmyk_inverted}, &c->t);
    else if (!status && policy != TPROC_COLOUR_IGNORE)
        status = make_transform(ctx, name, o, policy == TPROC_COLOUR_SRGB, dec, &c->t, &carry);
    if (!status && carry) {
        size_t size;
        const unsigned char *bytes = tproc__profile_bytes(carry, &size);
        if (!(status = tproc__memdup(ctx, name, "output profile copy", bytes, size, &c->icc)))
            c->icc_size = size;
    }
    tproc__profile_free(&carry);
    if (!status)
        status = step_setup(c, dec);
    if (status) {
        c->inner.close(c->inner.state);
        step_free(c);
        memset(dec, 0, sizeof *dec);
    }
    return status;
}

/* --- names -------------------------------------------------------------------------------- */

static const char *const policy_names[] = {"srgb", "keep", "ignore"};

const char *tproc_colour_policy_name(tproc_colour_policy policy)
{
    return (unsigned)policy < 3 ? policy_names[policy] : NULL;
}

int tproc_colour_policy_parse(const char *name)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, policy_names[i]) == 0)
            return i;
    return -1;
}

const char *tproc_intent_name(tproc_intent intent)
{
    return tproc__intent_name((tproc__intent)intent);
}

int tproc_intent_parse(const char *name)
{
    tproc__intent intent;
    return name && tproc__intent_parse(name, &intent) == TPROC_OK ? (int)intent : -1;
}

int tproc_profile_describe(tproc_ctx *ctx, const void *icc, size_t size, tproc_profile_facts *out)
{
    if (!out || !icc)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_profile_describe: no profile or output");
    memset(out, 0, sizeof *out);
    tproc__profile *p = NULL;
    int status = tproc__profile_open(tproc__ctx(ctx), "<profile>", icc, size, &p);
    if (status)
        return status;
    const tproc__profile_info *info = tproc__profile_info_of(p);
    out->space = tproc__colour_space_name(info->space);
    snprintf(out->description, sizeof out->description, "%s", info->description);
    out->size = info->size;
    out->version_major = info->version_major;
    out->version_minor = info->version_minor;
    tproc__profile_free(&p);
    return TPROC_OK;
}
