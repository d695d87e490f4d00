/* SPDX-License-Identifier: MIT */
/*
 * test_filters_area.c: the area filters sobel, median and convolve against naive whole-image
 * references written here in double precision with their own border indexing (the library's
 * border code is never used by a reference). Every format (u8/u16/f32 x 1-4 channels), every
 * border mode, odd sizes down to 1x1 and images smaller than the kernel. Integer outputs must
 * match exactly: the references follow the documented formulas (same order of additions for
 * convolve), so there is no tolerance anywhere; f32 is compared bit for bit as well. Alpha must
 * come through unchanged. Tiled and threaded runs must be byte-identical to the whole-image run.
 *
 * Results are produced two ways: through tproc_pipeline_run, and through a small harness here
 * that calls the filter's prepare/process directly on tiles it cuts itself (input views with
 * gaps between pixels and rows), so the kernels are checked independently of the engine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/conv_int.h"
#include "kernels/median_nets.h"
#include "kernels/median_sort.h"
#include "kernels/simd.h"
#include "kernels/sobel_u8.h"
#include "testutil.h"

static int has_alpha(int channels)
{
    return channels == 2 || channels == 4;
}

static const tproc_sample samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
static const tproc_border borders[5] = {TPROC_BORDER_CONSTANT, TPROC_BORDER_REPLICATE,
                                        TPROC_BORDER_REFLECT, TPROC_BORDER_REFLECT_101,
                                        TPROC_BORDER_WRAP};
/* Sizes include 1x1, single rows and columns, and images smaller than a 7x7 kernel. */
static const ptrdiff_t sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {2, 2}, {3, 5}, {37, 23}};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

/* The CONSTANT border value per channel, as a fraction of the type's maximum (exact in every
 * type: integer levels for u8/u16 below, dyadic for f32). */
static void border_value(tproc_sample s, double value[4])
{
    static const double u8v[4] = {10, 200, 77, 128};
    static const double f32v[4] = {0.25, 0.75, 0.5, 0.125};
    for (int c = 0; c < 4; c++)
        value[c] = s == TPROC_U8 ? u8v[c] : s == TPROC_U16 ? u8v[c] * 257 : f32v[c];
}

/* --- naive references ------------------------------------------------------------------- */

/* The source index position i reads along an axis of n under a border rule, -1 for CONSTANT
 * outside; written out from the definitions in base.h. */
static ptrdiff_t ref_index(ptrdiff_t i, ptrdiff_t n, tproc_border b)
{
    if (i >= 0 && i < n)
        return i;
    switch (b) {
    case TPROC_BORDER_CONSTANT:
        return -1;
    case TPROC_BORDER_REPLICATE:
        return i < 0 ? 0 : n - 1;
    case TPROC_BORDER_REFLECT: { /* dcba|abcd|dcba, period 2n */
        ptrdiff_t p = ((i % (2 * n)) + 2 * n) % (2 * n);
        return p < n ? p : 2 * n - 1 - p;
    }
    case TPROC_BORDER_REFLECT_101: { /* dcb|abcd|cba, period 2n - 2 */
        if (n == 1)
            return 0;
        ptrdiff_t p = ((i % (2 * n - 2)) + 2 * n - 2) % (2 * n - 2);
        return p < n ? p : 2 * n - 2 - p;
    }
    case TPROC_BORDER_WRAP:
        return ((i % n) + n) % n;
    }
    return -1;
}

static double sample_at(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
{
    const unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_U8)
        return p[c];
    if (v->sample == TPROC_U16) {
        uint16_t u;
        memcpy(&u, p + 2 * c, 2);
        return u;
    }
    float f;
    memcpy(&f, p + 4 * c, 4);
    return f;
}

/* Sample (x, y, c) of v for any x, y, through the border rule. */
static double ref_px(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c, tproc_border b,
                     const double *bval)
{
    ptrdiff_t ix = ref_index(x, v->width, b), iy = ref_index(y, v->height, b);
    if (ix < 0 || iy < 0)
        return bval[c];
    return sample_at(v, ix, iy, c);
}

/* Rounds half up and clamps for integer types; f32 as is. */
static void ref_store(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c, double value)
{
    unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_F32) {
        float f = (float)value;
        memcpy(p + 4 * c, &f, 4);
        return;
    }
    double max = v->sample == TPROC_U8 ? 255.0 : 65535.0;
    double r = floor((value < 0 ? 0 : value > max ? max : value) + 0.5);
    if (v->sample == TPROC_U8) {
        p[c] = (unsigned char)r;
    } else {
        uint16_t u = (uint16_t)r;
        memcpy(p + 2 * c, &u, 2);
    }
}

typedef struct ref_filter {
    int kind; /* 0 sobel, 1 median, 2 convolve */
    int radius;
    int mw, mh;
    double matrix[TPROC_MATRIX_MAX];
    double scale, offset;
} ref_filter;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ref_value(const ref_filter *f, const tproc_view *in, ptrdiff_t x, ptrdiff_t y, int c,
                        tproc_border b, const double *bval)
{
    if (f->kind == 0) {
        static const double kx[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
        double gx = 0, gy = 0;
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 3; i++) {
                double v = ref_px(in, x + i - 1, y + j - 1, c, b, bval);
                gx += kx[j][i] * v;
                gy += kx[i][j] * v;
            }
        return sqrt(gx * gx + gy * gy);
    }
    if (f->kind == 1) {
        double w[49];
        int n = 0;
        for (int j = -f->radius; j <= f->radius; j++)
            for (int i = -f->radius; i <= f->radius; i++)
                w[n++] = ref_px(in, x + i, y + j, c, b, bval);
        qsort(w, (size_t)n, sizeof w[0], cmp_double);
        return w[n / 2];
    }
    double sum = 0;
    int cx = (f->mw - 1) / 2, cy = (f->mh - 1) / 2;
    for (int j = 0; j < f->mh; j++)
        for (int i = 0; i < f->mw; i++)
            sum += f->matrix[j * f->mw + i] * ref_px(in, x + i - cx, y + j - cy, c, b, bval);
    return f->scale * sum + f->offset;
}

