/* SPDX-License-Identifier: MIT */
/*
 * test_image.c: images (allocation, alignment, wrapping caller memory, metadata, views of the
 * buffer) and contexts (memory limit and accounting, custom allocators, allocation failure,
 * per-context and per-thread error messages, status text).
 */
#include "testutil.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tproc_sample all_samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};

static ptrdiff_t ssize(tproc_sample s)
{
    return s == TPROC_U8 ? 1 : s == TPROC_U16 ? 2 : 4;
}

static tproc_ctx *new_ctx(const tproc_ctx_options *o)
{
    tproc_ctx *ctx = NULL;
    int st = tproc_ctx_new(o, &ctx);
    ck_assert_msg(st == TPROC_OK, "tproc_ctx_new: %s", tproc_status_name(st));
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

/* --- tproc_image_new ----------------------------------------------------------------------- */

static const ptrdiff_t new_sizes[][2] = {{1, 1},   {3, 2},   {64, 1}, {65, 3},
                                         {100, 7}, {1, 100}, {17, 17}};

START_TEST(image_new_layout)
{
    ptrdiff_t w = new_sizes[_i][0], h = new_sizes[_i][1];
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options o = {&alloc, 0, 1};
    tproc_ctx *ctx = new_ctx(&o);
    size_t in_use0 = tproc_ctx_memory_in_use(ctx);
    for (int ch = 1; ch <= 4; ch++)
        for (int s = 0; s < 3; s++) {
            tproc_sample sample = all_samples[s];
            tproc_image *img = NULL;
            tu_ok(ctx, tproc_image_new(ctx, w, h, ch, sample, &img));
            ck_assert_ptr_nonnull(img);
            ck_assert_int_eq(tproc_image_width(img), w);
            ck_assert_int_eq(tproc_image_height(img), h);
            ck_assert_int_eq(tproc_image_channels(img), ch);
            ck_assert_int_eq(tproc_image_sample(img), sample);
            ck_assert_ptr_eq(tproc_image_ctx(img), ctx);
            ck_assert_int_eq(tproc_image_orientation(img), 1);
            tproc_view v = tproc_image_view(img);
            ptrdiff_t px = ch * ssize(sample);
            ck_assert_int_eq(v.width, w);
            ck_assert_int_eq(v.height, h);
            ck_assert_int_eq(v.channels, ch);
            ck_assert_int_eq(v.sample, sample);
            ck_assert_int_eq(v.pixel_stride, px);
            ck_assert_msg(v.row_stride >= w * px && v.row_stride % TPROC_ROW_ALIGN == 0,
                          "%tdx%td %d ch %s: row_stride %td", w, h, ch, tproc_sample_name(sample),
                          v.row_stride);
            ck_assert_msg(v.row_stride < w * px + TPROC_ROW_ALIGN,
                          "row_stride %td wastes more than the alignment", v.row_stride);
            ck_assert_msg((uintptr_t)v.data % TPROC_ROW_ALIGN == 0, "data %p not aligned",
                          (void *)v.data);
            ck_assert_uint_eq(v.flags, 0);
            ck_assert_int_eq(tproc_view_validate(&v), TPROC_OK);
            size_t nonzero = 0;
            for (ptrdiff_t y = 0; y < h; y++)
                for (ptrdiff_t i = 0; i < w * px; i++)
                    nonzero += tproc_view_pixel(&v, 0, y)[i] != 0;
            ck_assert_uint_eq(nonzero, 0);
            /* the rows are writable all the way (ASan checks the extent) */
            for (ptrdiff_t y = 0; y < h; y++)
                memset(tproc_view_pixel(&v, 0, y), 0xAB, (size_t)(w * px));
            ck_assert_uint_ge(tproc_ctx_memory_in_use(ctx), (size_t)(h * v.row_stride));
            ck_assert_uint_ge(tproc_ctx_memory_peak(ctx), (size_t)(h * v.row_stride));
            ck_assert_uint_ge(counter.live, (size_t)(h * v.row_stride));
            tproc_image_free(&img);
            ck_assert_ptr_null(img);
            ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), in_use0);
        }
    ck_assert_uint_eq(in_use0, 0);
    tproc_ctx_free(&ctx);
    ck_assert_ptr_null(ctx);
    ck_assert_uint_eq(counter.live, 0);
    ck_assert_uint_gt(counter.calls, 0);
}
END_TEST

