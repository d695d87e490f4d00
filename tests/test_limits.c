/* SPDX-License-Identifier: MIT */
/*
 * test_limits.c: the memory limit holds. Every load, chain, save and streamed run here goes
 * through a context whose allocator counts every byte (tu_counting_allocator) and whose limit
 * is set from a ladder of sizes; whatever happens, the allocator's peak must stay within the
 * limit, a failure must be TPROC_ERR_LIMIT with a message naming the limit, and a run that
 * succeeds must give the same bytes as an unlimited one.
 *
 * What this cannot see: libpng's and libjpeg's own allocations do not go through the context's
 * allocator. libpng holds about two rows (plus zlib's window and, for text and profile chunks,
 * at most its chunk_malloc_max of 8 MB); libjpeg's working memory is capped with
 * max_memory_to_use at what the limit leaves, and a request past it fails as ERR_LIMIT too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* A context with a counting allocator and a limit. */
typedef struct limited {
    tu_counter counter;
    tproc_allocator alloc;
    tproc_ctx *ctx;
    size_t limit, own; /* own: the context's own block, allocated before the limit applies */
} limited;

static void limited_open(limited *l, size_t limit, int threads)
{
    memset(l, 0, sizeof *l);
    l->alloc = tu_counting_allocator(&l->counter);
    l->limit = limit;
    tproc_ctx_options o = {&l->alloc, limit, threads};
    ck_assert_int_eq(tproc_ctx_new(&o, &l->ctx), TPROC_OK);
    l->own = l->counter.live;
}

/* The allocator never held more than the limit (beyond the context itself). */
static void limited_check_peak(const limited *l, const char *label)
{
    ck_assert_msg(l->counter.peak <= l->limit + l->own,
                  "%s: the allocator's peak %zu is over the limit %zu", label,
                  l->counter.peak - l->own, l->limit);
}

static void limited_close(limited *l, const char *label)
{
    ck_assert_msg(tproc_ctx_memory_in_use(l->ctx) == 0, "%s: %zu bytes still in use", label,
                  tproc_ctx_memory_in_use(l->ctx));
    limited_check_peak(l, label);
    tproc_ctx_free(&l->ctx);
    ck_assert_uint_eq(l->counter.live, 0);
}

/* Whether two views hold the same bytes (one assertion per image: Check's are costly). */
static int same_bytes(const tproc_view *a, const tproc_view *b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels ||
        a->sample != b->sample)
        return 0;
    size_t row = (size_t)a->width * tproc_view_pixel_size(a);
    for (ptrdiff_t y = 0; y < a->height; y++)
        if (a->pixel_stride == (ptrdiff_t)tproc_view_pixel_size(a) &&
            b->pixel_stride == a->pixel_stride) {
            if (memcmp(tproc_view_pixel(a, 0, y), tproc_view_pixel(b, 0, y), row) != 0)
                return 0;
        } else {
            for (ptrdiff_t x = 0; x < a->width; x++)
                if (memcmp(tproc_view_pixel(a, x, y), tproc_view_pixel(b, x, y),
                           tproc_view_pixel_size(a)) != 0)
                    return 0;
        }
    return 1;
}

/* A message names the limit: in bytes, or in binary (KiB, MiB) or decimal (KB, MB) units. */
static int names_limit(const char *msg, size_t limit)
{
    char forms[5][64];
    static const char *binary[] = {"bytes", "KiB", "MiB", "GiB"};
    double v = (double)limit;
    int u = 0;
    while (v >= 1024.0 && u < 3) {
        v /= 1024.0;
        u++;
    }
    snprintf(forms[0], sizeof forms[0], "%zu bytes", limit);
    snprintf(forms[1], sizeof forms[1], "%.0f %s", v, binary[u]);
    snprintf(forms[2], sizeof forms[2], "%.1f %s", v, binary[u]);
    snprintf(forms[3], sizeof forms[3], "%.1f MB", (double)limit / 1e6);
    snprintf(forms[4], sizeof forms[4], "%.1f KB", (double)limit / 1e3);
    if (!strstr(msg, "limit"))
        return 0;
    for (int i = 0; i < 5; i++)
        if (strstr(msg, forms[i]))
            return 1;
    return 0;
}

