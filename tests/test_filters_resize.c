/* SPDX-License-Identifier: MIT */
/*
 * test_filters_resize.c: the resize filter against a naive double-precision reference that
 * computes every output pixel from its own kernel formulas and its own border index function,
 * for every kernel, enlarging and shrinking by non-integer factors, u8/u16/f32 with 1-4
 * channels and every border rule; output sizes; parameter errors; map_rect covering every tap;
 * byte-identity of tiled and threaded runs; resize chained with gaussian; the vertical weights
 * computed row by row equal the tables bit for bit, and prepare's memory does not grow with
 * the image's height; the u8 fixed-point path equals a plain formulation of its arithmetic bit
 * for bit, for channels 1-4, every kernel, enlarging and shrinking, any output rectangle.
 *
 * Tolerances: integer outputs within 1 level of the reference rounded half up (the double path
 * may round a near-tie the other way; the u8 fixed-point path is proven within 0.5 before
 * rounding); f32 within 1e-5. With alpha the engine resizes premultiplied f32, so colour is
 * compared where the reference alpha is >= 1e-3, allowing max * 2e-6 * (1 + |v|) / alpha more
 * for the float rounding of the premultiplied samples that the division by alpha magnifies.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/resample.h"
#include "testutil.h"

enum { K_NEAREST, K_BILINEAR, K_BICUBIC, K_LANCZOS3, K_AREA, K_COUNT };
static const char *const kernel_name[K_COUNT] = {"nearest", "bilinear", "bicubic", "lanczos3",
                                                 "area"};
static const tproc_sample samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
static const tproc_border borders[5] = {TPROC_BORDER_CONSTANT, TPROC_BORDER_REPLICATE,
                                        TPROC_BORDER_REFLECT, TPROC_BORDER_REFLECT_101,
                                        TPROC_BORDER_WRAP};

/* --- the reference ------------------------------------------------------------------------ */

static double sinc(double t)
{
    const double pi = 3.14159265358979323846;
    return t == 0.0 ? 1.0 : sin(pi * t) / (pi * t);
}

static double ref_kernel(int k, double x)
{
    double a = fabs(x);
    switch (k) {
    case K_BILINEAR:
        return a < 1 ? 1 - a : 0;
    case K_BICUBIC: /* Keys, a = -0.5 */
        if (a < 1)
            return 1.5 * a * a * a - 2.5 * a * a + 1;
        if (a < 2)
            return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
        return 0;
    case K_LANCZOS3:
        return a < 3 ? sinc(x) * sinc(x / 3) : 0;
    default:
        return 0;
    }
}

static double ref_support(int k)
{
    return k == K_BILINEAR ? 1 : k == K_BICUBIC ? 2 : 3;
}

/* Weights of one axis: for output d, inputs lo[d] .. lo[d] + n[d] - 1 with weights w[d*cap+]. */
typedef struct ref_axis {
    ptrdiff_t *lo;
    int *n;
    double *w;
    int cap;
} ref_axis;

static void ref_axis_make(ref_axis *ax, int kernel, ptrdiff_t in, ptrdiff_t out)
{
    double r = (double)in / (double)out, f = r > 1 ? r : 1;
    ax->cap = (int)ceil(2 * 3 * f + r) + 8;
    ax->lo = calloc((size_t)out, sizeof *ax->lo);
    ax->n = calloc((size_t)out, sizeof *ax->n);
    ax->w = calloc((size_t)out * (size_t)ax->cap, sizeof *ax->w);
    ck_assert(ax->lo && ax->n && ax->w);
    for (ptrdiff_t d = 0; d < out; d++) {
        double *w = ax->w + d * ax->cap;
        if (kernel == K_NEAREST) {
            ax->lo[d] = (ptrdiff_t)floor(((double)d + 0.5) * r);
            ax->n[d] = 1;
            w[0] = 1;
        } else if (kernel == K_AREA) {
            /* Output pixel d covers [d r, (d + 1) r) of the input; weight = overlap / r. */
            double a = (double)d * r, b = (double)(d + 1) * r;
            ax->lo[d] = (ptrdiff_t)floor(a) - 1;
            ax->n[d] = (int)(ceil(b) - floor(a)) + 2;
            for (int k = 0; k < ax->n[d]; k++) {
                double i = (double)(ax->lo[d] + k);
                double ov = fmin(b, i + 1) - fmax(a, i);
                w[k] = ov > 0 ? ov / r : 0;
            }
        } else {
            double src = ((double)d + 0.5) * r - 0.5, s = ref_support(kernel) * f, sum = 0;
            ax->lo[d] = (ptrdiff_t)floor(src - s) - 1;
            ax->n[d] = (int)(ceil(src + s) - floor(src - s)) + 3;
            ck_assert_int_le(ax->n[d], ax->cap);
            for (int k = 0; k < ax->n[d]; k++) {
                w[k] = ref_kernel(kernel, ((double)(ax->lo[d] + k) - src) / f);
                sum += w[k];
            }
            for (int k = 0; k < ax->n[d]; k++)
                w[k] /= sum;
        }
    }
}

static void ref_axis_free(ref_axis *ax)
{
    free(ax->lo);
    free(ax->n);
    free(ax->w);
}

/* Which input index position i reads under a border rule; -1 for the constant. */
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
        ptrdiff_t m = ((i % (2 * n)) + 2 * n) % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }
    case TPROC_BORDER_REFLECT_101: { /* dcb|abcd|cba, period 2n - 2 */
        if (n == 1)
            return 0;
        ptrdiff_t p = 2 * n - 2, m = ((i % p) + p) % p;
        return m < n ? m : p - m;
    }
    default: /* wrap */
        return ((i % n) + n) % n;
    }
}

