/* SPDX-License-Identifier: MIT */
/*
 * test_filters_geometry.c: crop, flip and rotate, at the head of a chain (where they are view
 * transforms) and in the middle of one (where the planner maps rectangles through them), against
 * naive whole-image references. The test filter tu_shift (a halo'd copy with an offset) stands
 * before and after them so that border handling crosses the geometry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The border rule by its definition, one reflection at a time. */
static ptrdiff_t naive_index(ptrdiff_t i, ptrdiff_t n, tproc_border b)
{
    if (i >= 0 && i < n)
        return i;
    switch (b) {
    case TPROC_BORDER_CONSTANT:
        return -1;
    case TPROC_BORDER_REPLICATE:
        return i < 0 ? 0 : n - 1;
    case TPROC_BORDER_WRAP:
        while (i < 0)
            i += n;
        return i % n;
    case TPROC_BORDER_REFLECT:
        while (i < 0 || i >= n)
            i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        return i;
    case TPROC_BORDER_REFLECT_101:
        if (n == 1)
            return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }
    return -1;
}

/* A plain u8 image as a heap array, for the references. */
typedef struct img {
    ptrdiff_t w, h;
    int c;
    unsigned char *p;
} img;

static img img_new(ptrdiff_t w, ptrdiff_t h, int c)
{
    img m = {w, h, c, calloc((size_t)(w * h * c), 1)};
    return m;
}

static img img_from(const tproc_view *v)
{
    img m = img_new(v->width, v->height, v->channels);
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++)
            memcpy(m.p + (y * m.w + x) * m.c, tproc_view_pixel(v, x, y), (size_t)m.c);
    return m;
}

static unsigned char *at(img *m, ptrdiff_t x, ptrdiff_t y)
{
    return m->p + (y * m->w + x) * m->c;
}

/* out(x, y) = in(x + dx, y + dy) through the border rule (constant 0). */
static img ref_shift(img *in, ptrdiff_t dx, ptrdiff_t dy, tproc_border b)
{
    img out = img_new(in->w, in->h, in->c);
    for (ptrdiff_t y = 0; y < in->h; y++)
        for (ptrdiff_t x = 0; x < in->w; x++) {
            ptrdiff_t sx = naive_index(x + dx, in->w, b), sy = naive_index(y + dy, in->h, b);
            if (sx >= 0 && sy >= 0)
                memcpy(at(&out, x, y), at(in, sx, sy), (size_t)in->c);
        }
    return out;
}

/* kind: 0 crop(cx, cy, cw, ch), 1 flip h, 2 flip v, 3 rotate 90, 4 rotate 180, 5 rotate 270 */
static img ref_geometry(img *in, int kind, ptrdiff_t cx, ptrdiff_t cy, ptrdiff_t cw, ptrdiff_t ch)
{
    int turn = kind == 3 || kind == 5;
    img out = kind == 0 ? img_new(cw, ch, in->c)
                        : img_new(turn ? in->h : in->w, turn ? in->w : in->h, in->c);
    for (ptrdiff_t y = 0; y < out.h; y++)
        for (ptrdiff_t x = 0; x < out.w; x++) {
            ptrdiff_t sx = x, sy = y;
            switch (kind) {
            case 0:
                sx = x + cx;
                sy = y + cy;
                break;
            case 1:
                sx = in->w - 1 - x;
                break;
            case 2:
                sy = in->h - 1 - y;
                break;
            case 3:
                sx = y;
                sy = in->h - 1 - x;
                break;
            case 4:
                sx = in->w - 1 - x;
                sy = in->h - 1 - y;
                break;
            case 5:
                sx = in->w - 1 - y;
                sy = x;
                break;
            }
            memcpy(at(&out, x, y), at(in, sx, sy), (size_t)in->c);
        }
    return out;
}

static void assert_img(const tproc_view *v, img *ref, const char *what)
{
    ck_assert_msg(v->width == ref->w && v->height == ref->h, "%s: size %tdx%td, want %tdx%td", what,
                  v->width, v->height, ref->w, ref->h);
    for (ptrdiff_t y = 0; y < ref->h; y++)
        for (ptrdiff_t x = 0; x < ref->w; x++)
            ck_assert_msg(memcmp(tproc_view_pixel(v, x, y), at(ref, x, y), (size_t)ref->c) == 0,
                          "%s: pixel (%td, %td) differs", what, x, y);
}

static const ptrdiff_t tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {1000, 1000}, {3, 17}};