static const struct bad_new {
    ptrdiff_t w, h;
    int channels, sample;
    int kind; /* 0: ERR_ARG; 1: ERR_OVERFLOW or ERR_LIMIT */
} bad_new[] = {
    {4, 4, 0, TPROC_U8, 0},
    {4, 4, 5, TPROC_U8, 0},
    {4, 4, -1, TPROC_U8, 0},
    {0, 4, 1, TPROC_U8, 0},
    {4, 0, 1, TPROC_U8, 0},
    {-4, 4, 1, TPROC_U8, 0},
    {4, -4, 1, TPROC_U8, 0},
    {4, 4, 1, 0, 0},
    {4, 4, 1, 4, 0},
    {PTRDIFF_MAX, 2, 1, TPROC_U8, 1},
    {2, PTRDIFF_MAX, 1, TPROC_U8, 1},
    {PTRDIFF_MAX, PTRDIFF_MAX, 4, TPROC_F32, 1},
    {PTRDIFF_MAX / 16 + 1, 1, 4, TPROC_F32, 1},
    {(ptrdiff_t)1 << 31, (ptrdiff_t)1 << 31, 4, TPROC_U16, 1},
    {(ptrdiff_t)1 << 20, (ptrdiff_t)1 << 20, 1, TPROC_U8, 1},
    {PTRDIFF_MAX - 10, 1, 1, TPROC_U8, 1}, /* aligning the row up overflows */
};

START_TEST(image_new_refusals)
{
    const struct bad_new *c = &bad_new[_i];
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    /* no limit, so overflow must be caught on its own; the 1 TiB image meets the default */
    tproc_ctx_options o = {&alloc, SIZE_MAX, 1};
    if (c->w == (ptrdiff_t)1 << 20)
        o.memory_limit = 0;
    tproc_ctx *ctx = new_ctx(&o);
    size_t peak0 = counter.peak;
    tproc_image *img = (tproc_image *)(void *)&counter; /* must be reset to NULL */
    int st = tproc_image_new(ctx, c->w, c->h, c->channels, (tproc_sample)c->sample, &img);
    if (c->kind == 0)
        ck_assert_msg(st == TPROC_ERR_ARG, "%tdx%td ch %d sample %d: %s", c->w, c->h, c->channels,
                      c->sample, tproc_status_name(st));
    else
        ck_assert_msg(st == TPROC_ERR_OVERFLOW || st == TPROC_ERR_LIMIT, "%tdx%td ch %d: %s", c->w,
                      c->h, c->channels, tproc_status_name(st));
    ck_assert_ptr_null(img);
    ck_assert_int_eq(tproc_ctx_status(ctx), st);
    ck_assert_msg(strlen(tproc_ctx_message(ctx)) > 0, "no message for %s", tproc_status_name(st));
    /* nothing big was allocated on the way to the refusal */
    ck_assert_msg(counter.peak - peak0 < (1u << 20), "allocated %zu bytes before refusing",
                  counter.peak - peak0);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
}
END_TEST

/* --- Memory limit and accounting ----------------------------------------------------------- */

