/* SPDX-License-Identifier: MIT */
/*
 * test_filters_point.c: the point filters (invert, grayscale, brightness, contrast, gamma,
 * levels, threshold) against naive double-precision references written here, on random images
 * of every format (u8/u16/f32, 1-4 channels, odd sizes) and on images holding every u8 and u16
 * value. Integer results must match the reference exactly (the exact value rounded half up and
 * clamped); f32 within 1e-6. Alpha must come through unchanged. Runs go through
 * tproc_pipeline_run (whole image, then tiles and threads that must give the same bytes) and
 * through process_row directly (also in place), and the table filters' u8 rows through every
 * implementation (scalar, saturating add, SIMD) the CPU running the tests has.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "filter_internal.h"
#include "engine.h"
#include "kernels/point_lut.h"
#include "testutil.h"

#define F32_TOL 1e-6

/* Like ck_assert_msg, for per-sample loops: Check's passing assertions each send a message to
 * the runner, which would dominate the run time. */
#define expect(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Parameter sets every filter is tried with (defaults first). */
static const char *const specs[] = {
    "invert",
    "grayscale",
    "grayscale:standard=601",
    "brightness",
    "brightness:amount=-0.37",
    "brightness:amount=0.0031", /* under one u8 level: still rounds to +1 */
    "brightness:amount=1",
    "contrast",
    "contrast:amount=0.3",
    "contrast:amount=7.5",
    "gamma",
    "gamma:value=0.45",
    "levels",
    "levels:in_black=0.1,in_white=0.8,out_black=0.2,out_white=0.9",
    "levels:in_black=0.25,in_white=0.26,out_black=1,out_white=0", /* steep and inverting */
    "threshold",
    "threshold:level=0.2",
    "threshold:level=1",
};
#define SPEC_COUNT ((int)(sizeof specs / sizeof specs[0]))

static const tproc_sample samples[] = {TPROC_U8, TPROC_U16, TPROC_F32};

/* --- the reference ------------------------------------------------------------------------ */

static double get(const tproc_filter *f, const tproc_params *p, const char *key)
{
    double v = tproc_params_get(f, p, key);
    ck_assert_msg(!isnan(v), "%s has no parameter %s", f->name, key);
    return v;
}

/* A filter and its parameters looked up by name once, for the per-sample reference. */
typedef enum { INVERT, GRAYSCALE, BRIGHTNESS, CONTRAST, GAMMA, LEVELS, THRESHOLD } kind;
typedef struct ref {
    kind kind;
    double k[4];
} ref;

static ref ref_make(const tproc_filter *f, const tproc_params *p)
{
    static const struct {
        const char *name;
        kind kind;
        const char *keys[4];
    } table[] = {
        {"invert", INVERT, {NULL}},
        {"grayscale", GRAYSCALE, {"standard"}},
        {"brightness", BRIGHTNESS, {"amount"}},
        {"contrast", CONTRAST, {"amount"}},
        {"gamma", GAMMA, {"value"}},
        {"levels", LEVELS, {"in_black", "in_white", "out_black", "out_white"}},
        {"threshold", THRESHOLD, {"level"}},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, f->name) == 0) {
            ref r = {table[i].kind, {0, 0, 0, 0}};
            for (int j = 0; j < 4 && table[i].keys[j]; j++)
                r.k[j] = get(f, p, table[i].keys[j]);
            return r;
        }
    ck_abort_msg("no reference for %s", f->name);
    return (ref){INVERT, {0, 0, 0, 0}};
}

/* The documented definition of one colour sample, in the natural range (max 255/65535/1). */
static double ref_map(const ref *r, double v, double max)
{
    const double *k = r->k;
    switch (r->kind) {
    case INVERT:
        return max - v;
    case BRIGHTNESS:
        return v + k[0] * max;
    case CONTRAST:
        return (v - max / 2) * k[0] + max / 2;
    case GAMMA:
        return max * pow(v / max, 1.0 / k[0]);
    case LEVELS: {
        double t = (v / max - k[0]) / (k[1] - k[0]);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        return k[2] * max + (k[3] - k[2]) * max * t;
    }
    case THRESHOLD:
        return v >= k[0] * max ? max : 0;
    case GRAYSCALE:
        break;
    }
    return v; /* grayscale of a gray sample */
}