/* Random geometry in the middle of shift stages, every border, several tilings and threads. */
START_TEST(geometry_mid_chain_matches_reference)
{
    tu_shift_filter();
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i + 100);
    for (int iter = 0; iter < 12; iter++) {
        ptrdiff_t w = tu_rng_range(&rng, 1, 40), h = tu_rng_range(&rng, 1, 30);
        int c = (int)tu_rng_range(&rng, 1, 4);
        tproc_border b = (tproc_border)tu_rng_range(&rng, 0, 4);
        int kind = (int)tu_rng_range(&rng, 0, 5);
        ptrdiff_t cx = tu_rng_range(&rng, 0, w - 1), cy = tu_rng_range(&rng, 0, h - 1);
        ptrdiff_t cw = tu_rng_range(&rng, 1, w - cx), ch = tu_rng_range(&rng, 1, h - cy);
        int dx1 = (int)tu_rng_range(&rng, -3, 3), dy1 = (int)tu_rng_range(&rng, -3, 3);
        int dx2 = (int)tu_rng_range(&rng, -3, 3), dy2 = (int)tu_rng_range(&rng, -3, 3);
        char s1[128], g[128], s2[128];
        snprintf(s1, sizeof s1, "tu_shift:left=3,top=3,right=3,bottom=3,dx=%d,dy=%d", dx1, dy1);
        snprintf(s2, sizeof s2, "tu_shift:left=3,top=3,right=3,bottom=3,dx=%d,dy=%d", dx2, dy2);
        /* Every multiple of 90 degrees takes the exact path, however it is written. */
        static const char *names[][3] = {
            {"", "", ""},
            {"flip:axis=horizontal", "flip:axis=horizontal", "flip:axis=horizontal"},
            {"flip:axis=vertical", "flip:axis=vertical", "flip:axis=vertical"},
            {"rotate:angle=90", "rotate:angle=-270", "rotate:angle=450"},
            {"rotate:angle=180", "rotate:angle=-180", "rotate:angle=540"},
            {"rotate:angle=270", "rotate:angle=-90", "rotate:angle=-450"}};
        if (kind == 0)
            snprintf(g, sizeof g, "crop:x=%td,y=%td,width=%td,height=%td", cx, cy, cw, ch);
        else
            snprintf(g, sizeof g, "%s", names[kind][tu_rng_range(&rng, 0, 2)]);
        const char *chain[] = {s1, g, s2};

        tproc_image *src = tu_random_image(NULL, w, h, c, TPROC_U8, rng.state);
        tproc_view sv = tproc_image_view(src);
        img in = img_from(&sv);
        img a = ref_shift(&in, dx1, dy1, b);
        img gm = ref_geometry(&a, kind, cx, cy, cw, ch);
        img want = ref_shift(&gm, dx2, dy2, b);
        for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
            for (int threads = 1; threads <= 3; threads += 2) {
                tproc_image *out =
                    tu_run(NULL, &sv, chain, 3, tiles[t][0], tiles[t][1], threads, b);
                tproc_view ov = tproc_image_view(out);
                char what[512];
                snprintf(what, sizeof what, "%s | %s | %s on %tdx%td/%d border %d tile %tdx%td x%d",
                         s1, g, s2, w, h, c, (int)b, tiles[t][0], tiles[t][1], threads);
                assert_img(&ov, &want, what);
                tproc_image_free(&out);
            }
        }
        /* At the head of the chain: a view transform, same pixels. */
        const char *head[] = {g, s2};
        img gm0 = ref_geometry(&in, kind, cx, cy, cw, ch);
        img want0 = ref_shift(&gm0, dx2, dy2, b);
        tproc_image *out = tu_run(NULL, &sv, head, 2, 5, 3, 2, b);
        tproc_view ov = tproc_image_view(out);
        assert_img(&ov, &want0, g);
        tproc_image_free(&out);
        free(in.p), free(a.p), free(gm.p), free(want.p), free(gm0.p), free(want0.p);
        tproc_image_free(&src);
    }
}
END_TEST

START_TEST(head_geometry_alone_is_a_copy_of_the_view)
{
    tproc_image *src = tu_random_image(NULL, 13, 9, 3, TPROC_U16, 5);
    tproc_view sv = tproc_image_view(src), want;
    const char *chain[] = {"rotate:angle=90", "flip:axis=vertical",
                           "crop:x=2,y=1,width=5,height=10"};
    tproc_image *out = tu_run(NULL, &sv, chain, 3, 0, 0, 0, TPROC_BORDER_REFLECT_101);
    tproc_view r, f, ov = tproc_image_view(out);
    tproc_view_rotate(&sv, 90, &r);
    tproc_view_flip_v(&r, &f);
    tproc_view_sub(&f, 2, 1, 5, 10, &want);
    tu_assert_same(&ov, &want, "rotate, flip, crop");
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

START_TEST(crop_outside_the_image_is_refused)
{
    tproc_image *src = tu_random_image(NULL, 20, 10, 1, TPROC_U8, 7), *out = NULL;
    tproc_view sv = tproc_image_view(src);
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, "crop:x=15,y=0,width=10,height=5"));
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_PARAM);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "crop"));
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "20x10"));
    tproc_pipeline_free(&p);
    /* Required keys. */
    const tproc_filter *f;
    tproc_params params;
    ck_assert_int_eq(tproc_params_parse(NULL, "crop:x=1,y=1,width=3", &f, &params),
                     TPROC_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "height is required"));
    ck_assert_int_eq(tproc_params_parse(NULL, "rotate:angle=nan", &f, &params), TPROC_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "rotate: angle must be in"));
    ck_assert_int_eq(tproc_params_parse(NULL, "rotate:angle=inf", &f, &params), TPROC_ERR_PARAM);
    tproc_image_free(&src);
}
END_TEST

Suite *suite_filters_geometry(void)
{
    Suite *s = suite_create("filters_geometry");
    TCase *tc = tcase_create("geometry");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, geometry_mid_chain_matches_reference, 0, 4);
    tcase_add_test(tc, head_geometry_alone_is_a_copy_of_the_view);
    tcase_add_test(tc, crop_outside_the_image_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
