/* SPDX-License-Identifier: MIT */
/*
 * test_filters_blur.c: box, gaussian and sharpen against a naive whole-image 2-D reference in
 * double precision with its own border rule, on random images of odd sizes (halos wider than
 * the image included), u8/u16/f32 x 1-4 channels x every border mode; with alpha the
 * reference premultiplies, filters and divides back as the engine contract says.
 *
 * Tolerances: box on u8/u16 without alpha is exact (integer sums); everything else is within
 * 1 level for u8/u16 (the gaussian u8 fixed-point path's proven bound; the double paths only
 * differ at rounding ties, and with alpha through the f32 premultiplied round trip) and 1e-5
 * for f32. Then: the fixed-point path is active where it should be and its error stays within
 * bound, threshold/amount behaviour of sharpen, no colour bleeding from transparent pixels,
 * strided views, parameter errors, and byte-identical results for every tiling and thread
 * count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_internal.h"
#include "kernels/box_sum.h"
#include "kernels/separable.h"
#include "kernels/sharpen_u8.h"
#include "kernels/simd.h"
#include "testutil.h"

/* --- the reference ------------------------------------------------------------------------ */

enum { GAUSS, BOX, SHARPEN };

typedef struct spec {
    int kind;
    double sigma, amount, threshold;
    int radius; /* box */
} spec;

static void spec_text(const spec *s, char *buf, size_t size)
{
    if (s->kind == BOX)
        snprintf(buf, size, "box:radius=%d", s->radius);
    else if (s->kind == GAUSS)
        snprintf(buf, size, "gaussian:sigma=%.17g", s->sigma);
    else
        snprintf(buf, size, "sharpen:sigma=%.17g,amount=%.17g,threshold=%.17g", s->sigma, s->amount,
                 s->threshold);
}

/* Where position i lands on an axis of n samples, by bouncing step by step; -1: constant. */
static ptrdiff_t ref_index(ptrdiff_t i, ptrdiff_t n, tproc_border b)
{
    if (b == TPROC_BORDER_CONSTANT)
        return i >= 0 && i < n ? i : -1;
    if (b == TPROC_BORDER_REPLICATE)
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    if (b == TPROC_BORDER_WRAP) {
        while (i < 0)
            i += n;
        while (i >= n)
            i -= n;
        return i;
    }
    if (b == TPROC_BORDER_REFLECT_101 && n == 1)
        return 0;
    while (i < 0 || i >= n) {
        if (b == TPROC_BORDER_REFLECT)
            i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        else
            i = i < 0 ? -i : 2 * n - 2 - i;
    }
    return i;
}

static double get(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
{
    const unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_U8)
        return p[c];
    if (v->sample == TPROC_U16) {
        uint16_t s;
        memcpy(&s, p + 2 * c, 2);
        return s;
    }
    float f;
    memcpy(&f, p + 4 * c, 4);
    return f;
}

static double maxval(tproc_sample s)
{
    return s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
}

/* The filter's input samples as the kernel sees them: natural range, or premultiplied [0, 1]
 * with alpha. px receives the channels of pixel (x, y) after the border rule. */
static void work_pixel(const tproc_view *in, ptrdiff_t x, ptrdiff_t y, tproc_border b,
                       const double *bval, double *px)
{
    int n = in->channels, alpha = n == 2 || n == 4;
    ptrdiff_t ix = ref_index(x, in->width, b), iy = ref_index(y, in->height, b);
    for (int c = 0; c < n; c++)
        px[c] = ix < 0 || iy < 0 ? bval[c] : get(in, ix, iy, c);
    if (alpha) {
        double m = maxval(in->sample), a = px[n - 1] / m;
        for (int c = 0; c < n - 1; c++)
            px[c] = px[c] / m * a;
        px[n - 1] = a;
    }
}

