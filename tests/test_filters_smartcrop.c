/* SPDX-License-Identifier: MIT */
/*
 * test_filters_smartcrop.c: resize's fit=cover with position=entropy|attention. The output is
 * exactly a crop of the scaled image (fit=outside, the size cover scales to) at the offset the
 * pre-pass chose, the same for every tiling, thread count and for streamed runs; entropy keeps
 * the detailed half of a half-flat image; attention centres on a saturated blob or a skin-toned
 * patch; the strategies need fit=cover. How far the offsets are from libvips' smartcrop on the
 * photos is measured by bench/smartcrop.py (bench/RESULTS.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Where crop lies inside scaled (asserting it is an exact crop). */
static void find_crop(const tproc_view *scaled, const tproc_view *crop, ptrdiff_t *ox,
                      ptrdiff_t *oy)
{
    for (ptrdiff_t y = 0; y + crop->height <= scaled->height; y++)
        for (ptrdiff_t x = 0; x + crop->width <= scaled->width; x++) {
            tproc_view part;
            tproc_view_sub(scaled, x, y, crop->width, crop->height, &part);
            int same = 1;
            for (ptrdiff_t j = 0; j < crop->height && same; j++)
                same = !memcmp(tproc_view_pixel(&part, 0, j), tproc_view_pixel(crop, 0, j),
                               (size_t)crop->width * tproc_view_pixel_size(crop));
            if (same) {
                *ox = x;
                *oy = y;
                return;
            }
        }
    ck_abort_msg("the cover output is no crop of the scaled image");
}

/* The offset the strategy picks for a w x h box, checked the same over tilings and threads,
 * and streamed. */