static double get_sample(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
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

static double type_max(tproc_sample s)
{
    return s == TPROC_U8 ? 255 : s == TPROC_U16 ? 65535 : 1;
}

/* The constant border value used in the tests, in the sample's natural range. */
static void border_value(tproc_sample s, double value[4])
{
    static const double u8[4] = {10, 200, 30, 128};
    for (int c = 0; c < 4; c++)
        value[c] = u8[c] / 255.0 * type_max(s);
}

/*
 * Input pixel (x, y) (any integer position) as the filter should see it: natural values, or
 * for alpha images normalised and premultiplied (colour * alpha, alpha).
 */
static void ref_pixel(const tproc_view *in, ptrdiff_t x, ptrdiff_t y, tproc_border b, double out[4])
{
    ptrdiff_t ix = ref_index(x, in->width, b), iy = ref_index(y, in->height, b);
    int ch = in->channels;
    double v[4];
    if (ix < 0 || iy < 0)
        border_value(in->sample, v);
    else
        for (int c = 0; c < ch; c++)
            v[c] = get_sample(in, ix, iy, c);
    if (ch == 2 || ch == 4) {
        double m = type_max(in->sample), a = v[ch - 1] / m;
        for (int c = 0; c < ch - 1; c++)
            out[c] = v[c] / m * a;
        out[ch - 1] = a;
    } else {
        for (int c = 0; c < ch; c++)
            out[c] = v[c];
    }
}

/* The whole resized image before rounding: out_w * out_h * channels doubles. For alpha
 * images: premultiplied, normalised. */
static double *ref_resize(const tproc_view *in, ptrdiff_t ow, ptrdiff_t oh, int kernel,
                          tproc_border b)
{
    ref_axis ax, ay;
    ref_axis_make(&ax, kernel, in->width, ow);
    ref_axis_make(&ay, kernel, in->height, oh);
    int ch = in->channels;
    double *out = calloc((size_t)(ow * oh * ch), sizeof *out);
    ck_assert_ptr_nonnull(out);
    for (ptrdiff_t y = 0; y < oh; y++)
        for (ptrdiff_t x = 0; x < ow; x++) {
            double acc[4] = {0, 0, 0, 0};
            for (int j = 0; j < ay.n[y]; j++)
                for (int i = 0; i < ax.n[x]; i++) {
                    double w = ay.w[y * ay.cap + j] * ax.w[x * ax.cap + i], p[4];
                    if (w == 0)
                        continue;
                    ref_pixel(in, ax.lo[x] + i, ay.lo[y] + j, b, p);
                    for (int c = 0; c < ch; c++)
                        acc[c] += w * p[c];
                }
            for (int c = 0; c < ch; c++)
                out[(y * ow + x) * ch + c] = acc[c];
        }
    ref_axis_free(&ax);
    ref_axis_free(&ay);
    return out;
}

static double round_clamp(double v, double max)
{
    return floor(fmin(fmax(v, 0), max) + 0.5);
}

/* Compares got with the reference within the tolerances above; counts the integer samples of
 * images without alpha that differ at all in off_count / off_total. */
static size_t off_count, off_total;

static void check_against(const tproc_view *got, const double *ref, const char *what)
{
    int ch = got->channels, alpha = ch == 2 || ch == 4;
    tproc_sample s = got->sample;
    double m = type_max(s), base = s == TPROC_F32 ? 1e-5 : 1.0;
    for (ptrdiff_t y = 0; y < got->height; y++)
        for (ptrdiff_t x = 0; x < got->width; x++) {
            const double *r = ref + (y * got->width + x) * ch;
            for (int c = 0; c < ch; c++) {
                double expect, allow = base;
                if (!alpha) {
                    expect = s == TPROC_F32 ? r[c] : round_clamp(r[c], m);
                } else {
                    double a = r[ch - 1];
                    if (c == ch - 1) {
                        expect = s == TPROC_F32 ? a : round_clamp(a * m, m);
                    } else {
                        if (a < 1e-3)
                            continue; /* colour of (almost) transparent pixels is noise */
                        double v = r[c] / a;
                        expect = s == TPROC_F32 ? v : round_clamp(v * m, m);
                        allow += m * 2e-6 * (1 + fabs(v)) / a;
                    }
                }
                double err = fabs(get_sample(got, x, y, c) - expect) / allow;
                if (!alpha && s != TPROC_F32) {
                    off_total++;
                    off_count += get_sample(got, x, y, c) != expect;
                }
                ck_assert_msg(err <= 1, "%s: pixel (%td, %td) channel %d: got %.9g, expected %.9g",
                              what, x, y, c, get_sample(got, x, y, c), expect);
            }
        }
}

/* --- running through the engine ---------------------------------------------------------- */

static tproc_image *run_spec(tproc_ctx *ctx, const char *spec, const tproc_view *in, tproc_border b,
                             ptrdiff_t tw, ptrdiff_t th, int threads)
{
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    const char *s = spec;
    char one[160];
    /* "a | b" chains stages */
    while (*s) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        ck_assert_uint_lt(len, sizeof one);
        memcpy(one, s, len);
        one[len] = '\0';
        tu_ok(ctx, tproc_pipeline_add(p, one));
        s += len + (bar ? 1 : 0);
    }
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = tw;
    o.tile_height = th;
    o.threads = threads;
    o.border = b;
    border_value(in->sample, o.border_value);
    tproc_image *out = NULL;
    int status = tproc_pipeline_run(p, in, &o, &out);
    ck_assert_msg(status == TPROC_OK, "%s: %s (%s)", spec, tproc_strerror(status),
                  tproc_ctx_message(ctx));
    tproc_pipeline_free(&p);
    return out;
}

static tproc_image *run_whole(tproc_ctx *ctx, const char *spec, const tproc_view *in,
                              tproc_border b)
{
    return run_spec(ctx, spec, in, b, 1 << 16, 1 << 16, 1);
}

static void assert_identical(const tproc_image *a, const tproc_image *b, const char *what)
{
    tproc_view va = tproc_image_view(a), vb = tproc_image_view(b);
    ck_assert_msg(va.width == vb.width && va.height == vb.height, "%s: sizes differ", what);
    size_t row = (size_t)va.width * tproc_view_pixel_size(&va);
    for (ptrdiff_t y = 0; y < va.height; y++)
        ck_assert_msg(memcmp(tproc_view_pixel(&va, 0, y), tproc_view_pixel(&vb, 0, y), row) == 0,
                      "%s: row %td differs", what, y);
}

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    return ctx;
}

