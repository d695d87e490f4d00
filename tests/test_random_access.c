/* SPDX-License-Identifier: MIT */
/*
 * test_random_access.c: chains that start by turning or mirroring the image (rotate by
 * multiples of 90, a vertical flip, a transpose made of a rotate and a flip) stream from a
 * tiled TIFF in bounded memory: the tiles are read in the order the output needs them. For
 * tiled TIFFs our writer makes (tiles that do not divide the image, gray, RGB, RGBA, u8,
 * u16), the streamed output equals the in-memory run on the loaded image byte for byte; the
 * plan says the run streams before any work; the memory the context counted stays well under
 * the image's size, and a memory limit the whole image does not fit still lets the run go. The
 * file's own orientation tag (3-8) is read the same way. Strip TIFFs and JPEGs hold the image
 * as before.
 */
#include <stdio.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>

#include "testutil.h"

static const char *tmp_path(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/tproc_random_%ld_%s", (long)getpid(), name);
    return buf;
}

/* Writes a random w x h image to path as a TIFF: tiles of tw x th, strips when tw is 0. */
static tproc_image *write_tiff(const char *path, ptrdiff_t w, ptrdiff_t h, int channels,
                               tproc_sample sample, int tw, int th, uint64_t seed,
                               tproc_tiff_compression compression)
{
    tproc_image *image = tu_random_image(NULL, w, h, channels, sample, seed);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_TIFF;
    o.tile_width = tw;
    o.tile_height = th;
    o.tiff_compression = compression;
    tproc_view v = tproc_image_view(image);
    tu_ok(NULL, tproc_save(NULL, &v, path, &o));
    return image;
}

/* Byte-identical views (tu_assert_same's check, one assertion per row instead of per pixel). */
static void assert_same(const tproc_view *a, const tproc_view *b, const char *what)
{
    ck_assert_msg(a->width == b->width && a->height == b->height && a->channels == b->channels &&
                      a->sample == b->sample,
                  "%s: formats differ", what);
    size_t row = (size_t)a->width * tproc_view_pixel_size(a);
    for (ptrdiff_t y = 0; y < a->height; y++)
        if (memcmp(tproc_view_pixel(a, 0, y), tproc_view_pixel(b, 0, y), row) != 0)
            ck_abort_msg("%s: row %td differs", what, y);
}

/* A callback sink copying rows into an image of another context (so the run's own context
 * counts only what the run holds). */
static int into_image(void *user, ptrdiff_t y, const tproc_view *rows)
{
    tproc_view all = tproc_image_view(user), part;
    tproc_view_sub(&all, 0, y, rows->width, rows->height, &part);
    return tproc_view_copy(NULL, rows, &part);
}

typedef struct run_result {
    int streams;       /* what the plan said */
    size_t peak;       /* the run context's peak */
    size_t whole;      /* the bytes the plan says the whole input takes */
    tproc_image *out;  /* the output (NULL on failure) */
    int status;
} run_result;

/* Streams the chain from the file in a context of its own (memory limit `limit`, 0 for the
 * default), into an image of `expected`'s format. */
static run_result stream_file(const char *path, const char *const *specs, size_t n,
                              const tproc_format *expected, size_t limit, int no_fallback)
{
    run_result r = {0};
    tproc_ctx_options co = {NULL, limit, 2};
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(&co, &ctx));
    tproc_pipeline *p = tu_chain(ctx, specs, n);
    tproc_source *source;
    tproc_sink *sink;
    tu_ok(ctx, tproc_source_open(ctx, path, NULL, &source));
    tproc_stream_options so = {0};
    so.no_fallback = no_fallback;
    r.status = tproc_pipeline_stream_plan(p, source, NULL, &so, &r.streams, &r.whole);
    if (!r.status) {
        tu_ok(NULL, tproc_image_new(NULL, expected->width, expected->height, expected->channels,
                                    expected->sample, &r.out));
        tu_ok(ctx, tproc_sink_new_callback(ctx, into_image, r.out, &sink));
        r.status = tproc_pipeline_stream(p, source, sink, NULL, &so);
        tproc_sink_free(&sink);
        if (r.status)
            tproc_image_free(&r.out);
    }
    r.peak = tproc_ctx_memory_peak(ctx);
    tproc_source_free(&source);
    tproc_pipeline_free(&p);
    tproc_ctx_free(&ctx);
    return r;
}

