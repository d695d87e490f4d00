/* SPDX-License-Identifier: MIT */
/*
 * test_write_behind.c: a streamed run's strips encoded behind the executor on a thread of
 * their own (src/write_behind.c). The file is the same bytes as tproc_save of the in-memory
 * run, in every format, whatever the thread count (1: written as they come) and strip height,
 * from a view or a file, through a chain or none (rows decoded straight into the strips);
 * under a sweep of memory limits a run gives those bytes or fails leaving no file (the limit
 * that leaves no room for the second strip writes as it goes); a write that fails on the
 * writer's thread is reported on the caller's, naming the file, with the default context
 * (whose messages are per thread) and an explicit one, leaving no file; a source that fails
 * while strips are being written behind stops the run cleanly; and a callback sink is still
 * called on the thread running the stream.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "testutil.h"

static const char *const formats[] = {"png", "jpg", "tif", "webp"};
enum { FORMATS = sizeof formats / sizeof formats[0], WIDTH = 301, HEIGHT = 517 };

static const char *const chain[] = {"gaussian:sigma=1.5"};

static char dir[64];

static const char *path_in_dir(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void dir_open(void)
{
    snprintf(dir, sizeof dir, "/tmp/tileproc-wb-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* A smooth image with some noise: every encoder has real work, and PNG rows differ. */
