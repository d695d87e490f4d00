/* SPDX-License-Identifier: MIT */
/*
 * colour_transform.c: transforms (see colour.h): which code converts an image's rows, built
 * once per image, applied per row from any number of threads.
 *
 * The choice, for the AUTO engine:
 * - identity: the input is sRGB, decided by arithmetic, not by name: for RGB, colour_fast.c
 *   bounds how far converting could move any pixel; under 1.5 levels no pixel would move by
 *   more than one level, the accuracy promised for every conversion, so skipping is as good as
 *   converting (the common HP sRGB profile: 0.99 at u8; colord's and icc-profiles-free's sRGB
 *   profiles, 2.9: converted, though in fact they move 1% of samples by one level). For gray,
 *   the table below maps every value to itself. Or the profile's bytes are those of our own
 *   embedded sRGB profile (at every depth: they mean "these pixels are sRGB").
 * - gray-table: a gray input to a gray output is a function of one sample, so a table of every
 *   u8 or u16 value, filled by lcms2's float transform, is exact and fast.
 * - matrix-shaper: colour_fast.c, for matrix-shaper RGB input to sRGB at u8 and u16, relative
 *   colorimetric (or perceptual/saturation, identical for such profiles unless lcms2 forces
 *   black-point compensation) without black-point compensation. Before it is used, its rows
 *   are checked on about two thousand probe pixels against lcms2's float transform: more than
 *   one level anywhere and the image goes to lcms2 instead, so a profile that lcms2 reads in a
 *   way the fast path does not (a Lab PCS, an unusual curve) is converted right, only slower.
 * - lcms-precise: everything else (LUT-based RGB, CMYK, Lab, output profiles, f32): lcms2
 *   without its optimisations, whose default optimised integer transforms miss a 1-level bound
 *   on real profiles (issue 12: 8.4 levels on 16-bit ProPhoto, 4 on SWOP CMYK, 20 on a v4
 *   CMYK); bench/colour_bench.c measures the choice between its integer and float forms.
 * - cmyk-formula: untagged CMYK, by the naive formula (no free CMYK profile can be shipped).
 *
 * Every lcms2 transform is made with cmsFLAGS_NOCACHE: lcms2's one-pixel cache is the only
 * state cmsDoTransform writes, and without it one transform is safe on many threads at once.
 */
#include <stdio.h>
#include <string.h>

#include "colour_internal.h"

typedef enum path {
    PATH_IDENTITY,
    PATH_MATRIX,
    PATH_GRAY_TABLE,
    PATH_LCMS_PRECISE,
    PATH_LCMS_FLOAT,
    PATH_LCMS_DEFAULT,
    PATH_CMYK_FORMULA
} path;

static const char *const path_names[] = {"identity",     "matrix-shaper", "gray-table",
                                         "lcms-precise", "lcms-float",    "lcms-default",
                                         "cmyk-formula"};

/* Pixels converted at a time through the float buffers of the lcms2 float path. */
#define CHUNK 256

struct tproc__transform {
    tproc_ctx *ctx;
    char what[160]; /* "<image>: colour transform", for allocation messages */
    path path;
    tproc__layout in_layout, out_layout;
    tproc_sample sample;
    int in_channels, out_channels, in_colour, out_colour, alpha;
    int cmyk_inverted;
    tproc__cms *cms;  /* the lcms2 paths: the context cmsDoTransform runs in */
    cmsHTRANSFORM xf; /* the lcms2 paths */
    int xf_float;     /* xf works on float buffers (lcms-float, and f32 images) */
    tproc__fast_rgb *fast;
    void *gray_table; /* u8[256] or uint16_t[65536] */
    struct tproc__transform *then; /* cmyk-formula to an output profile: sRGB -> it */
};

