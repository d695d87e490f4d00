/* SPDX-License-Identifier: MIT */
/*
 * test_properties.c: the engine's contract as a property. For every registered filter, and for
 * chains of 2-4 random filters with random parameters, on random images of every sample type
 * and channel count, the output is byte-identical for every tile size and thread count to the
 * whole-image, single-thread run, under every border rule.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* A random, valid spec for filter f on an image of w x h (the image may change size after). */
static void random_spec(tu_rng *rng, const tproc_filter *f, ptrdiff_t w, ptrdiff_t h, char *buf,
                        size_t size)
{
    const char *n = f->name;
    if (!strcmp(n, "crop")) {
        ptrdiff_t x = tu_rng_range(rng, 0, w - 1), y = tu_rng_range(rng, 0, h - 1);
        snprintf(buf, size, "crop:x=%td,y=%td,width=%td,height=%td", x, y,
                 tu_rng_range(rng, 1, w - x), tu_rng_range(rng, 1, h - y));
    } else if (!strcmp(n, "resize")) {
        static const char *k[] = {"nearest", "bilinear", "bicubic", "lanczos3", "area"};
        if (tu_rng_range(rng, 0, 1))
            snprintf(buf, size, "resize:scale=%.3f,kernel=%s",
                     0.3 + (double)tu_rng_range(rng, 0, 200) / 100.0, k[tu_rng_range(rng, 0, 4)]);
        else
            snprintf(buf, size, "resize:width=%td,height=%td,kernel=%s", tu_rng_range(rng, 1, 40),
                     tu_rng_range(rng, 1, 40), k[tu_rng_range(rng, 0, 4)]);
    } else if (!strcmp(n, "convolve")) {
        snprintf(buf, size, "convolve:matrix=%d %d %d;%d %d %d;%d %d %d,scale=%.3f,offset=%d",
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 9), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (double)tu_rng_range(rng, 1, 30) / 30.0,
                 (int)tu_rng_range(rng, -10, 10));
    } else if (!strcmp(n, "levels")) {
        double lo = (double)tu_rng_range(rng, 0, 40) / 100.0;
        snprintf(buf, size, "levels:in_black=%.2f,in_white=%.2f,out_black=%.2f,out_white=%.2f", lo,
                 lo + 0.1 + (double)tu_rng_range(rng, 0, 50) / 100.0,
                 (double)tu_rng_range(rng, 0, 100) / 100.0,
                 (double)tu_rng_range(rng, 0, 100) / 100.0);
    } else {
        /* Generic: each parameter from a small part of its range, so kernels stay small. */
        size_t used = (size_t)snprintf(buf, size, "%s", n);
        for (int i = 0; i < f->param_count; i++) {
            const tproc_param_desc *p = &f->params[i];
            char value[64];
            if (p->type == TPROC_PARAM_ENUM) {
                int count = 0;
                while (p->choices[count])
                    count++;
                snprintf(value, sizeof value, "%s", p->choices[tu_rng_range(rng, 0, count - 1)]);
            } else if (p->type == TPROC_PARAM_MATRIX || (p->flags & TPROC_PARAM_REQUIRED)) {
                continue;
            } else {
                double lo = p->min, hi = p->max < p->min + 3 ? p->max : p->min + 3;
                double v = lo + (hi - lo) * (double)tu_rng_range(rng, 1, 100) / 100.0;
                if (p->type == TPROC_PARAM_INT)
                    snprintf(value, sizeof value, "%.0f", v < lo ? lo : (double)(long)v);
                else
                    snprintf(value, sizeof value, "%.4f", v);
            }
            used += (size_t)snprintf(buf + used, size - used, "%c%s=%s", used == strlen(n) ? ':' : ',',
                                     p->name, value);
        }
    }
}

static const ptrdiff_t tilings[][2] = {{1, 1}, {7, 5}, {64, 64}, {256, 256}, {3, 40}, {40, 3}};

