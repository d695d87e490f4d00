/* SPDX-License-Identifier: MIT */
/*
 * test_pipeline.c: the pipeline API around the engine: building chains, output formats,
 * run_into checks, progress, cancellation, memory accounting, and several pipelines running at
 * once in one process giving the same bytes as run alone.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

START_TEST(empty_pipeline_copies)
{
    tproc_image *src = tu_random_image(NULL, 33, 21, 4, TPROC_U16, 1);
    tproc_view sv = tproc_image_view(src);
    tproc_image *out = tu_run(NULL, &sv, NULL, 0, 8, 8, 2, TPROC_BORDER_WRAP);
    tproc_view ov = tproc_image_view(out);
    tu_assert_same(&ov, &sv, "identity");
    ck_assert_ptr_ne(ov.data, sv.data);
    tproc_image_free(&out);
    tproc_image_free(&src);
}
END_TEST

START_TEST(output_format_and_run_into_checks)
{
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, "rotate:angle=90"));
    tu_ok(NULL, tproc_pipeline_add(p, "crop:x=1,y=2,width=5,height=6"));
    tproc_format in = {20, 10, 3, TPROC_U8}, out;
    tu_ok(NULL, tproc_pipeline_output_format(p, &in, &out));
    ck_assert_int_eq(out.width, 5);
    ck_assert_int_eq(out.height, 6);
    ck_assert_int_eq(out.channels, 3);

    tproc_image *src = tu_random_image(NULL, 20, 10, 3, TPROC_U8, 2), *dst, *wrong;
    tu_ok(NULL, tproc_image_new(NULL, 5, 6, 3, TPROC_U8, &dst));
    tu_ok(NULL, tproc_image_new(NULL, 6, 5, 3, TPROC_U8, &wrong));
    tproc_view sv = tproc_image_view(src), dv = tproc_image_view(dst), wv = tproc_image_view(wrong);
    tu_ok(NULL, tproc_pipeline_run_into(p, &sv, &dv, NULL));
    ck_assert_int_eq(tproc_pipeline_run_into(p, &sv, &wv, NULL), TPROC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "6x5"));
    ck_assert_int_eq(tproc_pipeline_run_into(p, &sv, &sv, NULL), TPROC_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "overlaps"));
    tproc_view ro = dv;
    ro.flags |= TPROC_VIEW_READONLY;
    ck_assert_int_eq(tproc_pipeline_run_into(p, &sv, &ro, NULL), TPROC_ERR_READONLY);
    tproc_run_options bad;
    tproc_run_options_init(&bad);
    bad.tile_width = -4;
    ck_assert_int_eq(tproc_pipeline_run_into(p, &sv, &dv, &bad), TPROC_ERR_ARG);
    tproc_image_free(&wrong);
    tproc_image_free(&dst);
    tproc_image_free(&src);
    tproc_pipeline_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

typedef struct progress_log {
    atomic_size_t calls;
    atomic_size_t last_total;
    atomic_size_t max_done;
    int *cancel;
    size_t cancel_after;
} progress_log;

static void on_progress(void *user, size_t done, size_t total)
{
    progress_log *log = user;
    atomic_fetch_add(&log->calls, 1);
    atomic_store(&log->last_total, total);
    size_t prev = atomic_load(&log->max_done);
    while (done > prev && !atomic_compare_exchange_weak(&log->max_done, &prev, done)) {
    }
    if (log->cancel && done >= log->cancel_after)
        __atomic_store_n(log->cancel, 1, __ATOMIC_RELAXED);
}

START_TEST(progress_counts_every_tile)
{
    tu_shift_filter();
    tproc_image *src = tu_random_image(NULL, 100, 50, 1, TPROC_U8, 3), *out = NULL;
    tproc_view sv = tproc_image_view(src);
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, "tu_shift:left=1,dx=-1"));
    progress_log log = {0};
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = 10;
    o.tile_height = 10;
    o.threads = 3;
    o.progress = on_progress;
    o.progress_user = &log;
    tu_ok(NULL, tproc_pipeline_run(p, &sv, &o, &out));
    ck_assert_uint_eq(atomic_load(&log.calls), 50);
    ck_assert_uint_eq(atomic_load(&log.last_total), 50);
    ck_assert_uint_eq(atomic_load(&log.max_done), 50);
    tproc_image_free(&out);
    tproc_image_free(&src);
    tproc_pipeline_free(&p);
}
END_TEST

START_TEST(cancel_stops_and_frees)
{
    tu_shift_filter();
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = tu_random_image(ctx, 200, 200, 3, TPROC_U8, 4), *out = NULL;
    size_t before = tproc_ctx_memory_in_use(ctx);
    tproc_view sv = tproc_image_view(src);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, "tu_shift:left=2,top=2,dx=-2,dy=-1"));
    int cancel = 0;
    progress_log log = {0};
    log.cancel = &cancel;
    log.cancel_after = 5;
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = 8;
    o.tile_height = 8;
    o.threads = _i + 1;
    o.progress = on_progress;
    o.progress_user = &log;
    o.cancel = &cancel;
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, &o, &out), TPROC_ERR_CANCELLED);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "cancelled"));
    ck_assert_uint_lt(atomic_load(&log.max_done), 625); /* 625 tiles: stopped well before */
    tproc_pipeline_free(&p);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), before);
    /* A flag already set stops before any tile. */
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, "tu_shift"));
    o.progress = NULL;
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, &o, &out), TPROC_ERR_CANCELLED);
    tproc_pipeline_free(&p);
    tproc_image_free(&src);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(memory_limit_covers_output_and_buffers)
{
    tu_shift_filter();
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = tu_random_image(ctx, 300, 300, 3, TPROC_U8, 5), *out = NULL;
    tproc_view sv = tproc_image_view(src);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, "tu_shift:left=1"));
    /* The output alone (300 * 320 * 3 bytes with aligned rows) no longer fits. */
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + 200000);
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "memory limit"));
    ck_assert_ptr_null(out);
    tproc_ctx_set_memory_limit(ctx, 0);
    tu_ok(ctx, tproc_pipeline_run(p, &sv, NULL, &out));
    tproc_image_free(&out);
    tproc_pipeline_free(&p);
    tproc_image_free(&src);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(pixel_limit_stops_blowing_up_a_small_image)
{
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    ck_assert(tproc_ctx_pixel_limit(ctx) == TPROC_DEFAULT_PIXEL_LIMIT);
    tproc_image *src = tu_random_image(ctx, 8, 8, 3, TPROC_U8, 9), *out = NULL;
    tproc_view sv = tproc_image_view(src);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, "resize:width=1000000,height=1000000,kernel=nearest"));
    /* Refused from the plan: nothing allocated, nothing computed, whether streamed or not. */
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "pixel limit"));
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "1000000x1000000"));
    tproc_source *source;
    tproc_sink *sink;
    tu_ok(ctx, tproc_source_new_view(ctx, &sv, &source));
    tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
    ck_assert_int_eq(tproc_pipeline_stream(p, source, sink, NULL, NULL), TPROC_ERR_LIMIT);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
    /* The limit applies to every stage, and can be moved. */
    tproc_pipeline_free(&p);
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, "resize:scale=10"));
    tu_ok(ctx, tproc_pipeline_add(p, "crop:x=0,y=0,width=8,height=8"));
    tproc_ctx_set_pixel_limit(ctx, 63);
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_LIMIT); /* the input */
    tproc_ctx_set_pixel_limit(ctx, 64 * 99);
    ck_assert_int_eq(tproc_pipeline_run(p, &sv, NULL, &out), TPROC_ERR_LIMIT); /* 80x80 */
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "resize"));
    tproc_ctx_set_pixel_limit(ctx, 6400);
    tu_ok(ctx, tproc_pipeline_run(p, &sv, NULL, &out));
    tproc_image_free(&out);
    tproc_pipeline_free(&p);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Several pipelines on several threads at once, each with its own context. */
