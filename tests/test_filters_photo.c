/* SPDX-License-Identifier: MIT */
/*
 * test_filters_photo.c: the photo operations against references written here, naively: the six
 * morphology operations as the minimum/maximum over OpenCV's structuring elements read through
 * every border rule (u8, u16, f32; alpha kept); rotate's exact multiples of 90 however written
 * and its output sizes (vips's rule, checked against vips 8.14); affine's identity and whole
 * shifts; composite's placement, opacity and tiling; modulate's identity and gray; extend
 * against tproc_border_index; the one-line errors the issue lists. OpenCV, ImageMagick and
 * vips comparisons live in python/tests/test_photo.py; tiled == whole, threads, streaming in
 * the property suites, which cover these filters by construction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter_spec.h"
#include "testutil.h"

static tproc_image *run1(const tproc_view *src, const char *spec, ptrdiff_t tw, ptrdiff_t th,
                         tproc_border b)
{
    const char *chain[] = {spec};
    return tu_run(NULL, src, chain, 1, tw, th, 2, b);
}

/* --- morphology ----------------------------------------------------------------------------- */

/* getStructuringElement's rows: half width of row dy of a square, cross or disk of radius r. */
static int element_half(int shape, int r, int dy)
{
    if (shape == 0)
        return r;
    if (shape == 1)
        return dy == 0 ? r : 0; /* the middle row, and the middle column */
    return (int)lrint(r * sqrt(((double)r * r - (double)dy * dy) / ((double)r * r)));
}

/* A plane of doubles over [-m, w + m) x [-m, h + m), one channel. */
typedef struct plane {
    double *v;
    ptrdiff_t w, h, m;
} plane;

static double *at(const plane *p, ptrdiff_t x, ptrdiff_t y)
{
    return &p->v[(y + p->m) * (p->w + 2 * p->m) + (x + p->m)];
}

static plane plane_new(ptrdiff_t w, ptrdiff_t h, ptrdiff_t m)
{
    plane p = {calloc((size_t)((w + 2 * m) * (h + 2 * m)), sizeof(double)), w, h, m};
    return p;
}

/* out (margin in's - r) = min or max over the element of in. */
static plane morph_ref(const plane *in, int shape, int r, int dilate)
{
    plane out = plane_new(in->w, in->h, in->m - r);
    for (ptrdiff_t y = -out.m; y < in->h + out.m; y++)
        for (ptrdiff_t x = -out.m; x < in->w + out.m; x++) {
            double best = dilate ? -INFINITY : INFINITY;
            for (int dy = -r; dy <= r; dy++) {
                int half = element_half(shape, r, abs(dy));
                for (int dx = -half; dx <= half; dx++) {
                    double v = *at(in, x + dx, y + dy);
                    best = dilate ? fmax(best, v) : fmin(best, v);
                }
            }
            *at(&out, x, y) = best;
        }
    return out;
}

static const char *const morph_ops[] = {"erode", "dilate", "open", "close", "tophat", "gradient"};
static const char *const shapes[] = {"square", "cross", "disk"};

/* op on channel c of src read through border b (constant: value 0). */
static plane morph_op_ref(const tproc_view *src, int c, int op, int shape, int r, tproc_border b)
{
    ptrdiff_t m = op >= 2 && op <= 4 ? 2 * r : r; /* open, close, tophat: two passes */
    plane in = plane_new(src->width, src->height, m);
    for (ptrdiff_t y = -m; y < src->height + m; y++)
        for (ptrdiff_t x = -m; x < src->width + m; x++) {
            ptrdiff_t sx = tproc_border_index(x, src->width, b);
            ptrdiff_t sy = tproc_border_index(y, src->height, b);
            *at(&in, x, y) = sx < 0 || sy < 0 ? 0.0 : tu_sample(src, sx, sy, c);
        }
    plane res;
    if (op <= 1) {
        res = morph_ref(&in, shape, r, op == 1);
    } else if (op == 5) {
        plane d = morph_ref(&in, shape, r, 1), e = morph_ref(&in, shape, r, 0);
        res = d;
        for (ptrdiff_t y = 0; y < src->height; y++)
            for (ptrdiff_t x = 0; x < src->width; x++)
                *at(&res, x, y) -= *at(&e, x, y);
        free(e.v);
    } else {
        plane first = morph_ref(&in, shape, r, op == 3);
        res = morph_ref(&first, shape, r, op != 3);
        free(first.v);
        if (op == 4)
            for (ptrdiff_t y = 0; y < src->height; y++)
                for (ptrdiff_t x = 0; x < src->width; x++)
                    *at(&res, x, y) = *at(&in, x, y) - *at(&res, x, y);
    }
    free(in.v);
    return res;
}

