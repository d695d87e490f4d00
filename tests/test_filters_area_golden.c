/* SPDX-License-Identifier: MIT */
/*
 * test_filters_area_golden.c: the area filters (box, convolve, sobel, sharpen, median, and
 * gaussian, whose kernels sharpen shares) give the same bytes as the implementation they
 * replaced, on every code path the CPU offers.
 *
 * tests/data/area_golden.txt holds, for each filter spec and format (u8/u16/f32 x 1-4
 * channels), one 64-bit FNV-1a hash of the outputs on a fixed set of images (random and smooth,
 * 1x1 up to 133x7, so images smaller than the kernel and rows long enough for every vector
 * loop and its tail) under every border rule. It was written by the scalar implementations
 * that were in place before the SIMD paths: a build of commit 6461e44 with this file (and
 * kernels/simd.c, which it needs) added, running
 *     TPROC_AREA_GOLDEN_WRITE=tests/data/area_golden.txt CK_RUN_SUITE=filters_area_golden \
 *         build/tests/tileproc_tests
 * after which the "bounded" lines below were marked by hand. Each run here repeats that computation with the kernels capped at each instruction set the
 * machine has (tproc__simd_cap: portable, AVX2, AVX-512) and must reproduce every hash, and
 * tiled runs must give the whole-image bytes.
 *
 * The one deliberate change: sharpen on u8 without alpha and with threshold 0 now blurs in
 * gaussian's 16-bit fixed point (sharpen.c documents the bound: within 1 level of the exact
 * result). Those cases are listed as "bounded" in the file; here they must give the same bytes
 * on every instruction set, and test_filters_blur.c checks them against a double-precision
 * reference. The other sharpen cases keep their bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter_internal.h"
#include "kernels/simd.h"
#include "testutil.h"

static const char *const specs[] = {
    "box:radius=1",
    "box:radius=2",
    "box:radius=3",
    "box:radius=7",
    "box:radius=25",
    "gaussian:sigma=1",
    "gaussian:sigma=2",
    "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125",
    "convolve:matrix=1 1 1;1 1 1;1 1 1,scale=0.1111111111111111",
    "convolve:matrix=1 4 6 4 1;4 16 24 16 4;6 24 36 24 6;4 16 24 16 4;1 4 6 4 1,scale=0.00390625",
    "convolve:matrix=0 -1 0;-1 5 -1;0 -1 0",
    "convolve:matrix=-1 0 1;-2 0 2;-1 0 1,offset=128",
    "convolve:matrix=1 2 0 -2 -1;3 -1 4 1 -5;0 0 9 0 0;-2 1 1 1 -2;1 -3 2 -3 "
    "1,scale=0.05,offset=10",
    "convolve:matrix=0.125 -0.25 0.375;0.5 1 -0.5;0.25 0 -0.125,scale=0.5,offset=3",
    "convolve:matrix=0.3 -0.1 0.2;0.05 0.4 -0.15;0.1 0.1 0.1,scale=1.1,offset=0.7",
    "convolve:matrix=1;2;3;4;5;6;7,scale=0.0357",
    "convolve:matrix=1 -2 3 -4 3 -2 1,scale=0.25,offset=-3",
    "convolve:matrix=1048576 -1048575 3;2 -1 0;0 0 1,scale=0.001",
    "convolve:matrix=1 2 1;2 4 2;1 2 1,scale=-0.0625,offset=255",
    "convolve:matrix=1 2 3 4 3 2 1;2 4 6 8 6 4 2;3 6 9 12 9 6 3;4 8 12 16 12 8 4;3 6 9 12 9 6 3;"
    "2 4 6 8 6 4 2;1 2 3 4 3 2 1,scale=0.003",
    "convolve:matrix=3 -1 2 0 1 -2 4 1 -3;1 1 -1 2 5 -4 0 2 1;0 2 3 -1 -1 1 2 -2 0;"
    "-3 0 1 4 2 -1 3 1 2;2 -2 0 1 9 1 0 -2 2;1 3 -1 2 -4 4 1 0 -1;0 1 2 -3 1 2 -1 3 0;"
    "2 -1 0 1 -2 0 3 -1 1;-1 0 1 2 3 2 1 0 -1,scale=0.02,offset=5",
    "convolve:matrix=3,scale=0.5,offset=-1",
    "convolve:matrix=1 0 1;0 1 0;1 0 1,scale=0.3333333333333333,offset=0.5",
    "sobel",
    "sharpen",
    "sharpen:sigma=2,amount=0.7,threshold=0.05",
    "sharpen:sigma=0.6,amount=3",
    "sharpen:sigma=1.5,amount=1.5,threshold=0",
    "median:radius=1",
    "median:radius=2",
    "median:radius=3",
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static const tproc_sample samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
static const tproc_border borders[5] = {TPROC_BORDER_CONSTANT, TPROC_BORDER_REPLICATE,
                                        TPROC_BORDER_REFLECT, TPROC_BORDER_REFLECT_101,
                                        TPROC_BORDER_WRAP};
/* Image sizes, whether the image is smooth (a ramp with a little noise) or random, and the
 * border rules it is run with (bit i: borders[i]); every rule meets images smaller than the
 * kernels and rows long enough for every vector loop and its tail. */