START_TEST(memory_limit)
{
    tproc_ctx_options o = {NULL, 1u << 20, 1};
    tproc_ctx *ctx = new_ctx(&o);
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), 1u << 20);
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_image_new(ctx, 1024, 1024, 4, TPROC_U8, &img), TPROC_ERR_LIMIT);
    ck_assert_ptr_null(img);
    ck_assert_int_eq(tproc_ctx_status(ctx), TPROC_ERR_LIMIT);
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(strstr(msg, "limit") != NULL, "message does not mention the limit: %s", msg);
    ck_assert_msg(strstr(msg, "1048576") || strstr(msg, "1 MiB") || strstr(msg, "1.0 MiB") ||
                      strstr(msg, "1.00 MiB") || strstr(msg, "1024 KiB"),
                  "message does not name the limit of 1 MiB: %s", msg);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);

    /* fill up to the limit with small images, then one more fails; freeing makes room */
    tproc_image *imgs[200];
    int n = 0, st = TPROC_OK;
    while (n < 200 && (st = tproc_image_new(ctx, 100, 100, 1, TPROC_U8, &imgs[n])) == TPROC_OK)
        n++;
    ck_assert_msg(n > 10 && n < 200, "%d images of 100x100 under 1 MiB", n);
    ck_assert_int_eq(st, TPROC_ERR_LIMIT);
    ck_assert_uint_le(tproc_ctx_memory_in_use(ctx), 1u << 20);
    ck_assert_uint_le(tproc_ctx_memory_peak(ctx), 1u << 20);
    ck_assert_uint_ge(tproc_ctx_memory_in_use(ctx), (size_t)n * 100 * 100);
    tproc_image_free(&imgs[n - 1]);
    tu_ok(ctx, tproc_image_new(ctx, 100, 100, 1, TPROC_U8, &imgs[n - 1]));
    for (int i = 0; i < n; i++)
        tproc_image_free(&imgs[i]);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);

    /* raising the limit lets the big image through */
    tproc_ctx_set_memory_limit(ctx, 8u << 20);
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), 8u << 20);
    tu_ok(ctx, tproc_image_new(ctx, 1024, 1024, 4, TPROC_U8, &img));
    tproc_image_free(&img);
    tproc_ctx_set_memory_limit(ctx, 0);
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), TPROC_DEFAULT_MEMORY_LIMIT);
    tproc_ctx_set_memory_limit(ctx, SIZE_MAX);
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), SIZE_MAX);
    tproc_ctx_free(&ctx);

    /* options of 0 mean the default */
    ctx = new_ctx(NULL);
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), TPROC_DEFAULT_MEMORY_LIMIT);
    ck_assert_int_ge(tproc_ctx_threads(ctx), 1);
    ck_assert_int_le(tproc_ctx_threads(ctx), 256);
    tproc_ctx_set_threads(ctx, 3);
    ck_assert_int_eq(tproc_ctx_threads(ctx), 3);
    tproc_ctx_free(&ctx);
    tproc_ctx_free(&ctx); /* NULL: no-op */
}
END_TEST

START_TEST(tproc_malloc_accounting)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options o = {&alloc, 4096, 1};
    tproc_ctx *ctx = new_ctx(&o);
    void *a = tproc_malloc(ctx, 1000);
    ck_assert_ptr_nonnull(a);
    memset(a, 1, 1000);
    ck_assert_uint_ge(tproc_ctx_memory_in_use(ctx), 1000);
    void *b = tproc_malloc(ctx, 4000);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(tproc_ctx_status(ctx), TPROC_ERR_LIMIT);
    tproc_ctx_clear_error(ctx);
    ck_assert_int_eq(tproc_ctx_status(ctx), TPROC_OK);
    ck_assert_str_eq(tproc_ctx_message(ctx), "");
    tproc_free(ctx, a);
    tproc_free(ctx, NULL);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    b = tproc_malloc(ctx, 4000);
    ck_assert_ptr_nonnull(b);
    tproc_free(ctx, b);
    ck_assert_uint_ge(tproc_ctx_memory_peak(ctx), 4000);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
}
END_TEST

/* Everything the library allocates through a custom allocator comes back to it. */
static void release_count(void *user, void *data)
{
    (void)data;
    (*(int *)user)++;
}