static void offset_of(const tproc_view *in, const char *strategy, int w, int h, ptrdiff_t *ox,
                      ptrdiff_t *oy)
{
    char cover[128], outside[128];
    snprintf(cover, sizeof cover, "resize:width=%d,height=%d,fit=cover,position=%s", w, h,
             strategy);
    snprintf(outside, sizeof outside, "resize:width=%d,height=%d,fit=outside", w, h);
    const char *c1[] = {cover}, *c2[] = {outside};
    tproc_image *scaled = tu_run(NULL, in, c2, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_image *got = tu_run(NULL, in, c1, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_view sv = tproc_image_view(scaled), gv = tproc_image_view(got);
    ck_assert_int_eq(gv.width, w);
    ck_assert_int_eq(gv.height, h);
    find_crop(&sv, &gv, ox, oy);
    tproc_image *tiled = tu_run(NULL, in, c1, 1, 13, 9, 3, TPROC_BORDER_REFLECT_101);
    tproc_view tv = tproc_image_view(tiled);
    tu_assert_same(&tv, &gv, "tiled, 3 threads");
    tproc_pipeline *p = tu_chain(NULL, c1, 1);
    tproc_source *src;
    tproc_sink *sink;
    tu_ok(NULL, tproc_source_new_view(NULL, in, &src));
    tu_ok(NULL, tproc_sink_new_image(NULL, &sink));
    tu_ok(NULL, tproc_pipeline_stream(p, src, sink, NULL, NULL));
    tproc_image *streamed = tproc_sink_take_image(sink);
    tproc_view stv = tproc_image_view(streamed);
    tu_assert_same(&stv, &gv, "streamed");
    tproc_image_free(&streamed);
    tproc_sink_free(&sink);
    tproc_source_free(&src);
    tproc_pipeline_free(&p);
    tproc_image_free(&tiled);
    tproc_image_free(&got);
    tproc_image_free(&scaled);
}

START_TEST(entropy_keeps_the_detailed_part)
{
    /* 300 x 100: flat gray but for noise in columns [200, 300). A 100 x 100 cover. */
    tproc_image *img = tu_random_image(NULL, 300, 100, 3, TPROC_U8, 31);
    tproc_view v = tproc_image_view(img), flat;
    double gray[3] = {120, 120, 120};
    tu_ok(NULL, tproc_view_sub(&v, 0, 0, 200, 100, &flat));
    tu_ok(NULL, tproc_view_fill(&flat, gray));
    ptrdiff_t x, y;
    offset_of(&v, "entropy", 100, 100, &x, &y);
    ck_assert_int_eq(x, 200);
    ck_assert_int_eq(y, 0);
    /* The same along y, on a transposed layout. */
    tproc_image *tall = tu_random_image(NULL, 80, 240, 1, TPROC_U16, 5);
    tproc_view tv = tproc_image_view(tall);
    double g = 30000;
    tu_ok(NULL, tproc_view_sub(&tv, 0, 80, 80, 160, &flat));
    tu_ok(NULL, tproc_view_fill(&flat, &g));
    offset_of(&tv, "entropy", 80, 80, &x, &y);
    ck_assert_int_eq(y, 0);
    tproc_image_free(&tall);
    tproc_image_free(&img);
}
END_TEST

START_TEST(attention_centres_on_what_draws_the_eye)
{
    /* A saturated red disc at (230, 60) on a mid gray 320 x 120; a 120 x 120 cover. */
    tproc_image *img;
    tu_ok(NULL, tproc_image_new(NULL, 320, 120, 3, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    double gray[3] = {128, 128, 128}, red[3] = {230, 20, 20}, skin[3] = {224, 172, 150};
    tu_ok(NULL, tproc_view_fill(&v, gray));
    for (ptrdiff_t y = 0; y < 120; y++)
        for (ptrdiff_t x = 0; x < 320; x++)
            if ((x - 230) * (x - 230) + (y - 60) * (y - 60) < 400) {
                tproc_view one;
                tproc_view_sub(&v, x, y, 1, 1, &one);
                tproc_view_fill(&one, red);
            }
    ptrdiff_t x, y;
    offset_of(&v, "attention", 120, 120, &x, &y);
    ck_assert_msg(labs((long)(x + 60 - 230)) <= 12, "centred at %td, the disc at 230", x + 60);
    /* A skin-toned patch (Lab a, b inside the skin box) at the left instead. */
    tu_ok(NULL, tproc_view_fill(&v, gray));
    tproc_view patch;
    tu_ok(NULL, tproc_view_sub(&v, 30, 40, 40, 40, &patch));
    tu_ok(NULL, tproc_view_fill(&patch, skin));
    offset_of(&v, "attention", 120, 120, &x, &y);
    ck_assert_msg(x + 60 <= 62, "centred at %td, the patch at 50", x + 60);
    tproc_image_free(&img);
}
END_TEST

START_TEST(strategies_need_cover)
{
    static const char *const bad[] = {
        "resize:width=10,height=10,fit=contain,position=entropy",
        "resize:width=10,height=10,position=attention",
        "resize:width=10,height=10,fit=inside,position=attention",
    };
    tproc_format in = {40, 30, 3, TPROC_U8}, out;
    for (int i = 0; i < 3; i++) {
        tproc_pipeline *p;
        tu_ok(NULL, tproc_pipeline_new(NULL, &p));
        tu_ok(NULL, tproc_pipeline_add(p, bad[i]));
        int status = tproc_pipeline_output_format(p, &in, &out);
        ck_assert_int_eq(status, TPROC_ERR_PARAM);
        ck_assert_msg(strstr(tproc_ctx_message(NULL), "needs fit=cover"), "%s: %s", bad[i],
                      tproc_ctx_message(NULL));
        tproc_pipeline_free(&p);
    }
    /* Nothing to crop (the box has the image's aspect): no pre-pass, the centred crop. */
    tproc_image *img = tu_random_image(NULL, 40, 30, 3, TPROC_U8, 1);
    tproc_view v = tproc_image_view(img);
    ptrdiff_t x, y;
    offset_of(&v, "attention", 20, 15, &x, &y);
    ck_assert_int_eq(x, 0);
    ck_assert_int_eq(y, 0);
    tproc_image_free(&img);
}
END_TEST

Suite *suite_filters_smartcrop(void)
{
    Suite *s = suite_create("filters_smartcrop");
    TCase *tc = tcase_create("smartcrop");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, entropy_keeps_the_detailed_part);
    tcase_add_test(tc, attention_centres_on_what_draws_the_eye);
    tcase_add_test(tc, strategies_need_cover);
    suite_add_tcase(s, tc);
    return s;
}