/* Fills ref (w*h*ch) with the real-valued result in the output's natural range. */
static void ref_run(const spec *s, const tproc_view *in, tproc_border b, const double *bval,
                    double *ref)
{
    int n = in->channels, alpha = n == 2 || n == 4;
    ptrdiff_t w = in->width, h = in->height;
    int r = s->kind == BOX ? s->radius : (int)ceil(3.0 * s->sigma);
    double *k = malloc(sizeof(double) * (size_t)(2 * r + 1)), sum = 0.0;
    for (int i = -r; i <= r; i++) {
        k[i + r] = s->kind == BOX ? 1.0 : exp(-(double)(i * i) / (2.0 * s->sigma * s->sigma));
        sum += k[i + r];
    }
    for (int i = 0; i < 2 * r + 1; i++)
        k[i] /= sum;
    double m = maxval(in->sample), wmax = alpha ? 1.0 : m;
    for (ptrdiff_t y = 0; y < h; y++)
        for (ptrdiff_t x = 0; x < w; x++) {
            double acc[4] = {0, 0, 0, 0}, px[4], res[4] = {0, 0, 0, 0};
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++) {
                    work_pixel(in, x + dx, y + dy, b, bval, px);
                    for (int c = 0; c < n; c++)
                        acc[c] += k[dy + r] * k[dx + r] * px[c];
                }
            work_pixel(in, x, y, b, bval, px);
            for (int c = 0; c < n; c++) {
                res[c] = acc[c];
                if (s->kind == SHARPEN) {
                    double d = px[c] - acc[c];
                    res[c] = fabs(d) > s->threshold * wmax ? px[c] + s->amount * d : px[c];
                }
            }
            double *o = ref + (y * w + x) * n;
            if (alpha) {
                double a = res[n - 1];
                for (int c = 0; c < n - 1; c++)
                    o[c] = (a > 0 ? res[c] / a : 0.0) * m;
                o[n - 1] = a * m;
            } else {
                memcpy(o, res, sizeof(double) * (size_t)n);
            }
        }
    free(k);
}

/* Box on integers without alpha: the exact mean rounded half up, in integers. */
static void ref_box_exact(int r, const tproc_view *in, tproc_border b, const double *bval,
                          double *ref)
{
    int n = in->channels;
    uint64_t count = (uint64_t)(2 * r + 1) * (uint64_t)(2 * r + 1);
    for (ptrdiff_t y = 0; y < in->height; y++)
        for (ptrdiff_t x = 0; x < in->width; x++)
            for (int c = 0; c < n; c++) {
                uint64_t sum = 0;
                double px[4];
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++) {
                        work_pixel(in, x + dx, y + dy, b, bval, px);
                        sum += (uint64_t)px[c];
                    }
                ref[(y * in->width + x) * n + c] = (double)((2 * sum + count) / (2 * count));
            }
}

/* --- running the library ------------------------------------------------------------------- */

static tproc_image *run(tproc_ctx *ctx, const char *text, const tproc_view *in, tproc_border b,
                        const double *bval, ptrdiff_t tw, ptrdiff_t th, int threads)
{
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, text));
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.border = b;
    for (int c = 0; c < 4; c++)
        o.border_value[c] = bval[c];
    o.tile_width = tw;
    o.tile_height = th;
    o.threads = threads;
    tproc_image *out = NULL;
    tu_ok(ctx, tproc_pipeline_run(p, in, &o, &out));
    tproc_pipeline_free(&p);
    return out;
}

static const tproc_sample samples[] = {TPROC_U8, TPROC_U16, TPROC_F32};
static const tproc_border borders[] = {TPROC_BORDER_CONSTANT, TPROC_BORDER_REPLICATE,
                                       TPROC_BORDER_REFLECT, TPROC_BORDER_REFLECT_101,
                                       TPROC_BORDER_WRAP};

static void border_value(tproc_sample s, double *v)
{
    static const double base[4] = {77, 153, 26, 204};
    for (int c = 0; c < 4; c++)
        v[c] = s == TPROC_U8 ? base[c] : s == TPROC_U16 ? base[c] * 257 : base[c] / 255;
}

/*
 * Runs s on a random w x h image for every sample type, channel count and border, compares with
 * the reference, and returns the largest error seen on u8 (in levels) for callers that check
 * a tighter bound.
 */
