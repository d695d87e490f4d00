/* SPDX-License-Identifier: MIT */
/*
 * composite.c: composite:image=PATH[,gravity=G | x=,y=][,opacity=][,blend=][,tile=1] draws an
 * image file (any format tileproc loads; its alpha, or opaque) over the image: a watermark.
 *
 * Placement: at gravity (sharp's: centred is (W - w + 1) / 2, rounded down) or with its top-left
 * pixel at (x, y); tile=1 repeats it across the whole image from there. The overlay may be larger
 * than the image, or partly outside it; what falls outside is cut.
 *
 * Blending follows W3C Compositing and Blending Level 1: with Cs, Cb the overlay's and the
 * image's colours (non-premultiplied, in [0, 1]), as, ab their alphas (as multiplied by opacity),
 *     co = as (1 - ab) Cs + as ab B(Cb, Cs) + (1 - as) ab Cb,   ao = as + ab (1 - as)
 * (premultiplied), C = co / ao, for B: over (Cs), multiply (Cb Cs), screen (Cb + Cs - Cb Cs),
 * overlay (hard-light with the arguments swapped: 2 Cb Cs below Cb = 1/2, a screen above),
 * darken (min), lighten (max), difference (|Cb - Cs|); add is the Porter-Duff plus
 * (plus-lighter): co = min(1, as Cs + ab Cb), ao = min(1, as + ab). Computed in double, rounded
 * half up. The image keeps its format: the overlay is converted to its colour channels (RGB to
 * gray by Rec. 601 luma, as tproc_view_copy does) once, when the stage is prepared, and kept
 * as state for every tile, so the file is read once per run.
 */
#include "filter_internal.h"
#include "kernels/fit.h"

enum { P_IMAGE, P_GRAVITY, P_X, P_Y, P_OPACITY, P_BLEND, P_TILE, P_COUNT };

enum { OVER, MULTIPLY, SCREEN, OVERLAY, DARKEN, LIGHTEN, ADD, DIFFERENCE };
static const char *const blend_names[] = {"over",    "multiply", "screen",     "overlay", "darken",
                                          "lighten", "add",      "difference", NULL};

static const tproc_param_desc params_table[P_COUNT] = {
    {"image", TPROC_PARAM_TEXT, 0, 0, 0, TPROC_PARAM_REQUIRED, NULL,
     "the overlay: an image file (PNG, JPEG, ...); its alpha is honoured"},
    {"gravity", TPROC_PARAM_ENUM, TPROC__POS_CENTRE, 0, 0, 0, tproc__fit_position_names,
     "where the overlay goes, unless x and y are given"},
    {"x", TPROC_PARAM_INT, 0, -1000000, 1000000, TPROC_PARAM_OPTIONAL, NULL,
     "left edge of the overlay (with y; instead of gravity)"},
    {"y", TPROC_PARAM_INT, 0, -1000000, 1000000, TPROC_PARAM_OPTIONAL, NULL,
     "top edge of the overlay (with x)"},
    {"opacity", TPROC_PARAM_FLOAT, 1, 0, 1, 0, NULL, "multiplies the overlay's alpha"},
    {"blend", TPROC_PARAM_ENUM, OVER, 0, 0, 0, blend_names,
     "over, multiply, screen, overlay, darken, lighten, add or difference (W3C compositing)"},
    {"tile", TPROC_PARAM_INT, 0, 0, 1, 0, NULL, "1: repeat the overlay across the image"},
};

typedef struct composite_state {
    tproc_image *overlay; /* the base's colour channels plus alpha, the file's sample type */
    tproc_view view;
    ptrdiff_t x, y; /* the overlay's top-left pixel in the image */
    int tile, blend;
    double opacity;
} composite_state;

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    composite_state *st = stage->state;
    if (!st)
        return;
    tproc_image_free(&st->overlay);
    tproc__dealloc(ctx, st);
    stage->state = NULL;
}

/* floor(a / 2) for any sign. */
static ptrdiff_t half_down(ptrdiff_t a)
{
    return a >= 0 ? a / 2 : -((-a + 1) / 2);
}

/* sharp's gravity placement along one axis (0 start, 1 centre, 2 end). */
static ptrdiff_t place(int part, ptrdiff_t base, ptrdiff_t size)
{
    return part == 0 ? 0 : part == 2 ? base - size : half_down(base - size + 1);
}

