/* SPDX-License-Identifier: MIT */
/*
 * test_tiff_write.c: TIFF tiles compressed on worker threads (src/tiff_tiles.c). The file's
 * bytes are the same whatever the thread count, through tproc_save (the context's threads)
 * and a streamed run (the run's threads); libtiff itself reads the tiles back: deflate equal
 * to the image sample for sample, JPEG close to it, and every pyramid level the 2x2 mean of
 * the one above (computed here); under any memory limit a save gives those bytes or fails
 * leaving no file; a write that fails mid-file (RLIMIT_FSIZE) leaves no file either; and the
 * JPEG and deflate libraries' own memory is counted against the limit and given back.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <tiffio.h>
#include <unistd.h>

#include "testutil.h"

typedef struct config {
    const char *name;
    int width, height, channels;
    tproc_sample sample;
    tproc_tiff_compression compression;
    tproc_tiff_predictor predictor;
    int tile_width, tile_height, pyramid;
} config;

static const config configs[] = {
    {"jpeg-rgb-pyramid", 700, 523, 3, TPROC_U8, TPROC_TIFF_JPEG, 0, 0, 0, 1},
    {"jpeg-gray-64x32", 333, 190, 1, TPROC_U8, TPROC_TIFF_JPEG, 0, 64, 32, 0},
    {"jpeg-rgb-48x48", 205, 101, 3, TPROC_U8, TPROC_TIFF_JPEG, 0, 48, 48, 1},
    {"deflate-rgb-pyramid", 700, 523, 3, TPROC_U8, TPROC_TIFF_DEFLATE, 0, 128, 64, 1},
    {"deflate-rgba-none", 301, 203, 4, TPROC_U8, TPROC_TIFF_DEFAULT, TPROC_TIFF_PREDICTOR_NONE, 64,
     64, 0},
    {"deflate-gray16", 299, 211, 1, TPROC_U16, TPROC_TIFF_DEFLATE, 0, 32, 16, 1},
    {"deflate-rgba-pyramid", 301, 203, 4, TPROC_U8, TPROC_TIFF_DEFLATE, 0, 32, 32, 1},
};

static tproc_ctx *new_ctx(int threads)
{
    tproc_ctx *ctx = NULL;
    tproc_ctx_options o = {NULL, 0, threads};
    tu_ok(NULL, tproc_ctx_new(&o, &ctx));
    return ctx;
}

/* Smooth gradients with a little noise and a sharp block: JPEG is compared by PSNR. */
static tproc_image *make_image(tproc_ctx *ctx, const config *c)
{
    tproc_image *image = NULL;
    tu_ok(ctx, tproc_image_new(ctx, c->width, c->height, c->channels, c->sample, &image));
    tproc_view v = tproc_image_view(image);
    tu_rng rng;
    tu_rng_seed(&rng, 13);
    double max = c->sample == TPROC_U16 ? 65535 : 255;
    for (ptrdiff_t y = 0; y < v.height; y++)
        for (ptrdiff_t x = 0; x < v.width; x++)
            for (int ch = 0; ch < v.channels; ch++) {
                ptrdiff_t t = (x * (ch + 1) + y * (3 - ch % 3)) % 1022; /* a triangle wave */
                double s = (double)(t < 511 ? t : 1021 - t) / 511.0;
                if (x > 40 && x < 90 && y > 30 && y < 60)
                    s = ch == 1 ? 0.1 : 0.8;
                s = s * (max - 8) + (double)tu_rng_range(&rng, 0, 7);
                if (c->sample == TPROC_U8)
                    v.data[y * v.row_stride + (x * v.channels + ch)] = (unsigned char)s;
                else {
                    uint16_t u = (uint16_t)s;
                    memcpy(v.data + y * v.row_stride + 2 * (x * v.channels + ch), &u, 2);
                }
            }
    return image;
}