/* Rounds half up and clamps to [0, max] (integer types only). */
static double ref_round(double v, double max)
{
    v = v < 0 ? 0 : v > max ? max : v;
    return floor(v + 0.5);
}

static double sample_at(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
{
    const unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_U8)
        return p[c];
    if (v->sample == TPROC_U16) {
        uint16_t s;
        memcpy(&s, p + 2 * c, 2);
        return s;
    }
    float s;
    memcpy(&s, p + 4 * c, 4);
    return s;
}

/* The expected output channel count. */
static int ref_channels(const tproc_filter *f, int channels)
{
    return strcmp(f->name, "grayscale") == 0 && channels >= 3 ? channels - 2 : channels;
}

/* Checks out against the reference applied to in; where names the case in messages. */
static void check_against_reference(const tproc_filter *f, const tproc_params *p,
                                    const tproc_view *in, const tproc_view *out, const char *where)
{
    double max = in->sample == TPROC_U8 ? 255 : in->sample == TPROC_U16 ? 65535 : 1;
    ref r = ref_make(f, p);
    int gray = r.kind == GRAYSCALE;
    int std601 = gray && r.k[0] == 1;
    double kr = std601 ? 0.299 : 0.2126, kg = std601 ? 0.587 : 0.7152, kb = std601 ? 0.114 : 0.0722;
    int alpha = in->channels == 2 || in->channels == 4;
    int colour = alpha ? in->channels - 1 : in->channels;
    expect(out->width == in->width && out->height == in->height, "%s: size", where);
    expect(out->channels == ref_channels(f, in->channels), "%s: %d channels, want %d", where,
           out->channels, ref_channels(f, in->channels));
    expect(out->sample == in->sample, "%s: sample type changed", where);
    for (ptrdiff_t y = 0; y < in->height; y++)
        for (ptrdiff_t x = 0; x < in->width; x++) {
            double want[4];
            int out_colour = colour;
            if (gray && colour == 3) {
                want[0] = kr * sample_at(in, x, y, 0) + kg * sample_at(in, x, y, 1) +
                          kb * sample_at(in, x, y, 2);
                out_colour = 1;
            } else {
                for (int c = 0; c < colour; c++)
                    want[c] = ref_map(&r, sample_at(in, x, y, c), max);
            }
            for (int c = 0; c < out_colour; c++) {
                double got = sample_at(out, x, y, c);
                double in_v = sample_at(in, x, y, c);
                if (in->sample == TPROC_F32) {
                    double w = (float)want[c];
                    expect(fabs(got - w) <= F32_TOL || (isnan(got) && isnan(w)),
                           "%s: (%td,%td) c%d in %.9g got %.9g want %.9g", where, x, y, c, in_v,
                           got, w);
                } else {
                    double w = ref_round(want[c], max);
                    expect(got == w, "%s: (%td,%td) c%d in %g got %g want %g (exact %.17g)", where,
                           x, y, c, in_v, got, w, want[c]);
                }
            }
            if (alpha) {
                double a_in = sample_at(in, x, y, in->channels - 1);
                double a_out = sample_at(out, x, y, out->channels - 1);
                expect(memcmp(&a_in, &a_out, sizeof a_in) == 0, "%s: (%td,%td) alpha %g became %g",
                       where, x, y, a_in, a_out);
            }
        }
}

/* --- running ------------------------------------------------------------------------------ */

static tproc_image *run_pipeline(tproc_ctx *ctx, const char *spec, const tproc_view *in,
                                 ptrdiff_t tile_w, ptrdiff_t tile_h, int threads,
                                 tproc_border border)
{
    tproc_pipeline *pl = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &pl));
    tu_ok(ctx, tproc_pipeline_add(pl, spec));
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = tile_w;
    o.tile_height = tile_h;
    o.threads = threads;
    o.border = border;
    tproc_image *out = NULL;
    tu_ok(ctx, tproc_pipeline_run(pl, in, &o, &out));
    tproc_pipeline_free(&pl);
    return out;
}