static const struct {
    ptrdiff_t w, h;
    int smooth;
    unsigned borders;
} images[] = {{1, 1, 0, 31}, {4, 3, 0, 31}, {37, 23, 0, 31}, {133, 7, 0, 9}, {70, 9, 1, 20}};
#define N_IMAGES (sizeof images / sizeof images[0])

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t hash_view(uint64_t h, const tproc_view *v)
{
    size_t px = tproc_view_pixel_size(v);
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++)
            h = fnv(h, tproc_view_pixel(v, x, y), px);
    return h;
}

/* Image k of the set for one format. Smooth images: a diagonal ramp per channel plus noise of
 * a few levels, so that blurs and edges stay off the clamps. */
static tproc_image *make_image(size_t k, int ch, tproc_sample s)
{
    uint64_t seed = 77 + 1000 * (uint64_t)k + 10 * (uint64_t)ch + (uint64_t)s;
    tproc_image *img = tu_random_image(NULL, images[k].w, images[k].h, ch, s, seed);
    if (!images[k].smooth)
        return img;
    tproc_view v = tproc_image_view(img);
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    for (ptrdiff_t y = 0; y < v.height; y++)
        for (ptrdiff_t x = 0; x < v.width; x++) {
            unsigned char *p = tproc_view_pixel(&v, x, y);
            for (int c = 0; c < ch; c++) {
                double t = (double)((x * 3 + y * 5 + c * 40) % 200) / 255.0 + 0.1;
                double noise = (double)tu_rng_range(&rng, -4, 4) / 255.0;
                if (c == ch - 1 && (ch == 2 || ch == 4))
                    t = 0.5 + 0.45 * sin((double)(x + y) * 0.3); /* alpha */
                tproc__put_sample(p, s, c, (t + noise) * tproc__sample_max(s));
            }
        }
    return img;
}

static tproc_image *run(const char *spec, const tproc_view *in, tproc_border b, ptrdiff_t tw,
                        ptrdiff_t th, int threads)
{
    tproc_pipeline *p = NULL;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, spec));
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.border = b;
    static const double bval[4] = {0.3, 0.9, 0.05, 0.6};
    for (int c = 0; c < 4; c++)
        o.border_value[c] = bval[c] * tproc__sample_max(in->sample);
    o.tile_width = tw;
    o.tile_height = th;
    o.threads = threads;
    tproc_image *out = NULL;
    tu_ok(NULL, tproc_pipeline_run(p, in, &o, &out));
    tproc_pipeline_free(&p);
    return out;
}

/* The hash of spec's outputs over the whole image set for one format; tiled runs (checked on
 * the larger images only, to keep the suite quick) must match the whole-image run. */
static uint64_t spec_hash(const char *spec, int ch, tproc_sample s, int check_tiles)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < N_IMAGES; k++) {
        tproc_image *img = make_image(k, ch, s);
        tproc_view in = tproc_image_view(img);
        for (int bi = 0; bi < 5; bi++) {
            if (!(images[k].borders >> bi & 1))
                continue;
            tproc_image *out = run(spec, &in, borders[bi], 1 << 20, 1 << 20, 1);
            tproc_view ov = tproc_image_view(out);
            h = hash_view(h, &ov);
            if (check_tiles && images[k].w > 100) {
                static const ptrdiff_t tiles[][3] = {{7, 5, 1}, {64, 4, 2}};
                for (size_t t = 0; t < 2; t++) {
                    tproc_image *tiled =
                        run(spec, &in, borders[bi], tiles[t][0], tiles[t][1], (int)tiles[t][2]);
                    tproc_view tv = tproc_image_view(tiled);
                    char what[600];
                    snprintf(what, sizeof what, "'%s' %s %dch %tdx%td border %s, tiles %tdx%td",
                             spec, tproc_sample_name(s), ch, in.width, in.height,
                             tproc_border_name(borders[bi]), tiles[t][0], tiles[t][1]);
                    tu_assert_same(&tv, &ov, what);
                    tproc_image_free(&tiled);
                }
            }
            tproc_image_free(&out);
        }
        tproc_image_free(&img);
    }
    return h;
}