/* --- reference tests ---------------------------------------------------------------------- */

typedef struct size_case {
    ptrdiff_t iw, ih, ow, oh;
} size_case;

static const size_case sizes[] = {
    {37, 23, 20, 41}, /* shrink x by 1.85, enlarge y by 1.78 */
    {37, 23, 1, 1},   /* everything into one pixel */
    {1, 1, 5, 3},     /* one pixel everywhere */
    {23, 37, 61, 11}, /* enlarge x by 2.65, shrink y by 3.36 */
    {1, 9, 4, 2},     /* a column */
    {9, 7, 27, 14},   /* integer factors 3 and 2 */
};

START_TEST(reference)
{
    int kernel = _i;
    tproc_ctx *ctx = new_ctx();
    size_t offs[3] = {0, 0, 0}, totals[3] = {0, 0, 0};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_case *sc = &sizes[si];
        char spec[128];
        snprintf(spec, sizeof spec, "resize:width=%td,height=%td,kernel=%s", sc->ow, sc->oh,
                 kernel_name[kernel]);
        for (int fi = 0; fi < 3; fi++)
            for (int ch = 1; ch <= 4; ch++)
                for (int bi = 0; bi < 5; bi++) {
                    uint64_t seed =
                        1000u * si + 100u * (unsigned)fi + 10u * (unsigned)ch + (unsigned)bi;
                    tproc_image *img = tu_random_image(ctx, sc->iw, sc->ih, ch, samples[fi], seed);
                    tproc_view in = tproc_image_view(img);
                    tproc_image *out = run_whole(ctx, spec, &in, borders[bi]);
                    tproc_view ov = tproc_image_view(out);
                    ck_assert_int_eq(ov.width, sc->ow);
                    ck_assert_int_eq(ov.height, sc->oh);
                    ck_assert_int_eq(ov.channels, ch);
                    ck_assert_int_eq(ov.sample, samples[fi]);
                    double *ref = ref_resize(&in, sc->ow, sc->oh, kernel, borders[bi]);
                    char what[256];
                    snprintf(what, sizeof what, "%s on %tdx%td %s x%d, border %s, seed %llu", spec,
                             sc->iw, sc->ih, tproc_sample_name(samples[fi]), ch,
                             tproc_border_name(borders[bi]), (unsigned long long)seed);
                    off_count = off_total = 0;
                    check_against(&ov, ref, what);
                    offs[fi] += off_count;
                    totals[fi] += off_total;
                    free(ref);
                    tproc_image_free(&out);
                    tproc_image_free(&img);
                }
    }
    /* Off-by-one results come only from near-ties (and the reference's own rounding of
     * exact ties); a systematic rounding bug would show in far more samples. */
    for (int fi = 0; fi < 2; fi++)
        ck_assert_msg(offs[fi] * 100 <= totals[fi], "%s %s: %zu of %zu samples off by one",
                      kernel_name[kernel], tproc_sample_name(samples[fi]), offs[fi], totals[fi]);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Shrinking by 2500: thousands of taps, where the u8 fixed-point error bound no longer holds
 * and u8 takes the double path. */
START_TEST(big_shrink)
{
    int kernel = _i;
    tproc_ctx *ctx = new_ctx();
    char spec[96];
    snprintf(spec, sizeof spec, "resize:width=2,height=1,kernel=%s", kernel_name[kernel]);
    for (int fi = 0; fi < 3; fi++)
        for (int ch = 1; ch <= 4; ch += 2)
            for (int bi = 0; bi < 5; bi += 3) {
                uint64_t seed = 9000u + 10u * (unsigned)fi + (unsigned)ch;
                tproc_image *img = tu_random_image(ctx, 5000, 2, ch, samples[fi], seed);
                tproc_view in = tproc_image_view(img);
                tproc_image *out = run_whole(ctx, spec, &in, borders[bi]);
                tproc_view ov = tproc_image_view(out);
                double *ref = ref_resize(&in, 2, 1, kernel, borders[bi]);
                char what[192];
                snprintf(what, sizeof what, "%s on 5000x2 %s x%d, border %s, seed %llu", spec,
                         tproc_sample_name(samples[fi]), ch, tproc_border_name(borders[bi]),
                         (unsigned long long)seed);
                check_against(&ov, ref, what);
                free(ref);
                tproc_image_free(&out);
                tproc_image_free(&img);
            }
    tproc_ctx_free(&ctx);
}
END_TEST