/* The whole-image reference result. */
static tproc_image *ref_apply(tproc_ctx *ctx, const ref_filter *f, const tproc_view *in,
                              tproc_border b, const double *bval)
{
    tproc_image *out = NULL;
    tu_ok(ctx, tproc_image_new(ctx, in->width, in->height, in->channels, in->sample, &out));
    tproc_view ov = tproc_image_view(out);
    int cc = has_alpha(in->channels) ? in->channels - 1 : in->channels;
    for (ptrdiff_t y = 0; y < in->height; y++)
        for (ptrdiff_t x = 0; x < in->width; x++) {
            for (int c = 0; c < cc; c++)
                ref_store(&ov, x, y, c, ref_value(f, in, x, y, c, b, bval));
            if (cc < in->channels) /* alpha unchanged */
                memcpy(tproc_view_pixel(&ov, x, y) + (size_t)cc * tproc_sample_size(in->sample),
                       tproc_view_pixel(in, x, y) + (size_t)cc * tproc_sample_size(in->sample),
                       tproc_sample_size(in->sample));
        }
    return out;
}

/* --- running the filters ---------------------------------------------------------------- */

/* Through the engine. */
static tproc_image *run_engine(tproc_ctx *ctx, const char *spec, const tproc_view *in,
                               tproc_border b, const double *bval, ptrdiff_t tw, ptrdiff_t th,
                               int threads)
{
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, spec));
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = tw;
    o.tile_height = th;
    o.threads = threads;
    o.border = b;
    memcpy(o.border_value, bval, sizeof o.border_value);
    tproc_image *out = NULL;
    tu_ok(ctx, tproc_pipeline_run(p, in, &o, &out));
    tproc_pipeline_free(&p);
    return out;
}

/*
 * Without the engine: prepare, then for each tw x th tile read the tile grown by the halo
 * through the border rule into a buffer with gaps after every pixel and row, and process.
 */
static tproc_image *run_harness(tproc_ctx *ctx, const char *spec, const tproc_view *in,
                                tproc_border b, const double *bval, ptrdiff_t tw, ptrdiff_t th)
{
    const tproc_filter *f = NULL;
    tproc_params params;
    tu_ok(ctx, tproc_params_parse(ctx, spec, &f, &params));
    tproc_format fin = {in->width, in->height, in->channels, in->sample};
    tproc_stage st;
    tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &fin, &st));
    ck_assert_int_eq(st.premultiply, 0);
    ck_assert_int_eq(st.geometry, 0);
    tproc_image *out = NULL;
    tu_ok(ctx,
          tproc_image_new(ctx, st.out.width, st.out.height, st.out.channels, st.out.sample, &out));
    tproc_view ov = tproc_image_view(out);
    size_t pixel = tproc_view_pixel_size(in);
    for (ptrdiff_t ty = 0; ty < in->height; ty += th)
        for (ptrdiff_t tx = 0; tx < in->width; tx += tw) {
            tproc_rect orect = {tx, ty, tw < in->width - tx ? tw : in->width - tx,
                                th < in->height - ty ? th : in->height - ty};
            tproc_rect irect = {tx - st.halo.left, ty - st.halo.top,
                                orect.width + st.halo.left + st.halo.right,
                                orect.height + st.halo.top + st.halo.bottom};
            /* One spare pixel after each pixel, three after each row. */
            ptrdiff_t ps = 2 * (ptrdiff_t)pixel, rs = ps * irect.width + 3 * (ptrdiff_t)pixel;
            unsigned char *buf = malloc((size_t)(rs * irect.height));
            ck_assert_ptr_nonnull(buf);
            memset(buf, 0xa5, (size_t)(rs * irect.height));
            tproc_view iv, sub;
            tu_ok(ctx, tproc_view_init(&iv, buf, irect.width, irect.height, in->channels,
                                       in->sample, ps, rs));
            tu_ok(ctx, tproc_view_read_border(in, irect, b, bval, &iv));
            tu_ok(ctx, tproc_view_sub(&ov, orect.x, orect.y, orect.width, orect.height, &sub));
            size_t scratch_bytes = f->scratch_size ? f->scratch_size(&st, irect, orect) : 0;
            void *scratch = NULL;
            if (scratch_bytes) {
                scratch = aligned_alloc(64, (scratch_bytes + 63) / 64 * 64);
                ck_assert_ptr_nonnull(scratch);
            }
            tproc_call call = {&st, iv, irect, sub, orect, scratch};
            ck_assert_int_eq(f->process(&call), TPROC_OK);
            free(scratch);
            free(buf);
        }
    tproc_stage_release(ctx, &st);
    return out;
}

/* Asserts a and b are byte-identical, naming the first differing sample. */
static void assert_same(const tproc_image *got, const tproc_image *want, const char *what)
{
    tproc_view g = tproc_image_view(got), w = tproc_image_view(want);
    ck_assert_msg(g.width == w.width && g.height == w.height && g.channels == w.channels &&
                      g.sample == w.sample,
                  "%s: output format %tdx%td %dch %s, expected %tdx%td %dch %s", what, g.width,
                  g.height, g.channels, tproc_sample_name(g.sample), w.width, w.height, w.channels,
                  tproc_sample_name(w.sample));
    size_t pixel = tproc_view_pixel_size(&g);
    for (ptrdiff_t y = 0; y < g.height; y++)
        for (ptrdiff_t x = 0; x < g.width; x++)
            if (memcmp(tproc_view_pixel(&g, x, y), tproc_view_pixel(&w, x, y), pixel) != 0) {
                for (int c = 0; c < g.channels; c++) {
                    double a = sample_at(&g, x, y, c), e = sample_at(&w, x, y, c);
                    ck_assert_msg(
                        memcmp(&a, &e, sizeof a) == 0,
                        "%s: pixel (%td, %td) channel %d%s is %.9g, expected %.9g", what, x, y, c,
                        has_alpha(g.channels) && c == g.channels - 1 ? " (alpha)" : "", a, e);
                }
            }
}