static double check_reference(const spec *s, ptrdiff_t w, ptrdiff_t h, uint64_t seed)
{
    tproc_ctx *ctx = NULL;
    char text[160];
    spec_text(s, text, sizeof text);
    double worst_u8 = 0.0;
    for (size_t si = 0; si < 3; si++)
        for (int ch = 1; ch <= 4; ch++)
            for (size_t bi = 0; bi < 5; bi++) {
                tproc_sample smp = samples[si];
                tproc_border b = borders[bi];
                int alpha = ch == 2 || ch == 4;
                uint64_t sd = seed * 1000 + si * 100 + (uint64_t)ch * 10 + bi;
                tproc_image *img = tu_random_image(ctx, w, h, ch, smp, sd);
                tproc_view in = tproc_image_view(img);
                double bval[4];
                border_value(smp, bval);
                tproc_image *out = run(ctx, text, &in, b, bval, 0, 0, 1);
                tproc_view ov = tproc_image_view(out);
                double *ref = malloc(sizeof(double) * (size_t)(w * h * ch));
                int exact = s->kind == BOX && !alpha && smp != TPROC_F32;
                if (exact)
                    ref_box_exact(s->radius, &in, b, bval, ref);
                else
                    ref_run(s, &in, b, bval, ref);
                for (ptrdiff_t y = 0; y < h; y++)
                    for (ptrdiff_t x = 0; x < w; x++)
                        for (int c = 0; c < ch; c++) {
                            double e = ref[(y * w + x) * ch + c], g = get(&ov, x, y, c);
                            double err;
                            /* Sharpen can drive alpha to ~0, where colour = P / alpha is
                             * ill-conditioned: compare colour only where alpha is clear of 0. */
                            if (alpha && c < ch - 1 && s->kind == SHARPEN &&
                                fabs(ref[(y * w + x) * ch + ch - 1]) < 0.02 * maxval(smp))
                                continue;
                            if (smp == TPROC_F32) {
                                err = fabs(g - e);
                                ck_assert_msg(err <= 1e-5,
                                              "%s %s ch=%d border=%s seed=%llu %tdx%td at "
                                              "(%td,%td,%d): got %.9g want %.9g",
                                              text, tproc_sample_name(smp), ch,
                                              tproc_border_name(b), (unsigned long long)sd, w, h, x,
                                              y, c, g, e);
                            } else {
                                double want = floor(tproc__clamp(e, 0, maxval(smp)) + 0.5);
                                err = fabs(g - want);
                                ck_assert_msg(err <= (exact ? 0.0 : 1.0),
                                              "%s %s ch=%d border=%s seed=%llu %tdx%td at "
                                              "(%td,%td,%d): got %g want %g (real %.6f)",
                                              text, tproc_sample_name(smp), ch,
                                              tproc_border_name(b), (unsigned long long)sd, w, h, x,
                                              y, c, g, want, e);
                                if (smp == TPROC_U8 && fabs(g - e) > worst_u8)
                                    worst_u8 = fabs(g - e);
                            }
                        }
                free(ref);
                tproc_image_free(&out);
                tproc_image_free(&img);
            }
    return worst_u8;
}

/* --- reference comparisons ---------------------------------------------------------------- */

typedef struct ref_case {
    spec s;
    ptrdiff_t w, h;
} ref_case;

static const ref_case ref_cases[] = {
    {{GAUSS, 1.0, 0, 0, 0}, 37, 23},
    {{GAUSS, 1.0, 0, 0, 0}, 1, 1},
    {{GAUSS, 2.0, 0, 0, 0}, 1, 9},
    {{GAUSS, 2.0, 0, 0, 0}, 9, 1},
    {{GAUSS, 2.0, 0, 0, 0}, 37, 23},
    {{GAUSS, 0.4, 0, 0, 0}, 11, 7},
    {{GAUSS, 3.3, 0, 0, 0}, 5, 3}, /* radius 10: the halo bounces across the image */
    {{GAUSS, 10.5, 0, 0, 0}, 7, 5},
    {{GAUSS, 17.0, 0, 0, 0}, 3, 2}, /* u8: double path */
    {{GAUSS, 0.2, 0, 0, 0}, 6, 5},  /* u8: double path (centre weight 1) */
    {{BOX, 0, 0, 0, 1}, 37, 23},
    {{BOX, 0, 0, 0, 1}, 1, 1},
    {{BOX, 0, 0, 0, 2}, 1, 9},
    {{BOX, 0, 0, 0, 3}, 13, 11},
    {{BOX, 0, 0, 0, 7}, 5, 3},
    {{BOX, 0, 0, 0, 12}, 9, 4},
    {{SHARPEN, 1.0, 1.0, 0.0, 0}, 37, 23},
    {{SHARPEN, 1.0, 1.5, 0.0, 0}, 1, 9},
    {{SHARPEN, 2.0, 0.7, 0.05, 0}, 21, 13},
    {{SHARPEN, 1.7, 3.0, 0.2, 0}, 4, 3},
};