static tproc_save_options options_of(const config *c)
{
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_TIFF;
    o.tiff_compression = c->compression;
    o.tiff_predictor = c->predictor;
    o.tile_width = c->tile_width;
    o.tile_height = c->tile_height;
    o.pyramid = c->pyramid;
    return o;
}

static void make_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/tproc-tiffw-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Files left in dir (temporary ones included). */
/* What every test starts from: config i's image (in a context of its own, unlimited) and a
 * fresh directory for the output. */
typedef struct fixture {
    const config *c;
    tproc_ctx *owner;
    tproc_image *image;
    tproc_view v;
    char dir[64], path[128];
} fixture;

static void fixture_open(fixture *f, int i)
{
    f->c = &configs[i];
    f->owner = new_ctx(1);
    f->image = make_image(f->owner, f->c);
    f->v = tproc_image_view(f->image);
    make_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->path, sizeof f->path, "%s/out.tif", f->dir);
}

static void fixture_close(fixture *f)
{
    remove(f->path);
    ck_assert_int_eq(rmdir(f->dir), 0); /* nothing else was left in it */
    tproc_image_free(&f->image);
    tproc_ctx_free(&f->owner);
}

static unsigned char *save_bytes(const config *c, const tproc_view *v, int threads,
                                 const char *path, size_t *size)
{
    tproc_ctx *ctx = new_ctx(threads);
    tproc_save_options o = options_of(c);
    tu_ok(ctx, tproc_save(ctx, v, path, &o));
    tproc_ctx_free(&ctx);
    unsigned char *data = tu_read_file(path, size);
    ck_assert_ptr_nonnull(data);
    remove(path);
    return data;
}

/* The same image streamed from a view source into a file sink, threads from the run. */
static unsigned char *stream_bytes(const config *c, const tproc_view *v, int threads,
                                   const char *path, size_t *size)
{
    tproc_ctx *ctx = new_ctx(1);
    tproc_save_options o = options_of(c);
    tproc_source *source = NULL;
    tproc_sink *sink = NULL;
    tproc_pipeline *p = NULL;
    tu_ok(ctx, tproc_source_new_view(ctx, v, &source));
    tu_ok(ctx, tproc_sink_open(ctx, path, &o, &sink));
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    ro.threads = threads;
    ro.tile_height = 7; /* strips that do not line up with tiles or JPEG's 16-row bands */
    tu_ok(ctx, tproc_pipeline_stream(p, source, sink, &ro, NULL));
    tproc_pipeline_free(&p);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
    tproc_ctx_free(&ctx);
    unsigned char *data = tu_read_file(path, size);
    ck_assert_ptr_nonnull(data);
    remove(path);
    return data;
}

START_TEST(same_bytes_any_threads)
{
    fixture fx;
    fixture_open(&fx, _i);
    const config *c = fx.c;
    const tproc_view v = fx.v;
    const char *path = fx.path;
    size_t ref_size, size;
    unsigned char *ref = save_bytes(c, &v, 1, path, &ref_size);
    for (int threads = 2; threads <= 4; threads++) {
        unsigned char *data = save_bytes(c, &v, threads, path, &size);
        ck_assert_msg(size == ref_size && memcmp(data, ref, size) == 0,
                      "%s: %d threads wrote other bytes than 1", c->name, threads);
        free(data);
    }
    for (int threads = 1; threads <= 3; threads += 2) {
        unsigned char *data = stream_bytes(c, &v, threads, path, &size);
        ck_assert_msg(size == ref_size && memcmp(data, ref, size) == 0,
                      "%s: a streamed run on %d threads wrote other bytes than tproc_save", c->name,
                      threads);
        free(data);
    }
    free(ref);
    fixture_close(&fx);
}
END_TEST

/* Samples of directory tif's image through libtiff, as a packed width x height x channels
 * array of the config's sample type (JPEG: libtiff's RGB colour mode). */