/* A status is success or a limit error naming the limit; returns 1 on success. */
static int ok_or_limit(const limited *l, int status, const char *label)
{
    if (status == TPROC_OK)
        return 1;
    const char *msg = tproc_ctx_message(l->ctx);
    ck_assert_msg(status == TPROC_ERR_LIMIT, "%s at %zu bytes: %s (%s), not ERR_LIMIT", label,
                  l->limit, tproc_status_name(status), msg);
    ck_assert_msg(names_limit(msg, l->limit), "%s: message does not name the limit %zu: %s", label,
                  l->limit, msg);
    return 0;
}

static const size_t ladder[] = {16u << 10, 64u << 10, 256u << 10, 1u << 20,
                                3u << 20,  8u << 20,  24u << 20,  64u << 20};
#define LADDER (sizeof ladder / sizeof ladder[0])

static const char *const load_files[] = {
    "@rocket",               /* 640x427 RGB baseline JPEG */
    "jpeg/testimgint.jpg",   /* progressive JPEG: libjpeg holds coefficient buffers */
    "jpeg/monkey16.png",     /* 16-bit PNG */
    "pngsuite/basi6a16.png", /* interlaced RGBA 16-bit: decoded whole */
    "pngsuite/basn3p08.png", /* palette */
    "exif/Landscape_6.jpg",  /* 1200x1800, EXIF orientation 6 */
};

static void file_path(const char *name, char *buf, size_t size)
{
    if (strcmp(name, "@rocket") == 0)
        snprintf(buf, size, "%s/rocket.jpg", TPROC_TEST_SAMPLES);
    else
        snprintf(buf, size, "%s", tu_data(name));
}

/* Loads each file under every limit of the ladder, from a path, from memory and as a stream. */
START_TEST(loads_stay_under_the_limit)
{
    char path[512];
    file_path(load_files[_i], path, sizeof path);
    size_t size;
    unsigned char *data = tu_read_file(path, &size);
    ck_assert_ptr_nonnull(data);
    tproc_image *want = NULL;
    tu_ok(NULL, tproc_load(NULL, path, NULL, &want));
    tproc_view wv = tproc_image_view(want);
    int loaded = 0;
    for (size_t k = 0; k < LADDER; k++) {
        char label[600];
        snprintf(label, sizeof label, "%s under %zu bytes", load_files[_i], ladder[k]);
        limited l;
        limited_open(&l, ladder[k], 2);
        tproc_image *img = NULL;
        if (ok_or_limit(&l, tproc_load(l.ctx, path, NULL, &img), label)) {
            tproc_view v = tproc_image_view(img);
            ck_assert_msg(same_bytes(&v, &wv), "%s: different bytes", label);
            loaded++;
        }
        tproc_image_free(&img);
        if (ok_or_limit(&l, tproc_load_memory(l.ctx, data, size, NULL, &img), label)) {
            tproc_view v = tproc_image_view(img);
            ck_assert_msg(same_bytes(&v, &wv), "%s: different bytes", label);
        }
        tproc_image_free(&img);
        /* Streamed into an image sink: the sink holds the whole image, so the limit applies. */
        tproc_source *src = NULL;
        tproc_sink *sink = NULL;
        tproc_pipeline *p = NULL;
        int status = tproc_source_open(l.ctx, path, NULL, &src);
        if (!status)
            status = tproc_sink_new_image(l.ctx, &sink);
        if (!status)
            status = tproc_pipeline_new(l.ctx, &p);
        if (!status)
            status = tproc_pipeline_stream(p, src, sink, NULL, NULL);
        if (ok_or_limit(&l, status, label)) {
            img = tproc_sink_take_image(sink);
            tproc_view v = tproc_image_view(img);
            ck_assert_msg(same_bytes(&v, &wv), "%s: different bytes", label);
            tproc_image_free(&img);
        }
        tproc_pipeline_free(&p);
        tproc_sink_free(&sink);
        tproc_source_free(&src);
        limited_close(&l, label);
    }
    /* The biggest limits are plenty: the limit must not refuse what fits. */
    ck_assert_msg(loaded >= 1, "%s: never loads, even under %zu bytes", load_files[_i],
                  ladder[LADDER - 1]);
    tproc_image_free(&want);
    free(data);
}
END_TEST