START_TEST(morphology_matches_a_naive_reference)
{
    tu_rng rng;
    tu_rng_seed(&rng, 700 + (uint64_t)_i);
    for (int iter = 0; iter < 4; iter++) {
        ptrdiff_t w = tu_rng_range(&rng, 1, 23), h = tu_rng_range(&rng, 1, 19);
        int ch = (int)tu_rng_range(&rng, 1, 4), op = _i % 6;
        int shape = (int)tu_rng_range(&rng, 0, 2), r = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample s = (tproc_sample)tu_rng_range(&rng, 1, 3);
        tproc_border b = (tproc_border)tu_rng_range(&rng, 0, 4);
        tproc_image *src = tu_random_image(NULL, w, h, ch, s, rng.state);
        tproc_view sv = tproc_image_view(src);
        char spec[96];
        snprintf(spec, sizeof spec, "%s:radius=%d,shape=%s", morph_ops[op], r, shapes[shape]);
        tproc_image *out = run1(&sv, spec, tu_rng_range(&rng, 1, 9), tu_rng_range(&rng, 1, 9), b);
        tproc_view ov = tproc_image_view(out);
        for (int c = 0; c < ch; c++) {
            int alpha = (ch == 2 || ch == 4) && c == ch - 1;
            plane ref = alpha ? plane_new(1, 1, 0) : morph_op_ref(&sv, c, op, shape, r, b);
            for (ptrdiff_t y = 0; y < h; y++)
                for (ptrdiff_t x = 0; x < w; x++) {
                    double want = alpha ? tu_sample(&sv, x, y, c) : *at(&ref, x, y);
                    if (s == TPROC_F32)
                        want = (float)want;
                    ck_assert_msg(tu_sample(&ov, x, y, c) == want,
                                  "%s on %tdx%td/%d %s border %d: (%td, %td, %d) is %g, want %g",
                                  spec, w, h, ch, tproc_sample_name(s), (int)b, x, y, c,
                                  tu_sample(&ov, x, y, c), want);
                }
            free(ref.v);
        }
        tproc_image_free(&out);
        tproc_image_free(&src);
    }
}
END_TEST

/* Large radii: radius 40 (doubling along rows, 81 taps), and 520 (a 1041-pixel line: van Herk /
 * Gil-Werman along rows as well as down columns). */
START_TEST(morphology_large_radius)
{
    tproc_image *src = tu_random_image(NULL, 90, 70, 1, TPROC_U8, 77);
    tproc_view sv = tproc_image_view(src);
    for (int k = 0; k < 5; k++) {
        int shape = k < 3 ? k : 1, r = k < 3 ? 40 : 520, op = k == 4 ? 0 : 1;
        char spec[64];
        snprintf(spec, sizeof spec, "%s:radius=%d,shape=%s", morph_ops[op], r, shapes[shape]);
        tproc_image *out = run1(&sv, spec, 32, 16, TPROC_BORDER_REFLECT);
        tproc_view ov = tproc_image_view(out);
        plane ref = morph_op_ref(&sv, 0, op, shape, r, TPROC_BORDER_REFLECT);
        for (ptrdiff_t y = 0; y < 70; y++)
            for (ptrdiff_t x = 0; x < 90; x++)
                ck_assert_msg(tu_sample(&ov, x, y, 0) == *at(&ref, x, y), "%s at (%td, %td)", spec,
                              x, y);
        free(ref.v);
        tproc_image_free(&out);
    }
    tproc_image_free(&src);
}
END_TEST

/* --- rotate and affine ---------------------------------------------------------------------- */

