/* SPDX-License-Identifier: MIT */
/*
 * test_pyramid.c: tproc_pipeline_pyramid from the C API. Memory is bounded through the
 * counting allocator: a 64 x 100000 image needs the same peak as a 64 x 1000 one (exactly,
 * for one level; with every level down to 1x1, the taller image's extra 1-pixel-wide levels
 * add under 2 KiB each and nothing else), streamed rows come from a user's
 * callback, a limit too small fails before any output, and the DeepZoom tiles of a view
 * source equal the image cut by hand. (tests/pyramid/pyramid_vips.py checks the layouts
 * against vips dzsave.)
 */
/* nftw() is XSI */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static int gradient_rows(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    (void)user;
    for (ptrdiff_t r = 0; r < count; r++) {
        unsigned char *p = tproc_view_pixel(rows, 0, r);
        for (ptrdiff_t x = 0; x < rows->width * rows->channels; x++)
            p[x] = (unsigned char)((x * 7 + (y + r) * 3) & 0xff);
    }
    return TPROC_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void make_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/tproc-pyramid-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Peak bytes to build a dz pyramid (PNG tiles, one thread) of a 64 x height image. */
static size_t pyramid_peak(ptrdiff_t height, tproc_pyramid_depth depth, int *levels)
{
    tu_counter counter = {0};
    tproc_allocator a = tu_counting_allocator(&counter);
    tproc_ctx_options co = {&a, 0, 1};
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(&co, &ctx));
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tproc_format fmt = {64, height, 3, TPROC_U8};
    tproc_source *source;
    tu_ok(ctx, tproc_source_new_callback(ctx, &fmt, gradient_rows, NULL, &source));
    char dir[64], out[96];
    make_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/p.dzi", dir);
    tproc_pyramid_options o;
    tproc_pyramid_options_init(&o);
    o.suffix = TPROC_FILE_PNG;
    o.depth = depth;
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    ro.threads = 1;
    tu_ok(ctx, tproc_pipeline_pyramid(p, source, out, &o, &ro, NULL));
    tproc_source_free(&source);
    tproc_pipeline_free(&p);
    size_t peak = tproc_ctx_memory_peak(ctx);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
    ck_assert_uint_ge(counter.peak, peak);
    /* The levels written: one directory each. */
    char files[128];
    snprintf(files, sizeof files, "%s/p_files", dir);
    DIR *d = opendir(files);
    ck_assert_ptr_nonnull(d);
    *levels = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        *levels += e->d_name[0] != '.';
    closedir(d);
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    return counter.peak;
}

START_TEST(memory_does_not_grow_with_height)
{
    int small_levels, big_levels;
    size_t small = pyramid_peak(1000, TPROC_PYRAMID_DEPTH_ONE, &small_levels);
    size_t big = pyramid_peak(100000, TPROC_PYRAMID_DEPTH_ONE, &big_levels);
    ck_assert_int_eq(small_levels, 1);
    ck_assert_int_eq(big_levels, 1);
    ck_assert_msg(big == small, "one level: peak %zu for 64 x 100000 but %zu for 64 x 1000", big,
                  small);
    small = pyramid_peak(1000, TPROC_PYRAMID_DEPTH_ONEPIXEL, &small_levels);
    big = pyramid_peak(100000, TPROC_PYRAMID_DEPTH_ONEPIXEL, &big_levels);
    ck_assert_int_eq(small_levels, 11); /* 2^10 >= 1000 */
    ck_assert_int_eq(big_levels, 18);   /* 2^17 >= 100000 */
    /* Each extra level is 1 pixel wide: a 255-row band of 3 bytes (one thread: one band) and
     * two 3-byte rows, with the allocator's alignment (64 bytes a block), and its own thin
     * tiles' encoding: under 2 KiB a level (measured: 1.7 KiB). */
    size_t extra = (size_t)(big_levels - small_levels) * 2048;
    ck_assert_msg(big >= small && big - small <= extra,
                  "all levels: peak %zu for 64 x 100000 but %zu for 64 x 1000 (allowed %zu more)",
                  big, small, extra);
    ck_assert_msg(big < 4u << 20, "peak %zu bytes for a 64 x 100000 pyramid", big);
}
END_TEST

START_TEST(limit_fails_before_output)
{
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_ctx_set_memory_limit(ctx, 200000);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tproc_format fmt = {20000, 1000, 3, TPROC_U8}; /* level bands alone: ~30 MB */
    tproc_source *source;
    tu_ok(ctx, tproc_source_new_callback(ctx, &fmt, gradient_rows, NULL, &source));
    char dir[64], out[96];
    make_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/p", dir);
    int status = tproc_pipeline_pyramid(p, source, out, NULL, NULL, NULL);
    ck_assert_int_eq(status, TPROC_ERR_LIMIT);
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.' || strlen(e->d_name) > 2;
    closedir(d);
    ck_assert_msg(entries == 0, "a failed pyramid left %d files", entries);
    rmdir(dir);
    tproc_source_free(&source);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
}
END_TEST

/* dz tiles of a view, PNG, overlap 2: each equals the image's rectangle, cut by hand. */
START_TEST(tiles_equal_the_image)
{
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = tu_random_image(ctx, 301, 203, 3, TPROC_U8, 14);
    tproc_view v = tproc_image_view(img);
    tproc_source *source;
    tu_ok(ctx, tproc_source_new_view(ctx, &v, &source));
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    char dir[64], out[96];
    make_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/p.dzi", dir);
    tproc_pyramid_options o;
    tproc_pyramid_options_init(&o);
    o.suffix = TPROC_FILE_PNG;
    o.tile_size = 100;
    o.overlap = 2;
    o.depth = TPROC_PYRAMID_DEPTH_ONE;
    tu_ok(ctx, tproc_pipeline_pyramid(p, source, out, &o, NULL, NULL));
    for (int row = 0; row < 3; row++)
        for (int col = 0; col < 4; col++) {
            char path[160];
            snprintf(path, sizeof path, "%s/p_files/0/%d_%d.png", dir, col, row);
            tproc_image *tile;
            tu_ok(ctx, tproc_load(ctx, path, NULL, &tile));
            ptrdiff_t x0 = col * 100 - (col ? 2 : 0), y0 = row * 100 - (row ? 2 : 0);
            ptrdiff_t x1 = (col + 1) * 100 + 2, y1 = (row + 1) * 100 + 2;
            x1 = x1 < 301 ? x1 : 301;
            y1 = y1 < 203 ? y1 : 203;
            tproc_view want, got = tproc_image_view(tile);
            tu_ok(ctx, tproc_view_sub(&v, x0, y0, x1 - x0, y1 - y0, &want));
            tu_assert_same(&got, &want, path);
            tproc_image_free(&tile);
        }
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    tproc_source_free(&source);
    tproc_pipeline_free(&p);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_pyramid(void)
{
    Suite *s = suite_create("pyramid");
    TCase *tc = tcase_create("pyramid");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, memory_does_not_grow_with_height);
    tcase_add_test(tc, limit_fails_before_output);
    tcase_add_test(tc, tiles_equal_the_image);
    suite_add_tcase(s, tc);
    return s;
}