/* Chains on the sample photo, each under every limit of the ladder and several tilings. */
static const char *const chains[][4] = {
    {"resize:scale=6"},
    {"resize:width=1500,kernel=bicubic"},
    {"gaussian:sigma=25"},
    {"gaussian:sigma=30", "box:radius=40"},
    {"box:radius=60", "median:radius=3"},
    {"sharpen:sigma=8,amount=3", "resize:scale=2.5", "gaussian:sigma=5", "sobel"},
    {"rotate:angle=90", "resize:scale=3", "convolve:matrix=1 2 1;2 4 2;1 2 1,scale=0.0625",
     "flip:axis=vertical"},
    {"crop:x=10,y=5,width=100,height=80", "resize:scale=5,kernel=lanczos3", "grayscale",
     "gaussian:sigma=6"},
};
#define CHAINS (sizeof chains / sizeof chains[0])

static size_t chain_length(const char *const *c)
{
    size_t n = 0;
    while (n < 4 && c[n])
        n++;
    return n;
}

START_TEST(chains_stay_under_the_limit)
{
    const char *const *chain = chains[_i];
    size_t n = chain_length(chain);
    char path[512];
    file_path("@rocket", path, sizeof path);
    tproc_image *photo = NULL;
    tu_ok(NULL, tproc_load(NULL, path, NULL, &photo));
    /* A 160x120 part of the photo keeps the work small; the chains blow it up. */
    tproc_view all = tproc_image_view(photo), in;
    tu_ok(NULL, tproc_view_sub(&all, 300, 150, 160, 120, &in));
    tproc_image *want = tu_run(NULL, &in, chain, n, 0, 0, 2, TPROC_BORDER_REFLECT_101);
    tproc_view wv = tproc_image_view(want);
    static const struct {
        ptrdiff_t w, h;
        int threads;
    } tilings[] = {{0, 0, 2}, {64, 37, 3}};
    int succeeded = 0;
    for (size_t k = 0; k < LADDER; k++)
        for (size_t t = 0; t < sizeof tilings / sizeof tilings[0]; t++) {
            char label[300];
            snprintf(label, sizeof label, "[%s ...%zu] under %zu bytes, tiles %tdx%td x%d",
                     chain[0], n, ladder[k], tilings[t].w, tilings[t].h, tilings[t].threads);
            limited l;
            limited_open(&l, ladder[k], tilings[t].threads);
            tproc_pipeline *p = NULL;
            /* Even the chain's own description is counted: tiny limits refuse it. */
            int status = tproc_pipeline_new(l.ctx, &p);
            for (size_t i = 0; i < n && !status; i++)
                status = tproc_pipeline_add(p, chain[i]);
            tproc_run_options o;
            tproc_run_options_init(&o);
            o.tile_width = tilings[t].w;
            o.tile_height = tilings[t].h;
            o.threads = tilings[t].threads;
            tproc_image *out = NULL;
            if (!status)
                status = tproc_pipeline_run(p, &in, &o, &out);
            if (ok_or_limit(&l, status, label)) {
                tproc_view ov = tproc_image_view(out);
                ck_assert_msg(same_bytes(&ov, &wv), "%s: different bytes", label);
                succeeded++;
            } else {
                ck_assert_ptr_null(out);
            }
            tproc_image_free(&out);
            tproc_pipeline_free(&p);
            limited_close(&l, label);
        }
    ck_assert_msg(succeeded > 0, "%s: fails under every limit", chain[0]);
    tproc_image_free(&want);
    tproc_image_free(&photo);
}
END_TEST