/* Makes a random image; low: values only in the bottom eighth of the range, so that gradients
 * and sums mostly stay below the clamp. */
static tproc_image *make_image(tproc_ctx *ctx, ptrdiff_t w, ptrdiff_t h, int ch, tproc_sample s,
                               uint64_t seed, int low)
{
    tproc_image *img = tu_random_image(ctx, w, h, ch, s, seed);
    if (!low)
        return img;
    tproc_view v = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < h; y++)
        for (ptrdiff_t x = 0; x < w; x++) {
            unsigned char *p = tproc_view_pixel(&v, x, y);
            for (int c = 0; c < ch; c++) {
                if (s == TPROC_U8) {
                    p[c] = (unsigned char)(p[c] >> 3);
                } else if (s == TPROC_U16) {
                    uint16_t u;
                    memcpy(&u, p + 2 * c, 2);
                    u = (uint16_t)(u >> 3);
                    memcpy(p + 2 * c, &u, 2);
                } else {
                    float f;
                    memcpy(&f, p + 4 * c, 4);
                    f *= 0.125f;
                    memcpy(p + 4 * c, &f, 4);
                }
            }
        }
    return img;
}

/*
 * Checks spec against the reference f for one format (loop index i: sample i / 4, channels
 * i % 4 + 1) on every size and border, through the harness and the engine.
 */
static void check_reference(const char *spec, const ref_filter *f, int i, int low)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_sample s = samples[i / 4];
    int ch = i % 4 + 1;
    double bval[4];
    border_value(s, bval);
    for (size_t k = 0; k < N_SIZES; k++) {
        uint64_t seed = 1000u * (uint64_t)i + k + (low ? 500u : 0u);
        tproc_image *img = make_image(ctx, sizes[k][0], sizes[k][1], ch, s, seed, low);
        tproc_view in = tproc_image_view(img);
        for (int bi = 0; bi < 5; bi++) {
            char what[512];
            snprintf(what, sizeof what, "'%.300s' %s %dch %tdx%td border %s seed %llu%s", spec,
                     tproc_sample_name(s), ch, in.width, in.height, tproc_border_name(borders[bi]),
                     (unsigned long long)seed, low ? " (low values)" : "");
            tproc_image *want = ref_apply(ctx, f, &in, borders[bi], bval);
            tproc_image *got = run_harness(ctx, spec, &in, borders[bi], bval, 1 << 20, 1 << 20);
            char label[600];
            snprintf(label, sizeof label, "harness %s", what);
            assert_same(got, want, label);
            tproc_image_free(&got);
            got = run_engine(ctx, spec, &in, borders[bi], bval, 1 << 20, 1 << 20, 1);
            snprintf(label, sizeof label, "engine %s", what);
            assert_same(got, want, label);
            tproc_image_free(&got);
            tproc_image_free(&want);
        }
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}

/* --- sobel ------------------------------------------------------------------------------ */

START_TEST(sobel_reference)
{
    ref_filter f = {.kind = 0};
    check_reference("sobel", &f, _i, 0);
    check_reference("sobel", &f, _i, 1);
}
END_TEST

/* Hand-computed values: a step of 10 gives gx = 40; a 6-8-10 gradient gives 10; clamping. */
START_TEST(sobel_known_values)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const double zero[4] = {0};
    /* 3x3 gray: left column 0, others 10: the centre sees gx = 10+20+10 = 40, gy = 0. */
    uint8_t step[9] = {0, 10, 10, 0, 10, 10, 0, 10, 10};
    tproc_view v;
    tu_ok(ctx, tproc_view_init(&v, step, 3, 3, 1, TPROC_U8, 0, 0));
    tproc_image *out = run_harness(ctx, "sobel", &v, TPROC_BORDER_REPLICATE, zero, 8, 8);
    tproc_view ov = tproc_image_view(out);
    ck_assert_int_eq(tproc_view_pixel(&ov, 1, 1)[0], 40);
    tproc_image_free(&out);
    /* Top row (a, b, c), middle (d, e, f), bottom (g, h, i) with gx = 6, gy = 8 at the centre:
     * gx = (c - a) + 2 (f - d) + (i - g), gy = (g - a) + 2 (h - b) + (i - c). */
    uint8_t g345[9] = {100, 100, 102, 100, 100, 102, 100, 105, 100};
    tu_ok(ctx, tproc_view_init(&v, g345, 3, 3, 1, TPROC_U8, 0, 0));
    out = run_harness(ctx, "sobel", &v, TPROC_BORDER_REPLICATE, zero, 8, 8);
    ov = tproc_image_view(out);
    ck_assert_int_eq(tproc_view_pixel(&ov, 1, 1)[0], 10);
    tproc_image_free(&out);
    /* A black/white step saturates u8 (4 * 255 > 255) and RGBA keeps its alpha. */
    uint8_t bw[3 * 3 * 4];
    for (int p = 0; p < 9; p++) {
        uint8_t val = p % 3 == 0 ? 0 : 255;
        bw[4 * p] = bw[4 * p + 1] = bw[4 * p + 2] = val;
        bw[4 * p + 3] = (uint8_t)(17 * p);
    }
    tu_ok(ctx, tproc_view_init(&v, bw, 3, 3, 4, TPROC_U8, 0, 0));
    out = run_harness(ctx, "sobel", &v, TPROC_BORDER_REPLICATE, zero, 8, 8);
    ov = tproc_image_view(out);
    for (int c = 0; c < 3; c++)
        ck_assert_int_eq(tproc_view_pixel(&ov, 1, 1)[c], 255);
    for (int p = 0; p < 9; p++)
        ck_assert_int_eq(tproc_view_pixel(&ov, p % 3, p / 3)[3], 17 * p);
    tproc_image_free(&out);
    /* f32 is not clamped: the same step in f32 gives 4. */
    float fw[9];
    for (int p = 0; p < 9; p++)
        fw[p] = p % 3 == 0 ? 0.0f : 1.0f;
    tu_ok(ctx, tproc_view_init(&v, fw, 3, 3, 1, TPROC_F32, 0, 0));
    out = run_harness(ctx, "sobel", &v, TPROC_BORDER_REPLICATE, zero, 8, 8);
    ov = tproc_image_view(out);
    ck_assert_double_eq(sample_at(&ov, 1, 1, 0), 4.0);
    tproc_image_free(&out);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- median ----------------------------------------------------------------------------- */

