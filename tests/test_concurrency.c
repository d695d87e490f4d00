/* SPDX-License-Identifier: MIT */
/*
 * test_concurrency.c: many callers at once in one process. Threads, each with its own context
 * (and pipelines that start threads of their own), run chains, loads and saves on shared
 * read-only inputs and must give the bytes a lone run gives; filters registered on some threads
 * while others look filters up and run them; errors raised at the same moment on different
 * threads stay with their own call, in their own context and in the default context (whose
 * message is kept per thread), and a failure on a pipeline's own worker thread reaches the
 * default context's record on the calling thread. scripts/tsan.sh runs this suite under
 * ThreadSanitizer.
 *
 * Worker threads never call ck_assert (a failure there would end the process from the wrong
 * thread): they record the first problem, and the test asserts on it after joining them.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define THREADS 8

typedef struct worker {
    int index;
    pthread_t thread;
    char problem[512]; /* "" while all is well */
    int checks;        /* comparisons and message checks made: proves the work ran */
} worker;

static void problem(worker *w, const char *fmt, ...)
{
    if (w->problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->problem, sizeof w->problem, fmt, ap);
    va_end(ap);
}

static void join_all(worker *ws, int n, int min_checks)
{
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(pthread_join(ws[i].thread, NULL), 0);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(ws[i].problem[0] == '\0', "thread %d: %s", i, ws[i].problem);
        ck_assert_msg(ws[i].checks >= min_checks, "thread %d made only %d checks", i, ws[i].checks);
    }
}

static int same_bytes(const tproc_view *a, const tproc_view *b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels ||
        a->sample != b->sample)
        return 0;
    size_t px = tproc_view_pixel_size(a);
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++)
            if (memcmp(tproc_view_pixel(a, x, y), tproc_view_pixel(b, x, y), px) != 0)
                return 0;
    return 1;
}

/* Runs specs on in with the given tiling; NULL on failure (the context has the message). */
static tproc_image *run_chain(tproc_ctx *ctx, const tproc_view *in, const char *const *specs,
                              size_t n, ptrdiff_t tw, ptrdiff_t th, int threads, int *status)
{
    tproc_pipeline *p = NULL;
    tproc_image *out = NULL;
    *status = tproc_pipeline_new(ctx, &p);
    for (size_t i = 0; i < n && !*status; i++)
        *status = tproc_pipeline_add(p, specs[i]);
    if (!*status) {
        tproc_run_options o;
        tproc_run_options_init(&o);
        o.tile_width = tw;
        o.tile_height = th;
        o.threads = threads;
        *status = tproc_pipeline_run(p, in, &o, &out);
    }
    tproc_pipeline_free(&p);
    return out;
}

/* --- same bytes as a lone run ---------------------------------------------------------------- */

#define CHAINS 10
#define ROUNDS 3

static struct {
    tproc_image *photo;
    tproc_view input;
    char specs[CHAINS][3][512];
    size_t lengths[CHAINS];
    tproc_image *want[CHAINS];
    unsigned char *jpeg;
    size_t jpeg_size;
    tproc_image *jpeg_want;
    void *png_want;
    size_t png_want_size;
} shared;