START_TEST(counting_allocator_sees_everything)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options o = {&alloc, 0, 2};
    tproc_ctx *ctx = new_ctx(&o);
    tproc_image *a = tu_random_image(ctx, 37, 21, 3, TPROC_U16, 1);
    tproc_view av = tproc_image_view(a), fl;
    ck_assert_int_eq(tproc_view_rotate(&av, 90, &fl), TPROC_OK);
    tproc_image *b = NULL, *c = NULL;
    tu_ok(ctx, tproc_image_from_view(ctx, &fl, &b));
    unsigned char raw[64];
    tproc_view rv;
    ck_assert_int_eq(tproc_view_init(&rv, raw, 4, 4, 4, TPROC_U8, 0, 0), TPROC_OK);
    int released = 0;
    tu_ok(ctx, tproc_image_wrap(ctx, &rv, release_count, &released, &c));
    tu_ok(ctx, tproc_image_set_icc(a, "icc profile bytes", 17));
    tu_ok(ctx, tproc_image_set_exif(b, "MM\0*", 4));
    tproc_image *big = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 300, 300, 4, TPROC_F32, &big));
    tproc_view bigv = tproc_image_view(big);
    tu_ok(ctx, tproc_view_copy(ctx, &bigv, &bigv)); /* overlapping: may need scratch */
    tproc_tiles_options to;
    memset(&to, 0, sizeof to);
    to.tile_width = to.tile_height = 16;
    to.halo.left = to.halo.top = to.halo.right = to.halo.bottom = 3;
    tproc_tiles *tiles = NULL;
    tu_ok(ctx, tproc_tiles_new(ctx, &av, &to, &tiles));
    tproc_tile tile;
    while (tproc_tiles_next(tiles, &tile) == 1)
        ;
    ck_assert_uint_gt(counter.live, 0);
    ck_assert_uint_gt(tproc_ctx_memory_in_use(ctx), 0);
    tproc_tiles_free(&tiles);
    tproc_image_free(&a);
    tproc_image_free(&b);
    tproc_image_free(&c);
    tproc_image_free(&big);
    ck_assert_int_eq(released, 1);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
    ck_assert_uint_ge(counter.peak, (size_t)300 * 300 * 16);
}
END_TEST

/* An allocator that fails on its n-th call: every operation fails cleanly and leaks nothing. */
typedef struct failing {
    long fail_at, calls;
    size_t live;
    int failed;
} failing;

static void *failing_malloc(void *user, size_t size)
{
    failing *f = user;
    if (f->calls++ == f->fail_at) {
        f->failed = 1;
        return NULL;
    }
    void *p = malloc(size);
    if (p)
        f->live += size;
    return p;
}

static void failing_free(void *user, void *ptr, size_t size)
{
    failing *f = user;
    if (ptr)
        f->live -= size;
    free(ptr);
}

static void expect_ok_or_nomem(int st, const char *what, long fail_at)
{
    ck_assert_msg(st == TPROC_OK || st == TPROC_ERR_NOMEM, "%s with allocation %ld failing: %s",
                  what, fail_at, tproc_status_name(st));
}

START_TEST(allocation_failures)
{
    int completed = 0;
    for (long fail_at = 0; fail_at < 60 && !completed; fail_at++) {
        failing f = {fail_at, 0, 0, 0};
        tproc_allocator alloc = {failing_malloc, failing_free, &f};
        tproc_ctx_options o = {&alloc, 0, 1};
        tproc_ctx *ctx = NULL;
        int st = tproc_ctx_new(&o, &ctx);
        expect_ok_or_nomem(st, "tproc_ctx_new", fail_at);
        if (st != TPROC_OK) {
            ck_assert_ptr_null(ctx);
            ck_assert_uint_eq(f.live, 0);
            continue;
        }
        tproc_image *a = NULL, *b = NULL;
        st = tproc_image_new(ctx, 40, 30, 3, TPROC_U8, &a);
        expect_ok_or_nomem(st, "tproc_image_new", fail_at);
        if (st == TPROC_OK) {
            expect_ok_or_nomem(tproc_image_set_icc(a, "0123456789", 10), "set_icc", fail_at);
            expect_ok_or_nomem(tproc_image_set_exif(a, "II*\0", 4), "set_exif", fail_at);
            tproc_view v = tproc_image_view(a), t;
            ck_assert_int_eq(tproc_view_transpose(&v, &t), TPROC_OK);
            st = tproc_image_from_view(ctx, &t, &b);
            expect_ok_or_nomem(st, "tproc_image_from_view", fail_at);
            if (st != TPROC_OK)
                ck_assert_ptr_null(b);
            tproc_tiles_options to;
            memset(&to, 0, sizeof to);
            to.tile_width = to.tile_height = 8;
            to.halo.left = 2;
            to.border = TPROC_BORDER_REFLECT;
            tproc_tiles *tiles = NULL;
            st = tproc_tiles_new(ctx, &v, &to, &tiles);
            expect_ok_or_nomem(st, "tproc_tiles_new", fail_at);
            if (st == TPROC_OK) {
                tproc_tile tile;
                while ((st = tproc_tiles_next(tiles, &tile)) == 1)
                    ;
                expect_ok_or_nomem(st, "tproc_tiles_next", fail_at);
            } else {
                ck_assert_ptr_null(tiles);
            }
            tproc_tiles_free(&tiles);
            ck_assert_int_eq(tproc_view_flip_h(&v, &t), TPROC_OK);
            expect_ok_or_nomem(tproc_view_copy(ctx, &v, &t), "overlapping tproc_view_copy",
                               fail_at);
        } else {
            ck_assert_ptr_null(a);
        }
        tproc_image_free(&a);
        tproc_image_free(&b);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
        tproc_ctx_free(&ctx);
        ck_assert_msg(f.live == 0, "allocation %ld failing: %zu bytes leaked", fail_at, f.live);
        completed = !f.failed;
    }
    ck_assert_msg(completed, "more than 60 allocations for a handful of calls");
}
END_TEST