/* Runs the filter's own prepare/process_row/release over the whole image, row by row, either
 * into a new image or in place (the output format must then fit in the input's rows). */
static tproc_image *run_rows(tproc_ctx *ctx, const tproc_filter *f, const tproc_params *p,
                             tproc_image *in, int in_place)
{
    tproc_view v = tproc_image_view(in);
    tproc_format fmt = {v.width, v.height, v.channels, v.sample};
    tproc_stage stage;
    memset(&stage, 0xa5, sizeof stage); /* prepare must set everything itself */
    tu_ok(ctx, tproc_stage_prepare(ctx, f, p, &fmt, &stage));
    ck_assert(stage.filter == f && stage.params == p);
    ck_assert(stage.halo.left == 0 && stage.halo.top == 0 && stage.halo.right == 0 &&
              stage.halo.bottom == 0);
    ck_assert(!stage.geometry && !stage.whole_image && !stage.premultiply);
    ck_assert(stage.out.width == fmt.width && stage.out.height == fmt.height &&
              stage.out.sample == fmt.sample);
    ck_assert_int_eq(stage.out.channels, ref_channels(f, fmt.channels));
    ck_assert(f->process_row != NULL || f->map != NULL); /* rows of its own, or the tables' */
    tproc__row_fn row_fn = tproc__stage_row(&stage);
    tproc_image *out = NULL;
    if (in_place) {
        tu_ok(ctx, tproc_image_from_view(ctx, &v, &out));
        tproc_view o = tproc_image_view(out);
        for (ptrdiff_t y = 0; y < v.height; y++) {
            unsigned char *row = tproc_view_pixel(&o, 0, y);
            row_fn(&stage, row, row, v.width);
        }
        /* The result now sits packed at the start of each row: describe it as such. */
        tproc_view r;
        tu_ok(ctx, tproc_view_init(&r, o.data, v.width, v.height, stage.out.channels, v.sample, 0,
                                   o.row_stride));
        tproc_image *packed = NULL;
        tu_ok(ctx, tproc_image_from_view(ctx, &r, &packed));
        tproc_image_free(&out);
        out = packed;
    } else {
        tu_ok(ctx, tproc_image_new(ctx, v.width, v.height, stage.out.channels, v.sample, &out));
        tproc_view o = tproc_image_view(out);
        for (ptrdiff_t y = 0; y < v.height; y++)
            row_fn(&stage, tproc_view_pixel(&v, 0, y), tproc_view_pixel(&o, 0, y), v.width);
    }
    tproc_stage_release(ctx, &stage);
    return out;
}

static void assert_same_bytes(const tproc_image *a, const tproc_image *b, const char *where)
{
    tproc_view va = tproc_image_view(a), vb = tproc_image_view(b);
    expect(va.width == vb.width && va.height == vb.height && va.channels == vb.channels &&
               va.sample == vb.sample,
           "%s: formats differ", where);
    size_t row = tproc_view_pixel_size(&va) * (size_t)va.width;
    for (ptrdiff_t y = 0; y < va.height; y++)
        expect(memcmp(tproc_view_pixel(&va, 0, y), tproc_view_pixel(&vb, 0, y), row) == 0,
               "%s: row %td differs", where, y);
}

static void parse(tproc_ctx *ctx, const char *spec, const tproc_filter **f, tproc_params *p)
{
    tu_ok(ctx, tproc_params_parse(ctx, spec, f, p));
}

/* A new context and spec parsed in it. */
static tproc_ctx *new_ctx_parse(const char *spec, const tproc_filter **f, tproc_params *p)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    parse(ctx, spec, f, p);
    return ctx;
}

/* --- tests -------------------------------------------------------------------------------- */