START_TEST(median_reference)
{
    for (int r = 1; r <= 3; r++) {
        ref_filter f = {.kind = 1, .radius = r};
        char spec[64];
        snprintf(spec, sizeof spec, "median:radius=%d", r);
        check_reference(spec, &f, _i, 0);
    }
    /* The default radius is 1. */
    ref_filter f1 = {.kind = 1, .radius = 1};
    check_reference("median", &f1, _i, 1);
}
END_TEST

/* Few distinct values make many ties in the window, the u8 histogram's hard case. */
START_TEST(median_few_levels)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const double zero[4] = {0};
    for (int r = 1; r <= 3; r++) {
        tproc_image *img = tu_random_image(ctx, 41, 19, 3, TPROC_U8, 77u + (uint64_t)r);
        tproc_view v = tproc_image_view(img);
        for (ptrdiff_t y = 0; y < v.height; y++)
            for (ptrdiff_t x = 0; x < v.width; x++)
                for (int c = 0; c < 3; c++) {
                    unsigned char *p = tproc_view_pixel(&v, x, y) + c;
                    *p = (unsigned char)(*p % 3 == 0 ? 0 : *p % 3 == 1 ? 128 : 255);
                }
        ref_filter f = {.kind = 1, .radius = r};
        char spec[64], what[128];
        snprintf(spec, sizeof spec, "median:radius=%d", r);
        snprintf(what, sizeof what, "%s on three levels, seed %d", spec, 77 + r);
        tproc_image *want = ref_apply(ctx, &f, &v, TPROC_BORDER_REFLECT_101, zero);
        tproc_image *got = run_harness(ctx, spec, &v, TPROC_BORDER_REFLECT_101, zero, 13, 4);
        assert_same(got, want, what);
        tproc_image_free(&got);
        tproc_image_free(&want);
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* f32 samples outside [0, 1], negative ones and infinities included, order as numbers. */
START_TEST(median_f32_signed)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const double bval[4] = {-0.5, 3, 0.25, 1};
    tu_rng rng;
    tu_rng_seed(&rng, 31337u);
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 17, 11, 2, TPROC_F32, &img));
    tproc_view v = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < v.height; y++)
        for (ptrdiff_t x = 0; x < v.width; x++) {
            float *p = (float *)(void *)tproc_view_pixel(&v, x, y);
            for (int c = 0; c < 2; c++) {
                ptrdiff_t r = tu_rng_range(&rng, -4000, 4000);
                p[c] = r == 4000 ? INFINITY : r == -4000 ? -INFINITY : (float)r / 1000.0f;
            }
        }
    for (int r = 1; r <= 3; r++)
        for (int bi = 0; bi < 5; bi++) {
            ref_filter f = {.kind = 1, .radius = r};
            char spec[64], what[160];
            snprintf(spec, sizeof spec, "median:radius=%d", r);
            snprintf(what, sizeof what, "%s on signed f32, border %s, seed 31337", spec,
                     tproc_border_name(borders[bi]));
            tproc_image *want = ref_apply(ctx, &f, &v, borders[bi], bval);
            tproc_image *got = run_harness(ctx, spec, &v, borders[bi], bval, 5, 3);
            assert_same(got, want, what);
            tproc_image_free(&got);
            got = run_engine(ctx, spec, &v, borders[bi], bval, 5, 3, 2);
            assert_same(got, want, what);
            tproc_image_free(&got);
            tproc_image_free(&want);
        }
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A lone bright pixel disappears; a 3x3 block survives radius 1 but not radius 2. */
START_TEST(median_known_values)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const double zero[4] = {0};
    uint16_t img[9 * 9] = {0};
    img[4 * 9 + 4] = 65535;
    tproc_view v;
    tu_ok(ctx, tproc_view_init(&v, img, 9, 9, 1, TPROC_U16, 0, 0));
    tproc_image *out = run_harness(ctx, "median", &v, TPROC_BORDER_CONSTANT, zero, 4, 4);
    tproc_view ov = tproc_image_view(out);
    for (ptrdiff_t y = 0; y < 9; y++)
        for (ptrdiff_t x = 0; x < 9; x++)
            ck_assert_msg(sample_at(&ov, x, y, 0) == 0, "(%td, %td) is %g", x, y,
                          sample_at(&ov, x, y, 0));
    tproc_image_free(&out);
    for (int y = 3; y <= 5; y++)
        for (int x = 3; x <= 5; x++)
            img[y * 9 + x] = 1000;
    out = run_harness(ctx, "median:radius=1", &v, TPROC_BORDER_CONSTANT, zero, 4, 4);
    ov = tproc_image_view(out);
    ck_assert_double_eq(sample_at(&ov, 4, 4, 0), 1000);
    ck_assert_double_eq(sample_at(&ov, 3, 3, 0), 0); /* 4 of 9 set */
    tproc_image_free(&out);
    out = run_harness(ctx, "median:radius=2", &v, TPROC_BORDER_CONSTANT, zero, 4, 4);
    ov = tproc_image_view(out);
    ck_assert_double_eq(sample_at(&ov, 4, 4, 0), 0); /* 9 of 25 set */
    tproc_image_free(&out);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- convolve --------------------------------------------------------------------------- */