/* --- Wrapping caller memory ---------------------------------------------------------------- */

typedef struct release_log {
    int calls;
    void *user, *data;
} release_log;

static void release_logged(void *user, void *data)
{
    release_log *log = user;
    log->calls++;
    log->user = user;
    log->data = data;
}

START_TEST(image_wrap)
{
    tproc_ctx *ctx = new_ctx(NULL);
    uint16_t *buf = calloc(10 * 6 * 3, 2);
    tproc_view v, t;
    ck_assert_int_eq(tproc_view_init(&v, buf, 10, 6, 3, TPROC_U16, 0, 0), TPROC_OK);
    /* wrap a flipped, padded-looking view: any strides are allowed */
    ck_assert_int_eq(tproc_view_flip_v(&v, &t), TPROC_OK);
    release_log log = {0, NULL, NULL};
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_wrap(ctx, &t, release_logged, &log, &img));
    tproc_view iv = tproc_image_view(img);
    ck_assert_ptr_eq(iv.data, t.data);
    ck_assert_int_eq(iv.width, 10);
    ck_assert_int_eq(iv.height, 6);
    ck_assert_int_eq(iv.channels, 3);
    ck_assert_int_eq(iv.sample, TPROC_U16);
    ck_assert_int_eq(iv.pixel_stride, t.pixel_stride);
    ck_assert_int_eq(iv.row_stride, t.row_stride);
    ck_assert_int_eq(tproc_image_width(img), 10);
    ck_assert_int_eq(tproc_image_height(img), 6);
    /* nothing copied: writes through the image land in the caller's buffer */
    *(uint16_t *)(void *)tproc_view_pixel(&iv, 0, 0) = 4321;
    ck_assert_int_eq(buf[5 * 10 * 3], 4321);
    ck_assert_int_eq(log.calls, 0);
    tproc_image_free(&img);
    ck_assert_ptr_null(img);
    ck_assert_int_eq(log.calls, 1);
    ck_assert_ptr_eq(log.user, &log);
    ck_assert_ptr_eq(log.data, t.data);
    tproc_image_free(&img);
    ck_assert_int_eq(log.calls, 1);

    /* no release function */
    tu_ok(ctx, tproc_image_wrap(ctx, &v, NULL, NULL, &img));
    ck_assert_ptr_eq(tproc_image_view(img).data, (unsigned char *)buf);
    tproc_image_free(&img);

    /* a bad view is refused; the caller keeps ownership, so release is not called */
    tproc_view bad = v;
    bad.channels = 7;
    img = (tproc_image *)(void *)buf;
    ck_assert_int_eq(tproc_image_wrap(ctx, &bad, release_logged, &log, &img), TPROC_ERR_ARG);
    ck_assert_ptr_null(img);
    ck_assert_int_eq(log.calls, 1);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    free(buf);
}
END_TEST

/* --- Views of an image, metadata ----------------------------------------------------------- */

