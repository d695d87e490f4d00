/* SPDX-License-Identifier: MIT */
/*
 * test_filters_trim.c: trim's box against a naive search written here (every pixel compared
 * with the background, the box of those that differ by more than the threshold), on random
 * bordered images of every sample type and channel count, with the top-left pixel or a given
 * background; an image that is all background comes back unchanged; trim undoes extend; the
 * pre-pass sees the chain before it; streamed (a view, a PNG file read twice under a memory
 * limit smaller than the image; a callback source, held) == whole, tiles and threads byte
 * for byte. ImageMagick's
 * `convert -trim` and `-fuzz` on photos live in python/tests/test_trim.py.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

typedef struct box {
    ptrdiff_t x, y, w, h;
} box;

/* Pixel (x, y) normalised, colour premultiplied; p[colour] = alpha (1 without). */
static void pixel(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, double p[4])
{
    double max = v->sample == TPROC_U8 ? 255.0 : v->sample == TPROC_U16 ? 65535.0 : 1.0;
    int alpha = v->channels == 2 || v->channels == 4,
        colour = alpha ? v->channels - 1 : v->channels;
    for (int c = 0; c < v->channels; c++)
        p[c] = tu_sample(v, x, y, c) / max;
    if (!alpha)
        p[colour] = 1.0;
    for (int c = 0; c < colour; c++)
        p[c] *= p[colour];
}

/* The naive box: every pixel against bg; the whole image when nothing differs. */
static box naive_box(const tproc_view *v, const double bg[4], double t)
{
    int colour = v->channels == 2 || v->channels == 4 ? v->channels - 1 : v->channels;
    ptrdiff_t x0 = v->width, x1 = -1, y0 = v->height, y1 = -1;
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++) {
            double p[4];
            pixel(v, x, y, p);
            int differs = 0;
            for (int c = 0; c <= colour; c++)
                differs |= fabs(p[c] - bg[c]) > t;
            if (differs) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
        }
    box b = {0, 0, v->width, v->height};
    if (x1 >= 0) {
        b.x = x0;
        b.y = y0;
        b.w = x1 - x0 + 1;
        b.h = y1 - y0 + 1;
    }
    return b;
}

static void set_pixel(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, const double *value)
{
    tproc_view one;
    tu_ok(NULL, tproc_view_sub(v, x, y, 1, 1, &one));
    tu_ok(NULL, tproc_view_fill(&one, value));
}

/* A w x h image of background value bg with a random subject: a rectangle of random pixels
 * and a few stray pixels near the background (some within the threshold, some beyond). */
static tproc_image *bordered(ptrdiff_t w, ptrdiff_t h, int channels, tproc_sample s,
                             const double *bg, tu_rng *rng)
{
    tproc_image *img = tu_random_image(NULL, w, h, channels, s, tu_rng_next(rng));
    tproc_view v = tproc_image_view(img);
    ptrdiff_t bx = tu_rng_range(rng, 0, w / 2), by = tu_rng_range(rng, 0, h / 2);
    ptrdiff_t bw = tu_rng_range(rng, 1, w - bx), bh = tu_rng_range(rng, 1, h - by);
    /* Background everywhere but the subject rectangle: fill the four margins. */
    tproc_view part;
    if (by > 0 && !tproc_view_sub(&v, 0, 0, w, by, &part))
        tu_ok(NULL, tproc_view_fill(&part, bg));
    if (by + bh < h && !tproc_view_sub(&v, 0, by + bh, w, h - by - bh, &part))
        tu_ok(NULL, tproc_view_fill(&part, bg));
    if (bx > 0 && !tproc_view_sub(&v, 0, by, bx, bh, &part))
        tu_ok(NULL, tproc_view_fill(&part, bg));
    if (bx + bw < w && !tproc_view_sub(&v, bx + bw, by, w - bx - bw, bh, &part))
        tu_ok(NULL, tproc_view_fill(&part, bg));
    double max = s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
    for (int i = 0; i < 6; i++) { /* stray pixels: background plus 1-30 levels in one channel */
        double p[4];
        memcpy(p, bg, sizeof p);
        int c = (int)tu_rng_range(rng, 0, channels - 1);
        double d = (double)tu_rng_range(rng, 1, 30) * max / 255.0;
        p[c] = p[c] + d <= max ? p[c] + d : p[c] - d;
        set_pixel(&v, tu_rng_range(rng, 0, w - 1), tu_rng_range(rng, 0, h - 1), p);
    }
    /* The top-left pixel is the background the default compares with. */
    set_pixel(&v, 0, 0, bg);
    return img;
}