/* Builds "convolve:matrix=...,scale=...,offset=..." for f. */
static void convolve_spec(const ref_filter *f, char *buf, size_t size)
{
    size_t at = (size_t)snprintf(buf, size, "convolve:matrix=");
    for (int j = 0; j < f->mh; j++)
        for (int i = 0; i < f->mw; i++)
            at += (size_t)snprintf(buf + at, size - at, "%s%.17g", i ? " " : (j ? ";" : ""),
                                   f->matrix[j * f->mw + i]);
    snprintf(buf + at, size - at, ",scale=%.17g,offset=%.17g", f->scale, f->offset);
}

static const int matrix_shapes[][2] = {{3, 3}, {1, 1}, {5, 3}, {1, 7}, {7, 7}};

START_TEST(convolve_reference)
{
    static char spec[8192];
    tu_rng rng;
    tu_rng_seed(&rng, 4242u + (uint64_t)_i);
    double max = samples[_i / 4] == TPROC_U8 ? 255 : samples[_i / 4] == TPROC_U16 ? 65535 : 1;
    for (size_t m = 0; m < sizeof matrix_shapes / sizeof matrix_shapes[0]; m++) {
        ref_filter f = {.kind = 2, .mw = matrix_shapes[m][0], .mh = matrix_shapes[m][1]};
        /* Integer and eighth weights (the int64 path and the double path); offsets that
         * land on exact halves test rounding half up. */
        int eighths = m % 2 == 1;
        for (int t = 0; t < f.mw * f.mh; t++)
            f.matrix[t] = (double)tu_rng_range(&rng, -16, 16) / (eighths ? 8.0 : 1.0);
        f.scale = m == 0 ? 1.0 : m == 2 ? 0.5 : m == 3 ? -0.25 : 0.0625;
        f.offset = m == 0 ? 0.0 : max * 0.5;
        convolve_spec(&f, spec, sizeof spec);
        check_reference(spec, &f, _i, (int)(m % 2));
    }
}
END_TEST

/* Weights and scale that are not dyadic: the double path must still match the formula. */
START_TEST(convolve_real_weights)
{
    static char spec[8192];
    ref_filter f = {.kind = 2, .mw = 3, .mh = 5, .scale = 0.37, .offset = 3.3};
    for (int t = 0; t < 15; t++)
        f.matrix[t] = (t % 2 ? -0.1 : 0.3) * (t + 1) / 7.0;
    if (samples[_i / 4] == TPROC_F32)
        f.offset = 0.033;
    convolve_spec(&f, spec, sizeof spec);
    check_reference(spec, &f, _i, 1);
}
END_TEST

/* The issue's example: 16 in the centre, -1 around, scale 1/8 (a sharpen). */
START_TEST(convolve_issue_example)
{
    const char *spec = "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125,offset=0";
    ref_filter f = {.kind = 2, .mw = 3, .mh = 3, .scale = 0.125, .offset = 0};
    for (int t = 0; t < 9; t++)
        f.matrix[t] = t == 4 ? 16 : -1;
    check_reference(spec, &f, _i, 0);
    if (_i == 0) {
        tproc_ctx *ctx = NULL;
        tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
        const double zero[4] = {0};
        /* Centre 100 among 50s: (16 * 100 - 8 * 50) / 8 = 150; a corner with reflect-101
         * sees 100 in 4 of its 8 neighbours: (16 * 50 - 4 * 50 - 4 * 100) / 8 = 25. */
        uint8_t px[9] = {50, 50, 50, 50, 100, 50, 50, 50, 50};
        tproc_view v;
        tu_ok(ctx, tproc_view_init(&v, px, 3, 3, 1, TPROC_U8, 0, 0));
        tproc_image *out = run_harness(ctx, spec, &v, TPROC_BORDER_REFLECT_101, zero, 2, 2);
        tproc_view ov = tproc_image_view(out);
        ck_assert_int_eq(tproc_view_pixel(&ov, 1, 1)[0], 150);
        ck_assert_int_eq(tproc_view_pixel(&ov, 0, 0)[0], 25);
        tproc_image_free(&out);
        tproc_ctx_free(&ctx);
    }
}
END_TEST

static void expect_param_error(const char *spec, const char *const *words)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const tproc_filter *f = tproc_filter_find("sobel"); /* must be reset to NULL */
    tproc_params params;
    int status = tproc_params_parse(ctx, spec, &f, &params);
    ck_assert_msg(status == TPROC_ERR_PARAM, "'%.200s' gave %s, expected ERR_PARAM (%s)", spec,
                  tproc_status_name(status), tproc_ctx_message(ctx));
    ck_assert_ptr_null(f);
    for (const char *const *w = words; *w; w++)
        ck_assert_msg(strstr(tproc_ctx_message(ctx), *w), "'%.200s': message '%s' lacks '%s'", spec,
                      tproc_ctx_message(ctx), *w);
    tproc_ctx_free(&ctx);
}