START_TEST(image_set_view)
{
    tproc_ctx *ctx = new_ctx(NULL);
    tproc_image *img = tu_random_image(ctx, 9, 5, 2, TPROC_U8, 3);
    tproc_view v = tproc_image_view(img), t, s;
    for (int e = 1; e <= 8; e++) {
        ck_assert_int_eq(tproc_view_orient(&v, e, &t), TPROC_OK);
        tu_ok(ctx, tproc_image_set_view(img, &t));
        tproc_view got = tproc_image_view(img);
        ck_assert_msg(memcmp(&got, &t, sizeof t) == 0 ||
                          (got.data == t.data && got.width == t.width && got.height == t.height &&
                           got.pixel_stride == t.pixel_stride && got.row_stride == t.row_stride &&
                           got.channels == t.channels),
                      "orientation %d: the image's view is not the one set", e);
        ck_assert_int_eq(tproc_image_width(img), t.width);
        ck_assert_int_eq(tproc_image_height(img), t.height);
        tu_ok(ctx, tproc_image_set_view(img, &v));
    }
    /* a sub-view and a channel are transforms that stay inside the buffer */
    ck_assert_int_eq(tproc_view_sub(&v, 2, 1, 3, 3, &s), TPROC_OK);
    ck_assert_int_eq(tproc_view_channels(&s, 1, 1, &t), TPROC_OK);
    tu_ok(ctx, tproc_image_set_view(img, &t));
    ck_assert_int_eq(tproc_image_channels(img), 1);
    ck_assert_int_eq(tproc_image_width(img), 3);
    tu_ok(ctx, tproc_image_set_view(img, &v));

    /* views reaching outside the buffer are refused and change nothing */
    tproc_view outside[5];
    for (int k = 0; k < 5; k++)
        outside[k] = v;
    outside[0].data -= 1;
    outside[1].width += 1000;
    outside[2].height += 1;
    outside[3].data += v.row_stride * 5;
    outside[4].row_stride = -v.row_stride; /* rows going up from the first row */
    for (int k = 0; k < 5; k++) {
        int st = tproc_image_set_view(img, &outside[k]);
        ck_assert_msg(st == TPROC_ERR_RANGE || st == TPROC_ERR_ARG, "case %d: %s", k,
                      tproc_status_name(st));
        tproc_view got = tproc_image_view(img);
        ck_assert_ptr_eq(got.data, v.data);
        ck_assert_int_eq(got.width, v.width);
        ck_assert_int_eq(got.height, v.height);
    }

    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(image_metadata)
{
    tproc_ctx *ctx = new_ctx(NULL);
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 2, 2, 1, TPROC_U8, &img));
    size_t size = 123;
    ck_assert_ptr_null(tproc_image_icc(img, &size));
    ck_assert_uint_eq(size, 0);
    size = 123;
    ck_assert_ptr_null(tproc_image_exif(img, &size));
    ck_assert_uint_eq(size, 0);
    ck_assert_int_eq(tproc_image_orientation(img), 1);
    for (int e = 1; e <= 8; e++) {
        tproc_image_set_orientation(img, e);
        ck_assert_int_eq(tproc_image_orientation(img), e);
    }
    /* setting orientation records it only; the view is unchanged */
    ck_assert_int_eq(tproc_image_width(img), 2);

    size_t big = 100000;
    unsigned char *blob = malloc(big);
    for (size_t i = 0; i < big; i++)
        blob[i] = (unsigned char)(i * 7 + 1);
    tu_ok(ctx, tproc_image_set_icc(img, blob, big));
    tu_ok(ctx, tproc_image_set_exif(img, blob + 1, 1));
    blob[0] ^= 0xFF; /* the image keeps its own copy */
    blob[1] ^= 0xFF;
    const unsigned char *icc = tproc_image_icc(img, &size);
    ck_assert_uint_eq(size, big);
    ck_assert_ptr_ne(icc, blob);
    ck_assert_int_eq(icc[0], 1);
    ck_assert_int_eq(icc[big - 1], (unsigned char)((big - 1) * 7 + 1));
    const unsigned char *exif = tproc_image_exif(img, &size);
    ck_assert_uint_eq(size, 1);
    ck_assert_int_eq(exif[0], 8);
    /* replace */
    tu_ok(ctx, tproc_image_set_icc(img, "abc", 3));
    icc = tproc_image_icc(img, &size);
    ck_assert_uint_eq(size, 3);
    ck_assert_mem_eq(icc, "abc", 3);
    /* remove: NULL or size 0 */
    tu_ok(ctx, tproc_image_set_icc(img, NULL, 3));
    ck_assert_ptr_null(tproc_image_icc(img, &size));
    ck_assert_uint_eq(size, 0);
    tu_ok(ctx, tproc_image_set_exif(img, "x", 0));
    ck_assert_ptr_null(tproc_image_exif(img, &size));
    ck_assert_uint_eq(size, 0);
    /* a size the limit cannot hold is refused */
    tproc_ctx_set_memory_limit(ctx, 1u << 20);
    ck_assert_int_eq(tproc_image_set_exif(img, blob, SIZE_MAX / 2), TPROC_ERR_LIMIT);
    ck_assert_ptr_null(tproc_image_exif(img, &size));
    free(blob);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(image_free_null)
{
    tproc_image *img = NULL;
    tproc_image_free(&img);
    ck_assert_ptr_null(img);
    tproc_image_free(NULL);
    tproc_ctx_free(NULL);
    tproc_tiles_free(NULL);
}
END_TEST