START_TEST(right_angles_are_exact_however_written)
{
    tproc_image *src = tu_random_image(NULL, 17, 11, 4, TPROC_U16, 3);
    tproc_view sv = tproc_image_view(src);
    static const char *const same[][3] = {
        {"rotate:angle=0", "rotate:angle=360", "rotate:angle=-720"},
        {"rotate:angle=90", "rotate:angle=-270", "rotate:angle=450"},
        {"rotate:angle=270", "rotate:angle=-90", "rotate:angle=630"}};
    for (int k = 0; k < 3; k++) {
        tproc_image *a = run1(&sv, same[k][0], 0, 0, TPROC_BORDER_REFLECT_101);
        tproc_view av = tproc_image_view(a), turned;
        tproc_view_rotate(&sv, k == 0 ? 0 : k == 1 ? 90 : 270, &turned);
        tu_assert_same(&av, &turned, same[k][0]);
        for (int j = 1; j < 3; j++) {
            tproc_image *b = run1(&sv, same[k][j], 4, 3, TPROC_BORDER_CONSTANT);
            tproc_view bv = tproc_image_view(b);
            tu_assert_same(&bv, &av, same[k][j]);
            tproc_image_free(&b);
        }
        tproc_image_free(&a);
    }
    tproc_image_free(&src);
}
END_TEST

/* round(W |cos| + H |sin|) x round(W |sin| + H |cos|): the sizes vips 8.14 rotate gives. */
START_TEST(rotated_sizes_are_vips_sizes)
{
    static const struct {
        double angle;
        ptrdiff_t w, h;
    } cases[] = {{30, 117, 102}, {45, 113, 113}, {10, 109, 76},
                 {1, 101, 62},   {89, 62, 101},  {-30, 117, 102}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "rotate:angle=%g", cases[i].angle);
        tproc_format f = tu_output_format(spec, 100, 60, 3);
        ck_assert_msg(f.width == cases[i].w && f.height == cases[i].h, "%s: %tdx%td", spec, f.width,
                      f.height);
    }
    /* A background that is not opaque adds alpha; affine's box is vips's too. */
    ck_assert_int_eq(tu_output_format("rotate:angle=30,background=0 0", 100, 60, 1).channels, 2);
    tproc_format a = tu_output_format("affine:matrix=1.3 0.2;-0.4 0.9", 100, 60, 3);
    ck_assert(a.width == 142 && a.height == 94);
}
END_TEST

/* Catmull-Rom and bilinear reproduce a linear ramp wherever all taps are inside. */
START_TEST(interpolators_keep_a_ramp)
{
    tproc_image *src;
    tu_ok(NULL, tproc_image_new(NULL, 64, 48, 1, TPROC_F32, &src));
    tproc_view sv = tproc_image_view(src);
    for (ptrdiff_t y = 0; y < 48; y++)
        for (ptrdiff_t x = 0; x < 64; x++) {
            float v = (float)(0.01 * (double)x + 0.003 * (double)y);
            memcpy(tproc_view_pixel(&sv, x, y), &v, 4);
        }
    for (int k = 1; k < 3; k++) {
        char spec[96];
        snprintf(spec, sizeof spec, "rotate:angle=17,interpolation=%s",
                 k == 1 ? "bilinear" : "bicubic");
        tproc_image *out = run1(&sv, spec, 13, 7, TPROC_BORDER_REPLICATE);
        tproc_view ov = tproc_image_view(out);
        /* Output pixel (x, y) samples the input at the inverse rotation about the centres,
         * quantised to 1/32 pixel: within 1/64 pixel of the exact place. */
        double t = -17 * 3.14159265358979323846 / 180, c = cos(t), s = sin(t);
        double cx = 31.5, cy = 23.5, ox = (double)(ov.width - 1) / 2.0,
               oy = (double)(ov.height - 1) / 2.0;
        int checked = 0;
        for (ptrdiff_t y = 0; y < ov.height; y++)
            for (ptrdiff_t x = 0; x < ov.width; x++) {
                double dx = (double)x - ox, dy = (double)y - oy;
                double u = c * dx - s * dy + cx, v = s * dx + c * dy + cy;
                if (u < 2 || v < 2 || u > 61 || v > 45)
                    continue;
                double want = 0.01 * u + 0.003 * v;
                ck_assert_msg(fabs(tu_sample(&ov, x, y, 0) - want) < 0.01 / 64 + 0.003 / 64 + 1e-6,
                              "%s at (%td, %td): %g, want %g", spec, x, y, tu_sample(&ov, x, y, 0),
                              want);
                checked++;
            }
        ck_assert_int_gt(checked, 1000);
        tproc_image_free(&out);
    }
    tproc_image_free(&src);
}
END_TEST

