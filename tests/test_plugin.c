/* SPDX-License-Identifier: MIT */
/*
 * test_plugin.c: user filters at run time: registration rules, the sample plugin
 * (samples/plugin/posterize.c) loaded with dlopen and run in a chain against a naive reference,
 * broken plugins refused with a message, never a crash; the descriptor hooks (map, as_view,
 * shrink_input) working for registered filters as for built-ins; and a filter loaded from a
 * plugin covered by the limits suite and the chain fuzzer without naming it anywhere.
 */
#include <math.h>
#include <string.h>

#include "filter_spec.h"
#include "testutil.h"

START_TEST(sample_plugin_loads_and_runs)
{
    ck_assert_ptr_null(tproc_filter_find("posterize"));
    size_t before = tproc_filter_count();
    tu_ok(NULL, tproc_plugin_load(NULL, TPROC_TEST_PLUGIN_POSTERIZE));
    tu_ok(NULL, tproc_plugin_load(NULL, TPROC_TEST_PLUGIN_POSTERIZE)); /* again: no-op */
    ck_assert_uint_eq(tproc_filter_count(), before + 1);
    const tproc_filter *f = tproc_filter_find("posterize");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(tproc_filter_at(before), f);

    tproc_image *src = tu_random_image(NULL, 37, 23, 4, TPROC_U8, 11);
    tproc_view sv = tproc_image_view(src);
    const char *chain[] = {"posterize:levels=3", "flip:axis=horizontal"};
    tproc_image *out = tu_run(NULL, &sv, chain, 2, 7, 5, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    for (ptrdiff_t y = 0; y < 23; y++)
        for (ptrdiff_t x = 0; x < 37; x++) {
            const unsigned char *s = tproc_view_pixel(&sv, 36 - x, y);
            const unsigned char *d = tproc_view_pixel(&ov, x, y);
            for (int c = 0; c < 3; c++) {
                /* 3 levels of 0..255: 0, 128 (127.5 rounded half up), 255 */
                double q = floor(s[c] / 255.0 * 2 + 0.5);
                ck_assert_int_eq(d[c], (int)floor(q * 127.5 + 0.5));
            }
            ck_assert_int_eq(d[3], s[3]);
        }
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

static void expect_plugin_error(const char *path, const char *needle)
{
    size_t before = tproc_filter_count();
    ck_assert_int_eq(tproc_plugin_load(NULL, path), TPROC_ERR_PLUGIN);
    ck_assert_msg(strstr(tproc_ctx_message(NULL), needle) != NULL, "%s: '%s' lacks '%s'", path,
                  tproc_ctx_message(NULL), needle);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), path));
    ck_assert_uint_eq(tproc_filter_count(), before);
}

START_TEST(broken_plugins_are_refused)
{
    expect_plugin_error("/nonexistent/plugin.so", "cannot load plugin");
    expect_plugin_error(tu_data("SOURCES.md"), "cannot load plugin"); /* not a shared object */
    expect_plugin_error(TPROC_TEST_PLUGIN_NO_ENTRY, "not a tileproc plugin");
    expect_plugin_error(TPROC_TEST_PLUGIN_WRONG_ABI, "init failed");
    expect_plugin_error(TPROC_TEST_PLUGIN_BAD_FILTER, "ABI");
    ck_assert_int_eq(tproc_plugin_load(NULL, ""), TPROC_ERR_ARG);
}
END_TEST

static void noop_row(const tproc_stage *s, const void *in, void *out, ptrdiff_t w)
{
    memcpy(out, in, (size_t)w * (size_t)s->in.channels * tproc_sample_size(s->in.sample));
}