static void check_box(const tproc_view *in, const char *spec, box want, const char *what)
{
    const char *chain[] = {spec};
    static const ptrdiff_t tiles[][2] = {{0, 0}, {7, 5}, {16, 64}};
    tproc_image *first = NULL;
    for (int t = 0; t < 3; t++)
        for (int threads = 1; threads <= 3; threads += 2) {
            tproc_image *got = tu_run(NULL, in, chain, 1, tiles[t][0], tiles[t][1], threads,
                                      TPROC_BORDER_REFLECT_101);
            tproc_view gv = tproc_image_view(got), expect;
            ck_assert_msg(gv.width == want.w && gv.height == want.h,
                          "%s %s: %tdx%td, want %tdx%td at (%td, %td)", what, spec, gv.width,
                          gv.height, want.w, want.h, want.x, want.y);
            tu_ok(NULL, tproc_view_sub(in, want.x, want.y, want.w, want.h, &expect));
            tu_assert_same(&gv, &expect, what);
            if (!first)
                first = got;
            else
                tproc_image_free(&got);
        }
    tproc_image_free(&first);
}

START_TEST(box_is_the_naive_box)
{
    static const tproc_sample samples[] = {TPROC_U8, TPROC_U16, TPROC_F32};
    static const double thresholds[] = {0.0, 0.04, 0.1};
    tu_rng rng;
    tu_rng_seed(&rng, 1515);
    for (int si = 0; si < 3; si++)
        for (int channels = 1; channels <= 4; channels++)
            for (int round = 0; round < 4; round++) {
                tproc_sample s = samples[si];
                double max = s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
                double bg[4] = {0, 0, 0, max};
                for (int c = 0; c < channels; c++)
                    bg[c] = (double)tu_rng_range(&rng, 0, 255) * max / 255.0;
                if (channels == 2 || channels == 4)
                    bg[channels - 1] = round == 1 ? 0.0 : max; /* a transparent border too */
                ptrdiff_t w = tu_rng_range(&rng, 1, 60), h = tu_rng_range(&rng, 1, 50);
                tproc_image *img = bordered(w, h, channels, s, bg, &rng);
                tproc_view v = tproc_image_view(img);
                double t = thresholds[round % 3], ref[4];
                pixel(&v, 0, 0, ref);
                char spec[64], what[64];
                snprintf(spec, sizeof spec, "trim:threshold=%g", t);
                snprintf(what, sizeof what, "%s x%d %tdx%td", tproc_sample_name(s), channels, w, h);
                check_box(&v, spec, naive_box(&v, ref, t), what);
                tproc_image_free(&img);
            }
}
END_TEST

/* background= instead of the top-left pixel: an 8-bit colour scaled to the samples. */
START_TEST(given_background_is_used)
{
    tu_rng rng;
    tu_rng_seed(&rng, 77);
    double bg[4] = {10, 200, 30, 0}, other[3] = {90, 90, 90};
    tproc_image *img = bordered(40, 30, 3, TPROC_U8, bg, &rng);
    tproc_view v = tproc_image_view(img);
    set_pixel(&v, 0, 0, other); /* the corner is not the background now */
    double ref[4] = {10 / 255.0, 200 / 255.0, 30 / 255.0, 1.0};
    check_box(&v, "trim:threshold=0,background=10 200 30", naive_box(&v, ref, 0.0),
              "background given");
    check_box(&v, "trim:threshold=0,background=#0ac81e", naive_box(&v, ref, 0.0), "hex");
    tproc_image_free(&img);
}
END_TEST

/* All background (within the threshold): the image unchanged, as sharp returns it. */
START_TEST(uniform_image_is_unchanged)
{
    tproc_image *img;
    tu_ok(NULL, tproc_image_new(NULL, 23, 17, 3, TPROC_U16, &img));
    tproc_view v = tproc_image_view(img);
    double grey[3] = {30000, 30000, 30000}, near[3] = {30000, 31000, 30000};
    tu_ok(NULL, tproc_view_fill(&v, grey));
    set_pixel(&v, 5, 5, near); /* 1000 / 65535 = 0.015: within 0.04 */
    box whole = {0, 0, 23, 17}, one = {5, 5, 1, 1};
    check_box(&v, "trim", whole, "uniform");
    check_box(&v, "trim:threshold=0.01", one, "one pixel beyond");
    tproc_image_free(&img);
}
END_TEST