START_TEST(parse_errors)
{
    static const char *const cm[] = {"convolve", "matrix", NULL};
    static const char *const cm_num[] = {"convolve", "matrix", "not a number", NULL};
    static const char *const cm_odd[] = {"convolve", "matrix", "odd", NULL};
    static const char *const cm_row[] = {"convolve", "matrix", "row 2", NULL};
    static const char *const cs[] = {"convolve", "scale", NULL};
    static const char *const co[] = {"convolve", "offset", NULL};
    static const char *const mr[] = {"median", "radius", "[1, 3]", NULL};
    static const char *const sb[] = {"sobel", NULL};
    expect_param_error("convolve", cm);                      /* required */
    expect_param_error("convolve:scale=2", cm);              /* still required */
    expect_param_error("convolve:matrix=1 2;3 4", cm_odd);   /* even */
    expect_param_error("convolve:matrix=1 2 3 4", cm_odd);   /* even width */
    expect_param_error("convolve:matrix=1;2", cm_odd);       /* even height */
    expect_param_error("convolve:matrix=1 2 3;4 5", cm_row); /* ragged */
    expect_param_error("convolve:matrix=1 2 3;4 5 6 7;1 2 3", cm_row);
    expect_param_error("convolve:matrix=1 x 3", cm_num);
    expect_param_error("convolve:matrix=1 2 3;4 5e 6;7 8 9", cm_num);
    expect_param_error("convolve:matrix=1 nan 3", cm_num);
    expect_param_error("convolve:matrix=1 2 3;;4 5 6", cm); /* empty row */
    expect_param_error("convolve:matrix=1 2 3;", cm);
    expect_param_error("convolve:matrix=1,scale=2e6", cs);
    expect_param_error("convolve:matrix=1,offset=-1e7", co);
    expect_param_error("convolve:matrix=1,scale=x", cs);
    expect_param_error("median:radius=0", mr);
    expect_param_error("median:radius=4", mr);
    expect_param_error("median:radius=1.5", mr);
    expect_param_error("sobel:radius=1", sb);
    /* 27 x 27 and 27 x 1 and 1 x 27 are too big. */
    static char big[27 * 27 * 3 + 64];
    for (int shape = 0; shape < 3; shape++) {
        int w = shape == 2 ? 1 : 27, h = shape == 1 ? 1 : 27;
        size_t at = (size_t)snprintf(big, sizeof big, "convolve:matrix=");
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
                at += (size_t)snprintf(big + at, sizeof big - at, "%s1", i ? " " : (j ? ";" : ""));
        expect_param_error(big, cm);
    }
}
END_TEST

START_TEST(parse_ok)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const tproc_filter *f = NULL;
    tproc_params params;
    tu_ok(ctx,
          tproc_params_parse(ctx, "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125,offset=0",
                             &f, &params));
    ck_assert_ptr_eq(f, tproc_filter_find("convolve"));
    ck_assert_int_eq(params.matrix_width, 3);
    ck_assert_int_eq(params.matrix_height, 3);
    ck_assert_double_eq(params.matrix[4], 16);
    ck_assert_double_eq(params.matrix[8], -1);
    ck_assert_double_eq(tproc_params_get(f, &params, "scale"), 0.125);
    ck_assert_double_eq(tproc_params_get(f, &params, "offset"), 0);
    tu_ok(ctx, tproc_params_parse(ctx, "convolve:matrix=2", &f, &params));
    ck_assert_double_eq(tproc_params_get(f, &params, "scale"), 1);
    ck_assert_double_eq(tproc_params_get(f, &params, "offset"), 0);
    /* 25 x 25 is the largest matrix; 25 x 1 too. */
    static char big[25 * 25 * 3 + 64];
    size_t at = (size_t)snprintf(big, sizeof big, "convolve:matrix=");
    for (int j = 0; j < 25; j++)
        for (int i = 0; i < 25; i++)
            at += (size_t)snprintf(big + at, sizeof big - at, "%s1", i ? " " : (j ? ";" : ""));
    tu_ok(ctx, tproc_params_parse(ctx, big, &f, &params));
    ck_assert_int_eq(params.matrix_width, 25);
    ck_assert_int_eq(params.matrix_height, 25);
    /* The halo follows the matrix: (w - 1) / 2 across, (h - 1) / 2 down. */
    tu_ok(ctx,
          tproc_params_parse(ctx, "convolve:matrix=1 2 3 4 5;1 2 3 4 5;1 2 3 4 5", &f, &params));
    tproc_format fmt = {10, 10, 3, TPROC_U8};
    tproc_stage st;
    tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &fmt, &st));
    ck_assert_int_eq(st.halo.left, 2);
    ck_assert_int_eq(st.halo.right, 2);
    ck_assert_int_eq(st.halo.top, 1);
    ck_assert_int_eq(st.halo.bottom, 1);
    ck_assert_int_eq(st.premultiply, 0);
    tproc_stage_release(ctx, &st);
    tu_ok(ctx, tproc_params_parse(ctx, "median", &f, &params));
    ck_assert_double_eq(tproc_params_get(f, &params, "radius"), 1);
    tu_ok(ctx, tproc_params_parse(ctx, "median:radius=3", &f, &params));
    tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &fmt, &st));
    ck_assert_int_eq(st.halo.left, 3);
    ck_assert_int_eq(st.halo.bottom, 3);
    tproc_stage_release(ctx, &st);
    tu_ok(ctx, tproc_params_parse(ctx, "sobel", &f, &params));
    tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &fmt, &st));
    ck_assert_int_eq(st.halo.top, 1);
    ck_assert_int_eq(st.halo.right, 1);
    tproc_stage_release(ctx, &st);
    /* Without a matrix, prepare refuses (a C caller skipping the parser). */
    f = tproc_filter_find("convolve");
    tproc_params_init(f, &params);
    ck_assert_int_eq(tproc_stage_prepare(ctx, f, &params, &fmt, &st), TPROC_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "convolve: matrix"));
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    ck_assert_int_eq(tproc_pipeline_add_filter(p, f, &params), TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_pipeline_add(p, "convolve:scale=2"), TPROC_ERR_PARAM);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- the fast paths' arithmetic ---------------------------------------------------------- */

/* sobel's u8 kernels round sqrt(q) in single precision; that must be round half up of the exact
 * root, clamped to 255, in every build. Every q up to 69632 is checked (outputs up to 255 come
 * from q <= 65280); above, a square root that rounds correctly is monotonic, so outputs can
 * only clamp to 255, which a sample of q up to the largest, 2 * 1020^2, confirms. */