START_TEST(registration_rules)
{
    tproc_filter good = {
        .abi = TPROC_FILTER_ABI, .name = "my_copy", .summary = "copy", .process_row = noop_row};
    tu_ok(NULL, tproc_filter_register(NULL, &good));
    ck_assert_ptr_eq(tproc_filter_find("my_copy"), &good);
    ck_assert_int_eq(tproc_filter_register(NULL, &good), TPROC_ERR_ARG); /* taken */
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "already registered"));
    tproc_filter clash = good;
    clash.name = "gaussian";
    ck_assert_int_eq(tproc_filter_register(NULL, &clash), TPROC_ERR_ARG);
    tproc_filter bad = good;
    bad.name = "Bad Name";
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_ARG);
    bad.name = "nothing";
    bad.process_row = NULL;
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_ARG);
    bad.process_row = noop_row;
    bad.abi = 0;
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_PLUGIN);
    ck_assert_int_eq(tproc_filter_register(NULL, NULL), TPROC_ERR_ARG);

    /* A registered filter runs by name. */
    tproc_image *src = tu_random_image(NULL, 9, 4, 2, TPROC_F32, 12);
    tproc_view sv = tproc_image_view(src);
    const char *chain[] = {"my_copy"};
    tproc_image *out = tu_run(NULL, &sv, chain, 1, 2, 2, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    tu_assert_same(&ov, &sv, "my_copy");
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

/* --- the hooks a registered filter gets: map, as_view, shrink_input --------------------------- */

/* v' = v^2 / max: a map filter, the library builds its tables. */
static double square(const double *values, double v, double max)
{
    return v * v / max + values[0] * max;
}

static const tproc_param_desc square_params[] = {
    {"lift", TPROC_PARAM_FLOAT, 0, -1, 1, 0, NULL, "added, as a fraction of max"},
};

START_TEST(map_filters_get_the_tables)
{
    static tproc_filter sq = {.abi = TPROC_FILTER_ABI,
                              .name = "tu_square",
                              .summary = "v^2 / max",
                              .params = square_params,
                              .param_count = 1,
                              .map = square};
    tu_ok(NULL, tproc_filter_register(NULL, &sq));
    static const tproc_sample samples[] = {TPROC_U8, TPROC_U16, TPROC_F32};
    for (size_t s = 0; s < 3; s++)
        for (int ch = 1; ch <= 4; ch++) {
            tproc_image *src =
                tu_random_image(NULL, 23, 9, ch, samples[s], 40 + s * 4 + (size_t)ch);
            tproc_view sv = tproc_image_view(src);
            const char *chain[] = {"tu_square:lift=0.0625"};
            tproc_image *out = tu_run(NULL, &sv, chain, 1, 5, 4, 2, TPROC_BORDER_REFLECT_101);
            tproc_view ov = tproc_image_view(out);
            double max = samples[s] == TPROC_U8 ? 255 : samples[s] == TPROC_U16 ? 65535 : 1;
            int colour = ch == 2 || ch == 4 ? ch - 1 : ch;
            for (ptrdiff_t y = 0; y < sv.height; y++)
                for (ptrdiff_t x = 0; x < sv.width; x++)
                    for (int c = 0; c < ch; c++) {
                        const unsigned char *ip = tproc_view_pixel(&sv, x, y);
                        const unsigned char *op = tproc_view_pixel(&ov, x, y);
                        double v, got, want;
                        if (samples[s] == TPROC_U8) {
                            v = ip[c];
                            got = op[c];
                        } else if (samples[s] == TPROC_U16) {
                            v = ((const uint16_t *)(const void *)ip)[c];
                            got = ((const uint16_t *)(const void *)op)[c];
                        } else {
                            v = ((const float *)(const void *)ip)[c];
                            got = ((const float *)(const void *)op)[c];
                        }
                        if (c >= colour) /* alpha is copied */
                            want = v;
                        else if (samples[s] == TPROC_F32)
                            want = (float)(v * v / max + 0.0625 * max);
                        else /* rounded half up and clamped */
                            want = floor(fmin(v * v / max + 0.0625 * max, max) + 0.5);
                        ck_assert_msg(got == want, "%s c%d (%td,%td).%d: %g, want %g",
                                      tproc_sample_name(samples[s]), ch, x, y, c, got, want);
                    }
            tproc_image_free(&out);
            tproc_image_free(&src);
        }
    /* The library owns a map filter's state: one with release is refused. */
    tproc_filter bad = sq;
    bad.name = "tu_square_bad";
    bad.release = tproc_stage_release;
    ck_assert_int_eq(tproc_filter_register(NULL, &bad), TPROC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "release"));
}
END_TEST