/* --- streaming: an image far bigger than the limit goes through in bounded memory --------------
 */

typedef struct gen {
    uint64_t sum; /* a checksum of every row delivered or received */
    ptrdiff_t next;
} gen;

/* Rows made on the fly, so the whole image never exists anywhere. */
static int gen_rows(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows)
{
    gen *g = user;
    ck_assert_int_eq(y, g->next);
    g->next += count;
    for (ptrdiff_t r = 0; r < count; r++)
        for (ptrdiff_t x = 0; x < rows->width; x++) {
            unsigned char *px = tproc_view_pixel(rows, x, r);
            for (int c = 0; c < rows->channels; c++)
                px[c] = (unsigned char)((x * 7 + (y + r) * 3 + c * 50 + (x ^ (y + r))) & 255);
        }
    return TPROC_OK;
}

static int sum_rows(void *user, ptrdiff_t y, const tproc_view *rows)
{
    gen *g = user;
    ck_assert_int_eq(y, g->next);
    g->next += rows->height;
    size_t px = tproc_view_pixel_size(rows);
    for (ptrdiff_t r = 0; r < rows->height; r++)
        for (ptrdiff_t x = 0; x < rows->width; x++) {
            const unsigned char *p = tproc_view_pixel(rows, x, r);
            for (size_t b = 0; b < px; b++)
                g->sum = g->sum * 1099511628211ull + p[b];
        }
    return TPROC_OK;
}

/* Streams chain over a w x h generated RGB image under limit; returns the status. */
static int stream_generated(limited *l, ptrdiff_t w, ptrdiff_t h, const char *const *chain,
                            size_t n, int threads, uint64_t *sum, ptrdiff_t *rows_out)
{
    tproc_format f = {w, h, 3, TPROC_U8};
    gen in = {0, 0}, out = {14695981039346656037ull, 0};
    tproc_source *src = NULL;
    tproc_sink *sink = NULL;
    tproc_pipeline *p = NULL;
    int status = tproc_source_new_callback(l->ctx, &f, gen_rows, &in, &src);
    if (!status)
        status = tproc_sink_new_callback(l->ctx, sum_rows, &out, &sink);
    if (!status)
        status = tproc_pipeline_new(l->ctx, &p);
    for (size_t i = 0; i < n && !status; i++)
        status = tproc_pipeline_add(p, chain[i]);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.threads = threads;
    if (!status)
        status = tproc_pipeline_stream(p, src, sink, &o, NULL);
    tproc_pipeline_free(&p);
    tproc_sink_free(&sink);
    tproc_source_free(&src);
    *sum = out.sum;
    *rows_out = out.next;
    return status;
}

/*
 * A 300 x 5000 RGB image (4.5 MB) streams through chains of up to 4 stages under a limit of
 * 1.5 MiB, with 1 and 3 threads, and gives the same rows both ways; a chain that needs the whole
 * image fails at once on the limit, naming it.
 */