/* scale=1 is the identity for every kernel, bit for bit. */
START_TEST(identity)
{
    int kernel = _i;
    tproc_ctx *ctx = new_ctx();
    char spec[64];
    snprintf(spec, sizeof spec, "resize:scale=1,kernel=%s", kernel_name[kernel]);
    for (int fi = 0; fi < 3; fi++)
        for (int ch = 1; ch <= 4; ch++) {
            tproc_image *img = tu_random_image(ctx, 13, 8, ch, samples[fi], 77u + (unsigned)ch);
            /* Opaque alpha, so premultiplying loses nothing. */
            tproc_view in = tproc_image_view(img);
            if (ch == 2 || ch == 4) {
                tproc_view a;
                double one = type_max(samples[fi]);
                tu_ok(ctx, tproc_view_channels(&in, ch - 1, 1, &a));
                tu_ok(ctx, tproc_view_fill(&a, &one));
            }
            tproc_image *out = run_whole(ctx, spec, &in, TPROC_BORDER_REFLECT_101);
            char what[128];
            snprintf(what, sizeof what, "%s %s x%d", spec, tproc_sample_name(samples[fi]), ch);
            assert_identical(img, out, what);
            tproc_image_free(&out);
            tproc_image_free(&img);
        }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Known values: 2x shrink with area averages pairs; 2x enlarge with nearest repeats. */
START_TEST(known_values)
{
    tproc_ctx *ctx = new_ctx();
    unsigned char px[4] = {0, 100, 200, 255};
    tproc_view in;
    tu_ok(ctx, tproc_view_init(&in, px, 4, 1, 1, TPROC_U8, 0, 0));
    tproc_image *out =
        run_whole(ctx, "resize:width=2,height=1,kernel=area", &in, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    ck_assert_int_eq((int)get_sample(&ov, 0, 0, 0), 50);
    ck_assert_int_eq((int)get_sample(&ov, 1, 0, 0), 228); /* 227.5 rounds up */
    tproc_image_free(&out);
    out = run_whole(ctx, "resize:width=8,height=1,kernel=nearest", &in, TPROC_BORDER_REFLECT_101);
    ov = tproc_image_view(out);
    for (int x = 0; x < 8; x++)
        ck_assert_int_eq((int)get_sample(&ov, x, 0, 0), px[x / 2]);
    tproc_image_free(&out);
    /* Bilinear 2x: outputs sample at -0.25, 0.25, 0.75, ...: 0.75 a + 0.25 b. */
    out = run_whole(ctx, "resize:width=8,height=1,kernel=bilinear", &in, TPROC_BORDER_REPLICATE);
    ov = tproc_image_view(out);
    static const int expect[8] = {0, 25, 75, 125, 175, 214, 241, 255};
    for (int x = 0; x < 8; x++)
        ck_assert_msg(get_sample(&ov, x, 0, 0) == expect[x], "x %d: got %g, expected %d", x,
                      get_sample(&ov, x, 0, 0), expect[x]);
    tproc_image_free(&out);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- sizes and errors --------------------------------------------------------------------- */

static int output_size(tproc_ctx *ctx, const char *spec, ptrdiff_t w, ptrdiff_t h,
                       tproc_format *out)
{
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    int status = tproc_pipeline_add(p, spec);
    if (status == TPROC_OK) {
        tproc_format in = {w, h, 3, TPROC_U8};
        status = tproc_pipeline_output_format(p, &in, out);
    }
    tproc_pipeline_free(&p);
    return status;
}

START_TEST(output_sizes)
{
    static const struct {
        const char *spec;
        ptrdiff_t iw, ih, ow, oh;
    } cases[] = {
        {"resize:scale=0.5", 37, 23, 19, 12}, /* 18.5 and 11.5 round up */
        {"resize:scale=2", 37, 23, 74, 46},
        {"resize:scale=2.5", 3, 3, 8, 8},    /* 7.5 */
        {"resize:scale=0.01", 37, 23, 1, 1}, /* at least one pixel */
        {"resize:scale=100", 37, 23, 3700, 2300},
        {"resize:width=10", 37, 23, 10, 6},   /* 23 * 10 / 37 = 6.22 */
        {"resize:height=10", 37, 23, 16, 10}, /* 37 * 10 / 23 = 16.09 */
        {"resize:width=5", 4, 2, 5, 3},       /* 2.5 rounds up */
        {"resize:height=5", 2, 4, 3, 5},
        {"resize:width=10", 100, 1, 10, 1},        /* 0.1 -> at least 1 */
        {"resize:width=7,height=3", 37, 23, 7, 3}, /* both: no aspect */
        {"resize:width=1000000,height=1,kernel=nearest", 2, 2, 1000000, 1},
        {"resize:width=1,kernel=nearest", 37, 23, 1, 1},
    };
    tproc_ctx *ctx = new_ctx();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tproc_format out;
        int status = output_size(ctx, cases[i].spec, cases[i].iw, cases[i].ih, &out);
        ck_assert_msg(status == TPROC_OK, "%s on %tdx%td: %s", cases[i].spec, cases[i].iw,
                      cases[i].ih, tproc_ctx_message(ctx));
        ck_assert_msg(out.width == cases[i].ow && out.height == cases[i].oh,
                      "%s on %tdx%td: got %tdx%td, expected %tdx%td", cases[i].spec, cases[i].iw,
                      cases[i].ih, out.width, out.height, cases[i].ow, cases[i].oh);
        ck_assert_int_eq(out.channels, 3);
        ck_assert_int_eq(out.sample, TPROC_U8);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(errors)
{
    static const struct {
        const char *spec;
        const char *message;
    } cases[] = {
        {"resize", "resize: give scale, or width and/or height"},
        {"resize:kernel=bicubic", "resize: give scale, or width and/or height"},
        {"resize:scale=2,width=10", "resize: give scale, or width and/or height"},
        {"resize:scale=2,height=10", "resize: give scale, or width and/or height"},
        {"resize:scale=0", "resize: scale must be in (0, 100], got 0"},
        {"resize:scale=101", "resize: scale must be in (0, 100], got 101"},
        {"resize:width=0", "resize: width must be in [1, 1000000], got 0"},
        {"resize:height=-3", "resize: height must be in [1, 1000000], got -3"},
        {"resize:width=2.5", "resize: width must be a whole number"},
        {"resize:width=10,kernel=cubic", "resize: kernel"},
    };
    tproc_ctx *ctx = new_ctx();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tproc_format out;
        int status = output_size(ctx, cases[i].spec, 37, 23, &out);
        ck_assert_msg(status == TPROC_ERR_PARAM, "%s: status %s", cases[i].spec,
                      tproc_status_name(status));
        ck_assert_msg(strstr(tproc_ctx_message(ctx), cases[i].message) != NULL,
                      "%s: message '%s' lacks '%s'", cases[i].spec, tproc_ctx_message(ctx),
                      cases[i].message);
    }
    /* Shrinking 200001 -> 1 with lanczos3 would need 1.2 million taps. */
    tproc_format out;
    int status = output_size(ctx, "resize:width=1,height=1", 200001, 1, &out);
    ck_assert_msg(status == TPROC_ERR_PARAM, "status %s", tproc_status_name(status));
    ck_assert_msg(strstr(tproc_ctx_message(ctx), "taps") != NULL, "message '%s'",
                  tproc_ctx_message(ctx));
    /* ... while area needs 200002 and nearest 1. */
    status = output_size(ctx, "resize:width=1,height=1,kernel=area", 200001, 1, &out);
    ck_assert_int_eq(status, TPROC_ERR_PARAM);
    tu_ok(ctx, output_size(ctx, "resize:width=1,height=1,kernel=nearest", 200001, 1, &out));
    tu_ok(ctx, output_size(ctx, "resize:width=1,height=1,kernel=lanczos3", 10000, 1, &out));
    tproc_ctx_free(&ctx);
}
END_TEST

/* The horizontal weight table counts against the memory limit; the vertical axis keeps none. */
START_TEST(memory_limit)
{
    tproc_ctx *ctx = new_ctx();
    tproc_ctx_set_memory_limit(ctx, 8u << 20);
    tproc_format out;
    int status = output_size(ctx, "resize:width=1000000,height=1", 3, 3, &out);
    ck_assert_msg(status == TPROC_ERR_LIMIT, "status %s: %s", tproc_status_name(status),
                  tproc_ctx_message(ctx));
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tu_ok(ctx, output_size(ctx, "resize:width=1000,height=1", 3, 3, &out));
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    /* A million output rows would have needed an 84 MB vertical table. */
    tu_ok(ctx, output_size(ctx, "resize:width=3,height=1000000", 3, 3, &out));
    ck_assert_int_eq(out.height, 1000000);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* An axis without tables gives every output's taps, weights and error maxima bit for bit as
 * the tables do, and the same spans; big shrinks take the allocated working row. */
START_TEST(axis_rows_match_tables)
{
    tproc__rs_kernel kernel = (tproc__rs_kernel)_i;
    static const ptrdiff_t axes[][2] = {{37, 23},  {23, 37},  {1, 7},    {7, 1},     {100, 100},
                                        {1000, 3}, {3, 1000}, {5000, 2}, {64, 50000}};
    tproc_ctx *ctx = new_ctx();
    tu_rng rng;
    tu_rng_seed(&rng, 777u + (unsigned)_i);
    for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) {
        ptrdiff_t in_n = axes[i][0], out_n = axes[i][1];
        tproc__rs_axis t, r;
        tu_ok(ctx, tproc__rs_axis_init(ctx, &t, kernel, in_n, out_n, 1, "resize"));
        tu_ok(ctx, tproc__rs_axis_init(ctx, &r, kernel, in_n, out_n, 0, "resize"));
        ck_assert_ptr_nonnull(t.first);
        ck_assert_ptr_null(r.first);
        ck_assert_ptr_null(r.weight);
        ck_assert_int_eq(t.taps, r.taps);
        /* Exact equality: the fixed-point decision must not change. */
        ck_assert_msg(t.abs_sum == r.abs_sum && t.fixed_err == r.fixed_err &&
                          t.fixed_abs == r.fixed_abs,
                      "%s %td -> %td: error maxima differ", kernel_name[kernel], in_n, out_n);
        double *w = calloc((size_t)t.taps, sizeof *w);
        int32_t *q = calloc((size_t)t.taps, sizeof *q);
        ck_assert(w && q);
        for (ptrdiff_t d = 0; d < out_n; d++) {
            ptrdiff_t first;
            int32_t count;
            tproc__rs_axis_row(&r, d, &first, &count, w, q);
            ck_assert_msg(first == t.first[d] && count == t.count[d],
                          "%s %td -> %td output %td: taps [%td, +%d), table [%td, +%d)",
                          kernel_name[kernel], in_n, out_n, d, first, (int)count, t.first[d],
                          (int)t.count[d]);
            ck_assert_msg(memcmp(w, t.weight + d * t.taps, (size_t)count * sizeof *w) == 0 &&
                              memcmp(q, t.fixed + d * t.taps, (size_t)count * sizeof *q) == 0,
                          "%s %td -> %td output %td: weights differ from the table",
                          kernel_name[kernel], in_n, out_n, d);
        }
        for (int k = 0; k < 20; k++) {
            ptrdiff_t d0 = tu_rng_range(&rng, 0, out_n - 1);
            ptrdiff_t n = tu_rng_range(&rng, 1, out_n - d0), lo_t, hi_t, lo_r, hi_r;
            tproc__rs_axis_span(&t, d0, n, &lo_t, &hi_t);
            tproc__rs_axis_span(&r, d0, n, &lo_r, &hi_r);
            ck_assert_int_eq(lo_t, lo_r);
            ck_assert_int_eq(hi_t, hi_r);
        }
        free(w);
        free(q);
        tproc__rs_axis_free(ctx, &t);
        tproc__rs_axis_free(ctx, &r);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Bytes live after prepare() and the peak during it, counted by the context's allocator. */
static void prepare_memory(const char *spec, ptrdiff_t w, ptrdiff_t h, ptrdiff_t ow, ptrdiff_t oh,
                           size_t *live, size_t *peak)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options o = {&alloc, 0, 1};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(&o, &ctx));
    const tproc_filter *f = NULL;
    tproc_params params;
    tu_ok(ctx, tproc_params_parse(ctx, spec, &f, &params));
    tproc_format in = {w, h, 3, TPROC_U8};
    tproc_stage stage;
    size_t base = counter.live;
    counter.peak = counter.live;
    tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &in, &stage));
    ck_assert_int_eq(stage.out.width, ow);
    ck_assert_int_eq(stage.out.height, oh);
    ck_assert_ptr_nonnull(stage.state);
    *live = counter.live - base;
    *peak = counter.peak - base;
    tproc_stage_release(ctx, &stage);
    ck_assert_uint_eq(counter.live, base);
    tproc_ctx_free(&ctx);
}

/* Streaming needs memory independent of the image's height: prepare's state (and its peak)
 * for 64 x 100000 -> 64 x 50000 equals that for 64 x 1000 -> 64 x 500, for every kernel. */
START_TEST(state_independent_of_height)
{
    char spec[96];
    snprintf(spec, sizeof spec, "resize:scale=0.5,kernel=%s", kernel_name[_i]);
    size_t live_small, peak_small, live_tall, peak_tall;
    prepare_memory(spec, 64, 1000, 32, 500, &live_small, &peak_small);
    prepare_memory(spec, 64, 100000, 32, 50000, &live_tall, &peak_tall);
    ck_assert_uint_gt(live_small, 0);
    ck_assert_msg(live_small == live_tall && peak_small == peak_tall,
                  "%s: state %zu bytes (peak %zu) for 64x1000, %zu (peak %zu) for 64x100000", spec,
                  live_small, peak_small, live_tall, peak_tall);
}
END_TEST

/* map_rect covers every tap with a nonzero reference weight, for random output rectangles. */
START_TEST(map_rect_covers)
{
    const tproc_filter *f = tproc_filter_find("resize");
    ck_assert_ptr_nonnull(f);
    tproc_ctx *ctx = new_ctx();
    tu_rng rng;
    tu_rng_seed(&rng, 4242);
    for (int iter = 0; iter < 200; iter++) {
        int kernel = (int)tu_rng_range(&rng, 0, K_COUNT - 1);
        tproc_format in = {tu_rng_range(&rng, 1, 60), tu_rng_range(&rng, 1, 60), 1, TPROC_U8};
        ptrdiff_t ow = tu_rng_range(&rng, 1, 90), oh = tu_rng_range(&rng, 1, 90);
        tproc_params params;
        tproc_params_init(f, &params);
        tu_ok(ctx, tproc_params_set(ctx, f, &params, "width", (double)ow));
        tu_ok(ctx, tproc_params_set(ctx, f, &params, "height", (double)oh));
        tu_ok(ctx, tproc_params_set(ctx, f, &params, "kernel", kernel));
        tproc_stage stage;
        tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &in, &stage));
        ck_assert_int_eq(stage.geometry, 1);
        ck_assert_int_eq(stage.premultiply, 1);
        ck_assert_int_eq(stage.out.width, ow);
        ck_assert_int_eq(stage.out.height, oh);
        ref_axis ax, ay;
        ref_axis_make(&ax, kernel, in.width, ow);
        ref_axis_make(&ay, kernel, in.height, oh);
        for (int k = 0; k < 5; k++) {
            tproc_rect r;
            r.x = tu_rng_range(&rng, 0, ow - 1);
            r.y = tu_rng_range(&rng, 0, oh - 1);
            r.width = tu_rng_range(&rng, 1, ow - r.x);
            r.height = tu_rng_range(&rng, 1, oh - r.y);
            tproc_rect need;
            need = f->map_rect(&stage, r);
            for (int axis = 0; axis < 2; axis++) {
                const ref_axis *a = axis ? &ay : &ax;
                ptrdiff_t d0 = axis ? r.y : r.x, n = axis ? r.height : r.width;
                ptrdiff_t lo = axis ? need.y : need.x, len = axis ? need.height : need.width;
                /* Nonzero reference taps lie inside; the span is not wildly larger. */
                for (ptrdiff_t d = d0; d < d0 + n; d++)
                    for (int t = 0; t < a->n[d]; t++)
                        if (fabs(a->w[d * a->cap + t]) > 1e-12)
                            ck_assert_msg(a->lo[d] + t >= lo && a->lo[d] + t < lo + len,
                                          "%s %td->%td axis %d out %td tap %td outside [%td, %td)",
                                          kernel_name[kernel], axis ? in.height : in.width,
                                          axis ? oh : ow, axis, d, a->lo[d] + t, lo, lo + len);
                double r_ = (double)(axis ? in.height : in.width) / (double)(axis ? oh : ow);
                ck_assert_double_le((double)len, (double)n * r_ + 2 * 3 * (r_ > 1 ? r_ : 1) + 3);
            }
        }
        ref_axis_free(&ax);
        ref_axis_free(&ay);
        tproc_stage_release(ctx, &stage);
    }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- tiles, threads, chains --------------------------------------------------------------- */