/* A crop of its own, with the view hook; process() counts its calls. */
static int window_calls;

static int window_prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* a refusal without a message is enough here */
    const double *v = stage->params->value;
    if (v[0] + v[2] > (double)stage->in.width || v[1] + v[3] > (double)stage->in.height)
        return TPROC_ERR_PARAM;
    stage->geometry = 1;
    stage->out.width = (ptrdiff_t)v[2];
    stage->out.height = (ptrdiff_t)v[3];
    return TPROC_OK;
}

static tproc_rect window_map(const tproc_stage *stage, tproc_rect out)
{
    out.x += (ptrdiff_t)stage->params->value[0];
    out.y += (ptrdiff_t)stage->params->value[1];
    return out;
}

static int window_process(const tproc_call *call)
{
    __atomic_add_fetch(&window_calls, 1, __ATOMIC_RELAXED);
    return tproc_view_copy(NULL, &call->in, &call->out);
}

static int window_view(const tproc_stage *stage, const tproc_view *in, tproc_view *out)
{
    const double *v = stage->params->value;
    return tproc_view_sub(in, (ptrdiff_t)v[0], (ptrdiff_t)v[1], stage->out.width, stage->out.height,
                          out);
}

static const tproc_param_desc window_params[] = {
    {"x", TPROC_PARAM_INT, 0, 0, 1e6, 0, NULL, "left"},
    {"y", TPROC_PARAM_INT, 0, 0, 1e6, 0, NULL, "top"},
    {"width", TPROC_PARAM_INT, 1, 1, 1e6, 0, NULL, "width"},
    {"height", TPROC_PARAM_INT, 1, 1, 1e6, 0, NULL, "height"},
};

START_TEST(view_hook_moves_no_pixels_at_the_head)
{
    static tproc_filter win = {.abi = TPROC_FILTER_ABI,
                               .name = "tu_window",
                               .summary = "crop, as a view at the head",
                               .params = window_params,
                               .param_count = 4,
                               .prepare = window_prepare,
                               .map_rect = window_map,
                               .process = window_process,
                               .as_view = window_view};
    tu_ok(NULL, tproc_filter_register(NULL, &win));
    tproc_image *src = tu_random_image(NULL, 40, 30, 3, TPROC_U8, 77);
    tproc_view sv = tproc_image_view(src), want;
    tu_ok(NULL, tproc_view_sub(&sv, 5, 7, 20, 11, &want));

    /* At the head: a view of the input, process() never runs. */
    const char *head[] = {"tu_window:x=5,y=7,width=20,height=11"};
    window_calls = 0;
    tproc_image *out = tu_run(NULL, &sv, head, 1, 8, 4, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    tu_assert_same(&ov, &want, "tu_window at the head");
    ck_assert_int_eq(window_calls, 0);
    tproc_image_free(&out);

    /* After another stage it is tiled like any geometry filter, with the same pixels. */
    const char *later[] = {"invert", "tu_window:x=5,y=7,width=20,height=11", "invert"};
    out = tu_run(NULL, &sv, later, 3, 8, 4, 2, TPROC_BORDER_REFLECT_101);
    ov = tproc_image_view(out);
    tu_assert_same(&ov, &want, "invert | tu_window | invert");
    ck_assert_int_gt(window_calls, 0);
    tproc_image_free(&out);

    /* The head is checked by the same prepare(): a window outside the image is refused. */
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, "tu_window:x=30,width=20"));
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_PARAM);
    tproc_pipeline_free(&p);
    tproc_image_free(&src);
}
END_TEST