static tproc_image *test_image(void)
{
    tu_rng rng;
    tu_rng_seed(&rng, 42);
    tproc_image *img;
    tu_ok(NULL, tproc_image_new(NULL, WIDTH, HEIGHT, 3, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < HEIGHT; y++)
        for (ptrdiff_t x = 0; x < WIDTH; x++)
            for (int c = 0; c < 3; c++)
                tproc_view_pixel(&v, x, y)[c] =
                    (unsigned char)((x * (c + 1) + y * 2 + (int)(tu_rng_next(&rng) % 16)) & 255);
    return img;
}

/* The bytes tproc_save writes for the chain's in-memory result (links: 1, or 0 for none). */
static unsigned char *expected_bytes(const tproc_view *in, size_t links, const char *format,
                                     size_t *size)
{
    tproc_image *want = tu_run(NULL, in, chain, links, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    char name[32];
    snprintf(name, sizeof name, "want.%s", format);
    const char *path = path_in_dir(name);
    tproc_view wv = tproc_image_view(want);
    tu_ok(NULL, tproc_save(NULL, &wv, path, NULL));
    unsigned char *bytes = tu_read_file(path, size);
    unlink(path);
    tproc_image_free(&want);
    return bytes;
}

/* Streams the chain (links: 1, or 0 for none) from view in, or from the file from_file when
 * not NULL, to path with the given threads and strip height. */
static int stream_to(tproc_ctx *ctx, const tproc_view *in, const char *from_file, size_t links,
                     const char *path, int threads, ptrdiff_t strip)
{
    tproc_source *source;
    tproc_sink *sink;
    if (from_file)
        tu_ok(ctx, tproc_source_open(ctx, from_file, NULL, &source));
    else
        tu_ok(ctx, tproc_source_new_view(ctx, in, &source));
    int status = tproc_sink_open(ctx, path, NULL, &sink);
    if (status) {
        tproc_source_free(&source);
        return status;
    }
    tproc_pipeline *p = tu_chain(ctx, chain, links);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.threads = threads;
    o.tile_height = strip;
    status = tproc_pipeline_stream(p, source, sink, &o, NULL);
    tproc_pipeline_free(&p);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
    return status;
}

static void assert_file_is(const char *path, const unsigned char *want, size_t want_size,
                           const char *what)
{
    size_t size;
    unsigned char *got = tu_read_file(path, &size);
    ck_assert_msg(got != NULL, "%s: no file", what);
    ck_assert_msg(size == want_size && memcmp(got, want, size) == 0,
                  "%s: %zu bytes differ from tproc_save's %zu", what, size, want_size);
    free(got);
}

/* From a view through the chain, and from a PNG file with and without the chain (with none,
 * the rows are decoded straight into the strips the writer takes: stream.c's direct band). */
START_TEST(same_bytes_behind_or_not)
{
    const char *format = formats[_i];
    dir_open();
    tproc_image *img = test_image();
    tproc_view in = tproc_image_view(img);
    char png[128];
    snprintf(png, sizeof png, "%s", path_in_dir("in.png"));
    tu_ok(NULL, tproc_save(NULL, &in, png, NULL));
    char name[32];
    snprintf(name, sizeof name, "out.%s", format);
    const ptrdiff_t strips[] = {3, 64, HEIGHT};
    for (int from = 0; from < 3; from++) {
        const char *file = from ? png : NULL;
        size_t links = from == 2 ? 0 : 1, want_size;
        unsigned char *want = expected_bytes(&in, links, format, &want_size);
        for (int threads = 1; threads <= 3; threads++)
            for (size_t s = 0; s < sizeof strips / sizeof strips[0]; s++) {
                char what[128];
                snprintf(what, sizeof what, "%s from %s%s, %d threads, strips of %td", format,
                         file ? "a file" : "a view", links ? "" : " (no chain)", threads,
                         strips[s]);
                tu_ok(NULL,
                      stream_to(NULL, &in, file, links, path_in_dir(name), threads, strips[s]));
                assert_file_is(path_in_dir(name), want, want_size, what);
                unlink(path_in_dir(name));
            }
        free(want);
    }
    unlink(png);
    tproc_image_free(&img);
    ck_assert_int_eq(tu_files_in(dir), 0);
    rmdir(dir);
}
END_TEST

/* Limits from nothing to plenty: each run gives tproc_save's bytes or fails before leaving a
 * file; somewhere in between the second strip no longer fits and strips are written as they
 * come, with the same bytes. */
START_TEST(memory_limits_give_the_bytes_or_no_file)
{
    const char *format = formats[_i];
    dir_open();
    tproc_image *img = test_image();
    tproc_view in = tproc_image_view(img);
    size_t want_size;
    unsigned char *want = expected_bytes(&in, 1, format, &want_size);
    char name[32];
    snprintf(name, sizeof name, "out.%s", format);
    int passed = 0, failed = 0;
    for (size_t limit = 64 << 10; limit <= (size_t)3 << 20; limit += 96 << 10) {
        tproc_ctx_options co = {.memory_limit = limit, .threads = 2};
        tproc_ctx *ctx;
        tu_ok(NULL, tproc_ctx_new(&co, &ctx));
        int status = stream_to(ctx, &in, NULL, 1, path_in_dir(name), 2, 64);
        if (status == TPROC_OK) {
            char what[64];
            snprintf(what, sizeof what, "%s under %zu bytes", format, limit);
            assert_file_is(path_in_dir(name), want, want_size, what);
            unlink(path_in_dir(name));
            passed++;
        } else {
            ck_assert_msg(status == TPROC_ERR_LIMIT, "%s under %zu: %s", format, limit,
                          tproc_ctx_message(ctx));
            ck_assert_int_eq(tu_files_in(dir), 0);
            failed++;
        }
        tproc_ctx_free(&ctx);
    }
    ck_assert_msg(passed > 0 && failed > 0, "%s: %d passed, %d failed: no sweep", format, passed,
                  failed);
    free(want);
    tproc_image_free(&img);
    rmdir(dir);
}
END_TEST

/* Uncompressed TIFF strips: bytes reach the file as strips arrive, so a small RLIMIT_FSIZE
 * makes a write on the writer's thread fail mid-run. */
START_TEST(write_failure_reported_on_the_callers_thread)
{
    dir_open();
    tproc_image *img = test_image();
    tproc_view in = tproc_image_view(img);
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
    for (int explicit_ctx = 0; explicit_ctx <= 1; explicit_ctx++) {
        tproc_ctx *ctx = NULL;
        if (explicit_ctx)
            tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
        tproc_ctx_clear_error(ctx);
        tproc_source *source;
        tproc_sink *sink;
        tu_ok(ctx, tproc_source_new_view(ctx, &in, &source));
        tproc_save_options so;
        tproc_save_options_init(&so);
        so.tiff_compression = TPROC_TIFF_NONE;
        tu_ok(ctx, tproc_sink_open(ctx, path_in_dir("out.tif"), &so, &sink));
        tproc_pipeline *p = tu_chain(ctx, chain, 1);
        tproc_run_options o;
        tproc_run_options_init(&o);
        o.threads = 2;
        o.tile_height = 16;
        small = old;
        small.rlim_cur = 20000;
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
        int status = tproc_pipeline_stream(p, source, sink, &o, NULL);
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
        ck_assert_msg(status == TPROC_ERR_IO, "%s", tproc_ctx_message(ctx));
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "out.tif") != NULL,
                      "the message does not name the file: '%s'", tproc_ctx_message(ctx));
        tproc_pipeline_free(&p);
        tproc_sink_free(&sink);
        tproc_source_free(&source);
        ck_assert_int_eq(tu_files_in(dir), 0);
        tproc_ctx_free(&ctx);
    }
    signal(SIGXFSZ, previous);
    tproc_image_free(&img);
    rmdir(dir);
}
END_TEST