/* The whole-image result: the chain run in memory on the file loaded whole. */
static tproc_image *whole_result(const char *path, const char *const *specs, size_t n)
{
    tproc_image *in;
    tu_ok(NULL, tproc_load(NULL, path, NULL, &in));
    tproc_view v = tproc_image_view(in);
    tproc_image *out = tu_run(NULL, &v, specs, n, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_image_free(&in);
    return out;
}

/* Chains whose head needs the whole image read in order, alone and followed by others. */
static const char *const chains[][3] = {
    {"rotate:angle=90", NULL, NULL},
    {"rotate:angle=180", NULL, NULL},
    {"rotate:angle=270", NULL, NULL},
    {"flip:axis=vertical", NULL, NULL},
    {"rotate:angle=90", "flip:axis=horizontal", NULL},  /* a transpose */
    {"rotate:angle=-90", "flip:axis=vertical", NULL},   /* the other diagonal */
    {"rotate:angle=90", "gaussian:sigma=1.5", NULL},
    {"flip:axis=vertical", "resize:scale=0.6", NULL},
    {"rotate:angle=270", "resize:width=97,kernel=bicubic", "gaussian:sigma=0.8"},
    {"rotate:angle=180", "crop:x=5,y=7,width=40,height=30", NULL},
};
enum { CHAINS = sizeof chains / sizeof chains[0] };

static size_t length_of(const char *const *chain)
{
    size_t n = 0;
    while (n < 3 && chain[n])
        n++;
    return n;
}

typedef struct layout {
    ptrdiff_t w, h;
    int channels;
    tproc_sample sample;
    int tw, th;
} layout;

/* Tile sizes that divide the image and ones that do not; every channel count and depth. */
static const layout layouts[] = {
    {700, 530, 3, TPROC_U8, 48, 32},   {640, 480, 1, TPROC_U8, 64, 48},
    {333, 517, 4, TPROC_U16, 32, 80},  {300, 200, 2, TPROC_U8, 16, 16},
    {257, 129, 4, TPROC_U8, 256, 128}, {90, 400, 1, TPROC_U16, 112, 16},
};
enum { LAYOUTS = sizeof layouts / sizeof layouts[0] };

/* Runs the chain streamed from the file (one thread) and asserts that the plan streams and
 * that the bytes are those of the chain on the whole, loaded image. */
static void assert_streams_as_whole(const char *path, const char *const *chain, size_t n,
                                    const char *what)
{
    tproc_image *want = whole_result(path, chain, n);
    tproc_view wv = tproc_image_view(want);
    tproc_format f = {wv.width, wv.height, wv.channels, wv.sample};
    run_result r = stream_file(path, chain, n, &f, 0, 1);
    ck_assert_msg(r.status == TPROC_OK, "%s: %s", what, tproc_strerror(r.status));
    ck_assert_msg(r.streams, "%s: the plan says it holds the image", what);
    tproc_view got = tproc_image_view(r.out);
    assert_same(&got, &wv, what);
    tproc_image_free(&r.out);
    tproc_image_free(&want);
}

START_TEST(test_streamed_equals_whole)
{
    const layout *l = &layouts[_i];
    const char *path = tmp_path("in.tif");
    tproc_image *in = write_tiff(path, l->w, l->h, l->channels, l->sample, l->tw, l->th,
                                 (uint64_t)_i + 1, TPROC_TIFF_DEFLATE);
    for (size_t c = 0; c < CHAINS; c++) {
        char what[128];
        snprintf(what, sizeof what, "%tdx%td %d-channel tiles %dx%d, chain %zu (%s)", l->w, l->h,
                 l->channels, l->tw, l->th, c, chains[c][0]);
        assert_streams_as_whole(path, chains[c], length_of(chains[c]), what);
    }
    tproc_image_free(&in);
    unlink(path);
}
END_TEST

/* Sets a TIFF's orientation tag (libtiff rewrites the directory). */
static void set_orientation(const char *path, int orientation)
{
    TIFF *tif = TIFFOpen(path, "r+");
    ck_assert_ptr_nonnull(tif);
    ck_assert_int_eq(TIFFSetField(tif, TIFFTAG_ORIENTATION, (uint16_t)orientation), 1);
    ck_assert_int_eq(TIFFRewriteDirectory(tif), 1);
    TIFFClose(tif);
}

/* A tiled TIFF turned by its orientation tag streams too, alone and under a turn of the chain
 * (which may undo it): the same bytes as the chain on the loaded, upright image. */
START_TEST(test_file_orientation)
{
    const char *path = tmp_path("oriented.tif");
    int orientation = 3 + _i;
    tproc_image *in = write_tiff(path, 203, 150, 3, TPROC_U8, 48, 32, 11, TPROC_TIFF_LZW);
    set_orientation(path, orientation);
    static const char *const chains_o[][2] = {
        {"gaussian:sigma=1", NULL},
        {"rotate:angle=90", NULL},
        {"rotate:angle=270", "resize:scale=0.5"},
        {"flip:axis=vertical", NULL},
        /* A leading crop becomes a region of the source (its stage then starts at 0, 0). */
        {"crop:x=5,y=7,width=40,height=30", NULL},
        {"crop:x=100,y=3,width=45,height=100", "gaussian:sigma=1"},
    };
    for (size_t c = 0; c < sizeof chains_o / sizeof chains_o[0]; c++) {
        char what[96];
        snprintf(what, sizeof what, "orientation %d, %s", orientation, chains_o[c][0]);
        assert_streams_as_whole(path, chains_o[c], chains_o[c][1] ? 2 : 1, what);
    }
    tproc_image_free(&in);
    unlink(path);
}
END_TEST

/* The peak the context counted: well under the image, which the run never holds. */
START_TEST(test_memory_is_a_band)
{
    const char *path = tmp_path("big.tif");
    ptrdiff_t w = 2400, h = 1600;
    tproc_image *in = write_tiff(path, w, h, 1, TPROC_U8, 64, 48, 7, TPROC_TIFF_NONE);
    size_t whole = (size_t)w * (size_t)h;
    static const char *const turns[][2] = {
        {"rotate:angle=90", NULL},
        {"rotate:angle=270", "gaussian:sigma=2"},
        {"flip:axis=vertical", NULL},
        {"rotate:angle=90", "flip:axis=horizontal"},
    };
    for (size_t c = 0; c < sizeof turns / sizeof turns[0]; c++) {
        size_t n = turns[c][1] ? 2 : 1;
        tproc_format f = tu_output_format(turns[c][0], w, h, 1);
        run_result r = stream_file(path, turns[c], n, &f, 0, 1);
        tu_ok(NULL, r.status);
        ck_assert_msg(r.whole >= whole, "%s: the whole input is %zu bytes, not %zu", turns[c][0],
                      r.whole, whole);
        /* The window (a strip and a tile of rows), one read of a tile's side, the decoder's
         * row of tiles, the output strip and the workers' buffers: under 1/4 of the image
         * here. Holding it would count all of it. */
        ck_assert_msg(r.peak < whole / 3, "%s: peak %zu bytes for a %zu-byte image",
                      turns[c][0], r.peak, whole);
        /* And a limit the image does not fit still runs, with the same output. */
        run_result limited = stream_file(path, turns[c], n, &f, whole / 2, 1);
        tu_ok(NULL, limited.status);
        tproc_view a = tproc_image_view(r.out), b = tproc_image_view(limited.out);
        assert_same(&a, &b, turns[c][0]);
        tproc_image_free(&r.out);
        tproc_image_free(&limited.out);
    }
    /* Holding the image is refused under that limit: the runs above did not hold it. */
    tproc_ctx_options co = {NULL, whole / 2, 2};
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(&co, &ctx));
    tproc_image *loaded = NULL;
    ck_assert_int_eq(tproc_load(ctx, path, NULL, &loaded), TPROC_ERR_LIMIT);
    tproc_ctx_free(&ctx);
    tproc_image_free(&in);
    unlink(path);
}
END_TEST

