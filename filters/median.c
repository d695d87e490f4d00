/* SPDX-License-Identifier: MIT */
/*
 * median.c: median of the (2r + 1) x (2r + 1) neighbourhood, per colour channel. The window
 * holds an odd number of samples, so the result is its middle value (one of the input values;
 * no averaging, no rounding). Alpha is copied unchanged; halo r; no premultiplication.
 *
 * Speed: radius 1 uses the column identity (sort each column of 3; the median of the nine is the
 * median of {largest column minimum, median of column medians, smallest column maximum}); u8
 * with a larger radius keeps a 256-bin histogram per channel that slides along the row and
 * tracks the median incrementally (Huang's method); u16 and f32 sort the window (at most 49
 * samples) by insertion.
 */
#include "filter_internal.h"

enum { P_RADIUS, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"radius", TPROC_PARAM_INT, 1, 1, 3, 0, NULL, "window half-size: (2r+1) x (2r+1) pixels"},
};

#define WINDOW_MAX 49 /* (2 * 3 + 1)^2 */

static int prepare(tproc_ctx *ctx, const tproc_params *params, const tproc_format *in,
                   tproc_stage *stage)
{
    (void)ctx;
    ptrdiff_t r = (ptrdiff_t)tproc__param(params, P_RADIUS);
    tproc__stage_defaults(stage, in);
    stage->halo = (tproc_halo){r, r, r, r};
    return TPROC_OK;
}

static inline double get(const unsigned char *p, tproc_sample s, int k)
{
    switch (s) {
    case TPROC_U8:
        return p[k];
    case TPROC_U16:
        return ((const uint16_t *)(const void *)p)[k];
    default:
        return ((const float *)(const void *)p)[k];
    }
}

/* Stores v, which is one of the input samples, so the conversion is exact. */
static inline void put(unsigned char *p, tproc_sample s, int k, double v)
{
    switch (s) {
    case TPROC_U8:
        p[k] = (unsigned char)v;
        break;
    case TPROC_U16:
        ((uint16_t *)(void *)p)[k] = (uint16_t)v;
        break;
    default:
        ((float *)(void *)p)[k] = (float)v;
        break;
    }
}

static inline double min2(double a, double b)
{
    return b < a ? b : a;
}
static inline double max2(double a, double b)
{
    return b > a ? b : a;
}
static inline double med3(double a, double b, double c)
{
    return max2(min2(a, b), min2(max2(a, b), c));
}

/* Copies alpha from the centre pixels; (ox, oy) is the centre of output (0, 0) in the input. */
static void copy_alpha(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy)
{
    const tproc_view *in = &call->in, *out = &call->out;
    if (!tproc__has_alpha(out->channels))
        return;
    size_t ss = tproc_sample_size(in->sample), at = (size_t)(out->channels - 1) * ss;
    for (ptrdiff_t y = 0; y < out->height; y++)
        for (ptrdiff_t x = 0; x < out->width; x++)
            memcpy(tproc_view_pixel(out, x, y) + at, tproc_view_pixel(in, ox + x, oy + y) + at,
                   ss);
}

/* Radius 1, any sample type. */
static void median3(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc_sample s = in->sample;
    const int cc = tproc__colour_channels(out->channels);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (int k = 0; k < cc; k++) {
            /* lo/mid/hi of the three columns at x - 1, x, x + 1, rotated as x moves. */
            double lo[3], mid[3], hi[3];
            for (ptrdiff_t x = -1; x < out->width + 1; x++) {
                const unsigned char *p = tproc_view_pixel(in, ox + x, oy + y - 1);
                double a = get(p, s, k), b = get(p + in->row_stride, s, k),
                       c = get(p + 2 * in->row_stride, s, k);
                int slot = (int)((x + 1) % 3);
                lo[slot] = min2(min2(a, b), c);
                hi[slot] = max2(max2(a, b), c);
                mid[slot] = med3(a, b, c);
                if (x >= 1) {
                    double m = med3(max2(max2(lo[0], lo[1]), lo[2]), med3(mid[0], mid[1], mid[2]),
                                    min2(min2(hi[0], hi[1]), hi[2]));
                    put(tproc_view_pixel(out, x - 1, y), s, k, m);
                }
            }
        }
    }
}

/* u8, any radius: a sliding histogram per channel. */
static void median_hist_u8(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy, int r)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const int cc = tproc__colour_channels(out->channels);
    const int size = 2 * r + 1;
    const int rank = size * size / 2; /* 0-based rank of the median */
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (int k = 0; k < cc; k++) {
            uint16_t hist[256] = {0};
            /* Window of output x: input columns [ox + x - r, ox + x + r]. */
            for (int j = 0; j < size; j++) {
                const unsigned char *p = tproc_view_pixel(in, ox - r, oy + y - r + j) + k;
                for (int i = 0; i < size; i++, p += in->pixel_stride)
                    hist[*p]++;
            }
            /* m is the median and below the number of samples < m. */
            int m = 0, below = 0;
            while (below + hist[m] <= rank)
                below += hist[m++];
            tproc_view_pixel(out, 0, y)[k] = (unsigned char)m;
            for (ptrdiff_t x = 1; x < out->width; x++) {
                const unsigned char *gone = tproc_view_pixel(in, ox + x - r - 1, oy + y - r) + k;
                const unsigned char *come = tproc_view_pixel(in, ox + x + r, oy + y - r) + k;
                for (int j = 0; j < size; j++) {
                    hist[*gone]--;
                    below -= *gone < m;
                    hist[*come]++;
                    below += *come < m;
                    gone += in->row_stride;
                    come += in->row_stride;
                }
                while (below > rank)
                    below -= hist[--m];
                while (below + hist[m] <= rank)
                    below += hist[m++];
                tproc_view_pixel(out, x, y)[k] = (unsigned char)m;
            }
        }
    }
}

/* Any sample type, any radius: gather the window and sort it. */
static void median_sort(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy, int r)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc_sample s = in->sample;
    const int cc = tproc__colour_channels(out->channels);
    const int size = 2 * r + 1, n = size * size;
    double v[WINDOW_MAX];
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (ptrdiff_t x = 0; x < out->width; x++) {
            for (int k = 0; k < cc; k++) {
                int count = 0;
                for (int j = 0; j < size; j++) {
                    const unsigned char *p = tproc_view_pixel(in, ox + x - r, oy + y - r + j);
                    for (int i = 0; i < size; i++, p += in->pixel_stride) {
                        double e = get(p, s, k);
                        int at = count++;
                        while (at > 0 && v[at - 1] > e) {
                            v[at] = v[at - 1];
                            at--;
                        }
                        v[at] = e;
                    }
                }
                put(tproc_view_pixel(out, x, y), s, k, v[n / 2]);
            }
        }
    }
}

static int process(const tproc_call *call)
{
    const int r = (int)tproc__param(call->params, P_RADIUS);
    /* Output (x, y) is centred on input (x + ox, y + oy). */
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    if (r == 1)
        median3(call, ox, oy);
    else if (call->in.sample == TPROC_U8)
        median_hist_u8(call, ox, oy, r);
    else
        median_sort(call, ox, oy, r);
    copy_alpha(call, ox, oy);
    return TPROC_OK;
}

const tproc_filter tproc__filter_median = {
    .abi = TPROC_FILTER_ABI,
    .name = "median",
    .summary = "median of the (2r+1) x (2r+1) neighbourhood per colour channel",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .process = process,
};