static void check_tilings(tproc_ctx *ctx, const char *spec, const tproc_view *in, tproc_border b,
                          const char *label)
{
    static const ptrdiff_t tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {3, 17}, {256, 2}};
    tproc_image *whole = run_whole(ctx, spec, in, b);
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++)
        for (int threads = 1; threads <= 3; threads += 2) {
            tproc_image *tiled = run_spec(ctx, spec, in, b, tiles[t][0], tiles[t][1], threads);
            char what[256];
            snprintf(what, sizeof what, "%s (%s), border %s, tiles %tdx%td, %d threads", spec,
                     label, tproc_border_name(b), tiles[t][0], tiles[t][1], threads);
            assert_identical(whole, tiled, what);
            tproc_image_free(&tiled);
        }
    tproc_image_free(&whole);
}

START_TEST(tiled_identical)
{
    int kernel = _i;
    tproc_ctx *ctx = new_ctx();
    static const struct {
        tproc_sample s;
        int ch;
    } fmts[] = {{TPROC_U8, 1},  {TPROC_U8, 3},  {TPROC_U8, 4},
                {TPROC_U16, 2}, {TPROC_F32, 4}, {TPROC_F32, 1}};
    static const char *const geoms[] = {"width=20,height=41", "width=61,height=11", "scale=0.37",
                                        "width=5"};
    for (size_t g = 0; g < sizeof geoms / sizeof geoms[0]; g++)
        for (size_t fi = 0; fi < sizeof fmts / sizeof fmts[0]; fi++) {
            char spec[128], label[64];
            snprintf(spec, sizeof spec, "resize:%s,kernel=%s", geoms[g], kernel_name[kernel]);
            uint64_t seed = 31u * g + fi;
            tproc_image *img = tu_random_image(ctx, 37, 23, fmts[fi].ch, fmts[fi].s, seed);
            tproc_view in = tproc_image_view(img);
            snprintf(label, sizeof label, "%s x%d seed %llu", tproc_sample_name(fmts[fi].s),
                     fmts[fi].ch, (unsigned long long)seed);
            check_tilings(ctx, spec, &in, fi % 2 ? TPROC_BORDER_CONSTANT : TPROC_BORDER_REFLECT_101,
                          label);
            tproc_image_free(&img);
        }
    tproc_ctx_free(&ctx);
}
END_TEST