static tproc__colour_space layout_space(tproc__layout l)
{
    switch (l) {
    case TPROC__LAYOUT_GRAY:
    case TPROC__LAYOUT_GRAYA:
        return TPROC__SPACE_GRAY;
    case TPROC__LAYOUT_RGB:
    case TPROC__LAYOUT_RGBA:
        return TPROC__SPACE_RGB;
    case TPROC__LAYOUT_CMYK:
        return TPROC__SPACE_CMYK;
    }
    return TPROC__SPACE_OTHER;
}

static int layout_alpha(tproc__layout l)
{
    return l == TPROC__LAYOUT_GRAYA || l == TPROC__LAYOUT_RGBA;
}

/* lcms2's pixel format for a layout: colour channels, and alpha as an extra channel. */
static cmsUInt32Number lcms_format(tproc__layout l, tproc_sample s, int with_alpha, int inverted)
{
    tproc__colour_space space = layout_space(l);
    cmsUInt32Number f = s == TPROC_F32 ? FLOAT_SH(1) | BYTES_SH(4) : BYTES_SH(s == TPROC_U8 ? 1 : 2);
    if (space == TPROC__SPACE_GRAY)
        f |= COLORSPACE_SH(PT_GRAY) | CHANNELS_SH(1);
    else if (space == TPROC__SPACE_RGB)
        f |= COLORSPACE_SH(PT_RGB) | CHANNELS_SH(3);
    else
        f |= COLORSPACE_SH(PT_CMYK) | CHANNELS_SH(4) | (inverted ? FLAVOR_SH(1u) : 0u);
    if (with_alpha && layout_alpha(l))
        f |= EXTRA_SH(1);
    return f;
}

/* --- building ----------------------------------------------------------------------------- */

static int alloc_transform(tproc_ctx *ctx, const char *name, tproc__transform **out)
{
    void *p;
    char what[160];
    snprintf(what, sizeof what, "%s: colour transform", name);
    int status = tproc__alloc(ctx, sizeof(tproc__transform), what, &p);
    if (status)
        return status;
    *out = p;
    (*out)->ctx = ctx;
    memcpy((*out)->what, what, sizeof what);
    return TPROC_OK;
}

/* A float lcms2 transform of colour channels only (alpha is handled outside). */
static cmsHTRANSFORM float_transform(cmsContext cms, cmsHPROFILE in, tproc__layout in_layout,
                                     cmsHPROFILE out, tproc__layout out_layout,
                                     const tproc__transform_options *o, cmsUInt32Number extra)
{
    cmsUInt32Number flags = cmsFLAGS_NOCACHE | cmsFLAGS_NOOPTIMIZE | extra;
    if (o->black_point_compensation)
        flags |= cmsFLAGS_BLACKPOINTCOMPENSATION;
    return cmsCreateTransformTHR(cms, in, lcms_format(in_layout, TPROC_F32, 0, 0), out,
                                 lcms_format(out_layout, TPROC_F32, 0, 0),
                                 tproc__cms_intent(o->intent), flags);
}

/* Gray to gray: every input value through lcms2's float transform, rounded. */
static int build_gray_table(tproc__transform *t, cmsHTRANSFORM ref)
{
    size_t n = t->sample == TPROC_U8 ? 256 : 65536;
    void *p;
    int status = tproc__alloc_uninit(t->ctx, n * (t->sample == TPROC_U8 ? 1 : 2) + n * 8,
                                     t->what, &p);
    if (status)
        return status;
    t->gray_table = p;
    float *in = (float *)((unsigned char *)p + n * (t->sample == TPROC_U8 ? 1 : 2));
    float *out = in + n;
    float max = t->sample == TPROC_U8 ? 255.0f : 65535.0f;
    for (size_t v = 0; v < n; v++)
        in[v] = (float)v / max;
    cmsDoTransform(ref, in, out, (cmsUInt32Number)n);
    int identity = 1;
    for (size_t v = 0; v < n; v++) {
        float y = out[v] < 0.0f ? 0.0f : out[v] > 1.0f ? 1.0f : out[v];
        unsigned q = (unsigned)(y * max + 0.5f);
        if (t->sample == TPROC_U8)
            ((unsigned char *)t->gray_table)[v] = (unsigned char)q;
        else
            ((uint16_t *)t->gray_table)[v] = (uint16_t)q;
        identity &= q == v;
    }
    t->path = identity ? PATH_IDENTITY : PATH_GRAY_TABLE;
    return TPROC_OK;
}