/*
 * A whole-image "fit" by nearest neighbour, with the smaller-decode hook: it records what it is
 * offered and what prepare() sees, and accepts a decode that is still at least its output.
 */
static tproc_format fit_offered[8], fit_seen;
static int fit_offers;

static int fit_prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx;
    fit_seen = stage->in;
    stage->geometry = 1;
    stage->whole_image = 1;
    stage->out.width = (ptrdiff_t)stage->params->value[0];
    stage->out.height = (ptrdiff_t)stage->params->value[1];
    return TPROC_OK;
}

static tproc_rect fit_map(const tproc_stage *stage, tproc_rect out)
{
    (void)out; /* every output pixel may read anywhere */
    tproc_rect all = {0, 0, stage->in.width, stage->in.height};
    return all;
}

static int fit_process(const tproc_call *call)
{
    const tproc_stage *st = call->stage;
    size_t px = tproc_view_pixel_size(&call->out);
    for (ptrdiff_t y = 0; y < call->out.height; y++)
        for (ptrdiff_t x = 0; x < call->out.width; x++) {
            ptrdiff_t sx = (call->out_rect.x + x) * st->in.width / st->out.width;
            ptrdiff_t sy = (call->out_rect.y + y) * st->in.height / st->out.height;
            memcpy(tproc_view_pixel(&call->out, x, y), tproc_view_pixel(&call->in, sx, sy), px);
        }
    return TPROC_OK;
}

static int fit_shrink(const tproc_stage *stage, const tproc_format *smaller, tproc_params *params)
{
    (void)params; /* the same parameters give the same output size */
    if (fit_offers < 8)
        fit_offered[fit_offers++] = *smaller;
    return stage->out.width <= smaller->width && stage->out.height <= smaller->height;
}

static const tproc_param_desc fit_params[] = {
    {"width", TPROC_PARAM_INT, 1, 1, 1e6, 0, NULL, "width"},
    {"height", TPROC_PARAM_INT, 1, 1, 1e6, 0, NULL, "height"},
};

START_TEST(shrink_hook_takes_a_smaller_decode)
{
    static tproc_filter fit = {.abi = TPROC_FILTER_ABI,
                               .name = "tu_fit",
                               .summary = "nearest-neighbour fit",
                               .params = fit_params,
                               .param_count = 2,
                               .prepare = fit_prepare,
                               .map_rect = fit_map,
                               .process = fit_process,
                               .shrink_input = fit_shrink};
    tu_ok(NULL, tproc_filter_register(NULL, &fit));
    const char *photo = TPROC_TEST_SAMPLES "/rocket.jpg"; /* 640x427 */
    const char *chain[] = {"tu_fit:width=100,height=60"};
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, chain[0]));
    tproc_stream_options so = {0};
    so.shrink_on_load = 1;
    for (int shrink = 0; shrink < 2; shrink++) {
        tproc_source *src;
        tproc_sink *sink;
        tu_ok(NULL, tproc_source_open(NULL, photo, NULL, &src));
        tu_ok(NULL, tproc_sink_new_image(NULL, &sink));
        fit_offers = 0;
        tu_ok(NULL, tproc_pipeline_stream(p, src, sink, NULL, shrink ? &so : NULL));
        tproc_image *out = tproc_sink_take_image(sink);
        tproc_view ov = tproc_image_view(out);
        ck_assert(ov.width == 100 && ov.height == 60);
        if (!shrink) {
            ck_assert_int_eq(fit_offers, 0); /* not asked unless allowed */
            ck_assert(fit_seen.width == 640 && fit_seen.height == 427);
        } else {
            /* Offered 1/8, 1/4, 1/2 (libjpeg's ceil(size / d)), the smallest first; 1/8 is
             * smaller than the output, 1/4 is taken and decoded. */
            ck_assert_int_eq(fit_offers, 2);
            ck_assert(fit_offered[0].width == 80 && fit_offered[0].height == 54);
            ck_assert(fit_offered[1].width == 160 && fit_offered[1].height == 107);
            ck_assert(fit_seen.width == 160 && fit_seen.height == 107);
            ck_assert_int_eq(tproc_source_format(src).width, 160);
        }
        tproc_image_free(&out);
        tproc_sink_free(&sink);
        tproc_source_free(&src);
    }
    tproc_pipeline_free(&p);
}
END_TEST