static void *same_bytes_worker(void *arg)
{
    worker *w = arg;
    tproc_ctx *ctx = NULL;
    tproc_ctx_options co = {NULL, 256u << 20, 2};
    if (tproc_ctx_new(&co, &ctx)) {
        problem(w, "no context");
        return NULL;
    }
    static const ptrdiff_t tiles[][2] = {{0, 0}, {17, 9}, {64, 64}, {1, 40}, {200, 3}};
    for (int round = 0; round < ROUNDS && !w->problem[0]; round++)
        for (int k = 0; k < CHAINS && !w->problem[0]; k++) {
            int c = (k + w->index * 3) % CHAINS; /* each thread in its own order */
            const char *specs[3] = {shared.specs[c][0], shared.specs[c][1], shared.specs[c][2]};
            const ptrdiff_t *t = tiles[(size_t)(c + round + w->index) % 5];
            int status;
            tproc_image *out = run_chain(ctx, &shared.input, specs, shared.lengths[c], t[0], t[1],
                                         1 + (w->index + round) % 3, &status);
            if (status) {
                problem(w, "chain %d (%s): %s", c, specs[0], tproc_ctx_message(ctx));
            } else {
                tproc_view a = tproc_image_view(out), b = tproc_image_view(shared.want[c]);
                if (!same_bytes(&a, &b))
                    problem(w, "chain %d (%s ...) with tiles %tdx%td: bytes differ from a lone run",
                            c, specs[0], t[0], t[1]);
                w->checks++;
            }
            tproc_image_free(&out);
        }
    /* Decoding and encoding at the same time as everyone else. */
    for (int round = 0; round < 4 && !w->problem[0]; round++) {
        tproc_image *img = NULL;
        if (tproc_load_memory(ctx, shared.jpeg, shared.jpeg_size, NULL, &img)) {
            problem(w, "load: %s", tproc_ctx_message(ctx));
            break;
        }
        tproc_view a = tproc_image_view(img), b = tproc_image_view(shared.jpeg_want);
        if (!same_bytes(&a, &b))
            problem(w, "decoded JPEG differs from a lone decode");
        void *png = NULL;
        size_t size = 0;
        tproc_save_options so;
        tproc_save_options_init(&so);
        so.format = TPROC_FILE_PNG;
        if (tproc_save_memory(ctx, &a, &so, &png, &size))
            problem(w, "save: %s", tproc_ctx_message(ctx));
        else if (size != shared.png_want_size || memcmp(png, shared.png_want, size) != 0)
            problem(w, "encoded PNG differs from a lone encode");
        w->checks++;
        tproc_free(ctx, png);
        tproc_image_free(&img);
    }
    if (tproc_ctx_memory_in_use(ctx) != 0)
        problem(w, "%zu bytes still in use", tproc_ctx_memory_in_use(ctx));
    tproc_ctx_free(&ctx);
    return NULL;
}

START_TEST(pipelines_on_many_threads_give_the_lone_bytes)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rocket.jpg", TPROC_TEST_SAMPLES);
    tu_ok(NULL, tproc_load(NULL, path, NULL, &shared.photo));
    tproc_view all = tproc_image_view(shared.photo);
    tu_ok(NULL, tproc_view_sub(&all, 200, 100, 160, 120, &shared.input));
    tu_rng rng;
    tu_rng_seed(&rng, 31337);
    size_t count = tproc_filter_count();
    for (int c = 0; c < CHAINS; c++) {
        tproc_format fmt = {shared.input.width, shared.input.height, 3, TPROC_U8};
        shared.lengths[c] = (size_t)tu_rng_range(&rng, 1, 3);
        const char *specs[3];
        for (size_t k = 0; k < shared.lengths[c]; k++) {
            const tproc_filter *f =
                tproc_filter_at((size_t)tu_rng_range(&rng, 0, (ptrdiff_t)count - 1));
            tu_random_spec(&rng, f, &fmt, shared.specs[c][k], 512);
            specs[k] = shared.specs[c][k];
            tproc_pipeline *p;
            tu_ok(NULL, tproc_pipeline_new(NULL, &p));
            tu_ok(NULL, tproc_pipeline_add(p, specs[k]));
            tu_ok(NULL, tproc_pipeline_output_format(p, &fmt, &fmt));
            tproc_pipeline_free(&p);
        }
        /* The lone run: one thread, default tiles, before anything else runs. */
        shared.want[c] = tu_run(NULL, &shared.input, specs, shared.lengths[c], 0, 0, 1,
                                TPROC_BORDER_REFLECT_101);
    }
    shared.jpeg = tu_read_file(tu_data("jpeg/testorig.jpg"), &shared.jpeg_size);
    ck_assert_ptr_nonnull(shared.jpeg);
    tu_ok(NULL, tproc_load_memory(NULL, shared.jpeg, shared.jpeg_size, NULL, &shared.jpeg_want));
    tproc_save_options so;
    tproc_save_options_init(&so);
    so.format = TPROC_FILE_PNG;
    tproc_view jv = tproc_image_view(shared.jpeg_want);
    tu_ok(NULL, tproc_save_memory(NULL, &jv, &so, &shared.png_want, &shared.png_want_size));

    worker ws[THREADS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < THREADS; i++) {
        ws[i].index = i;
        ck_assert_int_eq(pthread_create(&ws[i].thread, NULL, same_bytes_worker, &ws[i]), 0);
    }
    join_all(ws, THREADS, CHAINS * ROUNDS + 4);

    for (int c = 0; c < CHAINS; c++)
        tproc_image_free(&shared.want[c]);
    tproc_free(NULL, shared.png_want);
    tproc_image_free(&shared.jpeg_want);
    free(shared.jpeg);
    tproc_image_free(&shared.photo);
}
END_TEST