START_TEST(affine_identity_and_shifts)
{
    tproc_image *src = tu_random_image(NULL, 21, 13, 3, TPROC_U8, 9);
    tproc_view sv = tproc_image_view(src);
    for (int k = 0; k < 3; k++) {
        static const char *const interp[] = {"nearest", "bilinear", "bicubic"};
        char spec[128];
        snprintf(spec, sizeof spec, "affine:matrix=1 0;0 1,interpolation=%s", interp[k]);
        tproc_image *out = run1(&sv, spec, 5, 4, TPROC_BORDER_REFLECT_101);
        tproc_view ov = tproc_image_view(out);
        tu_assert_same(&ov, &sv, spec);
        tproc_image_free(&out);
        /* Whole shifts move pixels; the uncovered column and row are background. */
        snprintf(spec, sizeof spec,
                 "affine:matrix=1 0;0 1,dx=2,dy=-1,interpolation=%s,background=7 8 9", interp[k]);
        out = run1(&sv, spec, 0, 0, TPROC_BORDER_REFLECT_101);
        ov = tproc_image_view(out);
        for (ptrdiff_t y = 0; y < 13; y++)
            for (ptrdiff_t x = 0; x < 21; x++)
                for (int c = 0; c < 3; c++) {
                    double want = x < 2 || y > 11 ? 7 + c : tu_sample(&sv, x - 2, y + 1, c);
                    ck_assert_msg(tu_sample(&ov, x, y, c) == want, "%s at (%td, %td)", spec, x, y);
                }
        tproc_image_free(&out);
    }
    tproc_image_free(&src);
}
END_TEST

/* --- composite ------------------------------------------------------------------------------ */

static char overlay_path[512];

/* A 5x3 RGBA PNG: opaque except one transparent and one half-transparent pixel. */
static const char *overlay_file(void)
{
    unsigned char p[3][5][4];
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++) {
            p[y][x][0] = (unsigned char)(50 * x);
            p[y][x][1] = (unsigned char)(100 * y);
            p[y][x][2] = 200;
            p[y][x][3] = 255;
        }
    p[1][1][3] = 0;
    p[2][3][3] = 128;
    const char *dir = getenv("TMPDIR");
    snprintf(overlay_path, sizeof overlay_path, "%s/tileproc-overlay-%d.png",
             dir && *dir ? dir : "/tmp", (int)getpid());
    tproc_view v;
    tu_ok(NULL, tproc_view_init(&v, p, 5, 3, 4, TPROC_U8, 0, 0));
    tu_ok(NULL, tproc_save(NULL, &v, overlay_path, NULL));
    return overlay_path;
}

START_TEST(composite_places_and_tiles)
{
    const char *path = overlay_file();
    tproc_image *src = tu_random_image(NULL, 23, 17, 3, TPROC_U8, 12);
    tproc_view sv = tproc_image_view(src);
    char spec[700];
    /* Gravity positions are sharp's: centred (23 - 5 + 1) / 2 = 9, (17 - 3 + 1) / 2 = 7. */
    static const char *const gravity[] = {"centre", "northeast", "southwest"};
    static const int gx[] = {9, 18, 0}, gy[] = {7, 0, 14};
    for (int g = 0; g < 3; g++) {
        snprintf(spec, sizeof spec, "composite:image=%s,gravity=%s", path, gravity[g]);
        tproc_image *a = run1(&sv, spec, 4, 4, TPROC_BORDER_REFLECT_101);
        snprintf(spec, sizeof spec, "composite:image=%s,x=%d,y=%d", path, gx[g], gy[g]);
        tproc_image *b = run1(&sv, spec, 0, 0, TPROC_BORDER_REFLECT_101);
        tproc_view av = tproc_image_view(a), bv = tproc_image_view(b);
        tu_assert_same(&av, &bv, gravity[g]);
        /* Opaque overlay pixels replace, the transparent one keeps the image. */
        ck_assert(tu_sample(&av, gx[g] + 2, gy[g] + 1, 0) == 100 &&
                  tu_sample(&av, gx[g] + 2, gy[g] + 1, 1) == 100);
        ck_assert(tu_sample(&av, gx[g] + 1, gy[g] + 1, 0) ==
                  tu_sample(&sv, gx[g] + 1, gy[g] + 1, 0));
        tproc_image_free(&a);
        tproc_image_free(&b);
    }
    /* opacity 0 draws nothing; tile=1 repeats from the placed copy (partly outside here). */
    snprintf(spec, sizeof spec, "composite:image=%s,opacity=0,tile=1", path);
    tproc_image *none = run1(&sv, spec, 3, 5, TPROC_BORDER_REFLECT_101);
    tproc_view nv = tproc_image_view(none);
    tu_assert_same(&nv, &sv, "opacity=0");
    snprintf(spec, sizeof spec, "composite:image=%s,x=-2,y=-1,tile=1", path);
    tproc_image *tiled = run1(&sv, spec, 6, 5, TPROC_BORDER_REFLECT_101);
    tproc_view tv = tproc_image_view(tiled);
    for (ptrdiff_t y = 0; y < 17; y++)
        for (ptrdiff_t x = 0; x < 23; x++) {
            ptrdiff_t ox = (x + 2) % 5, oy = (y + 1) % 3;
            if ((ox == 1 && oy == 1) || (ox == 3 && oy == 2))
                continue;
            ck_assert_msg(tu_sample(&tv, x, y, 0) == 50 * ox && tu_sample(&tv, x, y, 1) == 100 * oy,
                          "tile at (%td, %td)", x, y);
        }
    tproc_image_free(&none);
    tproc_image_free(&tiled);
    tproc_image_free(&src);
    remove(path);
}
END_TEST