/* Every spec, format and size against the reference, through the pipeline and the rows. */
START_TEST(matches_reference)
{
    const char *spec = specs[_i];
    static const ptrdiff_t sizes[][2] = {{1, 1}, {1, 9}, {9, 1}, {37, 23}};
    const tproc_filter *f;
    tproc_params p;
    tproc_ctx *ctx = new_ctx_parse(spec, &f, &p);
    for (size_t s = 0; s < 3; s++)
        for (int ch = 1; ch <= 4; ch++)
            for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                uint64_t seed = 1000u + (uint64_t)_i * 100u + s * 10u + (uint64_t)ch + z * 7u;
                tproc_image *in =
                    tu_random_image(ctx, sizes[z][0], sizes[z][1], ch, samples[s], seed);
                tproc_view iv = tproc_image_view(in);
                char where[160];
                snprintf(where, sizeof where, "%s %s c%d %tdx%td seed %llu", spec,
                         tproc_sample_name(samples[s]), ch, iv.width, iv.height,
                         (unsigned long long)seed);
                tproc_image *out =
                    run_pipeline(ctx, spec, &iv, 4096, 4096, 1, TPROC_BORDER_REFLECT_101);
                tproc_view ov = tproc_image_view(out);
                check_against_reference(f, &p, &iv, &ov, where);
                tproc_image *rows = run_rows(ctx, f, &p, in, 0);
                assert_same_bytes(out, rows, where);
                tproc_image *inplace = run_rows(ctx, f, &p, in, 1);
                assert_same_bytes(out, inplace, where);
                tproc_image_free(&inplace);
                tproc_image_free(&rows);
                tproc_image_free(&out);
                tproc_image_free(&in);
            }
    ck_assert_msg(tproc_ctx_memory_in_use(ctx) == 0, "%s: %zu bytes leaked", spec,
                  tproc_ctx_memory_in_use(ctx));
    tproc_ctx_free(&ctx);
}
END_TEST