static unsigned char *libtiff_read(TIFF *tif, const config *c, uint32_t *w, uint32_t *h)
{
    uint32_t tw = 0, th = 0;
    ck_assert(TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, w));
    ck_assert(TIFFGetField(tif, TIFFTAG_IMAGELENGTH, h));
    ck_assert(TIFFIsTiled(tif));
    ck_assert(TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw));
    ck_assert(TIFFGetField(tif, TIFFTAG_TILELENGTH, &th));
    int channels = c->compression == TPROC_TIFF_JPEG && c->channels >= 3 ? 3 : c->channels;
    if (c->compression == TPROC_TIFF_JPEG && channels == 3)
        ck_assert(TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB));
    size_t pixel = (size_t)channels * tproc_sample_size(c->sample);
    ck_assert_uint_eq((size_t)TIFFTileSize(tif), (size_t)tw * th * pixel);
    unsigned char *tile = malloc((size_t)TIFFTileSize(tif));
    unsigned char *out = malloc((size_t)*w * *h * pixel);
    ck_assert(tile && out);
    for (uint32_t y = 0; y < *h; y += th)
        for (uint32_t x = 0; x < *w; x += tw) {
            ck_assert_msg(TIFFReadTile(tif, tile, x, y, 0, 0) >= 0, "tile %u,%u", x, y);
            for (uint32_t r = 0; r < th && y + r < *h; r++) {
                uint32_t n = *w - x < tw ? *w - x : tw;
                memcpy(out + ((size_t)(y + r) * *w + x) * pixel, tile + (size_t)r * tw * pixel,
                       n * pixel);
            }
        }
    free(tile);
    return out;
}

/* The 2x2 mean of a level, an odd last row or column paired with itself, rounded. */
static unsigned char *halve(const unsigned char *a, uint32_t w, uint32_t h, int ch, int bytes)
{
    uint32_t hw = (w + 1) / 2, hh = (h + 1) / 2;
    unsigned char *out = malloc((size_t)hw * hh * (size_t)ch * (size_t)bytes);
    ck_assert_ptr_nonnull(out);
    for (uint32_t y = 0; y < hh; y++)
        for (uint32_t x = 0; x < hw; x++)
            for (int c = 0; c < ch; c++) {
                uint32_t xs[2] = {2 * x, 2 * x + 1 < w ? 2 * x + 1 : 2 * x};
                uint32_t ys[2] = {2 * y, 2 * y + 1 < h ? 2 * y + 1 : 2 * y};
                unsigned sum = 0;
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 2; i++) {
                        size_t at = ((size_t)ys[j] * w + xs[i]) * (size_t)ch + (size_t)c;
                        if (bytes == 1) {
                            sum += a[at];
                        } else {
                            uint16_t u;
                            memcpy(&u, a + 2 * at, 2);
                            sum += u;
                        }
                    }
                size_t o = ((size_t)y * hw + x) * (size_t)ch + (size_t)c;
                if (bytes == 1) {
                    out[o] = (unsigned char)((sum + 2) / 4);
                } else {
                    uint16_t u = (uint16_t)((sum + 2) / 4);
                    memcpy(out + 2 * o, &u, 2);
                }
            }
    return out;
}

static double psnr_u8(const unsigned char *a, const unsigned char *b, size_t n)
{
    double err = 0;
    for (size_t i = 0; i < n; i++)
        err += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    err /= (double)n;
    return err == 0 ? 99 : 10 * log10(255.0 * 255.0 / err);
}

static void tiff_quiet(const char *module, const char *fmt, va_list ap)
{
    (void)module;
    (void)fmt;
    (void)ap;
}

