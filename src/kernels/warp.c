/* SPDX-License-Identifier: MIT */
/*
 * warp.c: affine resampling (warp.h): the quantised source positions, the footprint of an
 * output rectangle, and three ways of computing a pixel: OpenCV's Q15 bilinear for u8 without
 * alpha, nearest for every type, and a double path for the rest.
 */
#include "warp.h"

#include "filter_internal.h"

const char *const tproc__interp_names[] = {"nearest", "bilinear", "bicubic", NULL};

/* Positions: each term in 1/1024 pixel (AB_BITS = 10), sums in 1/32 (INTER_BITS = 5). */
#define AB_SCALE 1024.0
#define INTER_BITS 5
#define INTER_SIZE (1 << INTER_BITS)

typedef struct warp_state {
    tproc__warp w;
    int add_alpha;               /* the output has an alpha channel the input lacks */
    double cubic[INTER_SIZE][4]; /* Catmull-Rom weights of taps -1..2 at each 1/32 fraction */
} warp_state;

int tproc__warp_invert(tproc__warp *w)
{
    const double *f = w->forward;
    double d = f[0] * f[4] - f[1] * f[3];
    if (!(d != 0) || !isfinite(d))
        return 0;
    d = 1.0 / d;
    double a11 = f[4] * d, a22 = f[0] * d, a12 = -f[1] * d, a21 = -f[3] * d;
    double *m = w->inverse;
    m[0] = a11;
    m[1] = a12;
    m[2] = -a11 * f[2] - a12 * f[5];
    m[3] = a21;
    m[4] = a22;
    m[5] = -a21 * f[2] - a22 * f[5];
    for (int i = 0; i < 6; i++)
        if (!isfinite(m[i]))
            return 0;
    return 1;
}

/* Catmull-Rom (a = -0.5) at distance t from a tap. */
static double cubic(double t)
{
    t = fabs(t);
    if (t <= 1.0)
        return (1.5 * t - 2.5) * t * t + 1.0;
    if (t < 2.0)
        return ((-0.5 * t + 2.5) * t - 4.0) * t + 2.0;
    return 0.0;
}

int tproc__warp_stage(tproc_ctx *ctx, tproc_stage *stage, const tproc__warp *warp, ptrdiff_t out_w,
                      ptrdiff_t out_h)
{
    warp_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "warp state", (void **)&st);
    if (status)
        return status;
    st->w = *warp;
    if (!tproc__warp_invert(&st->w)) {
        tproc__dealloc(ctx, st);
        return tproc__filter_error(ctx, stage->filter, "the transform is not invertible");
    }
    st->w.in_width = stage->in.width;
    st->w.in_height = stage->in.height;
    tproc__background_get(stage, &stage->in, &st->w.bg);
    st->add_alpha = st->w.bg.channels > stage->in.channels;
    for (int f = 0; f < INTER_SIZE; f++)
        for (int k = 0; k < 4; k++)
            st->cubic[f][k] = cubic((double)f / INTER_SIZE - (k - 1));
    stage->state = st;
    stage->geometry = 1;
    stage->out.width = out_w;
    stage->out.height = out_h;
    stage->out.channels = st->w.bg.channels;
    stage->premultiply = tproc__has_alpha(stage->in.channels);
    /* Output rows that go up the input need it whole; otherwise the engine finds out whether
     * the rows a strip needs move down the input (they do for angles within 90 degrees). */
    stage->whole_image = !(st->w.inverse[4] > 0);
    return TPROC_OK;
}

void tproc__warp_release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* [lo, lo + len) of input indices around [a, b] (a <= b) clipped to [0, n); 1 pixel if none. */
static void clip_span(double a, double b, ptrdiff_t n, ptrdiff_t *lo, ptrdiff_t *len)
{
    /* Three pixels either side cover every interpolator's taps and the quantisation. */
    double l = floor(tproc__clamp(a, -8.0, (double)n + 8.0)) - 3.0;
    double h = floor(tproc__clamp(b, -8.0, (double)n + 8.0)) + 4.0;
    l = l < 0 ? 0 : l;
    h = h > (double)n ? (double)n : h;
    if (h <= l) {
        *lo = l >= (double)n ? n - 1 : 0;
        *len = 1;
        return;
    }
    *lo = (ptrdiff_t)l;
    *len = (ptrdiff_t)h - (ptrdiff_t)l;
}