START_TEST(streams_stay_under_the_limit)
{
    static const char *const stream_chains[][4] = {
        {"gaussian:sigma=3"},
        {"resize:scale=0.5", "sharpen:amount=2"},
        {"box:radius=4", "gaussian:sigma=2", "median:radius=1", "invert"},
        {"resize:scale=1.5,kernel=bicubic", "gaussian:sigma=1", "sobel", "levels:in_white=0.5"},
    };
    const char *const *chain = stream_chains[_i];
    size_t n = chain_length(chain);
    const ptrdiff_t w = 300, h = 5000;
    uint64_t sums[2];
    for (int t = 0; t < 2; t++) {
        char label[200];
        snprintf(label, sizeof label, "stream [%s ...%zu] x%d", chain[0], n, 1 + 2 * t);
        limited l;
        limited_open(&l, 3u << 19, 1 + 2 * t);
        ptrdiff_t rows;
        int status = stream_generated(&l, w, h, chain, n, 1 + 2 * t, &sums[t], &rows);
        ck_assert_msg(status == TPROC_OK, "%s: %s", label, tproc_ctx_message(l.ctx));
        ck_assert_int_gt(rows, 0);
        limited_close(&l, label);
    }
    ck_assert_msg(sums[0] == sums[1], "[%s ...]: threads change the streamed rows", chain[0]);

    /* Needs the whole image, which the limit cannot hold: refused before any row is read. */
    const char *const whole[] = {chain[0], "rotate:angle=90"};
    limited l;
    limited_open(&l, 3u << 19, 2);
    uint64_t sum;
    ptrdiff_t rows;
    int status = stream_generated(&l, w, h, whole, 2, 2, &sum, &rows);
    ck_assert_int_eq(status, TPROC_ERR_LIMIT);
    ck_assert_msg(names_limit(tproc_ctx_message(l.ctx), l.limit), "%s", tproc_ctx_message(l.ctx));
    ck_assert_int_eq(rows, 0);
    limited_close(&l, "stream with rotate");
    /* A limit too small even for a band of rows: refused, naming the limit. */
    limited_open(&l, 16u << 10, 2);
    status = stream_generated(&l, w, h, chain, n, 2, &sum, &rows);
    ck_assert_int_eq(status, TPROC_ERR_LIMIT);
    ck_assert_msg(names_limit(tproc_ctx_message(l.ctx), l.limit), "%s", tproc_ctx_message(l.ctx));
    limited_close(&l, "stream under 16 KiB");
}
END_TEST

/* Files streamed to files (decoder, encoder and engine) under every limit of the ladder. */
START_TEST(file_streams_stay_under_the_limit)
{
    char path[512], dir[64], out[128];
    file_path(load_files[_i], path, sizeof path);
    snprintf(dir, sizeof dir, "/tmp/tileproc-limits-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/out.png", dir);
    const char *chain[] = {"gaussian:sigma=2", "resize:scale=0.5"};
    int ok = 0;
    for (size_t k = 0; k < LADDER; k++) {
        char label[600];
        snprintf(label, sizeof label, "%s streamed to PNG under %zu bytes", load_files[_i],
                 ladder[k]);
        limited l;
        limited_open(&l, ladder[k], 2);
        tproc_source *src = NULL;
        tproc_sink *sink = NULL;
        tproc_pipeline *p = NULL;
        int status = tproc_source_open(l.ctx, path, NULL, &src);
        if (!status)
            status = tproc_sink_open(l.ctx, out, NULL, &sink);
        if (!status)
            status = tproc_pipeline_new(l.ctx, &p);
        for (size_t i = 0; i < 2 && !status; i++)
            status = tproc_pipeline_add(p, chain[i]);
        if (!status)
            status = tproc_pipeline_stream(p, src, sink, NULL, NULL);
        ok += ok_or_limit(&l, status, label);
        tproc_pipeline_free(&p);
        tproc_sink_free(&sink);
        tproc_source_free(&src);
        /* A failed run leaves no file behind. */
        if (status)
            ck_assert_msg(access(out, F_OK) != 0, "%s: output left after a failure", label);
        unlink(out);
        limited_close(&l, label);
    }
    ck_assert_msg(ok > 0, "%s: never streams", load_files[_i]);
    rmdir(dir);
}
END_TEST