/* A callback source that fails at row fail_at. */
typedef struct failing {
    const tproc_view *view;
    ptrdiff_t fail_at;
} failing;

static int failing_rows(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    failing *f = user;
    if (y + count > f->fail_at)
        return TPROC_ERR_IO;
    tproc_view part;
    tproc_view_sub(f->view, 0, y, f->view->width, count, &part);
    return tproc_view_copy(NULL, &part, rows);
}

START_TEST(source_failure_while_writing_behind)
{
    dir_open();
    tproc_image *img = test_image();
    tproc_view in = tproc_image_view(img);
    const ptrdiff_t fail_at[] = {1, 40, 300, HEIGHT - 1};
    for (size_t i = 0; i < sizeof fail_at / sizeof fail_at[0]; i++) {
        failing f = {&in, fail_at[i]};
        tproc_format fmt = {WIDTH, HEIGHT, 3, TPROC_U8};
        tproc_source *source;
        tproc_sink *sink;
        tu_ok(NULL, tproc_source_new_callback(NULL, &fmt, failing_rows, &f, &source));
        tu_ok(NULL, tproc_sink_open(NULL, path_in_dir("out.png"), NULL, &sink));
        tproc_pipeline *p = tu_chain(NULL, chain, 1);
        tproc_run_options o;
        tproc_run_options_init(&o);
        o.threads = 2;
        o.tile_height = 8;
        ck_assert_int_eq(tproc_pipeline_stream(p, source, sink, &o, NULL), TPROC_ERR_IO);
        tproc_pipeline_free(&p);
        tproc_sink_free(&sink);
        tproc_source_free(&source);
        ck_assert_int_eq(tu_files_in(dir), 0);
    }
    tproc_image_free(&img);
    rmdir(dir);
}
END_TEST

/* A callback sink runs caller code: it is called on the thread running the stream. */
typedef struct on_thread {
    pthread_t caller;
    int elsewhere;
    ptrdiff_t rows;
} on_thread;

static int note_thread(void *user, ptrdiff_t y, const tproc_view *rows)
{
    on_thread *t = user;
    (void)y;
    t->elsewhere |= !pthread_equal(pthread_self(), t->caller);
    t->rows += rows->height;
    return TPROC_OK;
}

START_TEST(callback_sinks_run_on_the_callers_thread)
{
    tproc_image *img = test_image();
    tproc_view in = tproc_image_view(img);
    on_thread t = {pthread_self(), 0, 0};
    tproc_source *source;
    tproc_sink *sink;
    tu_ok(NULL, tproc_source_new_view(NULL, &in, &source));
    tu_ok(NULL, tproc_sink_new_callback(NULL, note_thread, &t, &sink));
    tproc_pipeline *p = tu_chain(NULL, chain, 1);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.threads = 3;
    o.tile_height = 16;
    tu_ok(NULL, tproc_pipeline_stream(p, source, sink, &o, NULL));
    ck_assert_int_eq(t.rows, HEIGHT);
    ck_assert_msg(!t.elsewhere, "a callback sink was called on another thread");
    tproc_pipeline_free(&p);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
    tproc_image_free(&img);
}
END_TEST

Suite *suite_write_behind(void)
{
    Suite *s = suite_create("write_behind");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, same_bytes_behind_or_not, 0, FORMATS);
    tcase_add_loop_test(tc, memory_limits_give_the_bytes_or_no_file, 0, FORMATS);
    tcase_add_test(tc, write_failure_reported_on_the_callers_thread);
    tcase_add_test(tc, source_failure_while_writing_behind);
    tcase_add_test(tc, callback_sinks_run_on_the_callers_thread);
    suite_add_tcase(s, tc);
    return s;
}