/* Loads the file and converts it to the base's colour channels plus alpha. */
static int load_overlay(tproc_ctx *ctx, tproc_stage *stage, composite_state *st)
{
    const char *path = stage->params->text;
    tproc_image *file = NULL;
    int status = tproc_load(ctx, path, NULL, &file);
    if (status) {
        char cause[512];
        snprintf(cause, sizeof cause, "%s", tproc_ctx_message(ctx));
        return tproc__error(ctx, status, "%s: cannot use image=%.300s: %s", stage->filter->name,
                            path, cause);
    }
    tproc_view fv = tproc_image_view(file);
    int channels = tproc__colour_channels(stage->in.channels) + 1;
    status = tproc_image_new(ctx, fv.width, fv.height, channels, fv.sample, &st->overlay);
    if (!status) {
        st->view = tproc_image_view(st->overlay);
        status = tproc_view_copy(ctx, &fv, &st->view);
    }
    tproc_image_free(&file);
    return status;
}

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    unsigned given = stage->params->given;
    int has_x = (given >> P_X) & 1u, has_y = (given >> P_Y) & 1u;
    if (has_x != has_y)
        return tproc__filter_error(ctx, stage->filter, "give x and y together");
    composite_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "composite state", (void **)&st);
    if (status)
        return status;
    stage->state = st;
    if ((status = load_overlay(ctx, stage, st))) {
        release(ctx, stage);
        return status;
    }
    st->tile = tproc__param(stage, P_TILE) != 0;
    st->blend = (int)tproc__param(stage, P_BLEND);
    st->opacity = tproc__param(stage, P_OPACITY);
    if (has_x) {
        st->x = (ptrdiff_t)tproc__param(stage, P_X);
        st->y = (ptrdiff_t)tproc__param(stage, P_Y);
    } else {
        static const int h[] = {1, 1, 2, 2, 2, 1, 0, 0, 0}, v[] = {1, 0, 0, 1, 2, 2, 2, 1, 0};
        int g = (int)tproc__param(stage, P_GRAVITY);
        st->x = place(h[g], stage->in.width, st->view.width);
        st->y = place(v[g], stage->in.height, st->view.height);
    }
    return TPROC_OK;
}

/* W3C's separable blend functions B(Cb, Cs). */
static double blend_fn(int mode, double b, double s)
{
    switch (mode) {
    case MULTIPLY:
        return b * s;
    case SCREEN:
        return b + s - b * s;
    case OVERLAY: /* HardLight(Cs, Cb): Cb picks multiply or screen */
        return b <= 0.5 ? s * 2 * b : s + (2 * b - 1) - s * (2 * b - 1);
    case DARKEN:
        return b < s ? b : s;
    case LIGHTEN:
        return b > s ? b : s;
    case DIFFERENCE:
        return fabs(b - s);
    default:
        return s;
    }
}

/* Blends overlay pixel o over image pixel p into d (the image's format). */
static void blend_pixel(const composite_state *st, const unsigned char *o, tproc_sample os,
                        const unsigned char *p, unsigned char *d, int ch, tproc_sample s)
{
    int colour = tproc__colour_channels(ch);
    double omax = tproc__sample_max(os), max = tproc__sample_max(s);
    double as = tproc__get_sample(o, os, colour) / omax * st->opacity;
    if (!(as > 0)) /* nothing to draw (and NaN alphas from f32 files draw nothing) */
        return;
    double ab = tproc__has_alpha(ch) ? tproc__get_sample(p, s, colour) / max : 1.0;
    double ao = st->blend == ADD ? fmin(1.0, as + ab) : as + ab * (1 - as);
    for (int c = 0; c < colour; c++) {
        double cs = tproc__get_sample(o, os, c) / omax, cb = tproc__get_sample(p, s, c) / max;
        double co = st->blend == ADD ? fmin(1.0, as * cs + ab * cb)
                                     : as * (1 - ab) * cs + as * ab * blend_fn(st->blend, cb, cs) +
                                           (1 - as) * ab * cb;
        tproc__put_sample(d, s, c, (ao > 0 ? co / ao : 0.0) * max);
    }
    if (tproc__has_alpha(ch))
        tproc__put_sample(d, s, colour, ao * max);
}

/* Non-negative a mod n. */
static ptrdiff_t wrap(ptrdiff_t a, ptrdiff_t n)
{
    ptrdiff_t m = a % n;
    return m < 0 ? m + n : m;
}

static int process(const tproc_call *call)
{
    const composite_state *st = call->stage->state;
    const tproc_view *in = &call->in, *out = &call->out, *ov = &st->view;
    tproc_view_copy(NULL, in, out);
    tproc_rect t = call->out_rect;
    /* The tile's part under the overlay (all of it when tiled). */
    ptrdiff_t x0 = t.x, y0 = t.y, x1 = t.x + t.width, y1 = t.y + t.height;
    if (!st->tile) {
        x0 = st->x > x0 ? st->x : x0;
        y0 = st->y > y0 ? st->y : y0;
        x1 = st->x + ov->width < x1 ? st->x + ov->width : x1;
        y1 = st->y + ov->height < y1 ? st->y + ov->height : y1;
    }
    for (ptrdiff_t y = y0; y < y1; y++) {
        ptrdiff_t oy = wrap(y - st->y, ov->height);
        for (ptrdiff_t x = x0; x < x1; x++) {
            const unsigned char *o = tproc_view_pixel(ov, wrap(x - st->x, ov->width), oy);
            blend_pixel(st, o, ov->sample, tproc_view_pixel(in, x - t.x, y - t.y),
                        tproc_view_pixel(out, x - t.x, y - t.y), in->channels, in->sample);
        }
    }
    return TPROC_OK;
}

const tproc_filter tproc__filter_composite = {
    .abi = TPROC_FILTER_ABI,
    .name = "composite",
    .summary = "draw an image file over the image (watermarks): placement, opacity, blend modes",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .process = process,
};