START_TEST(sobel_rounding_exhaustive)
{
    enum { CHUNK = 4096, DENSE = 17 * CHUNK, QMAX = 2 * 1020 * 1020 };
    static int32_t q[CHUNK];
    static uint8_t got[CHUNK];
    for (int level = TPROC__SIMD_PORTABLE; level <= TPROC__SIMD_AVX512; level++) {
        if (!tproc__simd_supported((tproc__simd)level))
            continue;
        for (int32_t q0 = 0; q0 <= QMAX;) {
            size_t n = 0;
            for (; n < CHUNK && q0 <= QMAX; n++, q0 += q0 < DENSE ? 1 : 37)
                q[n] = q0;
            tproc__sobel_round((tproc__simd)level, got, q, n);
            for (size_t i = 0; i < n; i++) {
                int64_t m = (int64_t)sqrt((double)q[i]); /* floor(sqrt(q)), made exact below */
                while (m * m > q[i])
                    m--;
                while ((m + 1) * (m + 1) <= q[i])
                    m++;
                /* Round half up of sqrt(q): m + 1 exactly when q > (m + 1/2)^2, q > m^2 + m. */
                int64_t want = q[i] > m * m + m ? m + 1 : m;
                want = want > 255 ? 255 : want;
                ck_assert_msg(got[i] == want, "%s: q %d gave %u, expected %lld",
                              tproc__simd_name((tproc__simd)level), q[i], got[i], (long long)want);
            }
        }
    }
}
END_TEST

/* Applies the comparator pairs of net to 64 0/1 inputs at once (bit j of v[k] is input j's
 * value at position k): min is AND, max is OR. */
static void run_pairs(uint64_t *v, const uint8_t (*net)[2], int count)
{
    for (int i = 0; i < count; i++) {
        uint64_t a = v[net[i][0]], b = v[net[i][1]];
        v[net[i][0]] = a & b;
        v[net[i][1]] = a | b;
    }
}

/* The median filter's networks on every 0/1 input, which proves them for all inputs (the 0-1
 * principle): the column sorters sort, and the selection networks, given sorted columns, put
 * the median in their output slot. */
START_TEST(median_networks)
{
    static const struct {
        int w, count;
        const uint8_t (*net)[2];
    } sorters[] = {{5, 9, tproc__median_sort5}, {7, 16, tproc__median_sort7}};
    for (int s = 0; s < 2; s++) {
        int w = sorters[s].w;
        for (uint32_t bits = 0; bits < (1u << w); bits++) {
            uint64_t v[7];
            for (int k = 0; k < w; k++)
                v[k] = bits >> k & 1;
            run_pairs(v, sorters[s].net, sorters[s].count);
            for (int k = 0; k + 1 < w; k++)
                ck_assert_msg(v[k] <= v[k + 1], "sorter of %d: input %x not sorted", w, bits);
        }
    }
    static const struct {
        int w, count, out;
        const uint8_t (*ops)[4];
    } nets[] = {{5, TPROC__MEDIAN5_OPS, TPROC__MEDIAN5_OUT, tproc__median5},
                {7, TPROC__MEDIAN7_OPS, TPROC__MEDIAN7_OUT, tproc__median7}};
    for (int s = 0; s < 2; s++) {
        int w = nets[s].w, n = w * w, base = w + 1;
        /* Column c holds zeros[c] zeros, then ones. Lane b of a block takes zeros[0] = b % base
         * and zeros[1] = b / base; the other columns' counts are the block's digits. */
        uint64_t low[2][7] = {{0}};
        uint64_t lanes = base * base == 64 ? ~0ull : ((uint64_t)1 << (base * base)) - 1;
        for (int b = 0; b < base * base; b++)
            for (int k = 0; k < w; k++) {
                low[0][k] |= (uint64_t)(b % base <= k) << b;
                low[1][k] |= (uint64_t)(b / base <= k) << b;
            }
        uint64_t blocks = 1;
        for (int c = 2; c < w; c++)
            blocks *= (uint64_t)base;
        for (uint64_t j = 0; j < blocks; j++) {
            uint64_t v[50] = {0}, want = 0, digits = j;
            int high = 0; /* zeros in columns 2.. */
            for (int c = 2; c < w; c++, digits /= (uint64_t)base) {
                int zeros = (int)(digits % (uint64_t)base);
                high += zeros;
                for (int k = zeros; k < w; k++)
                    v[c * w + k] = lanes;
            }
            for (int k = 0; k < w; k++) {
                v[k] = low[0][k];
                v[w + k] = low[1][k];
            }
            for (int b = 0; b < base * base; b++) /* the median is 1 when at most n/2 zeros */
                want |= (uint64_t)(high + b % base + b / base <= n / 2) << b;
            for (int i = 0; i < nets[s].count; i++) {
                const uint8_t *o = nets[s].ops[i];
                uint64_t a = v[o[0]], b = v[o[1]];
                v[o[2]] = a & b;
                v[o[3]] = a | b;
            }
            ck_assert_msg(((v[nets[s].out] ^ want) & lanes) == 0,
                          "median network %dx%d wrong on 0/1 inputs (block %llu)", w, w,
                          (unsigned long long)j);
        }
    }
}
END_TEST