/*
 * The probe pixels for the fast path's check: a 9x9x9 grid, a ramp on each channel alone and
 * a gray ramp (256 steps each), as u8 or u16 RGB. Returns the number of pixels.
 */
#define PROBES (729 + 4 * 256)
static size_t make_probes(tproc_sample s, uint16_t *px)
{
    unsigned max = s == TPROC_U8 ? 255 : 65535;
    size_t n = 0;
    for (unsigned r = 0; r < 9; r++)
        for (unsigned g = 0; g < 9; g++)
            for (unsigned b = 0; b < 9; b++, n++) {
                px[n * 3] = (uint16_t)(r * max / 8);
                px[n * 3 + 1] = (uint16_t)(g * max / 8);
                px[n * 3 + 2] = (uint16_t)(b * max / 8);
            }
    for (unsigned c = 0; c < 4; c++)
        for (unsigned k = 0; k < 256; k++, n++)
            for (unsigned i = 0; i < 3; i++)
                px[n * 3 + i] = (uint16_t)(c == 3 || c == i ? k * max / 255 : 0);
    return n;
}

/* The fast path's rows against lcms2's float transform on the probes: at most one level off. */
static int fast_matches(const tproc__transform *t, cmsHTRANSFORM ref, void *scratch)
{
    float *fin = scratch, *fout = fin + PROBES * 3;
    uint16_t *px = (uint16_t *)(fout + PROBES * 3);
    size_t n = make_probes(t->sample, px);
    float max = t->sample == TPROC_U8 ? 255.0f : 65535.0f;
    for (size_t i = 0; i < n * 3; i++)
        fin[i] = (float)px[i] / max;
    cmsDoTransform(ref, fin, fout, (cmsUInt32Number)n);
    if (t->sample == TPROC_U8) {
        unsigned char in8[PROBES * 3], out8[PROBES * 3];
        for (size_t i = 0; i < n * 3; i++)
            in8[i] = (unsigned char)px[i];
        tproc__fast_rgb_row_u8(t->fast, in8, out8, n, 0);
        for (size_t i = 0; i < n * 3; i++)
            px[i] = out8[i];
    } else {
        tproc__fast_rgb_row_u16(t->fast, px, px, n, 0);
    }
    for (size_t i = 0; i < n * 3; i++) {
        float y = fout[i] < 0.0f ? 0.0f : fout[i] > 1.0f ? 1.0f : fout[i];
        int ref_level = (int)(y * max + 0.5f);
        int d = ref_level - (int)px[i];
        if (d > 1 || d < -1)
            return 0;
    }
    return 1;
}

/* Whether the fast path may apply: only what lcms2 would itself do with the matrix and curves. */
static int fast_eligible(const tproc__transform *t, cmsHPROFILE in, const tproc__profile *out,
                         const tproc__transform_options *o)
{
    return o->engine == TPROC__ENGINE_AUTO && !out && t->in_colour == 3 &&
           (t->sample == TPROC_U8 || t->sample == TPROC_U16) &&
           o->intent != TPROC__INTENT_ABSOLUTE && !o->black_point_compensation &&
           cmsIsMatrixShaper(in) && cmsGetPCS(in) == cmsSigXYZData &&
           !cmsIsCLUT(in, tproc__cms_intent(o->intent), LCMS_USED_AS_INPUT);
}