START_TEST(libtiff_reads_every_level)
{
    TIFFSetWarningHandler(tiff_quiet);
    fixture fx;
    fixture_open(&fx, _i);
    const config *c = fx.c;
    const tproc_view v = fx.v;
    const char *path = fx.path;
    tproc_ctx *ctx = new_ctx(2);
    tproc_save_options o = options_of(c);
    tu_ok(ctx, tproc_save(ctx, &v, path, &o));
    tproc_ctx_free(&ctx);
    TIFF *tif = TIFFOpen(path, "r");
    ck_assert_ptr_nonnull(tif);
    int bytes = (int)tproc_sample_size(c->sample);
    /* The expected level: the image (alpha dropped for JPEG), then its halvings. */
    int ch = c->compression == TPROC_TIFF_JPEG && c->channels >= 3 ? 3 : c->channels;
    uint32_t ew = (uint32_t)c->width, eh = (uint32_t)c->height;
    unsigned char *want = malloc((size_t)ew * eh * (size_t)ch * (size_t)bytes);
    ck_assert_ptr_nonnull(want);
    for (ptrdiff_t y = 0; y < v.height; y++)
        for (ptrdiff_t x = 0; x < v.width; x++)
            memcpy(want + ((size_t)y * ew + (size_t)x) * (size_t)(ch * bytes),
                   v.data + y * v.row_stride + x * v.channels * bytes, (size_t)(ch * bytes));
    int levels = 0;
    do {
        uint32_t w, h;
        unsigned char *got = libtiff_read(tif, c, &w, &h);
        ck_assert_uint_eq(w, ew);
        ck_assert_uint_eq(h, eh);
        size_t n = (size_t)w * h * (size_t)ch * (size_t)bytes;
        if (c->compression == TPROC_TIFF_JPEG) {
            double q = psnr_u8(got, want, n);
            /* Every halving doubles the gradients' frequencies, which 4:2:0 chroma feels. */
            ck_assert_msg(q > (levels ? 26 : 30), "%s level %d: PSNR %.1f", c->name, levels, q);
        } else {
            ck_assert_msg(memcmp(got, want, n) == 0, "%s level %d differs", c->name, levels);
        }
        free(got);
        unsigned char *next = halve(want, ew, eh, ch, bytes);
        free(want);
        want = next;
        ew = (ew + 1) / 2;
        eh = (eh + 1) / 2;
        levels++;
    } while (TIFFReadDirectory(tif));
    free(want);
    TIFFClose(tif);
    /* A pyramid goes down to one tile (256x256 by default). */
    int tw = c->tile_width ? c->tile_width : 256, th = c->tile_height ? c->tile_height : tw;
    int expected = 1;
    for (int w = c->width, h = c->height; c->pyramid && (w > tw || h > th); expected++)
        w = (w + 1) / 2, h = (h + 1) / 2;
    ck_assert_int_eq(levels, expected);
    fixture_close(&fx);
}
END_TEST

/* Under any memory limit: the bytes of an unlimited save, or an error and no file. */
START_TEST(memory_limit_leaves_no_file)
{
    fixture fx;
    fixture_open(&fx, _i);
    const config *c = fx.c;
    const tproc_view v = fx.v;
    const char *path = fx.path;
    size_t ref_size;
    unsigned char *ref = save_bytes(c, &v, 2, path, &ref_size);
    int failed = 0, passed = 0;
    for (size_t limit = 4096; limit < ((size_t)8 << 20); limit = limit * 3 / 2) {
        tproc_ctx *ctx = new_ctx(2);
        tproc_ctx_set_memory_limit(ctx, limit);
        tproc_save_options o = options_of(c);
        int status = tproc_save(ctx, &v, path, &o);
        if (status == TPROC_OK) {
            size_t size;
            unsigned char *data = tu_read_file(path, &size);
            ck_assert_msg(data && size == ref_size && memcmp(data, ref, size) == 0,
                          "%s: limit %zu wrote other bytes", c->name, limit);
            free(data);
            remove(path);
            passed++;
        } else {
            ck_assert_msg(status == TPROC_ERR_LIMIT || status == TPROC_ERR_NOMEM,
                          "%s: limit %zu: %s", c->name, limit, tproc_ctx_message(ctx));
            ck_assert_int_eq(tu_files_in(fx.dir), 0);
            failed++;
        }
        tproc_ctx_free(&ctx);
    }
    ck_assert_msg(failed > 0 && passed > 0, "%s: %d failed, %d passed", c->name, failed, passed);
    free(ref);
    fixture_close(&fx);
}
END_TEST