/* A chain equals running its stages one after the other on whole images, and tiles agree. */
START_TEST(chain_with_gaussian)
{
    static const char *const chains[][2] = {
        {"gaussian:sigma=1.5", "resize:width=20,height=41,kernel=lanczos3"},
        {"resize:scale=0.45,kernel=area", "gaussian:sigma=0.8"},
        {"resize:width=61,height=11,kernel=bicubic", "gaussian:sigma=2"},
    };
    tproc_ctx *ctx = new_ctx();
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
        for (int ch = 1; ch <= 4; ch += 3) {
            tproc_image *img = tu_random_image(ctx, 37, 23, ch, TPROC_U8, 500u + i);
            tproc_view in = tproc_image_view(img);
            char spec[256];
            snprintf(spec, sizeof spec, "%s|%s", chains[i][0], chains[i][1]);
            for (int bi = 0; bi < 5; bi += 2) {
                tproc_image *first = run_whole(ctx, chains[i][0], &in, borders[bi]);
                tproc_view mid = tproc_image_view(first);
                tproc_image *second = run_whole(ctx, chains[i][1], &mid, borders[bi]);
                tproc_image *chained = run_whole(ctx, spec, &in, borders[bi]);
                char what[320];
                snprintf(what, sizeof what, "%s x%d border %s", spec, ch,
                         tproc_border_name(borders[bi]));
                assert_identical(second, chained, what);
                tproc_image_free(&first);
                tproc_image_free(&second);
                tproc_image_free(&chained);
            }
            check_tilings(ctx, spec, &in, TPROC_BORDER_REFLECT_101, "chain");
            tproc_image_free(&img);
        }
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- the u8 fixed-point path against its straightforward formulation ----------------------- */

/* The Q20 arithmetic written the plain way (as the filter first did it): for each output pixel,
 * int32 horizontal sums of every input row it reads, then an int64 vertical sum of those,
 * rounded half up by 2^40 and clamped. in covers in_rect; out gets out_rect, packed. The fast
 * path adds the same exact integer products in another order, so it must match bit for bit. */
static void ref_fixed(const tproc__rs_axis *ax, const tproc__rs_axis *ay, const tproc_view *in,
                      tproc_rect in_rect, tproc_rect out_rect, unsigned char *out)
{
    int ch = in->channels;
    const int shift = 2 * TPROC__RS_FIXED_BITS;
    for (ptrdiff_t y = 0; y < out_rect.height; y++)
        for (ptrdiff_t x = 0; x < out_rect.width; x++) {
            ptrdiff_t dx = out_rect.x + x, dy = out_rect.y + y;
            const int32_t *qx = ax->fixed + dx * ax->taps, *qy = ay->fixed + dy * ay->taps;
            int64_t acc[4] = {0, 0, 0, 0};
            for (int32_t j = 0; j < ay->count[dy]; j++) {
                int32_t h[4] = {0, 0, 0, 0};
                for (int32_t i = 0; i < ax->count[dx]; i++) {
                    const unsigned char *p = tproc_view_pixel(in, ax->first[dx] + i - in_rect.x,
                                                              ay->first[dy] + j - in_rect.y);
                    for (int c = 0; c < ch; c++)
                        h[c] += qx[i] * (int32_t)p[c];
                }
                for (int c = 0; c < ch; c++)
                    acc[c] += (int64_t)qy[j] * h[c];
            }
            for (int c = 0; c < ch; c++) {
                int64_t v = acc[c] + ((int64_t)1 << (shift - 1));
                out[(y * out_rect.width + x) * ch + c] =
                    (unsigned char)(v < 0                          ? 0
                                    : v >= ((int64_t)255 << shift) ? 255
                                                                   : v >> shift);
            }
        }
}

static const char *const fixed_geoms[] = {
    "scale=0.5",
    "scale=0.37",
    "scale=0.2",
    "scale=1",
    "scale=2",
    "scale=3.3",
    "width=29,height=61",
    "width=70,height=9",
    "width=47,height=117",
    "width=1,height=2",
};

/* Direct process() calls for channels 1-4 (through the engine, alpha images are resized in f32)
 * on random output rectangles, each with its own random input covering the rectangle's input
 * span; packed and padded input pixels (the latter take the plain path); and runs through the
 * engine with several tilings against the reference on the replicate-bordered image. */
START_TEST(fixed_matches_plain)
{
    int kernel = _i;
    const tproc_filter *f = tproc_filter_find("resize");
    ck_assert_ptr_nonnull(f);
    tproc_ctx *ctx = new_ctx();
    tu_rng rng;
    tu_rng_seed(&rng, 31337u + (unsigned)kernel);
    for (size_t g = 0; g < sizeof fixed_geoms / sizeof fixed_geoms[0]; g++)
        for (int ch = 1; ch <= 4; ch++) {
            char spec[128];
            snprintf(spec, sizeof spec, "resize:%s,kernel=%s", fixed_geoms[g], kernel_name[kernel]);
            const tproc_filter *pf = NULL;
            tproc_params params;
            tu_ok(ctx, tproc_params_parse(ctx, spec, &pf, &params));
            tproc_format fmt = {tu_rng_range(&rng, 30, 90), tu_rng_range(&rng, 20, 60), ch,
                                TPROC_U8};
            tproc_stage stage;
            tu_ok(ctx, tproc_stage_prepare(ctx, f, &params, &fmt, &stage));
            ptrdiff_t ow = stage.out.width, oh = stage.out.height;
            tproc__rs_axis ax, ay; /* both with tables, equal to the filter's (see above) */
            tu_ok(ctx, tproc__rs_axis_init(ctx, &ax, (tproc__rs_kernel)kernel, fmt.width, ow, 1,
                                           "resize"));
            tu_ok(ctx, tproc__rs_axis_init(ctx, &ay, (tproc__rs_kernel)kernel, fmt.height, oh, 1,
                                           "resize"));
            for (int iter = 0; iter < 12; iter++) {
                tproc_rect r = {0, 0, ow, oh}, need;
                if (iter > 0) {
                    r.x = tu_rng_range(&rng, 0, ow - 1);
                    r.y = tu_rng_range(&rng, 0, oh - 1);
                    r.width = tu_rng_range(&rng, 1, ow - r.x);
                    r.height = tu_rng_range(&rng, 1, oh - r.y);
                }
                need = f->map_rect(&stage, r);
                int pad = iter % 4 == 3; /* a spare byte per pixel: not packed */
                ptrdiff_t ps = ch + pad, rs = need.width * ps + 5;
                size_t in_bytes = (size_t)(rs * need.height);
                unsigned char *in_data = malloc(in_bytes);
                unsigned char *got = malloc((size_t)(r.width * r.height * ch));
                unsigned char *want = malloc((size_t)(r.width * r.height * ch));
                size_t scratch_bytes = f->scratch_size(&stage, need, r);
                void *scratch = aligned_alloc(64, (scratch_bytes + 63) & ~(size_t)63);
                ck_assert(in_data && got && want && scratch);
                for (size_t b = 0; b < in_bytes; b++) {
                    /* Mostly random, with runs of 0 and 255 that push sums past the clamps. */
                    uint64_t u = tu_rng_next(&rng);
                    in_data[b] = (unsigned char)((u >> 40) % 8 == 0 ? ((u >> 20) & 1) * 255 : u);
                }
                tproc_call call;
                memset(&call, 0, sizeof call);
                call.stage = &stage;
                call.in_rect = need;
                call.out_rect = r;
                call.scratch = scratch;
                tu_ok(ctx, tproc_view_init(&call.in, in_data, need.width, need.height, ch, TPROC_U8,
                                           ps, rs));
                tu_ok(ctx, tproc_view_init(&call.out, got, r.width, r.height, ch, TPROC_U8, 0, 0));
                ck_assert_int_eq(f->process(&call), TPROC_OK);
                ref_fixed(&ax, &ay, &call.in, need, r, want);
                for (ptrdiff_t i = 0; i < r.width * r.height * ch; i++)
                    ck_assert_msg(got[i] == want[i],
                                  "%s x%d%s rect (%td, %td) %tdx%td: sample %td is %d, the plain "
                                  "fixed-point formulation gives %d",
                                  spec, ch, pad ? " (padded pixels)" : "", r.x, r.y, r.width,
                                  r.height, i, got[i], want[i]);
                free(in_data);
                free(got);
                free(want);
                free(scratch);
            }
            /* Through the engine (channels 1 and 3: no alpha), tiled and threaded. */
            if (ch == 1 || ch == 3) {
                tproc_image *img = tu_random_image(ctx, fmt.width, fmt.height, ch, TPROC_U8,
                                                   900u + 10u * g + (unsigned)ch);
                tproc_view in = tproc_image_view(img);
                tproc_rect whole_in = {-100, -100, fmt.width + 200, fmt.height + 200};
                tproc_rect whole_out = {0, 0, ow, oh};
                unsigned char *big = malloc((size_t)(whole_in.width * whole_in.height * ch));
                unsigned char *want = malloc((size_t)(ow * oh * ch));
                ck_assert(big && want);
                for (ptrdiff_t y = 0; y < whole_in.height; y++)
                    for (ptrdiff_t x = 0; x < whole_in.width; x++) {
                        ptrdiff_t ix = ref_index(x + whole_in.x, fmt.width, TPROC_BORDER_REPLICATE);
                        ptrdiff_t iy =
                            ref_index(y + whole_in.y, fmt.height, TPROC_BORDER_REPLICATE);
                        memcpy(big + (y * whole_in.width + x) * ch, tproc_view_pixel(&in, ix, iy),
                               (size_t)ch);
                    }
                tproc_view bv;
                tu_ok(ctx, tproc_view_init(&bv, big, whole_in.width, whole_in.height, ch, TPROC_U8,
                                           0, 0));
                ref_fixed(&ax, &ay, &bv, whole_in, whole_out, want);
                static const ptrdiff_t tiles[][2] = {{1 << 16, 1 << 16}, {7, 5}, {64, 3}, {1, 9}};
                for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
                    tproc_image *out = run_spec(ctx, spec, &in, TPROC_BORDER_REPLICATE, tiles[t][0],
                                                tiles[t][1], t == 2 ? 3 : 1);
                    tproc_view ov = tproc_image_view(out);
                    for (ptrdiff_t y = 0; y < oh; y++)
                        ck_assert_msg(memcmp(tproc_view_pixel(&ov, 0, y), want + y * ow * ch,
                                             (size_t)(ow * ch)) == 0,
                                      "%s x%d, tiles %tdx%td: row %td differs from the plain "
                                      "fixed-point formulation",
                                      spec, ch, tiles[t][0], tiles[t][1], y);
                    tproc_image_free(&out);
                }
                free(big);
                free(want);
                tproc_image_free(&img);
            }
            tproc__rs_axis_free(ctx, &ax);
            tproc__rs_axis_free(ctx, &ay);
            tproc_stage_release(ctx, &stage);
        }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_filters_resize(void)
{
    Suite *s = suite_create("filters_resize");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, reference, 0, K_COUNT);
    tcase_add_loop_test(tc, big_shrink, 0, K_COUNT);
    tcase_add_loop_test(tc, identity, 0, K_COUNT);
    tcase_add_test(tc, known_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("params");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, output_sizes);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, memory_limit);
    tcase_add_test(tc, map_rect_covers);
    tcase_add_loop_test(tc, axis_rows_match_tables, 0, K_COUNT);
    tcase_add_loop_test(tc, state_independent_of_height, 0, K_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiles");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, tiled_identical, 0, K_COUNT);
    tcase_add_test(tc, chain_with_gaussian);
    suite_add_tcase(s, tc);

    tc = tcase_create("fixed");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, fixed_matches_plain, 0, K_COUNT);
    suite_add_tcase(s, tc);
    return s;
}