/* Tries the fast path; leaves t->path as it was when it does not apply. */
static int try_fast(tproc__transform *t, cmsHPROFILE in, cmsHPROFILE out, cmsHTRANSFORM ref)
{
    void *p;
    int status = tproc__alloc(t->ctx, sizeof(tproc__fast_rgb), t->what, &p);
    if (status)
        return status;
    t->fast = p;
    status = tproc__fast_rgb_init(t->fast, in, out, t->sample, t->ctx, t->what);
    if (status == TPROC_OK) {
        status = tproc__alloc_uninit(t->ctx, PROBES * 3 * (2 + 4 + 4), t->what, &p);
        if (status == TPROC_OK) {
            int ok = fast_matches(t, ref, p);
            tproc__dealloc(t->ctx, p);
            if (ok) {
                t->path = t->fast->identity_bound < 1.45 ? PATH_IDENTITY : PATH_MATRIX;
                return TPROC_OK;
            }
        }
    }
    tproc__fast_rgb_free(t->ctx, t->fast);
    t->fast = NULL;
    /* Not the fast path's kind of profile: lcms2 will do. Running out of memory is an error. */
    return status == TPROC_ERR_UNSUPPORTED ? TPROC_OK : status;
}

/* The lcms2 transform of the lcms-* paths. */
static cmsHTRANSFORM lcms_transform(tproc__transform *t, cmsHPROFILE in, cmsHPROFILE out,
                                    const tproc__transform_options *o)
{
    if (t->xf_float)
        return float_transform(t->cms->cms, in, t->in_layout, out, t->out_layout, o, 0);
    cmsUInt32Number flags = cmsFLAGS_NOCACHE | cmsFLAGS_COPY_ALPHA;
    if (t->path == PATH_LCMS_PRECISE)
        flags |= cmsFLAGS_NOOPTIMIZE;
    if (o->black_point_compensation)
        flags |= cmsFLAGS_BLACKPOINTCOMPENSATION;
    return cmsCreateTransformTHR(t->cms->cms, in,
                                 lcms_format(t->in_layout, t->sample, 1, t->cmyk_inverted), out,
                                 lcms_format(t->out_layout, t->sample, 1, 0),
                                 tproc__cms_intent(o->intent), flags);
}

/* Opens the profiles and picks and builds the path (see the top of the file). */
static int build(tproc__transform *t, const char *name, const tproc__profile *in,
                 const tproc__profile *out, const tproc__transform_options *o)
{
    int status = tproc__cms_open(t->ctx, name, &t->cms);
    if (status)
        return status;
    tproc__cms *c = t->cms;
    size_t size;
    const unsigned char *bytes;
    cmsHPROFILE hin = NULL, hout = NULL;
    cmsHTRANSFORM ref = NULL;
    int gray_in = layout_space(t->in_layout) == TPROC__SPACE_GRAY;
    int gray_out = layout_space(t->out_layout) == TPROC__SPACE_GRAY;
    if (in) {
        bytes = tproc__profile_bytes(in, &size);
        hin = tproc__cms_open_bytes(c, bytes, size);
    } else {
        hin = gray_in ? tproc__cms_srgb_gray(c) : tproc__cms_srgb(c);
    }
    if (hin && out) {
        bytes = tproc__profile_bytes(out, &size);
        hout = tproc__cms_open_bytes(c, bytes, size);
    } else if (hin) {
        hout = gray_out ? tproc__cms_srgb_gray(c) : tproc__cms_srgb(c);
    }
    if (!hin || !hout) {
        status = tproc__cms_fail(c, TPROC_ERR_CORRUPT, name, "cannot read the ICC profile");
        goto done;
    }
    /* The reference: the fast paths are built from it or checked against it. */
    int table_ok = t->sample != TPROC_F32 && o->engine == TPROC__ENGINE_AUTO;
    if ((gray_in && gray_out && table_ok) || fast_eligible(t, hin, out, o)) {
        ref = float_transform(c->cms, hin, t->in_layout, hout, t->out_layout, o, 0);
        if (!ref) {
            status = tproc__cms_fail(c, TPROC_ERR_UNSUPPORTED, name,
                                     "lcms2 cannot convert with this ICC profile");
            goto done;
        }
        if (gray_in && gray_out)
            status = build_gray_table(t, ref);
        else
            status = try_fast(t, hin, hout, ref);
        if (status || t->gray_table || t->fast)
            goto done;
    }
    t->path = o->engine == TPROC__ENGINE_FLOAT          ? PATH_LCMS_FLOAT
              : o->engine == TPROC__ENGINE_LCMS_DEFAULT ? PATH_LCMS_DEFAULT
                                                        : PATH_LCMS_PRECISE;
    t->xf_float = t->path == PATH_LCMS_FLOAT || t->sample == TPROC_F32;
    t->xf = lcms_transform(t, hin, hout, o);
    if (!t->xf)
        status = tproc__cms_fail(c, TPROC_ERR_UNSUPPORTED, name,
                                 "lcms2 cannot convert with this ICC profile");
done:
    if (ref)
        cmsDeleteTransform(ref);
    if (hin)
        cmsCloseProfile(hin);
    if (hout)
        cmsCloseProfile(hout);
    /* Only an lcms2 transform needs the context after this. */
    if (!t->xf)
        tproc__cms_close(&t->cms);
    return status;
}