/* --- Error messages ------------------------------------------------------------------------ */

START_TEST(context_messages_independent)
{
    tproc_ctx *a = new_ctx(NULL), *b = new_ctx(NULL);
    ck_assert_str_eq(tproc_ctx_message(a), "");
    ck_assert_int_eq(tproc_ctx_status(a), TPROC_OK);
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_image_new(a, 4, 4, 7, TPROC_U8, &img), TPROC_ERR_ARG);
    char msg_a[512];
    snprintf(msg_a, sizeof msg_a, "%s", tproc_ctx_message(a));
    ck_assert_msg(strlen(msg_a) > 0, "no message in a");
    ck_assert_str_eq(tproc_ctx_message(b), "");
    int st = tproc_image_new(b, PTRDIFF_MAX, PTRDIFF_MAX, 4, TPROC_F32, &img);
    ck_assert(st == TPROC_ERR_OVERFLOW || st == TPROC_ERR_LIMIT);
    ck_assert_msg(strlen(tproc_ctx_message(b)) > 0, "no message in b");
    ck_assert_msg(strcmp(tproc_ctx_message(b), msg_a) != 0, "a and b have the same message: %s",
                  msg_a);
    /* a's message and status survive b's failure */
    ck_assert_str_eq(tproc_ctx_message(a), msg_a);
    ck_assert_int_eq(tproc_ctx_status(a), TPROC_ERR_ARG);
    ck_assert_int_eq(tproc_ctx_status(b), st);
    /* and a failure in the default context touches neither */
    ck_assert_int_ne(tproc_image_new(NULL, 0, 0, 1, TPROC_U8, &img), TPROC_OK);
    ck_assert_str_eq(tproc_ctx_message(a), msg_a);
    tproc_ctx_clear_error(a);
    ck_assert_str_eq(tproc_ctx_message(a), "");
    ck_assert_int_eq(tproc_ctx_status(a), TPROC_OK);
    ck_assert_int_eq(tproc_ctx_status(b), st);
    tproc_ctx_free(&a);
    tproc_ctx_free(&b);
}
END_TEST

typedef struct thread_case {
    int which;
    pthread_barrier_t *barrier;
    int status, status_after;
    char msg[512], msg_after[512];
} thread_case;