/* --- a shared registry -------------------------------------------------------------------------
 */

static void invert_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)
{
    const unsigned char *src = in;
    unsigned char *dst = out;
    size_t n = (size_t)width * (size_t)stage->in.channels;
    for (size_t i = 0; i < n; i++)
        dst[i] = (unsigned char)(255 - src[i]);
}

static int u8_only(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* a refusal without a message is enough here */
    return stage->in.sample == TPROC_U8 ? TPROC_OK : TPROC_ERR_UNSUPPORTED;
}

#define CC_FILTER(n)                                                                               \
    {                                                                                              \
        .abi = TPROC_FILTER_ABI, .name = "cc_invert" #n, .summary = "test: invert u8",             \
        .prepare = u8_only, .process_row = invert_row                                              \
    }
static const tproc_filter cc_filters[THREADS] = {CC_FILTER(0), CC_FILTER(1), CC_FILTER(2),
                                                 CC_FILTER(3), CC_FILTER(4), CC_FILTER(5),
                                                 CC_FILTER(6), CC_FILTER(7)};

static void *registry_worker(void *arg)
{
    worker *w = arg;
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(NULL, &ctx)) {
        problem(w, "no context");
        return NULL;
    }
    const tproc_filter *mine = &cc_filters[w->index];
    if (tproc_filter_register(ctx, mine)) {
        problem(w, "register %s: %s", mine->name, tproc_ctx_message(ctx));
    } else {
        /* A second registration of the same name fails, naming it. */
        if (tproc_filter_register(ctx, mine) != TPROC_ERR_ARG ||
            !strstr(tproc_ctx_message(ctx), mine->name))
            problem(w, "double registration of %s: %s", mine->name, tproc_ctx_message(ctx));
        w->checks++;
    }
    tproc_image *img = NULL;
    if (tproc_image_new(ctx, 37, 23, 3, TPROC_U8, &img)) {
        problem(w, "image: %s", tproc_ctx_message(ctx));
        tproc_ctx_free(&ctx);
        return NULL;
    }
    tproc_view in = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < in.height; y++)
        for (ptrdiff_t x = 0; x < in.width; x++) {
            unsigned char *p = tproc_view_pixel(&in, x, y);
            p[0] = (unsigned char)(x * 5 + w->index);
            p[1] = (unsigned char)(y * 7);
            p[2] = (unsigned char)(x ^ y);
        }
    for (int round = 0; round < 30 && !w->problem[0]; round++) {
        /* Every filter another thread has registered by now works here too. */
        char a[32], b[32];
        snprintf(a, sizeof a, "cc_invert%d", w->index);
        snprintf(b, sizeof b, "cc_invert%d", (w->index + round) % THREADS);
        const char *specs[] = {a, "gaussian:sigma=0.8", b};
        if (!tproc_filter_find(b))
            continue; /* not registered yet */
        int status;
        tproc_image *out = run_chain(ctx, &in, specs, 3, 8, 8, 2, &status);
        if (status) {
            problem(w, "%s | %s: %s", a, b, tproc_ctx_message(ctx));
        } else {
            const char *only[] = {"invert", "gaussian:sigma=0.8", "invert"};
            tproc_image *ref = run_chain(ctx, &in, only, 3, 0, 0, 1, &status);
            tproc_view ov = tproc_image_view(out), rv = tproc_image_view(ref);
            if (status || !same_bytes(&ov, &rv))
                problem(w, "%s | gaussian | %s differs from invert | gaussian | invert", a, b);
            tproc_image_free(&ref);
            w->checks++;
        }
        tproc_image_free(&out);
        /* Walk the whole list while others add to it. */
        size_t n = tproc_filter_count();
        for (size_t i = 0; i < n; i++)
            if (!tproc_filter_at(i))
                problem(w, "filter %zu of %zu is NULL", i, n);
    }
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
    return NULL;
}

