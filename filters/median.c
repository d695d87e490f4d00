/* SPDX-License-Identifier: MIT */
/*
 * median.c: median of the (2r + 1) x (2r + 1) neighbourhood, per colour channel. The window
 * holds an odd number of samples, so the result is its middle value (one of the input values;
 * no averaging, no rounding). Alpha is copied unchanged; halo r; no premultiplication.
 *
 * Speed: radius 1 uses the column identity (sort each column of 3; the median of the nine is the
 * median of {largest column minimum, median of column medians, smallest column maximum}); u8
 * with a larger radius keeps a two-level histogram per channel that slides along the row
 * (Huang's method); u16 and f32 select the middle of the gathered window (at most 49 samples)
 * with Hoare's selection on integer keys. f32 is ordered as -inf < ... < -0 < +0 < ... < +inf,
 * -0 and +0 being distinct; NaNs (not expected in images) sort beyond the infinities.
 */
#include "filter_internal.h"

enum { P_RADIUS, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"radius", TPROC_PARAM_INT, 1, 1, 3, 0, NULL, "window half-size: (2r+1) x (2r+1) pixels"},
};

#define WINDOW_MAX 49 /* (2 * 3 + 1)^2 */

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* nothing can fail */
    ptrdiff_t r = (ptrdiff_t)tproc__param(stage, P_RADIUS);
    stage->halo = (tproc_halo){r, r, r, r};
    return TPROC_OK;
}

/*
 * Samples as unsigned keys in the same order: u8 and u16 as they are; f32 by its bits, with the
 * sign bit flipped for positive values and all bits for negative ones (-0 sorts before +0, NaNs
 * at the ends by their sign), a total order in which selection always terminates.
 */
static inline uint32_t to_key(const unsigned char *p, tproc_sample s, int k)
{
    if (s == TPROC_U8)
        return p[k];
    if (s == TPROC_U16)
        return ((const uint16_t *)(const void *)p)[k];
    uint32_t u;
    memcpy(&u, p + 4 * (size_t)k, 4);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static inline void put_key(unsigned char *p, tproc_sample s, int k, uint32_t key)
{
    if (s == TPROC_U8) {
        p[k] = (unsigned char)key;
        return;
    }
    if (s == TPROC_U16) {
        ((uint16_t *)(void *)p)[k] = (uint16_t)key;
        return;
    }
    uint32_t u = (key & 0x80000000u) ? key & 0x7fffffffu : ~key;
    memcpy(p + 4 * (size_t)k, &u, 4);
}

static inline uint32_t min2(uint32_t a, uint32_t b)
{
    return b < a ? b : a;
}
static inline uint32_t max2(uint32_t a, uint32_t b)
{
    return b > a ? b : a;
}
static inline uint32_t med3(uint32_t a, uint32_t b, uint32_t c)
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
            memcpy(tproc_view_pixel(out, x, y) + at, tproc_view_pixel(in, ox + x, oy + y) + at, ss);
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
            uint32_t lo[3], mid[3], hi[3];
            for (ptrdiff_t x = -1; x < out->width + 1; x++) {
                const unsigned char *p = tproc_view_pixel(in, ox + x, oy + y - 1);
                uint32_t a = to_key(p, s, k), b = to_key(p + in->row_stride, s, k),
                         c = to_key(p + 2 * in->row_stride, s, k);
                int slot = (int)((x + 1) % 3);
                lo[slot] = min2(min2(a, b), c);
                hi[slot] = max2(max2(a, b), c);
                mid[slot] = med3(a, b, c);
                if (x >= 1) {
                    uint32_t m = med3(max2(max2(lo[0], lo[1]), lo[2]), med3(mid[0], mid[1], mid[2]),
                                      min2(min2(hi[0], hi[1]), hi[2]));
                    put_key(tproc_view_pixel(out, x - 1, y), s, k, m);
                }
            }
        }
    }
}

/* u8, any radius: a two-level histogram per channel (16 coarse bins of 16 levels) slides
 * along the row; the median is found in at most 16 + 16 steps. */
static void median_hist_u8(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy, int r)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const int cc = tproc__colour_channels(out->channels);
    const int size = 2 * r + 1;
    const int rank = size * size / 2; /* 0-based rank of the median */
    const ptrdiff_t rs = in->row_stride;
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (int k = 0; k < cc; k++) {
            uint16_t fine[256] = {0}, coarse[16] = {0};
            /* The window of output x covers input columns [ox + x - r, ox + x + r]. */
            for (int j = 0; j < size; j++) {
                const unsigned char *p = tproc_view_pixel(in, ox - r, oy + y - r + j) + k;
                for (int i = 0; i < size; i++, p += in->pixel_stride) {
                    fine[*p]++;
                    coarse[*p >> 4]++;
                }
            }
            for (ptrdiff_t x = 0;; x++) {
                int below = 0, b = 0;
                while (below + coarse[b] <= rank)
                    below += coarse[b++];
                int m = b << 4;
                while (below + fine[m] <= rank)
                    below += fine[m++];
                tproc_view_pixel(out, x, y)[k] = (unsigned char)m;
                if (x + 1 == out->width)
                    break;
                const unsigned char *gone = tproc_view_pixel(in, ox + x - r, oy + y - r) + k;
                const unsigned char *come = tproc_view_pixel(in, ox + x + r + 1, oy + y - r) + k;
                for (int j = 0; j < size; j++, gone += rs, come += rs) {
                    fine[*gone]--;
                    coarse[*gone >> 4]--;
                    fine[*come]++;
                    coarse[*come >> 4]++;
                }
            }
        }
    }
}

/* The k-th smallest of a[0..n) (Hoare's selection); reorders a. */
static uint32_t select_kth(uint32_t *a, int n, int k)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* Any sample type, any radius (used for u16 and f32 with radius 2 and 3): gather the window
 * and select its middle. */
static void median_select(const tproc_call *call, ptrdiff_t ox, ptrdiff_t oy, int r)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc_sample s = in->sample;
    const int cc = tproc__colour_channels(out->channels);
    const int size = 2 * r + 1, n = size * size;
    uint32_t v[WINDOW_MAX];
    for (ptrdiff_t y = 0; y < out->height; y++) {
        for (ptrdiff_t x = 0; x < out->width; x++) {
            for (int k = 0; k < cc; k++) {
                int count = 0;
                for (int j = 0; j < size; j++) {
                    const unsigned char *p = tproc_view_pixel(in, ox + x - r, oy + y - r + j);
                    for (int i = 0; i < size; i++, p += in->pixel_stride)
                        v[count++] = to_key(p, s, k);
                }
                put_key(tproc_view_pixel(out, x, y), s, k, select_kth(v, n, n / 2));
            }
        }
    }
}

static int process(const tproc_call *call)
{
    const int r = (int)tproc__param(call->stage, P_RADIUS);
    /* Output (x, y) is centred on input (x + ox, y + oy). */
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    if (r == 1)
        median3(call, ox, oy);
    else if (call->in.sample == TPROC_U8)
        median_hist_u8(call, ox, oy, r);
    else
        median_select(call, ox, oy, r);
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