/* Every u8 and u16 value (so every table entry) in every channel layout; alpha random. */
START_TEST(every_integer_value)
{
    const char *spec = specs[_i];
    const tproc_filter *f;
    tproc_params p;
    tproc_ctx *ctx = new_ctx_parse(spec, &f, &p);
    tu_rng rng;
    tu_rng_seed(&rng, 77u + (uint64_t)_i);
    for (int s = 0; s < 2; s++)
        for (int ch = 1; ch <= 4; ch++) {
            /* Grayscale mixes channels: its exhaustive test is ties_of_every_colour. */
            if (strcmp(f->name, "grayscale") == 0 && ch >= 3)
                continue;
            ptrdiff_t w = 256, h = s == 0 ? 1 : 256;
            tproc_image *in = NULL;
            tu_ok(ctx, tproc_image_new(ctx, w, h, ch, samples[s], &in));
            tproc_view v = tproc_image_view(in);
            int colour = ch == 2 || ch == 4 ? ch - 1 : ch;
            for (ptrdiff_t y = 0; y < h; y++)
                for (ptrdiff_t x = 0; x < w; x++) {
                    unsigned char *px = tproc_view_pixel(&v, x, y);
                    for (int c = 0; c < ch; c++) {
                        unsigned value =
                            c < colour ? (unsigned)(y * 256 + x) : (unsigned)tu_rng_next(&rng);
                        if (s == 0) {
                            px[c] = (unsigned char)value;
                        } else {
                            uint16_t u = (uint16_t)value;
                            memcpy(px + 2 * c, &u, 2);
                        }
                    }
                }
            char where[160];
            snprintf(where, sizeof where, "%s %s c%d every value", spec,
                     tproc_sample_name(samples[s]), ch);
            tproc_image *out = run_pipeline(ctx, spec, &v, 0, 0, 1, TPROC_BORDER_REFLECT_101);
            tproc_view ov = tproc_image_view(out);
            check_against_reference(f, &p, &v, &ov, where);
            tproc_image_free(&out);
            tproc_image_free(&in);
        }
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * The table filters pick their u8 row by CPU and table; every implementation this machine can
 * run must give the reference bytes: every value, every channel count, row lengths that leave
 * every kind of tail after the vector loop, in place and not.
 */
START_TEST(u8_implementations_identical)
{
    static const char *const impls[] = {"scalar", "add", "avx2", "avx512vbmi"};
    static const ptrdiff_t widths[] = {1, 7, 15, 16, 17, 37, 300, 1031};
    const char *spec = specs[_i];
    const tproc_filter *f;
    tproc_params p;
    tproc_ctx *ctx = new_ctx_parse(spec, &f, &p);
    if (!tproc__filter_uses_map(f)) { /* not a table filter */
        tproc_ctx_free(&ctx);
        return;
    }
    ref r = ref_make(f, &p);
    tu_rng rng;
    tu_rng_seed(&rng, 300u + (uint64_t)_i);
    enum { MAX_BYTES = 1031 * 4 };
    unsigned char in[MAX_BYTES], out[MAX_BYTES], inplace[MAX_BYTES];
    int ran_scalar = 0;
    for (int ch = 1; ch <= 4; ch++) {
        int colour = tproc__colour_channels(ch);
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            size_t n = (size_t)widths[w] * (size_t)ch;
            /* Colour sample s holds (167 s + w) mod 256: 256 in a row are every value. */
            for (size_t i = 0, s = 0; i < n; i++)
                in[i] = (int)(i % (size_t)ch) < colour ? (unsigned char)((167 * s++ + w) & 255)
                                                       : (unsigned char)tu_rng_next(&rng);
            tproc_format fmt = {widths[w], 1, ch, TPROC_U8};
            tproc_stage stage;
            tu_ok(ctx, tproc_stage_prepare(ctx, f, &p, &fmt, &stage));
            for (size_t m = 0; m < sizeof impls / sizeof impls[0]; m++) {
                if (tproc__point_lut_force_u8(&stage, impls[m]) != TPROC_OK)
                    continue;
                ran_scalar |= m == 0;
                memset(out, 0x5a, n);
                tproc__point_lut_row(&stage, in, out, widths[w]);
                memcpy(inplace, in, n);
                tproc__point_lut_row(&stage, inplace, inplace, widths[w]);
                for (size_t i = 0; i < n; i++) {
                    int is_alpha = (int)(i % (size_t)ch) >= colour;
                    double want = is_alpha ? in[i] : ref_round(ref_map(&r, in[i], 255), 255);
                    expect(out[i] == want && inplace[i] == want,
                           "%s %s c%d width %td byte %zu: in %d got %d (in place %d) want %g", spec,
                           impls[m], ch, widths[w], i, in[i], out[i], inplace[i], want);
                }
            }
            tproc_stage_release(ctx, &stage);
        }
    }
    ck_assert_msg(ran_scalar, "%s: the scalar row was not available", spec);
    ck_assert_msg(tproc_ctx_memory_in_use(ctx) == 0, "%s: leaked", spec);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Tiles of every shape, several threads and every border mode give the same bytes. */
START_TEST(tiles_and_threads_identical)
{
    const char *spec = specs[_i];
    static const ptrdiff_t tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {3, 100}};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    for (size_t s = 0; s < 3; s++)
        for (int ch = 1; ch <= 4; ch++) {
            uint64_t seed = 5000u + (uint64_t)_i * 10u + s * 4u + (uint64_t)ch;
            tproc_image *in = tu_random_image(ctx, 37, 23, ch, samples[s], seed);
            tproc_view iv = tproc_image_view(in);
            tproc_image *whole =
                run_pipeline(ctx, spec, &iv, 4096, 4096, 1, TPROC_BORDER_REFLECT_101);
            for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++)
                for (int threads = 1; threads <= 3; threads += 2) {
                    tproc_border border = (tproc_border)((t + (size_t)threads) % 5);
                    char where[160];
                    snprintf(where, sizeof where,
                             "%s %s c%d seed %llu tile %tdx%td threads %d "
                             "border %s",
                             spec, tproc_sample_name(samples[s]), ch, (unsigned long long)seed,
                             tiles[t][0], tiles[t][1], threads, tproc_border_name(border));
                    tproc_image *tiled =
                        run_pipeline(ctx, spec, &iv, tiles[t][0], tiles[t][1], threads, border);
                    assert_same_bytes(whole, tiled, where);
                    tproc_image_free(&tiled);
                }
            tproc_image_free(&whole);
            tproc_image_free(&in);
        }
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * Grayscale on u8: the colours whose luma lies within 1e-6 of a half (where a fixed-point
 * shortcut would round differently from the double formula), found by scanning all 2^24
 * colours, plus a random sample of the others.
 */