static void *fail_in_thread(void *arg)
{
    thread_case *t = arg;
    tproc_image *img = NULL;
    /* thread 0 fails first; thread 1 fails after it, before thread 0 reads its message again */
    if (t->which == 1)
        pthread_barrier_wait(t->barrier);
    t->status = t->which == 0 ? tproc_image_new(NULL, 4, 4, 7, TPROC_U8, &img)
                              : tproc_image_new(NULL, PTRDIFF_MAX, PTRDIFF_MAX, 4, TPROC_F32, &img);
    snprintf(t->msg, sizeof t->msg, "%s", tproc_ctx_message(NULL));
    if (t->which == 0)
        pthread_barrier_wait(t->barrier);
    pthread_barrier_wait(t->barrier);
    t->status_after = tproc_ctx_status(NULL);
    snprintf(t->msg_after, sizeof t->msg_after, "%s", tproc_ctx_message(NULL));
    return NULL;
}

START_TEST(default_context_per_thread)
{
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    thread_case cases[2];
    pthread_t threads[2];
    for (int k = 0; k < 2; k++) {
        memset(&cases[k], 0, sizeof cases[k]);
        cases[k].which = k;
        cases[k].barrier = &barrier;
        ck_assert_int_eq(pthread_create(&threads[k], NULL, fail_in_thread, &cases[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        pthread_join(threads[k], NULL);
    pthread_barrier_destroy(&barrier);
    ck_assert_int_eq(cases[0].status, TPROC_ERR_ARG);
    ck_assert(cases[1].status == TPROC_ERR_OVERFLOW || cases[1].status == TPROC_ERR_LIMIT);
    for (int k = 0; k < 2; k++) {
        ck_assert_msg(strlen(cases[k].msg) > 0, "thread %d: no message", k);
        ck_assert_msg(strcmp(cases[k].msg, cases[k].msg_after) == 0,
                      "thread %d: message changed from \"%s\" to \"%s\"", k, cases[k].msg,
                      cases[k].msg_after);
        ck_assert_int_eq(cases[k].status_after, cases[k].status);
    }
    ck_assert_str_ne(cases[0].msg, cases[1].msg);
    /* this thread made no failing call */
    ck_assert_str_eq(tproc_ctx_message(NULL), "");
    ck_assert_int_eq(tproc_ctx_status(NULL), TPROC_OK);
}
END_TEST

START_TEST(status_text)
{
#define NAME_CASE(name, value, text)                                                               \
    ck_assert_str_eq(tproc_strerror(value), text);                                                 \
    ck_assert_str_eq(tproc_status_name(value), #name);
    TPROC_STATUS_LIST(NAME_CASE)
#undef NAME_CASE
    static const int unknown[] = {1, 2, -16, -100, 1000, INT_MAX, INT_MIN};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        const char *s = tproc_strerror(unknown[k]), *n = tproc_status_name(unknown[k]);
        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(n);
        ck_assert_uint_gt(strlen(s), 0);
        ck_assert_uint_gt(strlen(n), 0);
    }
    ck_assert_uint_eq(tproc_sample_size(TPROC_U8), 1);
    ck_assert_uint_eq(tproc_sample_size(TPROC_U16), 2);
    ck_assert_uint_eq(tproc_sample_size(TPROC_F32), 4);
    ck_assert_uint_eq(tproc_sample_size((tproc_sample)0), 0);
    ck_assert_str_eq(tproc_sample_name(TPROC_U16), "u16");
    ck_assert_str_eq(tproc_sample_name((tproc_sample)9), "?");
    ck_assert_str_eq(tproc_version(), TPROC_VERSION_STRING);
}
END_TEST

Suite *suite_image(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    tcase_add_loop_test(tc, image_new_layout, 0, (int)(sizeof new_sizes / sizeof new_sizes[0]));
    tcase_add_loop_test(tc, image_new_refusals, 0, (int)(sizeof bad_new / sizeof bad_new[0]));
    tcase_add_test(tc, image_wrap);
    tcase_add_test(tc, image_set_view);
    tcase_add_test(tc, image_metadata);
    tcase_add_test(tc, image_free_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("context");
    tcase_add_test(tc, memory_limit);
    tcase_add_test(tc, tproc_malloc_accounting);
    tcase_add_test(tc, counting_allocator_sees_everything);
    tcase_add_test(tc, allocation_failures);
    tcase_add_test(tc, context_messages_independent);
    tcase_add_test(tc, default_context_per_thread);
    tcase_add_test(tc, status_text);
    suite_add_tcase(s, tc);
    return s;
}