tproc_rect tproc__warp_map_rect(const tproc_stage *stage, tproc_rect out)
{
    const tproc__warp *w = &((const warp_state *)stage->state)->w;
    const double *m = w->inverse;
    double xs[2] = {(double)out.x, (double)(out.x + out.width - 1)};
    double ys[2] = {(double)out.y, (double)(out.y + out.height - 1)};
    double u0 = INFINITY, u1 = -INFINITY, v0 = INFINITY, v1 = -INFINITY;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double u = m[0] * xs[i] + m[1] * ys[j] + m[2];
            double v = m[3] * xs[i] + m[4] * ys[j] + m[5];
            u0 = u < u0 ? u : u0;
            u1 = u > u1 ? u : u1;
            v0 = v < v0 ? v : v0;
            v1 = v > v1 ? v : v1;
        }
    tproc_rect r;
    clip_span(u0, u1, w->in_width, &r.x, &r.width);
    clip_span(v0, v1, w->in_height, &r.y, &r.height);
    return r;
}

size_t tproc__warp_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    (void)stage;
    (void)in;
    size_t n;
    return tproc__mul((size_t)out.width, 2 * sizeof(int64_t), &n) ? SIZE_MAX : n;
}

ptrdiff_t tproc__warp_side(double v)
{
    double r = floor(v + 0.5);
    if (!(r < 1e15)) /* NaN too */
        return -1;
    return r < 1 ? 1 : (ptrdiff_t)r;
}

/* A term of a position in 1/1024 pixel, rounded to nearest even as OpenCV's saturate_cast,
 * saturated far outside any image. */
static inline int64_t fix(double v)
{
    const double lim = 4503599627370496.0; /* 2^52 */
    return (int64_t)llrint(tproc__clamp(v, -lim, lim));
}

static inline int inside(ptrdiff_t x, ptrdiff_t y, const tproc__warp *w)
{
    return x >= 0 && y >= 0 && x < w->in_width && y < w->in_height;
}

typedef struct tile_ctx {
    const tproc_call *call;
    const warp_state *st;
    unsigned char bg_pixel[16]; /* the background in the input's working format */
    size_t in_px;
} tile_ctx;

/* The input pixel (x, y) of the image (inside), or the background pixel. */
static inline const unsigned char *tap(const tile_ctx *t, ptrdiff_t x, ptrdiff_t y)
{
    if (!inside(x, y, &t->st->w))
        return t->bg_pixel;
    return tproc_view_pixel(&t->call->in, x - t->call->in_rect.x, y - t->call->in_rect.y);
}

/* u8, no alpha, bilinear: OpenCV's fixed point, (sum of Q15 weights * taps + 2^14) >> 15. */
static void pixel_bilinear_u8(const tile_ctx *t, int64_t X, int64_t Y, unsigned char *out)
{
    ptrdiff_t ix = (ptrdiff_t)(X >> INTER_BITS), iy = (ptrdiff_t)(Y >> INTER_BITS);
    int fx = (int)(X & (INTER_SIZE - 1)), fy = (int)(Y & (INTER_SIZE - 1));
    int32_t w00 = (INTER_SIZE - fx) * (INTER_SIZE - fy) * 32, w01 = fx * (INTER_SIZE - fy) * 32;
    int32_t w10 = (INTER_SIZE - fx) * fy * 32, w11 = fx * fy * 32;
    const unsigned char *p00 = tap(t, ix, iy), *p01 = tap(t, ix + 1, iy);
    const unsigned char *p10 = tap(t, ix, iy + 1), *p11 = tap(t, ix + 1, iy + 1);
    for (int c = 0; c < t->call->in.channels; c++)
        out[c] =
            (unsigned char)((w00 * p00[c] + w01 * p01[c] + w10 * p10[c] + w11 * p11[c] + 16384) >>
                            15);
}

/* Nearest: the tap's pixel, or the background. */
static void pixel_nearest(const tile_ctx *t, int64_t X, int64_t Y, unsigned char *out, int out_ch)
{
    const tproc_view *in = &t->call->in;
    const unsigned char *p = tap(t, (ptrdiff_t)X, (ptrdiff_t)Y);
    if (p == t->bg_pixel && t->st->add_alpha) {
        for (int c = 0; c < out_ch; c++)
            tproc__put_sample(out, in->sample, c, t->st->w.bg.value[c]);
        return;
    }
    tproc__copy_pixels_alpha(out, 0, out_ch, p, 0, in->channels, in->sample, 1);
}