/* trim after extend with the same colour gives the image back; the pre-pass runs the prefix
 * (and a second trim's prefix holds the first). */
START_TEST(trim_undoes_extend)
{
    tproc_image *img = tu_random_image(NULL, 31, 22, 3, TPROC_U8, 9);
    tproc_view v = tproc_image_view(img);
    /* No edge pixel of the image may be the margin's colour: make the corners differ. */
    double c0[3] = {0, 0, 0};
    set_pixel(&v, 0, 0, c0);
    set_pixel(&v, 30, 21, c0);
    const char *chain[] = {"extend:top=4,right=9,bottom=1,left=3,background=255 0 255",
                           "trim:threshold=0"};
    for (int threads = 1; threads <= 2; threads++) {
        tproc_image *got = tu_run(NULL, &v, chain, 2, 8, 6, threads, TPROC_BORDER_REFLECT_101);
        tproc_view gv = tproc_image_view(got);
        tu_assert_same(&gv, &v, "extend then trim");
        tproc_image_free(&got);
    }
    const char *twice[] = {"extend:top=2,left=2,background=255 0 255", "trim:threshold=0",
                           "extend:bottom=5,right=1,background=1 2 3",
                           "trim:threshold=0,background=1 2 3"};
    tproc_image *got = tu_run(NULL, &v, twice, 4, 0, 0, 2, TPROC_BORDER_REFLECT_101);
    tproc_view gv = tproc_image_view(got);
    tu_assert_same(&gv, &v, "two trims");
    tproc_image_free(&got);
    tproc_image_free(&img);
}
END_TEST

static tproc_image *stream_to_image(tproc_ctx *ctx, tproc_pipeline *p, tproc_source *src)
{
    tproc_sink *sink;
    tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    ro.threads = 2;
    tu_ok(ctx, tproc_pipeline_stream(p, src, sink, &ro, NULL));
    tproc_image *img = tproc_sink_take_image(sink);
    tproc_sink_free(&sink);
    return img;
}

static int write_rows(void *user, ptrdiff_t y, const tproc_view *rows)
{
    tproc_view all = tproc_image_view(user), part;
    tu_ok(NULL, tproc_view_sub(&all, 0, y, rows->width, rows->height, &part));
    return tproc_view_copy(NULL, rows, &part);
}

/* Streamed from a view and from a PNG file (decoded twice: a memory limit below the decoded
 * image still passes) == the in-memory run. A callback source cannot be read twice. */
START_TEST(streamed_is_whole)
{
    tu_rng rng;
    tu_rng_seed(&rng, 4242);
    double bg[4] = {240, 240, 235, 0};
    tproc_image *img = bordered(1200, 800, 3, TPROC_U8, bg, &rng);
    tproc_view v = tproc_image_view(img);
    const char *chain[] = {"gaussian:sigma=1", "trim:threshold=0.02", "invert"};
    tproc_image *whole = tu_run(NULL, &v, chain, 3, 0, 0, 2, TPROC_BORDER_REFLECT_101);
    tproc_view wv = tproc_image_view(whole);

    tproc_pipeline *p = tu_chain(NULL, chain, 3);
    tproc_source *src;
    tu_ok(NULL, tproc_source_new_view(NULL, &v, &src));
    tproc_image *got = stream_to_image(NULL, p, src);
    tproc_view gv = tproc_image_view(got);
    tu_assert_same(&gv, &wv, "streamed view");
    tproc_image_free(&got);
    tproc_source_free(&src);

    char dir[] = "/tmp/tileproc-trim-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/in.png", dir);
    tu_ok(NULL, tproc_save(NULL, &v, path, NULL));
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    /* The decoded image is 2.9 MB: a limit of 1.2 MB holds bands of rows, never the image
     * (the rows go to an image outside the context). */
    tproc_ctx_set_memory_limit(ctx, 1200000);
    tproc_pipeline *pc = tu_chain(ctx, chain, 3);
    tu_ok(ctx, tproc_source_open(ctx, path, NULL, &src));
    tproc_image *into;
    tu_ok(NULL, tproc_image_new(NULL, wv.width, wv.height, 3, TPROC_U8, &into));
    tproc_sink *sink;
    tu_ok(ctx, tproc_sink_new_callback(ctx, write_rows, into, &sink));
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    ro.threads = 2;
    tu_ok(ctx, tproc_pipeline_stream(pc, src, sink, &ro, NULL));
    gv = tproc_image_view(into);
    tu_assert_same(&gv, &wv, "streamed file");
    tproc_sink_free(&sink);
    tproc_image_free(&into);
    tproc_source_free(&src);
    tproc_pipeline_free(&pc);
    tproc_ctx_free(&ctx);
    unlink(path);
    rmdir(dir);

    tproc_image_free(&whole);
    tproc_pipeline_free(&p);
    tproc_image_free(&img);
}
END_TEST