/* A file that cannot grow past 8000 bytes: the write fails mid-file, naming the file, and
 * nothing is left. */
START_TEST(io_error_leaves_no_file)
{
    fixture fx;
    fixture_open(&fx, _i);
    const config *c = fx.c;
    const tproc_view v = fx.v;
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
    /* threads 3: the default context (the machine's threads), whose record is per thread: a
     * write that fails on a worker must still be told on this one. */
    for (int threads = 1; threads <= 3; threads++) {
        small = old;
        small.rlim_cur = 8000;
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
        tproc_ctx *ctx = threads < 3 ? new_ctx(threads) : NULL;
        tproc_ctx_clear_error(ctx);
        tproc_save_options o = options_of(c);
        int status = tproc_save(ctx, &v, fx.path, &o);
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
        ck_assert_msg(status == TPROC_ERR_IO, "%s: %s", c->name, tproc_ctx_message(ctx));
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "out.tif") != NULL, "%s",
                      tproc_ctx_message(ctx));
        ck_assert_int_eq(tu_files_in(fx.dir), 0);
        tproc_ctx_free(&ctx);
    }
    signal(SIGXFSZ, previous);
    fixture_close(&fx);
}
END_TEST

/* The codec libraries' own memory is counted against the limit (tproc__reserve_file): a JPEG
 * tiled TIFF keeps an encoder open per tile column (libjpeg-turbo: 27 KiB and more each, by
 * mallinfo2) and deflate tiles a libdeflate compressor per thread (656 KiB at level 6). Some
 * limit in a sweep fails on that memory, by name; and whatever the outcome, everything counted
 * is given back when the save ends. */
START_TEST(codec_memory_is_counted)
{
    fixture fx;
    fixture_open(&fx, _i);
    const config *c = fx.c;
    int tiled = c->tile_width > 0 || c->pyramid;
    int ours = c->compression == TPROC_TIFF_JPEG ||
               (c->compression == TPROC_TIFF_DEFLATE || c->compression == TPROC_TIFF_DEFAULT);
    if (tiled && ours) {
        int named = 0;
        for (size_t limit = 16 << 10; limit <= (size_t)4 << 20 && !named; limit += 8 << 10) {
            tproc_ctx *ctx = new_ctx(2);
            tproc_ctx_set_memory_limit(ctx, limit);
            tproc_save_options o = options_of(c);
            int status = tproc_save(ctx, &fx.v, fx.path, &o);
            named =
                status == TPROC_ERR_LIMIT && strstr(tproc_ctx_message(ctx), "own memory") != NULL;
            ck_assert_msg(tproc_ctx_memory_in_use(ctx) == 0,
                          "%s under %zu: %zu bytes still counted", c->name, limit,
                          tproc_ctx_memory_in_use(ctx));
            tproc_ctx_free(&ctx);
            remove(fx.path);
        }
        ck_assert_msg(named, "%s: no limit failed on the codec library's own memory", c->name);
    }
    fixture_close(&fx);
}
END_TEST

Suite *suite_tiff_write(void)
{
    Suite *s = suite_create("tiff_write");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    int n = (int)(sizeof configs / sizeof configs[0]);
    tcase_add_loop_test(tc, same_bytes_any_threads, 0, n);
    tcase_add_loop_test(tc, libtiff_reads_every_level, 0, n);
    tcase_add_loop_test(tc, memory_limit_leaves_no_file, 0, n);
    tcase_add_loop_test(tc, io_error_leaves_no_file, 0, n);
    tcase_add_loop_test(tc, codec_memory_is_counted, 0, n);
    suite_add_tcase(s, tc);
    return s;
}