START_TEST(filters_registered_while_others_run)
{
    worker ws[THREADS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < THREADS; i++) {
        ws[i].index = i;
        ck_assert_int_eq(pthread_create(&ws[i].thread, NULL, registry_worker, &ws[i]), 0);
    }
    join_all(ws, THREADS, 2);
    for (int i = 0; i < THREADS; i++)
        ck_assert_ptr_eq(tproc_filter_find(cc_filters[i].name), &cc_filters[i]);
}
END_TEST

/* --- errors stay with their own call --------------------------------------------------------- */

static char error_dir[64];
static pthread_barrier_t barrier;

/*
 * Fails in four ways per round, all threads at the same moment, and checks that the message in
 * the context names this thread's own file or value. ctx NULL: the default context.
 */
static void fail_and_check(worker *w, tproc_ctx *ctx, int round)
{
    char path[256], want[64];
    tproc_image *img = NULL;
    tproc_info info;

    /* A missing file with this thread's and round's name. */
    snprintf(path, sizeof path, "%s/missing-t%d-r%d.png", error_dir, w->index, round);
    pthread_barrier_wait(&barrier);
    int status = tproc_load(ctx, path, NULL, &img);
    if (status != TPROC_ERR_IO || !strstr(tproc_ctx_message(ctx), path) ||
        tproc_ctx_status(ctx) != TPROC_ERR_IO)
        problem(w, "missing file: status %d, message '%s', expected it to name %s", status,
                tproc_ctx_message(ctx), path);
    w->checks++;

    /* This thread's own text file named .png. */
    snprintf(path, sizeof path, "%s/text-t%d.png", error_dir, w->index);
    pthread_barrier_wait(&barrier);
    status = tproc_info_read(ctx, path, &info);
    if (status != TPROC_ERR_FORMAT || !strstr(tproc_ctx_message(ctx), path))
        problem(w, "text file: status %d, message '%s', expected it to name %s", status,
                tproc_ctx_message(ctx), path);
    w->checks++;

    /* A parameter out of range whose value is this thread's own. */
    char spec[64];
    snprintf(spec, sizeof spec, "gaussian:sigma=%d", 2000 + w->index * 100 + round);
    snprintf(want, sizeof want, "got %d", 2000 + w->index * 100 + round);
    tproc_pipeline *p = NULL;
    pthread_barrier_wait(&barrier);
    status = tproc_pipeline_new(ctx, &p);
    if (!status)
        status = tproc_pipeline_add(p, spec);
    if (status != TPROC_ERR_PARAM || !strstr(tproc_ctx_message(ctx), want) ||
        !strstr(tproc_ctx_message(ctx), "gaussian"))
        problem(w, "%s: status %d, message '%s'", spec, status, tproc_ctx_message(ctx));
    w->checks++;

    /* A run that fails inside the engine: a crop larger than this thread's own image. */
    tproc_image *small = NULL;
    ptrdiff_t side = 10 + w->index;
    snprintf(spec, sizeof spec, "crop:x=0,y=0,width=%d,height=1", 500 + w->index);
    tproc_pipeline_free(&p);
    int ready = !tproc_image_new(ctx, side, side, 1, TPROC_U8, &small) &&
                !tproc_pipeline_new(ctx, &p) && !tproc_pipeline_add(p, spec);
    if (!ready)
        problem(w, "setup: %s", tproc_ctx_message(ctx));
    snprintf(want, sizeof want, "%d", 500 + w->index);
    pthread_barrier_wait(&barrier);
    if (ready) {
        tproc_view v = tproc_image_view(small);
        tproc_image *out = NULL;
        status = tproc_pipeline_run(p, &v, NULL, &out);
        if (status == TPROC_OK || !strstr(tproc_ctx_message(ctx), "crop") ||
            !strstr(tproc_ctx_message(ctx), want))
            problem(w, "%s on %tdx%td: status %d, message '%s'", spec, side, side, status,
                    tproc_ctx_message(ctx));
        w->checks++;
        tproc_image_free(&out);
    }
    tproc_pipeline_free(&p);
    tproc_image_free(&small);
}