static inline double load_u8(const unsigned char *p, int c)
{
    return p[c];
}
static inline double load_u16(const unsigned char *p, int c)
{
    uint16_t v;
    memcpy(&v, p + 2 * c, 2);
    return v;
}
static inline double load_f32(const unsigned char *p, int c)
{
    float v;
    memcpy(&v, p + 4 * c, 4);
    return v;
}
/* row[c] += w * sample c of pixel p, for each of ch channels, with the type's loader. */
#define ACCUMULATE(row, w, p, ch, LOAD)                                                            \
    for (int c_ = 0; c_ < (ch); c_++)                                                              \
    (row)[c_] += (w)*LOAD((p), c_)

/* The same over an n x n block of taps from base, rows of weights wy, columns wx. */
#define SUM_INSIDE(acc, base, in, wx, wy, n, ch, LOAD)                                             \
    do {                                                                                           \
        for (int j_ = 0; j_ < (n); j_++) {                                                         \
            double row_[4] = {0, 0, 0, 0};                                                         \
            const unsigned char *p_ = (base) + j_ * (in)->row_stride;                              \
            for (int i_ = 0; i_ < (n); i_++, p_ += (in)->pixel_stride)                             \
                ACCUMULATE(row_, (wx)[i_], p_, ch, LOAD);                                          \
            for (int c_ = 0; c_ < (ch); c_++)                                                      \
                (acc)[c_] += (wy)[j_] * row_[c_];                                                  \
        }                                                                                          \
    } while (0)

/* SUM_INSIDE with the channel count a constant, so the sums stay in registers. */
#define SUM_BY_CHANNELS(acc, base, in, wx, wy, n, ch, LOAD)                                        \
    do {                                                                                           \
        if ((ch) == 1)                                                                             \
            SUM_INSIDE(acc, base, in, wx, wy, n, 1, LOAD);                                         \
        else if ((ch) == 2)                                                                        \
            SUM_INSIDE(acc, base, in, wx, wy, n, 2, LOAD);                                         \
        else if ((ch) == 3)                                                                        \
            SUM_INSIDE(acc, base, in, wx, wy, n, 3, LOAD);                                         \
        else                                                                                       \
            SUM_INSIDE(acc, base, in, wx, wy, n, 4, LOAD);                                         \
    } while (0)

/* Stores ch samples rounded half up and clamped (u8, u16) or as they are (f32). */
static inline void store(unsigned char *out, tproc_sample s, int ch, const double *v)
{
    for (int c = 0; c < ch; c++) {
        if (s == TPROC_U8) {
            out[c] = tproc__to_u8(v[c]);
        } else if (s == TPROC_U16) {
            uint16_t u = tproc__to_u16(v[c]);
            memcpy(out + 2 * c, &u, 2);
        } else {
            float f = (float)v[c];
            memcpy(out + 4 * c, &f, 4);
        }
    }
}

/*
 * Every other case in double: the weighted sum of the taps' samples. With an alpha channel the
 * output adds (the input has none), sums are premultiplied: inside taps are opaque, the
 * background's colour is multiplied by its alpha, and the colour divided by the summed alpha.
 */