int tproc__transform_new(tproc_ctx *ctx, const char *name, const tproc__profile *in,
                         tproc__layout in_layout, const tproc__profile *out, tproc_sample sample,
                         const tproc__transform_options *options, tproc__transform **result)
{
    if (!result)
        return tproc__error(ctx, TPROC_ERR_ARG, "transform_new: result is NULL");
    *result = NULL;
    name = name ? name : "image";
    tproc__transform_options defaults = {0};
    const tproc__transform_options *o = options ? options : &defaults;
    if (!tproc__layout_channels(in_layout) || !tproc_sample_size(sample) ||
        !tproc__intent_name(o->intent) || (unsigned)o->engine > TPROC__ENGINE_LCMS_DEFAULT)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: invalid colour transform arguments", name);
    tproc__colour_space in_space = layout_space(in_layout);
    if (in && tproc__profile_info_of(in)->space != in_space)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: the ICC profile is for %s images, the image is %s", name,
                            tproc__colour_space_name(tproc__profile_info_of(in)->space),
                            tproc__colour_space_name(in_space));
    tproc__colour_space out_space = out ? tproc__profile_info_of(out)->space
                                        : in_space == TPROC__SPACE_GRAY ? TPROC__SPACE_GRAY : TPROC__SPACE_RGB;
    if (out_space != TPROC__SPACE_GRAY && out_space != TPROC__SPACE_RGB)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "%s: the output ICC profile is %s; it must be RGB or gray", name,
                            tproc__colour_space_name(out_space));
    tproc__transform *t;
    int status = alloc_transform(ctx, name, &t);
    if (status)
        return status;
    int alpha = layout_alpha(in_layout);
    t->in_layout = in_layout;
    t->out_layout = out_space == TPROC__SPACE_GRAY ? (alpha ? TPROC__LAYOUT_GRAYA : TPROC__LAYOUT_GRAY)
                                                   : (alpha ? TPROC__LAYOUT_RGBA : TPROC__LAYOUT_RGB);
    t->sample = sample;
    t->alpha = alpha;
    t->in_channels = tproc__layout_channels(in_layout);
    t->out_channels = tproc__layout_channels(t->out_layout);
    t->in_colour = t->in_channels - alpha;
    t->out_colour = t->out_channels - alpha;
    t->cmyk_inverted = o->cmyk_inverted != 0;

    if (!in && in_space == TPROC__SPACE_CMYK) {
        t->path = PATH_CMYK_FORMULA;
        /* The formula gives sRGB-ish RGB; an output profile then converts from sRGB. */
        if (out)
            status = tproc__transform_new(ctx, name, NULL, TPROC__LAYOUT_RGB, out, sample, o,
                                          &t->then);
    } else if (!in && !out) {
        t->path = PATH_IDENTITY; /* sRGB to sRGB */
    } else if (in && !out && tproc__profile_is_own_srgb(ctx, in)) {
        t->path = PATH_IDENTITY; /* our own embedded sRGB profile */
    } else {
        status = build(t, name, in, out, o);
    }
    if (status) {
        tproc__transform_free(&t);
        return status;
    }
    *result = t;
    return TPROC_OK;
}

