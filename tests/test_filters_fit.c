/* SPDX-License-Identifier: MIT */
/*
 * test_filters_fit.c: resize's fit modes. Output sizes against a table written from sharp's
 * rules (ResolveShrink: the shrink factors W / width and H / height in double, the smaller for
 * cover and outside, the larger for contain and inside, withoutEnlargement raising them to 1,
 * never more than the side; the scaled side rint(side / factor); cover crops to at most the
 * box, contain pads to it); cover and contain pixels against the same resize to the scaled size
 * followed by crop or extend at sharp's CalculateCrop / CalculateEmbedPosition offsets; the
 * default fill unchanged; the errors; shrink-on-load picking the right decode.
 */
#include <stdio.h>
#include <string.h>

#include "kernels/fit.h"
#include "testutil.h"

typedef struct size_case {
    ptrdiff_t in_w, in_h, width, height; /* 0: not given */
    tproc__fit_mode fit;
    int enlarge;
    ptrdiff_t out_w, out_h;
} size_case;

static const char *const fit_names[] = {"fill", "contain", "cover", "inside", "outside"};

/* Worked from sharp's rules by hand (the comments show the arithmetic of the less obvious). */
static const size_case sizes[] = {
    {4000, 3000, 800, 600, TPROC__FIT_COVER, 1, 800, 600},
    {4000, 3000, 800, 800, TPROC__FIT_COVER, 1, 800, 800},
    {4000, 3000, 800, 800, TPROC__FIT_CONTAIN, 1, 800, 800},
    {4000, 3000, 800, 800, TPROC__FIT_INSIDE, 1, 800, 600},
    {4000, 3000, 800, 800, TPROC__FIT_OUTSIDE, 1, 1067, 800},  /* 4000 / 3.75 = 1066.7 */
    {640, 427, 300, 300, TPROC__FIT_INSIDE, 1, 300, 200},      /* 427 / 2.1333 = 200.2 */
    {640, 427, 300, 300, TPROC__FIT_OUTSIDE, 1, 450, 300},     /* 640 / 1.4233 = 449.7 */
    {640, 427, 1000, 1000, TPROC__FIT_INSIDE, 0, 640, 427},    /* never enlarged */
    {640, 427, 1000, 1000, TPROC__FIT_INSIDE, 1, 1000, 667},   /* 427 / 0.64 = 667.2 */
    {640, 427, 1000, 1000, TPROC__FIT_COVER, 0, 640, 427},     /* crop to at most the image */
    {640, 427, 1000, 1000, TPROC__FIT_CONTAIN, 0, 1000, 1000}, /* padded, not enlarged */
    {640, 427, 1000, 200, TPROC__FIT_COVER, 0, 640, 200},
    {640, 427, 1000, 200, TPROC__FIT_OUTSIDE, 0, 640, 427},
    {640, 427, 1000, 200, TPROC__FIT_INSIDE, 0, 300, 200}, /* factor 2.135: 640 / 2.135 */
    {100, 1, 10, 10, TPROC__FIT_OUTSIDE, 1, 1000, 10},     /* factor 0.1 on both axes */
    {1, 100, 10, 10, TPROC__FIT_INSIDE, 1, 1, 10},         /* factor 10, capped at the width 1 */
    {3, 2, 1000, 1, TPROC__FIT_INSIDE, 1, 2, 1},           /* 3 / 2 = 1.5: ties to even */
    {296, 148, 15, 15, TPROC__FIT_INSIDE, 1, 15, 8},       /* 148 / 19.7333 = 7.5 in double */
    {296, 148, 15, 0, TPROC__FIT_COVER, 1, 15, 8},         /* one side: aspect kept */
    {5, 3, 2, 0, TPROC__FIT_INSIDE, 1, 2, 1},              /* 3 / 2.5 = 1.2 */
    {7, 3, 2, 2, TPROC__FIT_OUTSIDE, 1, 5, 2},             /* 7 / 1.5 = 4.67 */
    {4240, 2829, 800, 800, TPROC__FIT_COVER, 1, 800, 800},
    {4240, 2829, 800, 0, TPROC__FIT_CONTAIN, 1, 800, 534}, /* 2829 / 5.3 = 533.8 */
    {4240, 2829, 0, 333, TPROC__FIT_INSIDE, 1, 499, 333},  /* 4240 / 8.4955 = 499.1 */
    {101, 57, 33, 17, TPROC__FIT_CONTAIN, 1, 33, 17},
    {101, 57, 33, 17, TPROC__FIT_COVER, 1, 33, 17},
    /* fill: tileproc's rules (the missing side rounds half up in exact integers). */
    {640, 427, 800, 600, TPROC__FIT_FILL, 1, 800, 600},
    {640, 427, 800, 600, TPROC__FIT_FILL, 0, 640, 427},
    {640, 427, 600, 600, TPROC__FIT_FILL, 0, 600, 427},
    {296, 148, 15, 0, TPROC__FIT_FILL, 1, 15, 8}, /* 148 * 15 / 296 = 7.5 exactly: up */
    {640, 427, 0, 1000, TPROC__FIT_FILL, 0, 640, 427},
};

