/* SPDX-License-Identifier: MIT */
/*
 * trim.c: trim[:threshold=][,background=] crops away a border of near-uniform colour (sharp's
 * trim, ImageMagick's -trim). The background is the colour given, or else the image's top-left
 * pixel. A pixel belongs to the subject when it differs from the background by more than
 * threshold, a fraction of the sample range, in any channel: the largest absolute difference
 * over the channels (vips find_trim's measure; ImageMagick's -fuzz measures the RMS over the
 * channels, which is the same for gray images and for equal differences in every channel;
 * both count any difference at threshold 0). The default, 0.04, is about sharp's 10. With alpha
 * the colours are compared premultiplied, so fully transparent pixels of any colour are alike.
 * The output is the smallest rectangle holding every subject pixel; an image that is
 * background everywhere is returned unchanged (as sharp does; ImageMagick gives 1x1).
 *
 * The box depends on every pixel, so trim is an analysing filter: the engine runs the chain
 * before it over the whole input and hands it the rows (analyse_rows), then analyse_done sets
 * the output size. After that it is a crop: each output rectangle maps to the same rectangle
 * shifted by the box's corner. A streamed file is decoded twice rather than held.
 */
#include "filter_internal.h"
#include "kernels/background.h"

enum { P_THRESHOLD, P_BACKGROUND, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"threshold", TPROC_PARAM_FLOAT, 0.04, 0, 1, 0, NULL,
     "largest difference from the background, as a fraction of the sample range, that still "
     "counts as background"},
    {"background", TPROC_PARAM_COLOUR, 0, 0, 255, TPROC_PARAM_OPTIONAL, NULL,
     "the border's colour (default: the top-left pixel)"},
};

typedef struct trim_state {
    int channels, colour, alpha; /* alpha: the last channel is alpha */
    double scale;                /* 1 / the sample type's maximum */
    double threshold;
    int have_background;
    double bg[4];     /* the background, normalised to [0, 1], colour premultiplied */
    ptrdiff_t x0, x1; /* columns [x0, x1) hold subject pixels (x0 >= x1: none yet) */
    ptrdiff_t y0, y1; /* rows [y0, y1) likewise */
} trim_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    trim_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "trim state", (void **)&st);
    if (status)
        return status;
    st->channels = stage->in.channels;
    st->alpha = tproc__has_alpha(st->channels);
    st->colour = tproc__colour_channels(st->channels);
    st->scale = 1.0 / tproc__sample_max(stage->in.sample);
    st->threshold = tproc__param(stage, P_THRESHOLD);
    if (stage->params->given & (1u << P_BACKGROUND)) {
        tproc__background bg;
        tproc__background_get(stage, &stage->in, &bg);
        double a = st->alpha ? bg.value[st->colour] * st->scale : 1.0;
        for (int c = 0; c < st->colour; c++)
            st->bg[c] = bg.value[c] * st->scale * a;
        st->bg[st->colour] = a;
        st->have_background = 1;
    }
    /* Until the pre-pass has run: the whole image (the largest the output can be). */
    st->x0 = st->y0 = 0;
    st->x1 = stage->in.width;
    st->y1 = stage->in.height;
    stage->state = st;
    stage->geometry = 1;
    stage->analyse = 1;
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* Pixel x of a row as normalised samples, colour premultiplied by alpha; out[colour] = alpha. */
static inline void load_pixel(const trim_state *st, const unsigned char *row, tproc_sample s,
                              ptrdiff_t x, double out[4])
{
    size_t i = (size_t)x * (size_t)st->channels;
    for (int c = 0; c < st->channels; c++) {
        double v = s == TPROC_U8    ? row[i + (size_t)c]
                   : s == TPROC_U16 ? ((const uint16_t *)(const void *)row)[i + (size_t)c]
                                    : ((const float *)(const void *)row)[i + (size_t)c];
        out[c] = s == TPROC_F32 ? v : v * st->scale;
    }
    if (st->alpha)
        for (int c = 0; c < st->colour; c++)
            out[c] *= out[st->colour];
    else
        out[st->colour] = 1.0;
}

/* Whether pixel x differs from the background by more than the threshold in any channel. */
static inline int subject(const trim_state *st, const unsigned char *row, tproc_sample s,
                          ptrdiff_t x)
{
    double p[4];
    load_pixel(st, row, s, x, p);
    for (int c = 0; c <= st->colour; c++)
        if (fabs(p[c] - st->bg[c]) > st->threshold)
            return 1;
    return 0;
}

static int analyse_rows(const tproc_stage *stage, const tproc_view *rows, ptrdiff_t y)
{
    trim_state *st = stage->state;
    tproc_sample s = rows->sample;
    ptrdiff_t w = rows->width;
    if (y == 0 && !st->have_background) { /* the top-left pixel: always in the first rows */
        load_pixel(st, rows->data, s, 0, st->bg);
        st->have_background = 1;
    }
    if (y == 0) { /* nothing found yet */
        st->x0 = w;
        st->x1 = 0;
        st->y0 = st->y1 = 0;
    }
    for (ptrdiff_t r = 0; r < rows->height; r++) {
        const unsigned char *row = rows->data + r * rows->row_stride;
        int found = 0;
        /* Only what could widen the box is looked at: left of it, right of it, and the middle
         * only until one subject pixel says this row counts. */
        for (ptrdiff_t x = 0; x < st->x0 && x < w; x++)
            if (subject(st, row, s, x)) {
                st->x0 = x;
                found = 1;
                break;
            }
        ptrdiff_t right_end = st->x1 > st->x0 ? st->x1 : st->x0;
        for (ptrdiff_t x = w - 1; x >= right_end; x--)
            if (subject(st, row, s, x)) {
                st->x1 = x + 1;
                found = 1;
                break;
            }
        if (st->x1 < st->x0 + 1 && found) /* the first subject pixel: x1 set above or not */
            st->x1 = st->x0 + 1;
        for (ptrdiff_t x = st->x0; !found && x < st->x1 && x < w; x++)
            found = subject(st, row, s, x);
        if (found) {
            if (st->y1 <= st->y0)
                st->y0 = y + r;
            st->y1 = y + r + 1;
        }
    }
    return TPROC_OK;
}

static int analyse_done(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx;
    trim_state *st = stage->state;
    if (st->x1 <= st->x0 || st->y1 <= st->y0) { /* all background: unchanged, as sharp */
        st->x0 = st->y0 = 0;
        st->x1 = stage->in.width;
        st->y1 = stage->in.height;
    }
    stage->out.width = st->x1 - st->x0;
    stage->out.height = st->y1 - st->y0;
    return TPROC_OK;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    const trim_state *st = stage->state;
    out.x += st->x0;
    out.y += st->y0;
    return out;
}

static int process(const tproc_call *call)
{
    return tproc_view_copy(NULL, &call->in, &call->out);
}

const tproc_filter tproc__filter_trim = {
    .abi = TPROC_FILTER_ABI,
    .name = "trim",
    .summary = "crop away a border of near-uniform colour (the top-left pixel's, or background)",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .map_rect = map_rect,
    .process = process,
    .analyse_rows = analyse_rows,
    .analyse_done = analyse_done,
};