void tproc__transform_free(tproc__transform **pt)
{
    if (!pt || !*pt)
        return;
    tproc__transform *t = *pt;
    *pt = NULL;
    if (t->xf)
        cmsDeleteTransform(t->xf);
    tproc__cms_close(&t->cms);
    tproc__fast_rgb_free(t->ctx, t->fast);
    tproc__dealloc(t->ctx, t->gray_table);
    tproc__transform_free(&t->then);
    tproc__dealloc(t->ctx, t);
}

tproc__layout tproc__transform_out_layout(const tproc__transform *t)
{
    return t->then ? t->then->out_layout : t->out_layout;
}

int tproc__transform_out_channels(const tproc__transform *t)
{
    return tproc__layout_channels(tproc__transform_out_layout(t));
}

int tproc__transform_is_identity(const tproc__transform *t)
{
    return t->path == PATH_IDENTITY;
}

const char *tproc__transform_path(const tproc__transform *t)
{
    return path_names[t->path];
}

/* --- rows --------------------------------------------------------------------------------- */

static void gray_row(const tproc__transform *t, const void *in, void *out, size_t width)
{
    size_t ch = (size_t)t->in_channels;
    if (t->sample == TPROC_U8) {
        const unsigned char *lut = t->gray_table, *p = in;
        unsigned char *q = out;
        for (size_t x = 0; x < width * ch; x += ch) {
            q[x] = lut[p[x]];
            if (ch == 2)
                q[x + 1] = p[x + 1];
        }
    } else {
        const uint16_t *lut = t->gray_table, *p = in;
        uint16_t *q = out;
        for (size_t x = 0; x < width * ch; x += ch) {
            q[x] = lut[p[x]];
            if (ch == 2)
                q[x + 1] = p[x + 1];
        }
    }
}

/* Reads sample i of a row as a float in [0, 1]. */
static inline float get_sample(const void *row, tproc_sample s, size_t i)
{
    if (s == TPROC_U8)
        return (float)((const unsigned char *)row)[i] * (1.0f / 255.0f);
    if (s == TPROC_U16)
        return (float)((const uint16_t *)row)[i] * (1.0f / 65535.0f);
    return ((const float *)row)[i];
}

/* Writes sample i, clamped to [0, 1] and rounded to the sample type. */
static inline void put_sample(void *row, tproc_sample s, size_t i, float v)
{
    v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
    if (s == TPROC_U8)
        ((unsigned char *)row)[i] = (unsigned char)(v * 255.0f + 0.5f);
    else if (s == TPROC_U16)
        ((uint16_t *)row)[i] = (uint16_t)(v * 65535.0f + 0.5f);
    else
        ((float *)row)[i] = v;
}

/* lcms2 in float, CHUNK pixels at a time through buffers on the stack (so in == out is fine). */
static void float_rows(const tproc__transform *t, const void *in, void *out, size_t width)
{
    float fin[CHUNK * 4], fout[CHUNK * 3], alpha[CHUNK];
    size_t ic = (size_t)t->in_channels, oc = (size_t)t->out_channels;
    size_t icol = (size_t)t->in_colour, ocol = (size_t)t->out_colour;
    int cmyk = layout_space(t->in_layout) == TPROC__SPACE_CMYK;
    for (size_t x0 = 0; x0 < width; x0 += CHUNK) {
        size_t n = width - x0 < CHUNK ? width - x0 : CHUNK;
        for (size_t i = 0; i < n; i++) {
            size_t base = (x0 + i) * ic;
            for (size_t c = 0; c < icol; c++) {
                float v = get_sample(in, t->sample, base + c);
                /* lcms2's float CMYK is in percent of ink. */
                fin[i * icol + c] = cmyk ? (t->cmyk_inverted ? 1.0f - v : v) * 100.0f : v;
            }
            if (t->alpha)
                alpha[i] = get_sample(in, t->sample, base + icol);
        }
        cmsDoTransform(t->xf, fin, fout, (cmsUInt32Number)n);
        for (size_t i = 0; i < n; i++) {
            size_t base = (x0 + i) * oc;
            for (size_t c = 0; c < ocol; c++)
                put_sample(out, t->sample, base + c, fout[i * ocol + c]);
            if (t->alpha)
                put_sample(out, t->sample, base + ocol, alpha[i]);
        }
    }
}