/* convolve's plans: which matrices take the integer path, in which form. */
START_TEST(convolve_plans)
{
    static const struct {
        const char *matrix;
        double scale, offset;
        tproc_sample sample;
        int integer, narrow, separable, fixed;
    } cases[] = {
        {"-1 -1 -1;-1 16 -1;-1 -1 -1", 0.125, 0, TPROC_U8, 1, 1, 0, 1},
        {"1 2 1;2 4 2;1 2 1", 0.0625, 0, TPROC_U8, 1, 1, 1, 1},
        {"1 4 6 4 1;4 16 24 16 4;6 24 36 24 6;4 16 24 16 4;1 4 6 4 1", 1.0 / 256, 0, TPROC_U8, 1, 0,
         1, 1},                                                  /* sums reach 65280 */
        {"1 1 1;1 1 1;1 1 1", 1.0 / 9, 0, TPROC_U8, 1, 1, 1, 1}, /* 1/9 checked */
        {"0.125 -0.25;0.5 1", 1, 0, TPROC_U8, 0, 0, 0, 0},       /* even: not here */
        {"0.125 -0.25 0.375;0.5 1 -0.5;0.25 0 -0.125", 0.5, 3, TPROC_U8, 1, 1, 0, 1},
        {"0.3 -0.1 0.2;0.05 0.4 -0.15;0.1 0.1 0.1", 1, 0, TPROC_U8, 0, 0, 0, 0}, /* not dyadic */
        {"-1 -1 -1;-1 16 -1;-1 -1 -1", 0.125, 0, TPROC_U16, 1, 0, 0, 0},         /* too many sums */
        {"-1 -1 -1;-1 16 -1;-1 -1 -1", 0.125, 0, TPROC_F32, 0, 0, 0, 0},
        {"1048576 -1048575 3;2 -1 0;0 0 1", 0.001, 0, TPROC_U8, 1, 0, 0, 0},
        {"1048576 1048576 1048576;1048576 1048576 1048576;1048576 1048576 1048576", 1, 0, TPROC_U8,
         0, 0, 0, 0}, /* sums beyond 32 bits */
        {"1 2 3;2 4 6", 1, 0, TPROC_U8, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char spec[512];
        snprintf(spec, sizeof spec, "convolve:matrix=%s", cases[i].matrix);
        const tproc_filter *f = NULL;
        tproc_params p;
        if (tproc_params_parse(NULL, spec, &f, &p) != TPROC_OK) {
            ck_assert(!cases[i].integer); /* even sizes are refused by the parser */
            continue;
        }
        tproc__conv c;
        int integer =
            tproc__conv_plan(&c, p.matrix, p.matrix_width, p.matrix_height, cases[i].scale,
                             cases[i].offset, cases[i].sample, TPROC__SIMD_PORTABLE);
        ck_assert_msg(integer == cases[i].integer, "%s %s: integer path %d", cases[i].matrix,
                      tproc_sample_name(cases[i].sample), integer);
        if (!integer)
            continue;
        ck_assert_msg(c.narrow == cases[i].narrow && c.separable == cases[i].separable &&
                          c.fixed == cases[i].fixed,
                      "%s %s: narrow %d separable %d fixed %d", cases[i].matrix,
                      tproc_sample_name(cases[i].sample), c.narrow, c.separable, c.fixed);
    }
}
END_TEST

/* --- tiling ----------------------------------------------------------------------------- */

static const char *const tiled_specs[] = {
    "sobel",
    "median:radius=1",
    "median:radius=2",
    "median:radius=3",
    "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125,offset=0",
    "convolve:matrix=1 2 3 2 1;0.5 -1 0.25 4 -3;1 1 1 1 1,scale=0.3,offset=7",
    "convolve:matrix=1;2;3;4;5;6;7,scale=0.0357",
};
#define N_TILED (sizeof tiled_specs / sizeof tiled_specs[0])

/* Every tiling and thread count gives the whole-image bytes (loop: spec x format). */
START_TEST(tiled_identical)
{
    const char *spec = tiled_specs[_i / 12];
    int fi = _i % 12;
    tproc_sample s = samples[fi / 4];
    int ch = fi % 4 + 1;
    static const ptrdiff_t tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {1000, 1000}, {3, 17}};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    double bval[4];
    border_value(s, bval);
    uint64_t seed = 9000u + (uint64_t)_i;
    tproc_image *img = make_image(ctx, 23, 17, ch, s, seed, 0);
    tproc_view in = tproc_image_view(img);
    for (int bi = 0; bi < 5; bi += 2) { /* constant, reflect, wrap */
        tproc_image *whole = run_engine(ctx, spec, &in, borders[bi], bval, 1000, 1000, 1);
        for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++)
            for (int threads = 1; threads <= 3; threads += 2) {
                char what[512];
                snprintf(what, sizeof what,
                         "'%s' %s %dch border %s seed %llu, tiles %tdx%td, %d threads", spec,
                         tproc_sample_name(s), ch, tproc_border_name(borders[bi]),
                         (unsigned long long)seed, tiles[t][0], tiles[t][1], threads);
                tproc_image *got = run_engine(ctx, spec, &in, borders[bi], bval, tiles[t][0],
                                              tiles[t][1], threads);
                assert_same(got, whole, what);
                tproc_image_free(&got);
            }
        /* The harness cuts its own tiles: the kernels alone must not depend on them. */
        char what[512];
        snprintf(what, sizeof what, "harness '%s' %s %dch border %s seed %llu, tiles 7x5", spec,
                 tproc_sample_name(s), ch, tproc_border_name(borders[bi]),
                 (unsigned long long)seed);
        tproc_image *got = run_harness(ctx, spec, &in, borders[bi], bval, 7, 5);
        assert_same(got, whole, what);
        tproc_image_free(&got);
        tproc_image_free(&whole);
    }
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_filters_area(void)
{
    Suite *s = suite_create("filters_area");
    TCase *tc = tcase_create("sobel");
    tcase_add_loop_test(tc, sobel_reference, 0, 12);
    tcase_add_test(tc, sobel_known_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("median");
    tcase_add_loop_test(tc, median_reference, 0, 12);
    tcase_add_test(tc, median_few_levels);
    tcase_add_test(tc, median_f32_signed);
    tcase_add_test(tc, median_known_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("convolve");
    tcase_add_loop_test(tc, convolve_reference, 0, 12);
    tcase_add_loop_test(tc, convolve_real_weights, 0, 12);
    tcase_add_loop_test(tc, convolve_issue_example, 0, 12);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, parse_ok);
    suite_add_tcase(s, tc);

    tc = tcase_create("fast paths");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sobel_rounding_exhaustive);
    tcase_add_test(tc, median_networks);
    tcase_add_test(tc, convolve_plans);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiled");
    tcase_add_loop_test(tc, tiled_identical, 0, (int)(N_TILED * 12));
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