START_TEST(against_reference)
{
    const ref_case *rc = &ref_cases[_i];
    check_reference(&rc->s, rc->w, rc->h, (uint64_t)_i + 1);
}
END_TEST

/* The u8 fixed-point path: on where its bound holds, off past it, and within 1 level in fact. */
START_TEST(gaussian_fixed_point)
{
    static const double sigmas[] = {0.25, 0.5, 1.0, 2.0, 4.0, 9.0, 15.5};
    for (size_t i = 0; i < sizeof sigmas / sizeof sigmas[0]; i++) {
        tproc__sep_kernel *k = NULL;
        tu_ok(NULL, tproc__sep_gaussian(NULL, sigmas[i], &k));
        ck_assert_msg(k->radius == (int)ceil(3 * sigmas[i]), "sigma %g radius %d", sigmas[i],
                      k->radius);
        ck_assert_msg(k->fixed && k->fixed_error < 0.5, "sigma %g: fixed %d error %g", sigmas[i],
                      k->fixed, k->fixed_error);
        tproc__sep_free(NULL, k);

        /* Measured error on a bigger RGB image against the real convolution. */
        spec s = {GAUSS, sigmas[i], 0, 0, 0};
        char text[64];
        spec_text(&s, text, sizeof text);
        tproc_image *img = tu_random_image(NULL, 45, 31, 3, TPROC_U8, 900 + i);
        tproc_view in = tproc_image_view(img);
        double bval[4] = {0, 0, 0, 0};
        tproc_image *out = run(NULL, text, &in, TPROC_BORDER_REFLECT_101, bval, 0, 0, 1);
        tproc_view ov = tproc_image_view(out);
        double *ref = malloc(sizeof(double) * 45 * 31 * 3), worst = 0.0;
        ref_run(&s, &in, TPROC_BORDER_REFLECT_101, bval, ref);
        size_t off_round = 0;
        for (ptrdiff_t y = 0; y < 31; y++)
            for (ptrdiff_t x = 0; x < 45; x++)
                for (int c = 0; c < 3; c++) {
                    double e = ref[(y * 45 + x) * 3 + c], g = get(&ov, x, y, c);
                    worst = fmax(worst, fabs(g - e));
                    off_round += g != floor(e + 0.5);
                }
        ck_assert_msg(worst <= 1.0, "sigma %g: worst error %g levels", sigmas[i], worst);
        /* Results differing from the correctly rounded value are rare (error << 0.5). */
        ck_assert_msg(off_round < 45 * 31 * 3 / 10, "sigma %g: %zu samples off by one", sigmas[i],
                      off_round);
        free(ref);
        tproc_image_free(&out);
        tproc_image_free(&img);
    }
    tproc__sep_kernel *k = NULL;
    tu_ok(NULL, tproc__sep_gaussian(NULL, 16.0, &k));
    ck_assert_msg(!k->fixed, "sigma 16 should use the double path (bound %g)", k->fixed_error);
    tproc__sep_free(NULL, k);
    tu_ok(NULL, tproc__sep_gaussian(NULL, 0.2, &k)); /* centre weight 1: not representable */
    ck_assert_int_eq(k->radius, 1);
    ck_assert(!k->fixed);
    tproc__sep_free(NULL, k);
}
END_TEST

/*
 * sharpen on u8 without alpha and with threshold 0 blurs in gaussian's fixed point and applies
 * the mask in single precision (sharpen.c, kernels/sharpen_u8.c): its result must lie within
 * tproc__sharpen_u8_bound() of the exact unsharp mask before rounding, so within 1 level after,
 * on every instruction set. Parameters whose bound reaches 0.49 keep the double path, which
 * rounds the exact value (up to double rounding at ties).
 */