/* One line of the golden file: spec, format, hash (or "bounded"). */
typedef struct golden {
    char spec[600];
    char sample[8];
    int channels;
    int bounded;
    uint64_t hash;
} golden;

static size_t read_golden(golden *g, size_t max)
{
    FILE *fp = fopen(tu_data("area_golden.txt"), "r");
    ck_assert_msg(fp != NULL, "cannot open %s", tu_data("area_golden.txt"));
    char line[1024];
    size_t n = 0;
    while (fgets(line, sizeof line, fp) && n < max) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        /* hash<TAB>sample<TAB>channels<TAB>spec */
        char hash[32];
        int used = 0;
        ck_assert_msg(sscanf(line, "%31s %7s %d %n", hash, g[n].sample, &g[n].channels, &used) == 3,
                      "malformed golden line: %s", line);
        snprintf(g[n].spec, sizeof g[n].spec, "%s", line + used);
        g[n].spec[strcspn(g[n].spec, "\n")] = 0;
        g[n].bounded = strcmp(hash, "bounded") == 0;
        g[n].hash = g[n].bounded ? 0 : strtoull(hash, NULL, 16);
        n++;
    }
    fclose(fp);
    return n;
}

static const golden *find_golden(const golden *g, size_t n, const char *spec, tproc_sample s,
                                 int ch)
{
    for (size_t i = 0; i < n; i++)
        if (g[i].channels == ch && strcmp(g[i].sample, tproc_sample_name(s)) == 0 &&
            strcmp(g[i].spec, spec) == 0)
            return &g[i];
    return NULL;
}

/* Writes the golden file from this build (see the top of the file). */
static void write_golden(const char *path)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "# Hashes of area filter outputs (tests/test_filters_area_golden.c); "
                "hash, sample, channels, spec.\n");
    for (size_t i = 0; i < N_SPECS; i++)
        for (int f = 0; f < 12; f++) {
            tproc_sample s = samples[f / 4];
            int ch = f % 4 + 1;
            fprintf(fp, "%016llx\t%s\t%d\t%s\n", (unsigned long long)spec_hash(specs[i], ch, s, 0),
                    tproc_sample_name(s), ch, specs[i]);
        }
    fclose(fp);
}

/* Loop index: spec. Every format, at every instruction-set cap the CPU supports. */
START_TEST(same_bytes_as_before)
{
    const char *out = getenv("TPROC_AREA_GOLDEN_WRITE");
    if (out) {
        if (_i == 0)
            write_golden(out);
        return;
    }
    static golden g[N_SPECS * 12 + 16];
    size_t n = read_golden(g, sizeof g / sizeof g[0]);
    const char *spec = specs[_i];
    for (int f = 0; f < 12; f++) {
        tproc_sample s = samples[f / 4];
        int ch = f % 4 + 1;
        const golden *want = find_golden(g, n, spec, s, ch);
        ck_assert_msg(want != NULL, "no golden hash for '%s' %s %dch", spec, tproc_sample_name(s),
                      ch);
        /* Bounded cases (checked against the reference in test_filters_blur.c) must still
         * agree across instruction sets: compare with the portable build's bytes. */
        uint64_t portable = 0;
        for (int level = TPROC__SIMD_PORTABLE; level <= TPROC__SIMD_AVX512; level++) {
            if (!tproc__simd_supported((tproc__simd)level))
                continue;
            tproc__simd_cap((tproc__simd)level);
            uint64_t got = spec_hash(spec, ch, s, level == TPROC__SIMD_PORTABLE);
            if (level == TPROC__SIMD_PORTABLE)
                portable = got;
            ck_assert_msg(got == (want->bounded ? portable : want->hash),
                          "'%s' %s %dch with %s kernels: outputs differ from the golden ones "
                          "(hash %016llx, expected %016llx%s)",
                          spec, tproc_sample_name(s), ch, tproc__simd_name((tproc__simd)level),
                          (unsigned long long)got,
                          (unsigned long long)(want->bounded ? portable : want->hash),
                          want->bounded ? ", the portable build's" : "");
        }
        tproc__simd_cap(TPROC__SIMD_AVX512);
    }
}
END_TEST

Suite *suite_filters_area_golden(void)
{
    Suite *s = suite_create("filters_area_golden");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, same_bytes_as_before, 0, (int)N_SPECS);
    suite_add_tcase(s, tc);
    return s;
}