void tproc__transform_apply_row(const tproc__transform *t, const void *in, void *out,
                                size_t width)
{
    size_t bytes = tproc_sample_size(t->sample);
    switch (t->path) {
    case PATH_IDENTITY:
        if (in != out)
            memcpy(out, in, width * (size_t)t->in_channels * bytes);
        break;
    case PATH_MATRIX:
        if (t->sample == TPROC_U8)
            tproc__fast_rgb_row_u8(t->fast, in, out, width, t->alpha);
        else
            tproc__fast_rgb_row_u16(t->fast, in, out, width, t->alpha);
        break;
    case PATH_GRAY_TABLE:
        gray_row(t, in, out, width);
        break;
    case PATH_CMYK_FORMULA:
        tproc__cmyk_to_rgb_naive(in, out, width, t->sample, t->cmyk_inverted);
        if (t->then)
            tproc__transform_apply_row(t->then, out, out, width);
        break;
    case PATH_LCMS_PRECISE:
    case PATH_LCMS_FLOAT:
    case PATH_LCMS_DEFAULT:
        if (t->xf_float) {
            float_rows(t, in, out, width);
        } else {
            /* lcms2 reads each pixel before writing it, so in == out is fine here too. */
            const unsigned char *p = in;
            unsigned char *q = out;
            size_t ip = (size_t)t->in_channels * bytes, op = (size_t)t->out_channels * bytes;
            for (size_t done = 0; done < width;) {
                size_t n = width - done < (1u << 30) ? width - done : (1u << 30);
                cmsDoTransform(t->xf, p + done * ip, q + done * op, (cmsUInt32Number)n);
                done += n;
            }
        }
        break;
    }
}

/* --- untagged CMYK ------------------------------------------------------------------------ */

void tproc__cmyk_to_rgb_naive(const void *cmyk, void *rgb, size_t width, tproc_sample sample,
                              int inverted)
{
    if (sample == TPROC_U8) {
        const unsigned char *p = cmyk;
        unsigned char *q = rgb;
        for (size_t x = 0; x < width; x++, p += 4, q += 3) {
            unsigned k = inverted ? p[3] : 255u - p[3];
            unsigned v[3];
            for (int c = 0; c < 3; c++)
                v[c] = ((inverted ? p[c] : 255u - p[c]) * k + 127u) / 255u;
            for (int c = 0; c < 3; c++)
                q[c] = (unsigned char)v[c];
        }
    } else if (sample == TPROC_U16) {
        const uint16_t *p = cmyk;
        uint16_t *q = rgb;
        for (size_t x = 0; x < width; x++, p += 4, q += 3) {
            uint32_t k = inverted ? p[3] : 65535u - p[3];
            uint32_t v[3];
            for (int c = 0; c < 3; c++)
                v[c] = (uint32_t)(((uint64_t)(inverted ? p[c] : 65535u - p[c]) * k + 32767u) /
                                  65535u);
            for (int c = 0; c < 3; c++)
                q[c] = (uint16_t)v[c];
        }
    } else {
        const float *p = cmyk;
        float *q = rgb;
        for (size_t x = 0; x < width; x++, p += 4, q += 3) {
            float k = inverted ? p[3] : 1.0f - p[3];
            float v[3];
            for (int c = 0; c < 3; c++)
                v[c] = (inverted ? p[c] : 1.0f - p[c]) * k;
            for (int c = 0; c < 3; c++)
                q[c] = v[c];
        }
    }
}