/* --- a filter registered at run time is covered by the suites that cover "every filter" ----- */

START_TEST(a_new_filter_is_covered_everywhere)
{
    tu_ok(NULL, tproc_plugin_load(NULL, TPROC_TEST_PLUGIN_NEW_FILTER));
    const tproc_filter *f = tproc_filter_find("tu_extremum");
    ck_assert_ptr_nonnull(f);
    size_t n = tproc_filter_count();
    ck_assert_ptr_eq(tproc_filter_at(n - 1), f); /* in the list every suite walks */

    /* Among the chain fuzzer's choices, with parameters it draws from the table. */
    int chosen = 0;
    for (unsigned b = 0; b < 256; b++)
        chosen |= fspec_choose(b) == f;
    ck_assert_msg(chosen, "the chain fuzzer never chooses %s", f->name);
    tproc_format fmt = {64, 48, 4, TPROC_U16};
    fspec_rng rng = {1};
    char spec[512];
    ck_assert(fspec_valid(NULL, f, &fmt, &rng, 16, spec, sizeof spec));
    ck_assert(strncmp(spec, "tu_extremum", 11) == 0);

    /* The limits suite's check, on a context with a limit. */
    tproc_ctx_options o = {NULL, 32u << 20, 2};
    tproc_ctx *ctx = NULL;
    tu_ok(NULL, tproc_ctx_new(&o, &ctx));
    for (uint64_t seed = 1; seed <= 3; seed++)
        tu_limits_drift_round(ctx, f, seed);
    ck_assert_uint_le(tproc_ctx_memory_peak(ctx), 32u << 20);
    tproc_ctx_free(&ctx);

    /* And it computes what it says, tiled, against a naive loop with the border rule. */
    tproc_image *src = tu_random_image(NULL, 19, 13, 2, TPROC_U8, 5);
    tproc_view sv = tproc_image_view(src);
    const char *chain[] = {"tu_extremum:mode=max,radius=2"};
    tproc_image *out = tu_run(NULL, &sv, chain, 1, 6, 5, 2, TPROC_BORDER_REFLECT_101);
    tproc_view ov = tproc_image_view(out);
    for (ptrdiff_t y = 0; y < 13; y++)
        for (ptrdiff_t x = 0; x < 19; x++) {
            int want = 0;
            for (ptrdiff_t j = -2; j <= 2; j++)
                for (ptrdiff_t i = -2; i <= 2; i++) {
                    ptrdiff_t sx = tproc_border_index(x + i, 19, TPROC_BORDER_REFLECT_101);
                    ptrdiff_t sy = tproc_border_index(y + j, 13, TPROC_BORDER_REFLECT_101);
                    int v = tproc_view_pixel(&sv, sx, sy)[0];
                    want = v > want ? v : want;
                }
            ck_assert_int_eq(tproc_view_pixel(&ov, x, y)[0], want);
            ck_assert_int_eq(tproc_view_pixel(&ov, x, y)[1], tproc_view_pixel(&sv, x, y)[1]);
        }
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

Suite *suite_plugin(void)
{
    Suite *s = suite_create("plugin");
    TCase *tc = tcase_create("plugin");
    tcase_add_test(tc, sample_plugin_loads_and_runs);
    tcase_add_test(tc, broken_plugins_are_refused);
    tcase_add_test(tc, registration_rules);
    tcase_add_test(tc, map_filters_get_the_tables);
    tcase_add_test(tc, view_hook_moves_no_pixels_at_the_head);
    tcase_add_test(tc, shrink_hook_takes_a_smaller_decode);
    tcase_add_test(tc, a_new_filter_is_covered_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