/* --- extend and modulate -------------------------------------------------------------------- */

START_TEST(extend_reads_through_its_own_border_rule)
{
    static const char *const names[] = {"constant", "replicate", "reflect", "reflect101", "wrap"};
    tproc_image *src = tu_random_image(NULL, 7, 5, 2, TPROC_U16, 4);
    tproc_view sv = tproc_image_view(src);
    for (int b = 0; b < 5; b++) {
        char spec[160];
        snprintf(spec, sizeof spec,
                 "extend:top=6,right=9,bottom=2,left=11,border=%s,background=0 255", names[b]);
        /* The run's own border rule does not matter. */
        tproc_image *out = run1(&sv, spec, 4, 3, (tproc_border)((b + 2) % 5));
        tproc_view ov = tproc_image_view(out);
        ck_assert(ov.width == 27 && ov.height == 13);
        for (ptrdiff_t y = 0; y < 13; y++)
            for (ptrdiff_t x = 0; x < 27; x++) {
                ptrdiff_t sx = tproc_border_index(x - 11, 7, (tproc_border)b);
                ptrdiff_t sy = tproc_border_index(y - 6, 5, (tproc_border)b);
                for (int c = 0; c < 2; c++) {
                    double want = sx < 0 || sy < 0 ? (c ? 65535 : 0) : tu_sample(&sv, sx, sy, c);
                    ck_assert_msg(tu_sample(&ov, x, y, c) == want, "%s at (%td, %td)", spec, x, y);
                }
            }
        tproc_image_free(&out);
    }
    tproc_image_free(&src);
}
END_TEST

/* saturate is modulate's saturation alone, byte for byte, every sample type and alpha. */
START_TEST(saturate_is_modulate_saturation)
{
    static const tproc_sample samples[] = {TPROC_U8, TPROC_U16, TPROC_F32};
    static const char *const amounts[] = {"0", "0.4", "1", "2.5"};
    for (int si = 0; si < 3; si++)
        for (int channels = 1; channels <= 4; channels++)
            for (int a = 0; a < 4; a++) {
                tproc_image *img = tu_random_image(NULL, 19, 11, channels, samples[si],
                                                   (uint64_t)(si * 16 + channels * 4 + a));
                tproc_view v = tproc_image_view(img);
                char s1[64], s2[64];
                snprintf(s1, sizeof s1, "saturate:amount=%s", amounts[a]);
                snprintf(s2, sizeof s2, "modulate:saturation=%s", amounts[a]);
                tproc_image *x = run1(&v, s1, 7, 5, TPROC_BORDER_REFLECT_101);
                tproc_image *y = run1(&v, s2, 0, 0, TPROC_BORDER_REFLECT_101);
                tproc_view xv = tproc_image_view(x), yv = tproc_image_view(y);
                tu_assert_same(&xv, &yv, s1);
                tproc_image_free(&x);
                tproc_image_free(&y);
                tproc_image_free(&img);
            }
}
END_TEST