static int use_default_ctx;

static void *error_worker(void *arg)
{
    worker *w = arg;
    tproc_ctx *ctx = NULL;
    if (!use_default_ctx && tproc_ctx_new(NULL, &ctx))
        problem(w, "no context");
    for (int round = 0; round < 25; round++)
        fail_and_check(w, ctx, round);
    /* A success after the failures leaves this thread's failure alone in the default context
     * and clears nothing elsewhere. */
    tproc_ctx_clear_error(ctx);
    if (tproc_ctx_status(ctx) != TPROC_OK || tproc_ctx_message(ctx)[0] != '\0')
        problem(w, "clear_error left '%s'", tproc_ctx_message(ctx));
    tproc_ctx_free(&ctx);
    return NULL;
}

static void run_error_threads(int default_ctx)
{
    snprintf(error_dir, sizeof error_dir, "/tmp/tileproc-concurrency-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(error_dir));
    char path[256];
    for (int i = 0; i < THREADS; i++) {
        snprintf(path, sizeof path, "%s/text-t%d.png", error_dir, i);
        FILE *fp = fopen(path, "w");
        ck_assert_ptr_nonnull(fp);
        fprintf(fp, "thread %d is not an image\n", i);
        fclose(fp);
    }
    use_default_ctx = default_ctx;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, THREADS), 0);
    worker ws[THREADS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < THREADS; i++) {
        ws[i].index = i;
        ck_assert_int_eq(pthread_create(&ws[i].thread, NULL, error_worker, &ws[i]), 0);
    }
    join_all(ws, THREADS, 25 * 4);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < THREADS; i++) {
        snprintf(path, sizeof path, "%s/text-t%d.png", error_dir, i);
        unlink(path);
    }
    rmdir(error_dir);
}

/* A filter that copies on the test's thread and fails on every other: its failures happen on
 * the executor's workers only. */
static pthread_t test_thread;
static int failed_elsewhere;

static int fail_elsewhere_process(const tproc_call *call)
{
    if (pthread_equal(pthread_self(), test_thread))
        return tproc_view_copy(NULL, &call->in, &call->out);
    __atomic_store_n(&failed_elsewhere, 1, __ATOMIC_RELAXED);
    return TPROC_ERR_IO;
}

static const tproc_filter fail_elsewhere = {
    .abi = TPROC_FILTER_ABI,
    .name = "tu_fail_elsewhere",
    .summary = "test: fails on any thread but the test's",
    .process = fail_elsewhere_process,
};

/* The default context keeps its record per thread: a tile that fails on a worker is still
 * reported on the calling thread, naming the filter. */