START_TEST(grayscale_ties_of_every_colour)
{
    static const char *const gspecs[] = {"grayscale:standard=709", "grayscale:standard=601"};
    const char *spec = gspecs[_i];
    const tproc_filter *f;
    tproc_params p;
    tproc_ctx *ctx = new_ctx_parse(spec, &f, &p);
    double kr = _i ? 0.299 : 0.2126, kg = _i ? 0.587 : 0.7152, kb = _i ? 0.114 : 0.0722;
    enum { W = 256, H = 128 };
    tproc_image *in = NULL;
    tu_ok(ctx, tproc_image_new(ctx, W, H, 3, TPROC_U8, &in));
    tproc_view v = tproc_image_view(in);
    size_t n = 0;
    for (unsigned rgb = 0; rgb < (1u << 24) && n < (size_t)W * H / 2; rgb++) {
        unsigned r = rgb >> 16, g = (rgb >> 8) & 255, b = rgb & 255;
        double y = kr * r + kg * g + kb * b;
        if (fabs(y - floor(y) - 0.5) < 1e-6) {
            unsigned char *px = tproc_view_pixel(&v, (ptrdiff_t)(n % W), (ptrdiff_t)(n / W));
            px[0] = (unsigned char)r;
            px[1] = (unsigned char)g;
            px[2] = (unsigned char)b;
            n++;
        }
    }
    ck_assert_msg(n > 1000, "%s: only %zu near-tie colours", spec, n);
    tu_rng rng;
    tu_rng_seed(&rng, 99);
    for (size_t i = n; i < (size_t)W * H; i++) {
        unsigned char *px = tproc_view_pixel(&v, (ptrdiff_t)(i % W), (ptrdiff_t)(i / W));
        for (int c = 0; c < 3; c++)
            px[c] = (unsigned char)tu_rng_next(&rng);
    }
    tproc_image *out = run_pipeline(ctx, spec, &v, 0, 0, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    char where[96];
    snprintf(where, sizeof where, "%s (%zu near-tie colours)", spec, n);
    check_against_reference(f, &p, &v, &ov, where);
    tproc_image_free(&out);
    tproc_image_free(&in);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Grayscale output formats: RGB -> 1, RGBA -> 2, gray and gray+alpha unchanged. */
START_TEST(grayscale_formats)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_pipeline *pl = NULL;
    tu_ok(ctx, tproc_pipeline_new(ctx, &pl));
    tu_ok(ctx, tproc_pipeline_add(pl, "grayscale"));
    static const int want[5] = {0, 1, 2, 1, 2};
    for (size_t s = 0; s < 3; s++)
        for (int ch = 1; ch <= 4; ch++) {
            tproc_format in = {13, 7, ch, samples[s]}, out;
            tu_ok(ctx, tproc_pipeline_output_format(pl, &in, &out));
            ck_assert_msg(out.channels == want[ch] && out.sample == samples[s] && out.width == 13 &&
                              out.height == 7,
                          "grayscale %s c%d gave c%d", tproc_sample_name(samples[s]), ch,
                          out.channels);
        }
    tproc_pipeline_free(&pl);
    /* Gray input passes through byte for byte. */
    tproc_image *in = tu_random_image(ctx, 11, 5, 2, TPROC_U16, 4242);
    tproc_view iv = tproc_image_view(in);
    tproc_image *out = run_pipeline(ctx, "grayscale:standard=601", &iv, 3, 2, 3, TPROC_BORDER_WRAP);
    assert_same_bytes(in, out, "grayscale of gray+alpha");
    tproc_image_free(&out);
    tproc_image_free(&in);
    tproc_ctx_free(&ctx);
}
END_TEST

/* levels refuses in_white <= in_black in prepare, naming the filter and both values. */
START_TEST(levels_refuses_empty_input_range)
{
    static const char *const bad[] = {"levels:in_black=0.5,in_white=0.5",
                                      "levels:in_black=0.6,in_white=0.4",
                                      "levels:in_black=1,in_white=0"};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *in = tu_random_image(ctx, 5, 3, 3, TPROC_U8, 1);
    tproc_view iv = tproc_image_view(in);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const tproc_filter *f;
        tproc_params p;
        parse(ctx, bad[i], &f, &p);
        tproc_format fmt = {5, 3, 3, TPROC_U8};
        tproc_stage stage;
        size_t before = tproc_ctx_memory_in_use(ctx);
        int status = tproc_stage_prepare(ctx, f, &p, &fmt, &stage);
        ck_assert_msg(status == TPROC_ERR_PARAM, "%s: prepare gave %d", bad[i], status);
        ck_assert_msg(tproc_ctx_memory_in_use(ctx) == before, "%s: failed prepare kept memory",
                      bad[i]);
        const char *msg = tproc_ctx_message(ctx);
        ck_assert_msg(strstr(msg, "levels") && strstr(msg, "in_white"), "%s: message '%s'", bad[i],
                      msg);

        tproc_pipeline *pl = NULL;
        tu_ok(ctx, tproc_pipeline_new(ctx, &pl));
        status = tproc_pipeline_add(pl, bad[i]);
        tproc_image *out = NULL;
        if (status == TPROC_OK)
            status = tproc_pipeline_run(pl, &iv, NULL, &out);
        ck_assert_msg(status == TPROC_ERR_PARAM && out == NULL, "%s: pipeline gave %d", bad[i],
                      status);
        tproc_pipeline_free(&pl);
    }
    /* The smallest valid gap is accepted. */
    tproc_image *out = run_pipeline(ctx, "levels:in_black=0.5,in_white=0.5001", &iv, 0, 0, 1,
                                    TPROC_BORDER_REFLECT_101);
    tproc_image_free(&out);
    tproc_image_free(&in);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Single-value ranges are the parser's job: the tables must carry them. */
START_TEST(parameter_ranges_and_defaults)
{
    static const char *const bad[] = {
        "brightness:amount=1.01", "brightness:amount=-1.5",  "contrast:amount=-0.1",
        "contrast:amount=10.5",   "gamma:value=0",           "gamma:value=-1",
        "gamma:value=10.01",      "levels:in_black=-0.1",    "levels:in_white=1.1",
        "levels:out_black=2",     "levels:out_white=-1",     "threshold:level=1.5",
        "threshold:level=-0.01",  "grayscale:standard=2020", "invert:amount=1",
    };
    static const char *const good[] = {
        "brightness:amount=-1", "contrast:amount=0", "contrast:amount=10",     "gamma:value=10",
        "gamma:value=0.001",    "threshold:level=0", "grayscale:standard=709",
    };
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const tproc_filter *f;
    tproc_params p;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int status = tproc_params_parse(ctx, bad[i], &f, &p);
        ck_assert_msg(status == TPROC_ERR_PARAM, "%s: parse gave %d", bad[i], status);
    }
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        tu_ok(ctx, tproc_params_parse(ctx, good[i], &f, &p));

    static const struct {
        const char *filter, *key;
        double def;
    } defaults[] = {
        {"grayscale", "standard", 0}, {"brightness", "amount", 0.1}, {"contrast", "amount", 1.2},
        {"gamma", "value", 2.2},      {"levels", "in_black", 0},     {"levels", "in_white", 1},
        {"levels", "out_black", 0},   {"levels", "out_white", 1},    {"threshold", "level", 0.5},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        f = tproc_filter_find(defaults[i].filter);
        ck_assert_ptr_nonnull(f);
        tproc_params_init(f, &p);
        double got = tproc_params_get(f, &p, defaults[i].key);
        ck_assert_msg(got == defaults[i].def, "%s:%s default %g, want %g", defaults[i].filter,
                      defaults[i].key, got, defaults[i].def);
    }
    f = tproc_filter_find("invert");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->param_count, 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* f32 is not clamped where the definition does not clamp; levels and threshold stay in range. */
START_TEST(f32_out_of_range)
{
    static const struct {
        const char *spec;
        float in, want;
    } cases[] = {
        {"invert", 1.25f, -0.25f},
        {"invert", -0.5f, 1.5f},
        {"brightness:amount=0.1", 0.95f, 1.05f},
        {"brightness:amount=-0.5", 0.25f, -0.25f},
        {"contrast:amount=2", 0.9f, 1.3f},
        {"contrast:amount=2", 0.1f, -0.3f},
        {"gamma:value=2", 4.0f, 2.0f},
        {"gamma:value=2", -0.25f, -0.5f}, /* mirrored, not NaN */
        {"levels:in_black=0.2,in_white=0.6,out_black=0.1,out_white=0.7", 1.5f, 0.7f},
        {"levels:in_black=0.2,in_white=0.6,out_black=0.1,out_white=0.7", -1.0f, 0.1f},
        {"levels:in_black=0.2,in_white=0.6,out_black=0.1,out_white=0.7", NAN, 0.1f},
        {"threshold:level=0.5", 7.0f, 1.0f},
        {"threshold:level=0.5", NAN, 0.0f},
        {"threshold:level=0.5", 0.5f, 1.0f},
    };
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float px[2] = {cases[i].in, 0.25f}; /* gray + alpha */
        tproc_view v;
        tu_ok(ctx, tproc_view_init(&v, px, 1, 1, 2, TPROC_F32, 0, 0));
        tproc_image *out = run_pipeline(ctx, cases[i].spec, &v, 0, 0, 1, TPROC_BORDER_REFLECT_101);
        tproc_view ov = tproc_image_view(out);
        float got[2];
        memcpy(got, ov.data, sizeof got);
        ck_assert_msg(fabs((double)got[0] - (double)cases[i].want) <= F32_TOL,
                      "%s on %g gave %.9g, want %.9g", cases[i].spec, (double)cases[i].in,
                      (double)got[0], (double)cases[i].want);
        ck_assert_msg(got[1] == 0.25f, "%s: alpha became %g", cases[i].spec, (double)got[1]);
        tproc_image_free(&out);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* The tables live in the stage and are freed by release(); a memory limit fails prepare. */
START_TEST(tables_freed_and_limited)
{
    static const char *const table_specs[] = {"brightness", "contrast", "gamma", "levels"};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    for (size_t i = 0; i < sizeof table_specs / sizeof table_specs[0]; i++)
        for (size_t s = 0; s < 3; s++) {
            const tproc_filter *f;
            tproc_params p;
            parse(ctx, table_specs[i], &f, &p);
            tproc_format fmt = {3, 3, 4, samples[s]};
            tproc_stage stage;
            size_t before = tproc_ctx_memory_in_use(ctx);
            tu_ok(ctx, tproc_stage_prepare(ctx, f, &p, &fmt, &stage));
            ck_assert_msg((stage.state != NULL) == (samples[s] != TPROC_F32), "%s %s: state %p",
                          table_specs[i], tproc_sample_name(samples[s]), stage.state);
            tproc_stage_release(ctx, &stage);
            ck_assert_msg(tproc_ctx_memory_in_use(ctx) == before, "%s: release leaked",
                          table_specs[i]);
            if (samples[s] == TPROC_U16) {
                tproc_ctx_set_memory_limit(ctx, before + 1000);
                int status = tproc_stage_prepare(ctx, f, &p, &fmt, &stage);
                ck_assert_msg(status == TPROC_ERR_LIMIT,
                              "%s: u16 table under a 1000-byte "
                              "limit gave %d",
                              table_specs[i], status);
                tproc_ctx_set_memory_limit(ctx, 0);
            }
        }
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_filters_point(void)
{
    Suite *s = suite_create("filters_point");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, matches_reference, 0, SPEC_COUNT);
    tcase_add_loop_test(tc, every_integer_value, 0, SPEC_COUNT);
    tcase_add_loop_test(tc, u8_implementations_identical, 0, SPEC_COUNT);
    tcase_add_loop_test(tc, grayscale_ties_of_every_colour, 0, 2);
    tcase_add_test(tc, f32_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiling");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, tiles_and_threads_identical, 0, SPEC_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("contract");
    tcase_add_test(tc, grayscale_formats);
    tcase_add_test(tc, levels_refuses_empty_input_range);
    tcase_add_test(tc, parameter_ranges_and_defaults);
    tcase_add_test(tc, tables_freed_and_limited);
    suite_add_tcase(s, tc);
    return s;
}