START_TEST(modulate_identity_and_gray)
{
    for (int s = 1; s <= 3; s++) {
        tproc_image *src = tu_random_image(NULL, 19, 7, 4, (tproc_sample)s, 40 + (uint64_t)s);
        tproc_view sv = tproc_image_view(src);
        tproc_image *same = run1(&sv, "modulate", 5, 3, TPROC_BORDER_REFLECT_101);
        tproc_view v = tproc_image_view(same);
        tu_assert_same(&v, &sv, "modulate with its defaults");
        /* A full turn of hue changes nothing beyond rounding. */
        tproc_image *turn =
            run1(&sv, "modulate:hue=360,brightness=1.0", 0, 0, TPROC_BORDER_REFLECT_101);
        tproc_view tv = tproc_image_view(turn);
        double tol = s == 1 ? 1 : s == 2 ? 2 : 1e-5;
        for (ptrdiff_t y = 0; y < 7; y++)
            for (ptrdiff_t x = 0; x < 19; x++)
                for (int c = 0; c < 4; c++)
                    ck_assert(fabs(tu_sample(&tv, x, y, c) - tu_sample(&sv, x, y, c)) <= tol);
        /* No saturation: gray, alpha kept. */
        tproc_image *gray = run1(&sv, "modulate:saturation=0", 0, 0, TPROC_BORDER_REFLECT_101);
        tproc_view gv = tproc_image_view(gray);
        for (ptrdiff_t y = 0; y < 7; y++)
            for (ptrdiff_t x = 0; x < 19; x++) {
                ck_assert(fabs(tu_sample(&gv, x, y, 0) - tu_sample(&gv, x, y, 1)) <= tol);
                ck_assert(fabs(tu_sample(&gv, x, y, 2) - tu_sample(&gv, x, y, 1)) <= tol);
                ck_assert(tu_sample(&gv, x, y, 3) == tu_sample(&sv, x, y, 3));
            }
        tproc_image_free(&same);
        tproc_image_free(&turn);
        tproc_image_free(&gray);
        tproc_image_free(&src);
    }
}
END_TEST

/* --- errors --------------------------------------------------------------------------------- */

/* spec fails at parse (add) or prepare (output_format) with one line naming needle. */
static void assert_refused(const char *spec, const char *needle)
{
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tproc_format in = {30, 20, 3, TPROC_U8}, out;
    int status = tproc_pipeline_add(p, spec);
    if (status == TPROC_OK)
        status = tproc_pipeline_output_format(p, &in, &out);
    ck_assert_msg(status != TPROC_OK, "%s was accepted", spec);
    const char *msg = tproc_ctx_message(NULL);
    ck_assert_msg(strstr(msg, needle) && !strchr(msg, '\n'), "%s: '%s' lacks '%s'", spec, msg,
                  needle);
    tproc_pipeline_free(&p);
}