/* Strip TIFFs and JPEGs cannot be read in any order: the plan holds them as before, and
 * refuses to stream without falling back. A chain that needs the whole image again after the
 * turn holds a tiled TIFF too. */
START_TEST(test_sequential_sources_hold)
{
    const char *strips = tmp_path("strips.tif");
    const char *tiles = tmp_path("tiles.tif");
    const char *jpeg = tmp_path("in.jpg");
    tproc_image *a = write_tiff(strips, 300, 200, 3, TPROC_U8, 0, 0, 3, TPROC_TIFF_LZW);
    tproc_image *b = write_tiff(tiles, 300, 200, 3, TPROC_U8, 64, 64, 3, TPROC_TIFF_LZW);
    tproc_view v = tproc_image_view(a);
    tu_ok(NULL, tproc_save(NULL, &v, jpeg, NULL));
    static const char *const rotate[] = {"rotate:angle=90"};
    static const char *const twice[] = {"rotate:angle=90", "gaussian:sigma=1",
                                        "flip:axis=vertical"};
    tproc_format f = tu_output_format(rotate[0], 300, 200, 3);
    const char *const held[] = {strips, jpeg};
    for (int i = 0; i < 2; i++) {
        run_result r = stream_file(held[i], rotate, 1, &f, 0, 0);
        tu_ok(NULL, r.status);
        ck_assert_msg(!r.streams, "%s: a sequential file streams a quarter turn", held[i]);
        ck_assert_msg(r.peak >= r.whole, "%s: peak %zu under the whole image %zu", held[i],
                      r.peak, r.whole);
        tproc_image_free(&r.out);
        r = stream_file(held[i], rotate, 1, &f, 0, 1);
        ck_assert_int_eq(r.status, TPROC_ERR_UNSUPPORTED);
    }
    tproc_format g = {200, 300, 3, TPROC_U8};
    run_result r = stream_file(tiles, twice, 3, &g, 0, 0);
    tu_ok(NULL, r.status);
    ck_assert_msg(!r.streams, "a chain needing the whole image after the turn streams");
    tproc_image *want = whole_result(tiles, twice, 3);
    tproc_view wv = tproc_image_view(want), got = tproc_image_view(r.out);
    assert_same(&got, &wv, "turn, blur, flip");
    tproc_image_free(&want);
    tproc_image_free(&r.out);
    tproc_image_free(&a);
    tproc_image_free(&b);
    unlink(strips);
    unlink(tiles);
    unlink(jpeg);
}
END_TEST

Suite *suite_random_access(void)
{
    Suite *s = suite_create("random_access");
    TCase *tc = tcase_create("random_access");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_streamed_equals_whole, 0, LAYOUTS);
    tcase_add_loop_test(tc, test_file_orientation, 0, 6);
    tcase_add_test(tc, test_sequential_sources_hold);
    suite_add_tcase(s, tc);
    TCase *memory = tcase_create("memory");
    tcase_set_timeout(memory, 300);
    tcase_add_test(memory, test_memory_is_a_band);
    suite_add_tcase(s, memory);
    return s;
}