START_TEST(sizes_follow_sharps_rules)
{
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const size_case *c = &sizes[i];
        char spec[160];
        int at =
            snprintf(spec, sizeof spec, "resize:fit=%s,enlarge=%d", fit_names[c->fit], c->enlarge);
        if (c->width)
            at += snprintf(spec + at, sizeof spec - (size_t)at, ",width=%td", c->width);
        if (c->height)
            snprintf(spec + at, sizeof spec - (size_t)at, ",height=%td", c->height);
        tproc_format out = tu_output_format(spec, c->in_w, c->in_h, 3);
        ck_assert_msg(out.width == c->out_w && out.height == c->out_h,
                      "%tdx%td %s: %tdx%td, expected %tdx%td", c->in_w, c->in_h, spec, out.width,
                      out.height, c->out_w, c->out_h);
    }
}
END_TEST

/* The default fill is the resize from before fit modes: the same bytes with fit=fill spelled
 * out, and for a missing side the exact half-up rule. */
START_TEST(fill_is_the_old_resize)
{
    tproc_image *src = tu_random_image(NULL, 37, 23, 3, TPROC_U8, 11);
    tproc_view sv = tproc_image_view(src);
    const char *a[] = {"resize:width=20"}, *b[] = {"resize:width=20,fit=fill,enlarge=1"};
    tproc_image *ra = tu_run(NULL, &sv, a, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_image *rb = tu_run(NULL, &sv, b, 1, 7, 5, 2, TPROC_BORDER_REFLECT_101);
    tproc_view va = tproc_image_view(ra), vb = tproc_image_view(rb);
    ck_assert_int_eq(va.height, 12); /* 23 * 20 / 37 = 12.4 */
    tu_assert_same(&va, &vb, "fit=fill spelled out");
    tproc_image_free(&ra);
    tproc_image_free(&rb);
    tproc_image_free(&src);
}
END_TEST

static const char *const positions[] = {"centre", "north",     "northeast", "east",     "southeast",
                                        "south",  "southwest", "west",      "northwest"};

/* Where sharp's CalculateCrop puts a crop of out in scaled for a position (0 left, 1 centre,
 * 2 right along this axis). */
static ptrdiff_t crop_at(int part, ptrdiff_t scaled, ptrdiff_t out)
{
    return part == 0 ? 0 : part == 2 ? scaled - out : (scaled - out + 1) / 2;
}
static const int horizontal_part[] = {1, 1, 2, 2, 2, 1, 0, 0, 0};
static const int vertical_part[] = {1, 0, 0, 1, 2, 2, 2, 1, 0};

/* cover: the resize to the scaled size, then a crop; contain: the resize, then extend. */
static void check_against_composition(const tproc_view *src, const char *spec, const char *resize,
                                      const char *second, const char *what)
{
    const char *one[] = {spec}, *two[] = {resize, second};
    tproc_image *got = tu_run(NULL, src, one, 1, 5, 7, 2, TPROC_BORDER_REFLECT_101);
    tproc_image *want = tu_run(NULL, src, two, 2, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_view g = tproc_image_view(got), w = tproc_image_view(want);
    tu_assert_same(&g, &w, what);
    tproc_image_free(&got);
    tproc_image_free(&want);
}

START_TEST(cover_is_resize_then_crop)
{
    static const int channels[] = {3, 4, 1};
    for (int k = 0; k < 3; k++) {
        tproc_image *src = tu_random_image(NULL, 61, 40, channels[k], k == 1 ? TPROC_U16 : TPROC_U8,
                                           20 + (uint64_t)k);
        tproc_view sv = tproc_image_view(src);
        /* 61x40 to cover 20x20: factor min(3.05, 2) = 2, scaled 30x20 (30.5: ties to even). */
        ptrdiff_t sw = 30, sh = 20, ow = 20, oh = 20;
        char spec[128], resize[128], crop[128], what[512];
        snprintf(resize, sizeof resize, "resize:width=%td,height=%td", sw, sh);
        for (int p = 0; p < 9; p++) {
            snprintf(spec, sizeof spec, "resize:width=20,height=20,fit=cover,position=%s",
                     positions[p]);
            snprintf(crop, sizeof crop, "crop:x=%td,y=%td,width=%td,height=%td",
                     crop_at(horizontal_part[p], sw, ow), crop_at(vertical_part[p], sh, oh), ow,
                     oh);
            snprintf(what, sizeof what, "%s (%d channels) vs %s | %s", spec, channels[k], resize,
                     crop);
            check_against_composition(&sv, spec, resize, crop, what);
        }
        /* A focus point: the crop whose centre is nearest it, clamped into the image. */
        static const double focus[][3] = {{0.0, 0.0, 0}, {1.0, 1.0, 10}, {0.3, 0.5, 0}};
        for (int f = 0; f < 3; f++) {
            snprintf(spec, sizeof spec, "resize:width=20,height=20,fit=cover,focus_x=%g,focus_y=%g",
                     focus[f][0], focus[f][1]);
            snprintf(crop, sizeof crop, "crop:x=%g,y=0,width=20,height=20", focus[f][2]);
            snprintf(what, sizeof what, "%s vs %s | %s", spec, resize, crop);
            check_against_composition(&sv, spec, resize, crop, what);
        }
        tproc_image_free(&src);
    }
}
END_TEST

START_TEST(contain_is_resize_then_extend)
{
    static const int channels[] = {3, 4, 1, 3};
    static const char *const bg[] = {"10 20 30", "200 100 50 200", "#336699", "255 0 0 128"};
    for (int k = 0; k < 4; k++) {
        tproc_image *src = tu_random_image(NULL, 61, 40, channels[k], k == 1 ? TPROC_U16 : TPROC_U8,
                                           30 + (uint64_t)k);
        tproc_view sv = tproc_image_view(src);
        /* 61x40 into 25x25: factor max(2.44, 1.6) = 2.44, scaled 25x16 (16.39), bars of 9. */
        for (int p = 0; p < 9; p++) {
            char spec[160], ext[200], what[512];
            snprintf(spec, sizeof spec,
                     "resize:width=25,height=25,fit=contain,position=%s,background=%s",
                     positions[p], bg[k]);
            /* sharp's CalculateEmbedPosition: centred is (out - scaled) / 2, rounded down. */
            int v = vertical_part[p], top = v == 0 ? 0 : v == 2 ? 9 : 4;
            snprintf(ext, sizeof ext, "extend:top=%d,bottom=%d,background=%s", top, 9 - top, bg[k]);
            snprintf(what, sizeof what, "%s (%d channels) vs resize 25x16 | %s", spec, channels[k],
                     ext);
            check_against_composition(&sv, spec, "resize:width=25,height=16", ext, what);
        }
        tproc_image_free(&src);
    }
    /* A background that is not opaque gives RGB an alpha channel; exact boxes add no bars. */
    ck_assert_int_eq(
        tu_output_format("resize:width=25,height=25,fit=contain,background=0 0 0 0", 61, 40, 3)
            .channels,
        4);
    ck_assert_int_eq(
        tu_output_format("resize:width=61,height=40,fit=contain,background=0 0 0 0", 122, 80, 3)
            .channels,
        3);
}
END_TEST

static void assert_error(const char *spec, const char *needle)
{
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tproc_format in = {64, 48, 3, TPROC_U8}, out;
    int status = tproc_pipeline_add(p, spec);
    if (status == TPROC_OK)
        status = tproc_pipeline_output_format(p, &in, &out);
    ck_assert_int_eq(status, TPROC_ERR_PARAM);
    const char *msg = tproc_ctx_message(NULL);
    ck_assert_msg(strstr(msg, needle) != NULL && strchr(msg, '\n') == NULL,
                  "%s: message '%s' lacks '%s'", spec, msg, needle);
    tproc_pipeline_free(&p);
}

START_TEST(bad_combinations_are_one_line_errors)
{
    assert_error("resize:fit=cover", "resize: fit=cover needs width and/or height");
    assert_error("resize:fit=inside,enlarge=0", "needs width and/or height");
    assert_error("resize:scale=0.5,fit=contain", "not scale");
    assert_error("resize:width=10,height=10,fit=contain,focus_x=0.2", "apply to fit=cover");
    assert_error("resize:width=10,height=10,fit=cover,position=north,focus_y=0.2", "not both");
    assert_error("resize:width=10,height=10,fit=cover,focus_x=1.5", "focus_x must be in [0, 1]");
    assert_error("resize:width=10,fit=crop",
                 "fit must be one of fill|contain|cover|inside|outside");
    assert_error("resize:width=10,position=top", "position must be one of centre|north|");
    assert_error("resize:width=10,enlarge=2", "enlarge must be in [0, 1]");
    assert_error("resize:width=10,height=10,fit=contain,background=1 2 3 4 5", "1-4 numbers");
}
END_TEST

/* 640x427 to cover 200x200: factor 2.135, scaled 300x200; the 1/2 decode (320x214) still
 * holds that, 1/4 (160x107) does not; outside 100x100 scales to 150x100, which 1/4 holds. */
START_TEST(shrink_on_load_picks_the_decode_that_still_shrinks)
{
    const char *photo = TPROC_TEST_SAMPLES "/rocket.jpg";
    static const char *const specs[] = {
        "resize:width=200,height=200,fit=cover", "resize:width=200,height=200,fit=contain",
        "resize:width=200,height=200,fit=inside", "resize:width=100,height=100,fit=outside"};
    static const ptrdiff_t decoded[] = {320, 320, 320, 160};
    for (int i = 0; i < 4; i++) {
        tproc_pipeline *p;
        tu_ok(NULL, tproc_pipeline_new(NULL, &p));
        tu_ok(NULL, tproc_pipeline_add(p, specs[i]));
        tproc_source *full, *shrunk;
        tproc_sink *a, *b;
        tu_ok(NULL, tproc_source_open(NULL, photo, NULL, &full));
        tu_ok(NULL, tproc_source_open(NULL, photo, NULL, &shrunk));
        tu_ok(NULL, tproc_sink_new_image(NULL, &a));
        tu_ok(NULL, tproc_sink_new_image(NULL, &b));
        tproc_stream_options so = {0};
        so.shrink_on_load = 1;
        tu_ok(NULL, tproc_pipeline_stream(p, full, a, NULL, NULL));
        tu_ok(NULL, tproc_pipeline_stream(p, shrunk, b, NULL, &so));
        ck_assert_msg(tproc_source_format(shrunk).width == decoded[i], "%s: decoded %td wide",
                      specs[i], tproc_source_format(shrunk).width);
        tproc_image *ia = tproc_sink_take_image(a), *ib = tproc_sink_take_image(b);
        tproc_view va = tproc_image_view(ia), vb = tproc_image_view(ib);
        ck_assert_int_eq(vb.width, va.width);
        ck_assert_int_eq(vb.height, va.height);
        tproc_diff d;
        tu_ok(NULL, tproc_view_compare(&va, &vb, &d));
        ck_assert_msg(d.psnr > 25.0, "%s: psnr %.2f", specs[i], d.psnr);
        tproc_image_free(&ia);
        tproc_image_free(&ib);
        tproc_sink_free(&a);
        tproc_sink_free(&b);
        tproc_source_free(&full);
        tproc_source_free(&shrunk);
        tproc_pipeline_free(&p);
    }
}
END_TEST

Suite *suite_filters_fit(void)
{
    Suite *s = suite_create("filters_fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sizes_follow_sharps_rules);
    tcase_add_test(tc, fill_is_the_old_resize);
    tcase_add_test(tc, cover_is_resize_then_crop);
    tcase_add_test(tc, contain_is_resize_then_extend);
    tcase_add_test(tc, bad_combinations_are_one_line_errors);
    tcase_add_test(tc, shrink_on_load_picks_the_decode_that_still_shrinks);
    suite_add_tcase(s, tc);
    return s;
}