START_TEST(bad_parameters_are_one_line_errors)
{
    char junk[512], spec[700];
    const char *dir = getenv("TMPDIR");
    snprintf(junk, sizeof junk, "%s/tileproc-junk-%d.png", dir && *dir ? dir : "/tmp",
             (int)getpid());
    FILE *fp = fopen(junk, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs("this is not an image", fp);
    fclose(fp);
    assert_refused("composite:image=/nonexistent/logo.png",
                   "composite: cannot use image=/nonexistent/logo.png");
    snprintf(spec, sizeof spec, "composite:image=%s", junk);
    assert_refused(spec, junk);
    assert_refused("composite:gravity=north", "image is required");
    snprintf(spec, sizeof spec, "composite:image=%s,x=3", fspec_text_value());
    assert_refused(spec, "give x and y together");
    assert_refused("rotate:angle=nan", "rotate: angle must be in");
    assert_refused("rotate:angle=-inf", "rotate: angle must be in");
    assert_refused("affine:matrix=1 0 0;0 1 0;0 0 1", "affine: matrix must be 2x2, got 3x3");
    assert_refused("affine:matrix=1 2;2 4", "not invertible");
    assert_refused("affine:matrix=1e9 0;0 1", "matrix entries must be within");
    assert_refused("dilate:radius=0", "dilate: radius must be in [1, 1000], got 0");
    assert_refused("erode:shape=ellipse", "shape must be one of square|cross|disk");
    assert_refused("resize:fit=cover", "fit=cover needs width and/or height");
    assert_refused("extend:top=-1", "extend: top must be in");
    assert_refused("extend:background=300", "background values must be in [0, 255]");
    assert_refused("extend:background=#12345", "is not #rgb, #rrggbb or #rrggbbaa");
    assert_refused("modulate:saturation=-1", "modulate: saturation must be in");
    remove(junk);
}
END_TEST

/* --- the new parameter types ---------------------------------------------------------------- */

START_TEST(colour_text_and_sized_matrix_parameters)
{
    const tproc_filter *f;
    tproc_params p;
    double rgba[4];
    static const struct {
        const char *spec;
        double rgba[4];
    } colours[] = {{"extend:background=#f00", {255, 0, 0, 255}},
                   {"extend:background=#336699", {0x33, 0x66, 0x99, 255}},
                   {"extend:background=#33669980", {0x33, 0x66, 0x99, 0x80}},
                   {"extend:background=12.5", {12.5, 12.5, 12.5, 255}},
                   {"extend:background=12 34", {12, 12, 12, 34}},
                   {"extend:background=1 2 3", {1, 2, 3, 255}},
                   {"extend:background=1 2 3 4", {1, 2, 3, 4}},
                   {"extend", {0, 0, 0, 255}}};
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++) {
        tu_ok(NULL, tproc_params_parse(NULL, colours[i].spec, &f, &p));
        tproc_params_colour(f, &p, rgba);
        for (int c = 0; c < 4; c++)
            ck_assert_msg(rgba[c] == colours[i].rgba[c], "%s: channel %d is %g", colours[i].spec, c,
                          rgba[c]);
        /* Formatting gives text that parses back to the same colour. */
        char text[256];
        tproc_params q;
        tproc_params_format(f, &p, text, sizeof text);
        tu_ok(NULL, tproc_params_parse(NULL, text, &f, &q));
        ck_assert_int_eq(q.colour_count, p.colour_count);
        ck_assert(memcmp(q.colour, p.colour, sizeof(double) * (size_t)p.colour_count) == 0);
    }
    /* Text with the spec's separators round-trips through its escapes. */
    tu_ok(NULL, tproc_params_parse(NULL, "composite:image=a\\,b\\\\c.png,opacity=0.5", &f, &p));
    ck_assert_str_eq(p.text, "a,b\\c.png");
    char text[4096];
    tproc_params_format(f, &p, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(text, "image=a\\,b\\\\c.png,"));
    tproc_params q;
    tu_ok(NULL, tproc_params_parse(NULL, text, &f, &q));
    ck_assert_str_eq(q.text, p.text);
    /* From C: text as it is, bounded; numbers are refused for text. */
    tproc_params_init(f, &p);
    tu_ok(NULL, tproc_params_set_text(NULL, f, &p, "image", "x,y.png"));
    ck_assert_str_eq(p.text, "x,y.png");
    ck_assert_int_eq(tproc_params_set(NULL, f, &p, "image", 1), TPROC_ERR_PARAM);
    char longer[TPROC_TEXT_MAX + 8];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ck_assert_int_eq(tproc_params_set_text(NULL, f, &p, "image", longer), TPROC_ERR_PARAM);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "too long"));
    /* A sized matrix: affine's is 2x2; convolve keeps its odd sizes. */
    tu_ok(NULL, tproc_params_parse(NULL, "affine:matrix=1 0.5;0 1", &f, &p));
    ck_assert(p.matrix_width == 2 && p.matrix_height == 2 && p.matrix[1] == 0.5);
    ck_assert_int_eq(tproc_params_parse(NULL, "convolve:matrix=1 1;1 1", &f, &p), TPROC_ERR_PARAM);
}
END_TEST

Suite *suite_filters_photo(void)
{
    Suite *s = suite_create("filters_photo");
    TCase *tc = tcase_create("photo");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, morphology_matches_a_naive_reference, 0, 24);
    tcase_add_test(tc, morphology_large_radius);
    tcase_add_test(tc, right_angles_are_exact_however_written);
    tcase_add_test(tc, rotated_sizes_are_vips_sizes);
    tcase_add_test(tc, interpolators_keep_a_ramp);
    tcase_add_test(tc, affine_identity_and_shifts);
    tcase_add_test(tc, composite_places_and_tiles);
    tcase_add_test(tc, extend_reads_through_its_own_border_rule);
    tcase_add_test(tc, modulate_identity_and_gray);
    tcase_add_test(tc, saturate_is_modulate_saturation);
    tcase_add_test(tc, bad_parameters_are_one_line_errors);
    tcase_add_test(tc, colour_text_and_sized_matrix_parameters);
    suite_add_tcase(s, tc);
    return s;
}
