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

/* The largest image a random chain's stage may make (its input is at most 60x50). */
#define CHAIN_MAX_PIXELS 4096

static const ptrdiff_t tilings[][2] = {{1, 1}, {7, 5}, {64, 64}, {256, 256}, {3, 40}, {40, 3}};

/* Runs specs on src for every tiling and thread count and compares with the whole-image run. */
static void check_chain(const tproc_view *src, const char *const *specs, size_t n, tproc_border b,
                        const char *label)
{
    tproc_image *whole = tu_run(NULL, src, specs, n, 1 << 20, 1 << 20, 1, b);
    tproc_view wv = tproc_image_view(whole);
    for (size_t t = 0; t < sizeof tilings / sizeof tilings[0]; t++) {
        for (int threads = 1; threads <= 4; threads += 3) {
            tproc_image *tiled =
                tu_run(NULL, src, specs, n, tilings[t][0], tilings[t][1], threads, b);
            tproc_view tv = tproc_image_view(tiled);
            char what[1024];
            snprintf(what, sizeof what, "%s [%s%s%s%s%s%s%s] border %d, tile %tdx%td, %d threads",
                     label, specs[0], n > 1 ? " | " : "", n > 1 ? specs[1] : "", n > 2 ? " | " : "",
                     n > 2 ? specs[2] : "", n > 3 ? " | " : "", n > 3 ? specs[3] : "", (int)b,
                     tilings[t][0], tilings[t][1], threads);
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
        tproc_format fmt = {w, h, c, s};
        tu_random_spec(&rng, f, &fmt, spec, sizeof spec);
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
            /* Track the size so the next crop fits. A stage that would make the image larger
             * than CHAIN_MAX_PIXELS is drawn again: enlarging geometry (resize, affine) followed
             * by wide halos (morphology) costs output pixels times (2 halo)^2 on 1x1 tiles. */
            tproc_format next;
            for (int draw = 0;; draw++) {
                const tproc_filter *f =
                    tproc_filter_at((size_t)tu_rng_range(&rng, 0, (ptrdiff_t)count - 1));
                tu_random_spec(&rng, f, &fmt, specs[k], sizeof specs[k]);
                tproc_pipeline *p;
                tu_ok(NULL, tproc_pipeline_new(NULL, &p));
                tu_ok(NULL, tproc_pipeline_add(p, specs[k]));
                tu_ok(NULL, tproc_pipeline_output_format(p, &fmt, &next));
                tproc_pipeline_free(&p);
                if (next.width * next.height <= CHAIN_MAX_PIXELS || draw == 16)
                    break;
            }
            chain[k] = specs[k];
            fmt = next;
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