START_TEST(worker_failures_reach_the_default_context)
{
    test_thread = pthread_self();
    if (!tproc_filter_find("tu_fail_elsewhere"))
        ck_assert_int_eq(tproc_filter_register(NULL, &fail_elsewhere), TPROC_OK);
    tproc_image *img = tu_random_image(NULL, 64, 4096, 3, TPROC_U8, 5);
    tproc_view v = tproc_image_view(img);
    const char *chain[] = {"tu_fail_elsewhere"};
    tproc_pipeline *p = tu_chain(NULL, chain, 1);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.threads = 4;
    o.tile_height = 16; /* 256 tiles: the workers take some */
    tproc_image *out = NULL;
    tproc_ctx_clear_error(NULL);
    int status = tproc_pipeline_run(p, &v, &o, &out);
    ck_assert_int_eq(__atomic_load_n(&failed_elsewhere, __ATOMIC_RELAXED), 1);
    ck_assert_int_eq(status, TPROC_ERR_IO);
    ck_assert_msg(strstr(tproc_ctx_message(NULL), "tu_fail_elsewhere") != NULL,
                  "the worker's failure was not told: '%s'", tproc_ctx_message(NULL));
    ck_assert_ptr_null(out);
    tproc_pipeline_free(&p);
    tproc_image_free(&img);
}
END_TEST

START_TEST(errors_stay_with_their_own_context)
{
    run_error_threads(0);
}
END_TEST

START_TEST(the_default_context_keeps_messages_per_thread)
{
    /* The main thread's own error must survive the workers' errors. */
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(NULL, "/nonexistent/main-thread.png", NULL, &img), TPROC_ERR_IO);
    run_error_threads(1);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(NULL), "/nonexistent/main-thread.png"));
    ck_assert_int_eq(tproc_ctx_status(NULL), TPROC_ERR_IO);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(NULL), 0);
}
END_TEST

/* One context per thread, each under a small limit: limit errors name each its own limit. */
static void *limit_worker(void *arg)
{
    worker *w = arg;
    size_t limit = (size_t)(64 + 16 * w->index) << 10;
    tproc_ctx_options co = {NULL, limit, 2};
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(&co, &ctx)) {
        problem(w, "no context");
        return NULL;
    }
    char want[32];
    snprintf(want, sizeof want, "%zu KiB", limit >> 10);
    for (int round = 0; round < 20 && !w->problem[0]; round++) {
        tproc_image *img = NULL;
        int status = tproc_image_new(ctx, 400, 400, 4, TPROC_F32, &img);
        if (status != TPROC_ERR_LIMIT || !strstr(tproc_ctx_message(ctx), want))
            problem(w, "limit %s: status %d, message '%s'", want, status, tproc_ctx_message(ctx));
        w->checks++;
        /* And something that fits, so the count moves while others fail. */
        status = tproc_image_new(ctx, 20, 20, 4, TPROC_F32, &img);
        if (status)
            problem(w, "small image under %s: %s", want, tproc_ctx_message(ctx));
        tproc_image_free(&img);
    }
    if (tproc_ctx_memory_in_use(ctx) != 0 || tproc_ctx_memory_peak(ctx) > limit)
        problem(w, "in use %zu, peak %zu, limit %zu", tproc_ctx_memory_in_use(ctx),
                tproc_ctx_memory_peak(ctx), limit);
    tproc_ctx_free(&ctx);
    return NULL;
}

START_TEST(limit_errors_name_their_own_limit)
{
    worker ws[THREADS];
    memset(ws, 0, sizeof ws);
    for (int i = 0; i < THREADS; i++) {
        ws[i].index = i;
        ck_assert_int_eq(pthread_create(&ws[i].thread, NULL, limit_worker, &ws[i]), 0);
    }
    join_all(ws, THREADS, 20);
}
END_TEST

Suite *suite_concurrency(void)
{
    Suite *s = suite_create("concurrency");
    TCase *tc = tcase_create("concurrency");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, pipelines_on_many_threads_give_the_lone_bytes);
    tcase_add_test(tc, filters_registered_while_others_run);
    tcase_add_test(tc, errors_stay_with_their_own_context);
    tcase_add_test(tc, the_default_context_keeps_messages_per_thread);
    tcase_add_test(tc, limit_errors_name_their_own_limit);
    tcase_add_test(tc, worker_failures_reach_the_default_context);
    suite_add_tcase(s, tc);
    return s;
}