START_TEST(sharpen_fused_bound)
{
    static const struct {
        double sigma, amount;
    } cases[] = {{1.0, 1.0}, {0.6, 3.0},  {1.5, 1.5},  {2.0, 2.5},
                 {0.8, 0.3}, {1.0, 12.0}, {3.0, 100.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tproc__sep_kernel *k = NULL;
        tu_ok(NULL, tproc__sep_gaussian(NULL, cases[i].sigma, &k));
        double bound = tproc__sharpen_u8_bound(cases[i].amount, k->fixed_error);
        int fused = k->fixed && bound < 0.49;
        tproc__sep_free(NULL, k);
        if (i < 4)
            ck_assert_msg(fused, "sigma %g amount %g: bound %g, expected the fused path",
                          cases[i].sigma, cases[i].amount, bound);
        spec sp = {SHARPEN, cases[i].sigma, cases[i].amount, 0.0, 0};
        char text[160];
        spec_text(&sp, text, sizeof text);
        for (int ch = 1; ch <= 3; ch += 2) {
            /* A smooth image with noise and a few hard edges, so that results spread over
             * the range rather than piling up at the clamps. */
            tproc_image *img = tu_random_image(NULL, 71, 43, ch, TPROC_U8, 40 + i);
            tproc_view in = tproc_image_view(img);
            for (ptrdiff_t y = 0; y < 43; y++)
                for (ptrdiff_t x = 0; x < 71; x++)
                    for (int c = 0; c < ch; c++) {
                        unsigned char *p = tproc_view_pixel(&in, x, y) + c;
                        int base = (x / 9 + y / 7) % 2 ? 90 : 160;
                        *p = (unsigned char)(base + (x * 2 + c * 11) % 24 + *p % 7);
                    }
            double bval[4] = {0, 0, 0, 0}, *ref = malloc(sizeof(double) * 71 * 43 * 3);
            ref_run(&sp, &in, TPROC_BORDER_REFLECT_101, bval, ref);
            for (int level = TPROC__SIMD_PORTABLE; level <= TPROC__SIMD_AVX512; level++) {
                if (!tproc__simd_supported((tproc__simd)level))
                    continue;
                tproc__simd_cap((tproc__simd)level);
                tproc_image *out = run(NULL, text, &in, TPROC_BORDER_REFLECT_101, bval, 0, 0, 1);
                tproc_view ov = tproc_image_view(out);
                double worst = 0;
                for (ptrdiff_t y = 0; y < 43; y++)
                    for (ptrdiff_t x = 0; x < 71; x++)
                        for (int c = 0; c < ch; c++) {
                            double e = tproc__clamp(ref[(y * 71 + x) * ch + c], 0, 255);
                            worst = fmax(worst, fabs(get(&ov, x, y, c) - e));
                        }
                double allowed = 0.5 + (fused ? bound : 1e-9);
                ck_assert_msg(worst <= allowed,
                              "%s %dch %s: worst error %.4f levels, allowed %.4f (fused %d)", text,
                              ch, tproc__simd_name((tproc__simd)level), worst, allowed, fused);
                tproc_image_free(&out);
            }
            tproc__simd_cap(TPROC__SIMD_AVX512);
            free(ref);
            tproc_image_free(&img);
        }
    }
}
END_TEST

/*
 * box's integer division (kernels/box_sum.c): the magic numbers of the narrow path exist for
 * radius 1-7 and are checked there for every sum; the wide path's double quotient is floor(a /
 * N) at the edges where it could fail (multiples of N and one below), for every radius and
 * both sample ranges.
 */
START_TEST(box_division)
{
    for (int r = 1; r <= 1000; r++) {
        tproc__box b;
        tproc__box_init(&b, r, TPROC__SIMD_PORTABLE);
        ck_assert_msg(b.narrow == (r <= 7), "radius %d: narrow %d", r, b.narrow);
        int64_t n = (int64_t)(2 * r + 1) * (2 * r + 1);
        for (int64_t q = 0; q <= 65536; q += q < 300 ? 1 : 97) {
            for (int64_t d = -1; d <= 1; d++) {
                int64_t a = q * n + (d < 0 ? -1 : d > 0 ? n - 1 : 0);
                if (a < 0)
                    continue;
                int64_t got = (int64_t)TPROC__BOX_QUOTIENT(a, b.inv);
                ck_assert_msg(got == a / n, "radius %d: %lld / %lld gave %lld", r, (long long)a,
                              (long long)n, (long long)got);
            }
        }
    }
}
END_TEST

/* --- behaviour ---------------------------------------------------------------------------- */

START_TEST(sharpen_threshold)
{
    /* Flat 100 with one pixel at 110: the centre differs from its blur by 10 (1 - w0^2) ~ 8.4,
     * its neighbours by about 1. */
    tproc_image *img = NULL;
    tu_ok(NULL, tproc_image_new(NULL, 9, 9, 1, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    double fill = 100;
    tu_ok(NULL, tproc_view_fill(&v, &fill));
    *tproc_view_pixel(&v, 4, 4) = 110;
    double bval[4] = {0};
    static const struct {
        const char *text;
        int centre_changes, neighbours_change;
    } cases[] = {
        {"sharpen:sigma=1,amount=1,threshold=0.1", 0, 0},  /* 25.5 levels: nothing changes */
        {"sharpen:sigma=1,amount=1,threshold=0.01", 1, 0}, /* 2.55: only the centre */
        {"sharpen:sigma=1,amount=1,threshold=0", 1, 1},
        {"sharpen:sigma=1,amount=0,threshold=0", 0, 0},   /* amount 0: identity */
        {"sharpen:sigma=1,amount=100,threshold=1", 0, 0}, /* |d| never exceeds the maximum */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tproc_image *out = run(NULL, cases[i].text, &v, TPROC_BORDER_REFLECT_101, bval, 0, 0, 1);
        tproc_view o = tproc_image_view(out);
        unsigned centre = *tproc_view_pixel(&o, 4, 4), left = *tproc_view_pixel(&o, 3, 4);
        unsigned far = *tproc_view_pixel(&o, 0, 0);
        ck_assert_msg((centre != 110) == cases[i].centre_changes, "%s: centre %u", cases[i].text,
                      centre);
        ck_assert_msg((left != 100) == cases[i].neighbours_change, "%s: left %u", cases[i].text,
                      left);
        ck_assert_msg(far == 100, "%s: far pixel %u", cases[i].text, far);
        if (cases[i].centre_changes) {
            /* v + (v - blur): 110 + 10 (1 - w0^2) with w0 the 1-D centre weight. */
            double w[4], sum = 0;
            for (int k = 0; k <= 3; k++)
                sum += (k ? 2 : 1) * (w[k] = exp(-k * k / 2.0));
            double w0 = w[0] / sum;
            ck_assert_uint_eq(centre, (unsigned)floor(110 + 10 * (1 - w0 * w0) + 0.5));
        }
        tproc_image_free(&out);
    }
    tproc_image_free(&img);
}
END_TEST

/* Transparent pixels with colour 255 next to opaque ones with colour 0: premultiplied
 * filtering keeps the opaque pixels' colour at exactly 0. */
START_TEST(alpha_no_bleed)
{
    static const char *texts[] = {"gaussian:sigma=2", "box:radius=2",
                                  "sharpen:sigma=1,amount=2,threshold=0"};
    for (size_t si = 0; si < 3; si++)
        for (size_t t = 0; t < 3; t++) {
            tproc_image *img = NULL;
            tu_ok(NULL, tproc_image_new(NULL, 15, 11, 4, samples[si], &img));
            tproc_view v = tproc_image_view(img);
            double m = maxval(samples[si]);
            for (ptrdiff_t y = 0; y < 11; y++)
                for (ptrdiff_t x = 0; x < 15; x++) {
                    int opaque = (x / 3 + y / 3) % 2 == 0;
                    double px[4] = {opaque ? 0 : m, opaque ? 0 : m, opaque ? 0 : m, opaque ? m : 0};
                    tproc_view one;
                    tu_ok(NULL, tproc_view_sub(&v, x, y, 1, 1, &one));
                    tu_ok(NULL, tproc_view_fill(&one, px));
                }
            double bval[4] = {0};
            tproc_image *out = run(NULL, texts[t], &v, TPROC_BORDER_REFLECT_101, bval, 0, 0, 1);
            tproc_view o = tproc_image_view(out);
            size_t opaque = 0;
            for (ptrdiff_t y = 0; y < 11; y++)
                for (ptrdiff_t x = 0; x < 15; x++) {
                    if (get(&v, x, y, 3) == 0)
                        continue;
                    opaque++;
                    for (int c = 0; c < 3; c++)
                        ck_assert_msg(get(&o, x, y, c) == 0, "%s %s (%td,%td,%d): colour %g",
                                      texts[t], tproc_sample_name(samples[si]), x, y, c,
                                      get(&o, x, y, c));
                }
            ck_assert(opaque > 50);
            tproc_image_free(&out);
            tproc_image_free(&img);
        }
}
END_TEST

static const char *const identity_texts[] = {
    "gaussian:sigma=1.5",
    "gaussian:sigma=4",
    "box:radius=3",
    "box:radius=9",
    "sharpen:sigma=1,amount=2,threshold=0.02",
};

/* Every tiling and thread count gives the bytes of the single-tile run. */
START_TEST(tiling_identity)
{
    const char *text = identity_texts[_i];
    static const ptrdiff_t tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {3, 40}};
    static const int chans[] = {1, 3, 4};
    for (size_t si = 0; si < 3; si++)
        for (size_t ci = 0; ci < 3; ci++) {
            uint64_t seed = 7000 + (uint64_t)_i * 100 + si * 10 + ci;
            tproc_image *img = tu_random_image(NULL, 37, 23, chans[ci], samples[si], seed);
            tproc_view in = tproc_image_view(img);
            double bval[4];
            border_value(samples[si], bval);
            tproc_border b = borders[(si + ci) % 5];
            tproc_image *whole = run(NULL, text, &in, b, bval, 100, 100, 1);
            tproc_view wv = tproc_image_view(whole);
            for (size_t t = 0; t < 4; t++)
                for (int threads = 1; threads <= 3; threads += 2) {
                    if (tiles[t][0] == 1 && threads == 3)
                        continue; /* 1x1 tiles once is enough under ASan */
                    tproc_image *out =
                        run(NULL, text, &in, b, bval, tiles[t][0], tiles[t][1], threads);
                    tproc_view ov = tproc_image_view(out);
                    tproc_diff d;
                    tu_ok(NULL, tproc_view_compare(&wv, &ov, &d));
                    ck_assert_msg(d.differing == 0,
                                  "%s %s ch=%d border=%s seed=%llu tile %tdx%td threads %d: "
                                  "%zu samples differ (max %g)",
                                  text, tproc_sample_name(samples[si]), chans[ci],
                                  tproc_border_name(b), (unsigned long long)seed, tiles[t][0],
                                  tiles[t][1], threads, d.differing, d.max_abs);
                    tproc_image_free(&out);
                }
            tproc_image_free(&whole);
            tproc_image_free(&img);
        }
}
END_TEST

/* process() with views whose pixels are not packed (channels 0-2 of RGBA, in and out) gives
 * the bytes it gives on packed views: the row-packing paths do the same arithmetic. */
START_TEST(strided_views)
{
    static const char *texts[] = {"gaussian:sigma=1.5", "gaussian:sigma=12", "box:radius=2",
                                  "sharpen:sigma=1,amount=1.5,threshold=0"};
    for (size_t si = 0; si < 3; si++)
        for (size_t t = 0; t < 4; t++) {
            const tproc_filter *f = NULL;
            tproc_params params;
            tu_ok(NULL, tproc_params_parse(NULL, texts[t], &f, &params));
            tproc_image *src = tu_random_image(NULL, 30, 20, 4, samples[si], 500 + si * 10 + t);
            tproc_view sv = tproc_image_view(src), rgb;
            tu_ok(NULL, tproc_view_channels(&sv, 0, 3, &rgb));
            tproc_image *packed = NULL;
            tu_ok(NULL, tproc_image_from_view(NULL, &rgb, &packed));
            tproc_view pv = tproc_image_view(packed);

            tproc_format fmt = {30, 20, 3, samples[si]};
            tproc_stage st;
            tu_ok(NULL, tproc_stage_prepare(NULL, f, &params, &fmt, &st));
            ck_assert_int_eq(st.premultiply, 1);
            ck_assert_int_gt(st.halo.left, 0); /* not a point filter */
            ptrdiff_t r = st.halo.left, ow = 30 - 2 * r, oh = 20 - 2 * r;
            if (ow < 1 || oh < 1) { /* halo too wide for a direct call on this image */
                tproc_stage_release(NULL, &st);
                tproc_image_free(&packed);
                tproc_image_free(&src);
                continue;
            }
            tproc_rect in_rect = {0, 0, 30, 20}, out_rect = {r, r, ow, oh};
            size_t bytes = f->scratch_size(&st, in_rect, out_rect);
            void *scratch = aligned_alloc(64, (bytes + 63) / 64 * 64);
            tproc_image *o1 = NULL, *o2 = NULL;
            tu_ok(NULL, tproc_image_new(NULL, ow, oh, 3, samples[si], &o1));
            tu_ok(NULL, tproc_image_new(NULL, ow, oh, 4, samples[si], &o2));
            tproc_view v1 = tproc_image_view(o1), v2full = tproc_image_view(o2), v2;
            tu_ok(NULL, tproc_view_channels(&v2full, 0, 3, &v2));
            tproc_call c1 = {&st, pv, in_rect, v1, out_rect, scratch};
            tproc_call c2 = {&st, rgb, in_rect, v2, out_rect, scratch};
            ck_assert_int_eq(f->process(&c1), TPROC_OK);
            ck_assert_int_eq(f->process(&c2), TPROC_OK);
            tproc_diff d;
            tu_ok(NULL, tproc_view_compare(&v1, &v2, &d));
            ck_assert_msg(d.differing == 0, "%s %s: %zu samples differ", texts[t],
                          tproc_sample_name(samples[si]), d.differing);
            /* process wrote only inside its view: the alpha of o2 is untouched. */
            for (ptrdiff_t y = 0; y < oh; y++)
                for (ptrdiff_t x = 0; x < ow; x++)
                    ck_assert(get(&v2full, x, y, 3) == 0);
            free(scratch);
            tproc_stage_release(NULL, &st);
            tproc_image_free(&o1);
            tproc_image_free(&o2);
            tproc_image_free(&packed);
            tproc_image_free(&src);
        }
}
END_TEST

START_TEST(parameters)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const tproc_filter *f = NULL;
    tproc_params p;
    ck_assert_int_eq(tproc_params_parse(ctx, "gaussian:sigma=-1", &f, &p), TPROC_ERR_PARAM);
    ck_assert_str_eq(tproc_ctx_message(ctx), "gaussian: sigma must be in (0, 1000], got -1");
    ck_assert_int_eq(tproc_params_parse(ctx, "gaussian:sigma=0", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "gaussian:sigma=1000.5", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "box:radius=0", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "box:radius=1001", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "box:radius=1.5", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "sharpen:amount=101", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "sharpen:amount=-0.5", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "sharpen:threshold=1.5", &f, &p), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "sharpen:sigma=0", &f, &p), TPROC_ERR_PARAM);

    /* Defaults and halos. */
    static const struct {
        const char *text;
        ptrdiff_t halo;
    } halos[] = {{"box", 1},
                 {"box:radius=1000", 1000},
                 {"gaussian", 3},
                 {"gaussian:sigma=2", 6},
                 {"gaussian:sigma=0.5", 2},
                 {"gaussian:sigma=1000", 3000},
                 {"sharpen", 3},
                 {"sharpen:sigma=2.1", 7}};
    tproc_format fmt = {10, 10, 3, TPROC_U8};
    for (size_t i = 0; i < sizeof halos / sizeof halos[0]; i++) {
        tu_ok(ctx, tproc_params_parse(ctx, halos[i].text, &f, &p));
        tproc_stage st;
        tu_ok(ctx, tproc_stage_prepare(ctx, f, &p, &fmt, &st));
        ck_assert_msg(st.halo.left == halos[i].halo && st.halo.right == halos[i].halo &&
                          st.halo.top == halos[i].halo && st.halo.bottom == halos[i].halo,
                      "%s: halo %td", halos[i].text, st.halo.left);
        ck_assert(st.out.width == 10 && st.out.height == 10 && st.out.channels == 3 &&
                  st.out.sample == TPROC_U8);
        ck_assert_int_eq(st.premultiply, 1);
        ck_assert_int_gt(st.halo.left, 0); /* not a point filter */
        tproc_stage_release(ctx, &st);
    }
    f = tproc_filter_find("sharpen");
    ck_assert_ptr_nonnull(f);
    tproc_params_init(f, &p);
    ck_assert(tproc_params_get(f, &p, "sigma") == 1.0);
    ck_assert(tproc_params_get(f, &p, "amount") == 1.0);
    ck_assert(tproc_params_get(f, &p, "threshold") == 0.0);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_filters_blur(void)
{
    Suite *s = suite_create("filters_blur");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, against_reference, 0, (int)(sizeof ref_cases / sizeof ref_cases[0]));
    tcase_add_test(tc, gaussian_fixed_point);
    tcase_add_test(tc, sharpen_fused_bound);
    tcase_add_test(tc, box_division);
    suite_add_tcase(s, tc);

    tc = tcase_create("behaviour");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sharpen_threshold);
    tcase_add_test(tc, alpha_no_bleed);
    tcase_add_loop_test(tc, tiling_identity, 0,
                        (int)(sizeof identity_texts / sizeof identity_texts[0]));
    tcase_add_test(tc, strided_views);
    tcase_add_test(tc, parameters);
    suite_add_tcase(s, tc);
    return s;
}
