/* SPDX-License-Identifier: MIT */
/*
 * extend.c: extend:top=,right=,bottom=,left=[,background=][,border=] adds margins around the
 * image (sharp's extend). border=constant (the default) paints them with background (black by
 * default; a colour that is not opaque gives an image without alpha one, as sharp does); the
 * other rules (replicate, reflect, reflect101, wrap: the same rules as the run's --border, which
 * does not matter here) fill them from the image.
 *
 * A geometry filter: each output rectangle maps to the hull of the input pixels its margins and
 * inside read, always within the image, so the engine's own border rule never shows. It streams
 * unless wrap needs the bottom rows first.
 */
#include "filter_internal.h"
#include "kernels/background.h"

enum { P_TOP, P_RIGHT, P_BOTTOM, P_LEFT, P_BACKGROUND, P_BORDER, P_COUNT };

static const char *const border_names[] = {"constant",   "replicate", "reflect",
                                           "reflect101", "wrap",      NULL};

static const tproc_param_desc params_table[P_COUNT] = {
    {"top", TPROC_PARAM_INT, 0, 0, 1000000, 0, NULL, "pixels added above"},
    {"right", TPROC_PARAM_INT, 0, 0, 1000000, 0, NULL, "pixels added on the right"},
    {"bottom", TPROC_PARAM_INT, 0, 0, 1000000, 0, NULL, "pixels added below"},
    {"left", TPROC_PARAM_INT, 0, 0, 1000000, 0, NULL, "pixels added on the left"},
    {"background", TPROC_PARAM_COLOUR, 0, 0, 255, 0, NULL,
     "colour of the margins (border=constant)"},
    {"border", TPROC_PARAM_ENUM, TPROC_BORDER_CONSTANT, 0, 0, 0, border_names,
     "constant paints background; replicate, reflect, reflect101 and wrap fill from the image"},
};

typedef struct extend_state {
    tproc_border border;
    ptrdiff_t top, left;
    tproc__background bg;
} extend_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    extend_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "extend state", (void **)&st);
    if (status)
        return status;
    st->border = (tproc_border)(int)tproc__param(stage, P_BORDER);
    st->top = (ptrdiff_t)tproc__param(stage, P_TOP);
    st->left = (ptrdiff_t)tproc__param(stage, P_LEFT);
    tproc__background_get(stage, &stage->in, &st->bg);
    if (st->border != TPROC_BORDER_CONSTANT)
        st->bg.channels = stage->in.channels; /* the background is never painted */
    stage->state = st;
    stage->geometry = 1;
    stage->out.channels = st->bg.channels;
    stage->out.width += st->left + (ptrdiff_t)tproc__param(stage, P_RIGHT);
    stage->out.height += st->top + (ptrdiff_t)tproc__param(stage, P_BOTTOM);
    /* Wrapped top rows come from the bottom of the image. */
    stage->whole_image = st->border == TPROC_BORDER_WRAP && stage->out.height > stage->in.height;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* The hull [lo, lo + len) of the input indices that output positions [a, a + n) read along an
 * axis of size in_n shifted by margin; a 1-pixel span inside when they read none. */
static void axis_hull(ptrdiff_t a, ptrdiff_t n, ptrdiff_t margin, ptrdiff_t in_n,
                      tproc_border border, ptrdiff_t *lo, ptrdiff_t *len)
{
    ptrdiff_t l = PTRDIFF_MAX, h = PTRDIFF_MIN;
    for (ptrdiff_t i = a - margin; i < a - margin + n && !(l == 0 && h == in_n); i++) {
        if (i >= 0 && i < in_n) { /* the inside run in one step */
            ptrdiff_t end = a - margin + n < in_n ? a - margin + n : in_n;
            l = i < l ? i : l;
            h = end > h ? end : h;
            i = end - 1;
            continue;
        }
        ptrdiff_t m = tproc_border_index(i, in_n, border);
        if (m >= 0) {
            l = m < l ? m : l;
            h = m + 1 > h ? m + 1 : h;
        }
    }
    *lo = l <= h ? l : 0;
    *len = l <= h ? h - l : 1;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    const extend_state *st = stage->state;
    tproc_rect r;
    axis_hull(out.x, out.width, st->left, stage->in.width, st->border, &r.x, &r.width);
    axis_hull(out.y, out.height, st->top, stage->in.height, st->border, &r.y, &r.height);
    return r;
}

static int process(const tproc_call *call)
{
    const tproc_stage *stage = call->stage;
    const extend_state *st = stage->state;
    const tproc_view *in = &call->in, *out = &call->out;
    tproc_sample s = out->sample;
    unsigned char fill[16];
    for (int c = 0; c < out->channels; c++)
        tproc__put_sample(fill, s, c, st->bg.value[c]);
    size_t px = tproc_sample_size(s) * (size_t)out->channels;
    ptrdiff_t W = stage->in.width, H = stage->in.height;
    /* Output columns [x0, x1) of the tile read input columns inside the image directly. */
    ptrdiff_t x0 = st->left - call->out_rect.x, x1 = x0 + W;
    x0 = x0 < 0 ? 0 : x0 > out->width ? out->width : x0;
    x1 = x1 < x0 ? x0 : x1 > out->width ? out->width : x1;
    for (ptrdiff_t y = 0; y < out->height; y++) {
        ptrdiff_t sy = tproc_border_index(call->out_rect.y + y - st->top, H, st->border);
        unsigned char *d = tproc_view_pixel(out, 0, y);
        for (ptrdiff_t x = 0; x < out->width; x++, d += out->pixel_stride) {
            if (x == x0 && x1 > x0 && sy >= 0) { /* the inside run */
                const unsigned char *src = tproc_view_pixel(
                    in, call->out_rect.x + x0 - st->left - call->in_rect.x, sy - call->in_rect.y);
                tproc__copy_pixels_alpha(d, out->pixel_stride, out->channels, src, in->pixel_stride,
                                         in->channels, s, x1 - x0);
                d += out->pixel_stride * (x1 - x0 - 1);
                x = x1 - 1;
                continue;
            }
            ptrdiff_t sx = tproc_border_index(call->out_rect.x + x - st->left, W, st->border);
            if (sx < 0 || sy < 0)
                memcpy(d, fill, px);
            else
                tproc__copy_pixels_alpha(
                    d, 0, out->channels,
                    tproc_view_pixel(in, sx - call->in_rect.x, sy - call->in_rect.y), 0,
                    in->channels, s, 1);
        }
    }
    return TPROC_OK;
}

const tproc_filter tproc__filter_extend = {
    .abi = TPROC_FILTER_ABI,
    .name = "extend",
    .summary = "add margins: a background colour, or pixels by a border rule",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .map_rect = map_rect,
    .process = process,
};