typedef struct job {
    const tproc_view *src;
    const char *spec;
    tproc_image *out;
    int status;
    char message[256];
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    tproc_ctx *ctx;
    tproc_ctx_new(NULL, &ctx);
    tproc_pipeline *p;
    tproc_pipeline_new(ctx, &p);
    j->status = tproc_pipeline_add(p, j->spec);
    if (!j->status) {
        tproc_run_options o;
        tproc_run_options_init(&o);
        o.tile_width = 16;
        o.tile_height = 16;
        o.threads = 2;
        j->status = tproc_pipeline_run(p, j->src, &o, &j->out);
    }
    snprintf(j->message, sizeof j->message, "%s", tproc_ctx_message(ctx));
    tproc_pipeline_free(&p);
    /* The image belongs to ctx: copy it into the default context before freeing ctx. */
    if (j->out) {
        tproc_image *copy;
        tproc_view v = tproc_image_view(j->out);
        tproc_image_from_view(NULL, &v, &copy);
        tproc_image_free(&j->out);
        j->out = copy;
    }
    tproc_ctx_free(&ctx);
    return NULL;
}

START_TEST(concurrent_pipelines_keep_their_bytes_and_errors)
{
    tu_shift_filter();
    tproc_image *src = tu_random_image(NULL, 120, 90, 3, TPROC_U8, 6);
    tproc_view sv = tproc_image_view(src);
    const char *specs[] = {"tu_shift:left=3,dx=-3", "rotate:angle=90", "tu_shift:bottom=2,dy=2",
                           "crop:x=500,y=0,width=1,height=1", "tu_shift:dx=5"};
    enum { N = 5 };
    job jobs[N];
    pthread_t threads[N];
    for (int i = 0; i < N; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].src = &sv;
        jobs[i].spec = specs[i];
        pthread_create(&threads[i], NULL, run_job, &jobs[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < N; i++) {
        if (i == 3) {
            ck_assert_int_eq(jobs[i].status, TPROC_ERR_PARAM);
            ck_assert_ptr_nonnull(strstr(jobs[i].message, "crop"));
            continue;
        }
        if (i == 4) {
            ck_assert_int_eq(jobs[i].status, TPROC_ERR_PARAM); /* dx outside the halo */
            continue;
        }
        ck_assert_int_eq(jobs[i].status, TPROC_OK);
        const char *chain[] = {specs[i]};
        tproc_image *alone = tu_run(NULL, &sv, chain, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
        tproc_view a = tproc_image_view(alone), b = tproc_image_view(jobs[i].out);
        tu_assert_same(&a, &b, specs[i]);
        tproc_image_free(&alone);
        tproc_image_free(&jobs[i].out);
    }
    tproc_image_free(&src);
}
END_TEST

Suite *suite_pipeline(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("pipeline");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, empty_pipeline_copies);
    tcase_add_test(tc, output_format_and_run_into_checks);
    tcase_add_test(tc, progress_counts_every_tile);
    tcase_add_loop_test(tc, cancel_stops_and_frees, 0, 3);
    tcase_add_test(tc, memory_limit_covers_output_and_buffers);
    tcase_add_test(tc, pixel_limit_stops_blowing_up_a_small_image);
    tcase_add_test(tc, concurrent_pipelines_keep_their_bytes_and_errors);
    suite_add_tcase(s, tc);
    return s;
}