/* Runs specs on src for every tiling and thread count and compares with the whole-image run. */
static void check_chain(const tproc_view *src, const char *const *specs, size_t n, tproc_border b,
                        const char *label)
{
    tproc_image *whole = tu_run(NULL, src, specs, n, 1 << 20, 1 << 20, 1, b);
    tproc_view wv = tproc_image_view(whole);
    for (size_t t = 0; t < sizeof tilings / sizeof tilings[0]; t++) {
        for (int threads = 1; threads <= 4; threads += 3) {
            tproc_image *tiled = tu_run(NULL, src, specs, n, tilings[t][0], tilings[t][1], threads, b);
            tproc_view tv = tproc_image_view(tiled);
            char what[1024];
            snprintf(what, sizeof what, "%s [%s%s%s%s%s%s%s] border %d, tile %tdx%td, %d threads",
                     label, specs[0], n > 1 ? " | " : "", n > 1 ? specs[1] : "",
                     n > 2 ? " | " : "", n > 2 ? specs[2] : "", n > 3 ? " | " : "",
                     n > 3 ? specs[3] : "", (int)b, tilings[t][0], tilings[t][1], threads);
            tu_assert_same(&tv, &wv, what);
            tproc_image_free(&tiled);
        }
    }
    tproc_image_free(&whole);
}

/* Every registered filter alone, every format, every border. */
START_TEST(each_filter_tiles_identically)
{
    const tproc_filter *f = tproc_filter_at((size_t)_i);
    tu_rng rng;
    tu_rng_seed(&rng, 1000 + (uint64_t)_i);
    for (int iter = 0; iter < 6; iter++) {
        ptrdiff_t w = tu_rng_range(&rng, 1, 45), h = tu_rng_range(&rng, 1, 35);
        int c = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample s = (tproc_sample)tu_rng_range(&rng, 1, 3);
        tproc_border b = (tproc_border)tu_rng_range(&rng, 0, 4);
        tproc_image *src = tu_random_image(NULL, w, h, c, s, rng.state);
        tproc_view sv = tproc_image_view(src);
        char spec[512], label[128];
        random_spec(&rng, f, w, h, spec, sizeof spec);
        const char *chain[] = {spec};
        snprintf(label, sizeof label, "%tdx%td %d-channel %s", w, h, c, tproc_sample_name(s));
        check_chain(&sv, chain, 1, b, label);
        tproc_image_free(&src);
    }
}
END_TEST

/* Chains of 2-4 random filters. */
START_TEST(random_chains_tile_identically)
{
    tu_rng rng;
    tu_rng_seed(&rng, 5000 + (uint64_t)_i);
    size_t count = tproc_filter_count();
    for (int iter = 0; iter < 3; iter++) {
        ptrdiff_t w = tu_rng_range(&rng, 1, 60), h = tu_rng_range(&rng, 1, 50);
        int c = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample s = (tproc_sample)tu_rng_range(&rng, 1, 3);
        tproc_border b = (tproc_border)tu_rng_range(&rng, 0, 4);
        tproc_image *src = tu_random_image(NULL, w, h, c, s, rng.state);
        tproc_view sv = tproc_image_view(src);
        size_t n = (size_t)tu_rng_range(&rng, 2, 4);
        char specs[4][512];
        const char *chain[4];
        tproc_format fmt = {w, h, c, s};
        for (size_t k = 0; k < n; k++) {
            const tproc_filter *f = tproc_filter_at((size_t)tu_rng_range(&rng, 0, (ptrdiff_t)count - 1));
            random_spec(&rng, f, fmt.width, fmt.height, specs[k], sizeof specs[k]);
            chain[k] = specs[k];
            /* Track the size so the next crop fits. */
            tproc_pipeline *p;
            tu_ok(NULL, tproc_pipeline_new(NULL, &p));
            tu_ok(NULL, tproc_pipeline_add(p, specs[k]));
            tu_ok(NULL, tproc_pipeline_output_format(p, &fmt, &fmt));
            tproc_pipeline_free(&p);
        }
        char label[128];
        snprintf(label, sizeof label, "%tdx%td %d-channel %s", w, h, c, tproc_sample_name(s));
        check_chain(&sv, chain, n, b, label);
        tproc_image_free(&src);
    }
}
END_TEST

Suite *suite_properties(void)
{
    Suite *s = suite_create("properties");
    TCase *tc = tcase_create("tiled equals whole");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, each_filter_tiles_identically, 0, (int)tproc_filter_count());
    tcase_add_loop_test(tc, random_chains_tile_identically, 0, 24);
    suite_add_tcase(s, tc);
    return s;
}