static int read_view(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    tproc_view part;
    tu_ok(NULL, tproc_view_sub(user, 0, y, rows->width, count, &part));
    return tproc_view_copy(NULL, &part, rows);
}

/* A callback source cannot be read twice: its rows are held and the run reads them. */
START_TEST(callback_source_is_held)
{
    tu_rng rng;
    tu_rng_seed(&rng, 5);
    double bg[4] = {9, 9, 9, 0};
    tproc_image *img = bordered(90, 70, 3, TPROC_U8, bg, &rng);
    tproc_view v = tproc_image_view(img);
    tproc_format f = {90, 70, 3, TPROC_U8};
    const char *chain[] = {"trim:threshold=0", "sobel", "trim"};
    tproc_image *whole = tu_run(NULL, &v, chain, 3, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_source *src;
    tu_ok(NULL, tproc_source_new_callback(NULL, &f, read_view, &v, &src));
    tproc_pipeline *p = tu_chain(NULL, chain, 3);
    tproc_image *got = stream_to_image(NULL, p, src);
    tproc_view gv = tproc_image_view(got), wv = tproc_image_view(whole);
    tu_assert_same(&gv, &wv, "callback source");
    tproc_image_free(&got);
    tproc_image_free(&whole);
    tproc_pipeline_free(&p);
    tproc_source_free(&src);
    tproc_image_free(&img);
}
END_TEST

static int half_rows(const tproc_stage *stage, const tproc_view *rows, ptrdiff_t y)
{
    (void)stage;
    (void)rows;
    (void)y;
    return TPROC_OK;
}

static void copy_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    (void)stage;
    (void)in;
    (void)out;
    (void)width;
}

/* A registered filter gives both pre-pass callbacks or neither; an ABI 2 filter is refused. */
START_TEST(registry_checks_the_pre_pass_pair)
{
    static tproc_filter half = {.abi = TPROC_FILTER_ABI,
                                .name = "half_analyser",
                                .summary = "x",
                                .process_row = copy_row,
                                .analyse_rows = half_rows};
    ck_assert_int_eq(tproc_filter_register(NULL, &half), TPROC_ERR_ARG);
    ck_assert_msg(strstr(tproc_ctx_message(NULL), "analyse_done"), "%s", tproc_ctx_message(NULL));
    static tproc_filter old = {
        .abi = 2, .name = "old_abi", .summary = "x", .process_row = copy_row};
    ck_assert_int_eq(tproc_filter_register(NULL, &old), TPROC_ERR_PLUGIN);
}
END_TEST

/* Without pixels the output format is the provisional one: the input's size. */
START_TEST(format_without_pixels_is_the_input)
{
    tproc_format f = tu_output_format("trim", 33, 21, 4);
    ck_assert_int_eq(f.width, 33);
    ck_assert_int_eq(f.height, 21);
    ck_assert_int_eq(f.channels, 4);
}
END_TEST

Suite *suite_filters_trim(void)
{
    Suite *s = suite_create("filters_trim");
    TCase *tc = tcase_create("trim");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, box_is_the_naive_box);
    tcase_add_test(tc, given_background_is_used);
    tcase_add_test(tc, uniform_image_is_unchanged);
    tcase_add_test(tc, trim_undoes_extend);
    tcase_add_test(tc, streamed_is_whole);
    tcase_add_test(tc, callback_source_is_held);
    tcase_add_test(tc, format_without_pixels_is_the_input);
    tcase_add_test(tc, registry_checks_the_pre_pass_pair);
    suite_add_tcase(s, tc);
    return s;
}