/* Encoding into memory grows a buffer: under a small limit that fails cleanly too. */
START_TEST(saves_stay_under_the_limit)
{
    tproc_image *img = tu_random_image(NULL, 300, 200, 4, TPROC_U16, 5);
    tproc_view v = tproc_image_view(img);
    static const tproc_file_format formats[] = {TPROC_FILE_PNG, TPROC_FILE_JPEG};
    for (size_t f = 0; f < 2; f++)
        for (size_t k = 0; k < LADDER; k++) {
            char label[100];
            snprintf(label, sizeof label, "save %s under %zu bytes",
                     tproc_file_format_name(formats[f]), ladder[k]);
            limited l;
            limited_open(&l, ladder[k], 1);
            tproc_save_options o;
            tproc_save_options_init(&o);
            o.format = formats[f];
            void *data = NULL;
            size_t size = 0;
            if (ok_or_limit(&l, tproc_save_memory(l.ctx, &v, &o, &data, &size), label)) {
                ck_assert_uint_gt(size, 0);
                tproc_free(l.ctx, data);
            } else {
                ck_assert_ptr_null(data);
            }
            limited_close(&l, label);
        }
    tproc_image_free(&img);
}
END_TEST

/*
 * One round of the drift check for filter f on ctx, which holds nothing yet: load the photo,
 * run f with random parameters (from its table) on a random part of it; the count of bytes in
 * use comes back to what the image holds, then to zero. Exposed (testutil.h) so that
 * test_plugin.c can show that a filter registered at run time gets the same check.
 */
void tu_limits_drift_round(tproc_ctx *ctx, const tproc_filter *f, uint64_t seed)
{
    char path[512];
    file_path("@rocket", path, sizeof path);
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, path, NULL, &img));
    size_t held = tproc_ctx_memory_in_use(ctx);
    ck_assert_uint_gt(held, 640u * 427u * 3u - 1);
    tproc_view in = tproc_image_view(img), part;
    tu_ok(ctx, tproc_view_sub(&in, tu_rng_range(&rng, 0, 300), tu_rng_range(&rng, 0, 200),
                              tu_rng_range(&rng, 1, 300), tu_rng_range(&rng, 1, 200), &part));
    char spec[512];
    tproc_format format = {part.width, part.height, part.channels, part.sample};
    tu_random_spec(&rng, f, &format, spec, sizeof spec);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tu_ok(ctx, tproc_pipeline_add(p, spec));
    tproc_image *out = NULL;
    int status = tproc_pipeline_run(p, &part, NULL, &out);
    ck_assert_msg(status == TPROC_OK || status == TPROC_ERR_RANGE || status == TPROC_ERR_PARAM,
                  "%s: %s", spec, tproc_ctx_message(ctx));
    tproc_image_free(&out);
    tproc_pipeline_free(&p);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), held);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
}

/* Many operations on one context, interleaved: the count of bytes in use never drifts. Every
 * filter of the registry, twice: a filter added to filters.def (or registered before this
 * runs) is covered without changing this file. */
START_TEST(the_count_does_not_drift)
{
    limited l;
    limited_open(&l, 32u << 20, 2);
    size_t n = tproc_filter_count();
    for (size_t i = 0; i < 2 * n; i++)
        tu_limits_drift_round(l.ctx, tproc_filter_at(i % n), 4242 + i);
    ck_assert_uint_le(tproc_ctx_memory_peak(l.ctx), l.limit);
    limited_close(&l, "drift");
}
END_TEST

Suite *suite_limits(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, loads_stay_under_the_limit, 0,
                        (int)(sizeof load_files / sizeof load_files[0]));
    tcase_add_loop_test(tc, chains_stay_under_the_limit, 0, (int)CHAINS);
    tcase_add_loop_test(tc, streams_stay_under_the_limit, 0, 4);
    tcase_add_loop_test(tc, file_streams_stay_under_the_limit, 0,
                        (int)(sizeof load_files / sizeof load_files[0]));
    tcase_add_test(tc, saves_stay_under_the_limit);
    tcase_add_test(tc, the_count_does_not_drift);
    suite_add_tcase(s, tc);
    return s;
}