static void pixel_double(const tile_ctx *t, int64_t X, int64_t Y, unsigned char *out, int out_ch)
{
    const warp_state *st = t->st;
    const tproc_view *in = &t->call->in;
    ptrdiff_t ix = (ptrdiff_t)(X >> INTER_BITS), iy = (ptrdiff_t)(Y >> INTER_BITS);
    int fx = (int)(X & (INTER_SIZE - 1)), fy = (int)(Y & (INTER_SIZE - 1));
    double wx[4], wy[4];
    int n, first;
    if (st->w.interp == TPROC__INTERP_BICUBIC) {
        n = 4;
        first = -1;
        memcpy(wx, st->cubic[fx], sizeof wx);
        memcpy(wy, st->cubic[fy], sizeof wy);
    } else {
        n = 2;
        first = 0;
        wx[0] = (double)(INTER_SIZE - fx) / INTER_SIZE;
        wx[1] = (double)fx / INTER_SIZE;
        wy[0] = (double)(INTER_SIZE - fy) / INTER_SIZE;
        wy[1] = (double)fy / INTER_SIZE;
    }
    double max = tproc__sample_max(in->sample), acc[4] = {0, 0, 0, 0};
    int in_ch = in->channels;
    const double *bg = st->add_alpha ? st->w.bg.premul : NULL;
    ptrdiff_t x0 = ix + first, y0 = iy + first;
    if (!bg && x0 >= 0 && y0 >= 0 && x0 + n <= st->w.in_width && y0 + n <= st->w.in_height) {
        /* Every tap inside: straight from the view, one loop per sample type. */
        const unsigned char *base =
            tproc_view_pixel(in, x0 - t->call->in_rect.x, y0 - t->call->in_rect.y);
        if (in->sample == TPROC_U8)
            SUM_BY_CHANNELS(acc, base, in, wx, wy, n, in_ch, load_u8);
        else if (in->sample == TPROC_U16)
            SUM_BY_CHANNELS(acc, base, in, wx, wy, n, in_ch, load_u16);
        else
            SUM_BY_CHANNELS(acc, base, in, wx, wy, n, in_ch, load_f32);
        store(out, in->sample, out_ch, acc);
        return;
    }
    for (int j = 0; j < n; j++) {
        double row[4] = {0, 0, 0, 0};
        for (int i = 0; i < n; i++) {
            ptrdiff_t x = ix + first + i, y = iy + first + j;
            if (bg && !inside(x, y, &st->w)) {
                for (int c = 0; c < out_ch; c++)
                    row[c] += wx[i] * bg[c] * max;
                continue;
            }
            const unsigned char *p = tap(t, x, y);
            if (in->sample == TPROC_U8)
                ACCUMULATE(row, wx[i], p, in_ch, load_u8);
            else if (in->sample == TPROC_U16)
                ACCUMULATE(row, wx[i], p, in_ch, load_u16);
            else
                ACCUMULATE(row, wx[i], p, in_ch, load_f32);
            if (bg)
                row[in_ch] += wx[i] * max;
        }
        for (int c = 0; c < out_ch; c++)
            acc[c] += wy[j] * row[c];
    }
    if (bg) { /* back from premultiplied */
        double a = acc[in_ch];
        for (int c = 0; c < in_ch; c++)
            acc[c] = a > 0 ? acc[c] * max / a : 0.0;
    }
    store(out, in->sample, out_ch, acc);
}

int tproc__warp_process(const tproc_call *call)
{
    const warp_state *st = call->stage->state;
    const double *m = st->w.inverse;
    const tproc_view *in = &call->in, *out = &call->out;
    tile_ctx t = {call, st, {0}, tproc_view_pixel_size(in)};
    /* In the working format: premultiplied f32 when the engine premultiplies. */
    const double *bgv =
        in->sample == TPROC_F32 && call->stage->premultiply ? st->w.bg.premul : st->w.bg.value;
    for (int c = 0; c < in->channels; c++)
        tproc__put_sample(t.bg_pixel, in->sample, c, bgv[c]);
    int nearest = st->w.interp == TPROC__INTERP_NEAREST;
    int fast = st->w.interp == TPROC__INTERP_BILINEAR && in->sample == TPROC_U8 &&
               !tproc__has_alpha(out->channels);
    int shift = nearest ? 10 : 10 - INTER_BITS;
    int64_t round_delta = nearest ? 512 : 16;
    int64_t *ax = call->scratch; /* the x terms of both coordinates, per column */
    for (ptrdiff_t x = 0; x < out->width; x++) {
        double gx = (double)(call->out_rect.x + x);
        ax[2 * x] = fix(m[0] * gx * AB_SCALE);
        ax[2 * x + 1] = fix(m[3] * gx * AB_SCALE);
    }
    for (ptrdiff_t y = 0; y < out->height; y++) {
        double gy = (double)(call->out_rect.y + y);
        int64_t bx = fix((m[1] * gy + m[2]) * AB_SCALE) + round_delta;
        int64_t by = fix((m[4] * gy + m[5]) * AB_SCALE) + round_delta;
        unsigned char *o = tproc_view_pixel(out, 0, y);
        for (ptrdiff_t x = 0; x < out->width; x++, o += out->pixel_stride) {
            int64_t X = (bx + ax[2 * x]) >> shift, Y = (by + ax[2 * x + 1]) >> shift;
            if (nearest)
                pixel_nearest(&t, X, Y, o, out->channels);
            else if (fast)
                pixel_bilinear_u8(&t, X, Y, o);
            else
                pixel_double(&t, X, Y, o, out->channels);
        }
    }
    return TPROC_OK;
}
