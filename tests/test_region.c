/* SPDX-License-Identifier: MIT */
/*
 * test_region.c: reading a rectangle of a file (tproc_load_region, tproc_source_set_region),
 * proved against the independent path: a full decode of the same file, cropped as a view.
 * Every rectangle must come out byte for byte equal, over many random ones plus those that
 * touch every edge and sit on, just before and just after iMCU boundaries; for JPEG in every
 * layout the native path handles or declines (4:2:0, 4:2:2, 4:4:0, 4:4:4, gray, restart
 * markers, progressive, arithmetic), written here with libjpeg; at every EXIF orientation
 * (a region is upright coordinates); and through the generic path (PNG, interlaced PNG, WebP).
 * For TIFF, every file of tests/data/tiff the reader takes (each layout it supports: strips,
 * tiles, separate planes, palette, 1/2/4/16-bit, float, min-is-white, CMYK, YCbCr JPEG,
 * libtiff's RGBA path, every orientation, a pyramid level), as it is and rewritten by tiffcp
 * into small tiles and strips so that rectangles cross many of their boundaries; and a TIFF
 * whose strips or tiles outside a region are garbage: the region still reads, a full load
 * fails, so the reader cannot have decoded them.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <tiffio.h>

#include "codec.h"
#include "testutil.h"

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    return ctx;
}

/* JPEG layouts written by write_jpeg. */
typedef struct layout {
    const char *name;
    int gray, h, v, restart, progressive, arith;
} layout;

static const layout layouts[] = {
    {"420", 0, 2, 2, 0, 0, 0},      {"422", 0, 2, 1, 0, 0, 0},   {"440", 0, 1, 2, 0, 0, 0},
    {"444", 0, 1, 1, 0, 0, 0},      {"gray", 1, 1, 1, 0, 0, 0},  {"420-restart", 0, 2, 2, 3, 0, 0},
    {"444-restart", 0, 1, 1, 1, 0, 0}, {"420-progressive", 0, 2, 2, 0, 1, 0},
    {"420-arith", 0, 2, 2, 0, 0, 1},
};
#define LAYOUTS ((int)(sizeof layouts / sizeof layouts[0]))

/* A smooth-plus-noise RGB picture of w x h, written with libjpeg in the layout to path. */
static void write_jpeg(const char *path, const layout *l, int w, int h)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    jpeg_stdio_dest(&c, fp);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 85, TRUE);
    if (l->gray)
        jpeg_set_colorspace(&c, JCS_GRAYSCALE);
    c.comp_info[0].h_samp_factor = l->h;
    c.comp_info[0].v_samp_factor = l->v;
    if (!l->gray)
        for (int k = 1; k < 3; k++)
            c.comp_info[k].h_samp_factor = c.comp_info[k].v_samp_factor = 1;
    c.restart_in_rows = l->restart;
    c.arith_code = l->arith ? TRUE : FALSE;
    if (l->progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    unsigned char *row = malloc((size_t)w * 3);
    tu_rng rng;
    tu_rng_seed(&rng, 42);
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < w; x++) {
            row[3 * x] = (unsigned char)((x * 255) / w);
            row[3 * x + 1] = (unsigned char)((y * 255) / h);
            row[3 * x + 2] = (unsigned char)(((x ^ y) & 0x3f) * 2 + (tu_rng_next(&rng) & 0x3f));
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(fp);
    free(row);
}

/* load_region(r) equals the crop of full at r, byte for byte. */
static void check_region(tproc_ctx *ctx, const char *path, const tproc_image *full, tproc_rect r,
                         const tproc_load_options *lo, const char *what)
{
    tproc_image *part = NULL;
    int status = tproc_load_region(ctx, path, r.x, r.y, r.width, r.height, lo, &part);
    ck_assert_msg(status == TPROC_OK, "%s: %tdx%td at (%td,%td): %s", what, r.width, r.height,
                  r.x, r.y, tproc_ctx_message(ctx));
    tproc_view fv = tproc_image_view(full), want, got = tproc_image_view(part);
    tu_ok(ctx, tproc_view_sub(&fv, r.x, r.y, r.width, r.height, &want));
    ck_assert_int_eq(got.width, r.width);
    ck_assert_int_eq(got.height, r.height);
    size_t px = (size_t)got.channels * tproc_sample_size(got.sample);
    /* Check records every assertion it evaluates: compare first, assert only on a mismatch. */
    for (ptrdiff_t y = 0; y < r.height; y++)
        for (ptrdiff_t x = 0; x < r.width; x++)
            if (memcmp(tproc_view_pixel(&got, x, y), tproc_view_pixel(&want, x, y), px) != 0)
                ck_abort_msg("%s: region %tdx%td at (%td,%td) differs at (%td,%td)", what,
                             r.width, r.height, r.x, r.y, x, y);
    tproc_image_free(&part);
}

/* Random rectangles plus the edge cases of a w x h image and ones on, just before and just
 * after 8 and 16 pixel boundaries (iMCUs, tiles of 16 and 32, strips of a few rows). */
static void check_regions(tproc_ctx *ctx, const char *path, const tproc_load_options *lo,
                          int randoms, uint64_t seed, const char *what)
{
    tproc_image *full;
    tu_ok(ctx, tproc_load(ctx, path, lo, &full));
    ptrdiff_t w = tproc_image_width(full), h = tproc_image_height(full);
    tproc_rect fixed[] = {
        {0, 0, w, h},         {0, 0, 1, 1},          {w - 1, h - 1, 1, 1}, {0, h - 1, w, 1},
        {w - 1, 0, 1, h},     {16, 16, 16, 16},      {15, 15, 2, 2},       {17, 17, 15, 15},
        {8, 8, 8, 8},         {7, 9, w - 7, h - 9},  {32, 31, 1, h - 31},  {w / 2, h / 2, w / 2, h / 2},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        tproc_rect r = fixed[i];
        if (r.x < 0 || r.y < 0 || r.width < 1 || r.height < 1 || r.x + r.width > w ||
            r.y + r.height > h)
            continue;
        check_region(ctx, path, full, r, lo, what);
    }
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    for (int i = 0; i < randoms; i++) {
        tproc_rect r;
        r.x = tu_rng_range(&rng, 0, w - 1);
        r.y = tu_rng_range(&rng, 0, h - 1);
        r.width = tu_rng_range(&rng, 1, w - r.x);
        r.height = tu_rng_range(&rng, 1, h - r.y);
        check_region(ctx, path, full, r, lo, what);
    }
    tproc_image_free(&full);
}

static const char *tmp_jpeg(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/tproc_region_%ld_%s.jpg", (long)getpid(), name);
    return buf;
}

/* Every JPEG layout, at two odd sizes: regions equal crops of the full decode. */
START_TEST(jpeg_layouts)
{
    const layout *l = &layouts[_i];
    tproc_ctx *ctx = new_ctx();
    const int sizes[2][2] = {{611, 333}, {37, 29}};
    for (int s = 0; s < 2; s++) {
        const char *path = tmp_jpeg(l->name);
        write_jpeg(path, l, sizes[s][0], sizes[s][1]);
        check_regions(ctx, path, NULL, s == 0 ? 80 : 30, 1000u + (uint64_t)_i, l->name);
        unlink(path);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* The native path is taken where it should be (single-scan, full size) and declined for a
 * progressive file, whose rows the codec layer then cuts. */
START_TEST(jpeg_native_or_not)
{
    tproc_ctx *ctx = new_ctx();
    const int which[2] = {0, 7}; /* 4:2:0 baseline, 4:2:0 progressive */
    for (int i = 0; i < 2; i++) {
        const char *path = tmp_jpeg(layouts[which[i]].name);
        write_jpeg(path, &layouts[which[i]], 300, 200);
        size_t size;
        unsigned char *data = tu_read_file(path, &size);
        tproc__input in = {.name = path, .data = data, .size = size};
        tproc__decode_request q = {0};
        q.region = (tproc_rect){100, 50, 40, 30};
        tproc__decoder d;
        tu_ok(ctx, tproc__codec_of(TPROC_FILE_JPEG)->decoder_open(ctx, &in, &q, &d));
        ck_assert_int_eq(d.region_done, i == 0);
        ck_assert_int_eq(d.format.width, i == 0 ? 40 : 300);
        d.close(d.state);
        free(data);
        unlink(path);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* The libjpeg-turbo test images (4:2:0 baseline, arithmetic) and the EXIF set at every
 * orientation: a region is in upright coordinates. */
START_TEST(jpeg_files_and_orientations)
{
    tproc_ctx *ctx = new_ctx();
    const char *files[] = {"jpeg/testorig.jpg", "jpeg/testimgint.jpg", "jpeg/testimgari.jpg"};
    for (int i = 0; i < 3; i++)
        check_regions(ctx, tu_data(files[i]), NULL, 40, 7u + (uint64_t)i, files[i]);
    for (int o = 1; o <= 8; o++) {
        char rel[64];
        snprintf(rel, sizeof rel, "exif/%s_%d.jpg", o % 2 ? "Landscape" : "Portrait", o);
        check_regions(ctx, tu_data(rel), NULL, 25, 100u + (uint64_t)o, rel);
        tproc_load_options lo = {.ignore_orientation = 1};
        check_regions(ctx, tu_data(rel), &lo, 5, 200u + (uint64_t)o, rel);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Codecs without native regions: the layer's cut of full rows. */
START_TEST(generic_path)
{
    tproc_ctx *ctx = new_ctx();
    const char *files[] = {"pngsuite/basn2c08.png", "pngsuite/basi2c08.png",
                           "pngsuite/basn6a16.png", "pngsuite/basi0g04.png",
                           "webp/libwebptd_lossy_alpha1.webp", "webp/pillow_hopper_orientation_6.webp",
                           "webp/libwebptd_small_13x1.webp"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        check_regions(ctx, tu_data(files[i]), NULL, 20, 300u + i, files[i]);
    tproc_ctx_free(&ctx);
}
END_TEST

/* TIFF layouts: tiffcp's arguments for the rewritten copies (the same compression, planes,
 * depth and photometric as the original). */
static const char *const tiff_relayouts[] = {"-t -w 16 -l 16", "-t -w 32 -l 16", "-s -r 3",
                                             "-s -r 16"};
#define RELAYOUTS ((int)(sizeof tiff_relayouts / sizeof tiff_relayouts[0]))

/* Whether the file loads (files the reader refuses are not regions' business). */
static int loads(tproc_ctx *ctx, const char *path)
{
    tproc_image *img = NULL;
    int ok = tproc_load(ctx, path, NULL, &img) == TPROC_OK;
    tproc_image_free(&img);
    return ok;
}

/* Every TIFF of tests/data/tiff, and its rewrites in tiff_relayouts[_i - 1] (_i 0: as it is). */
START_TEST(tiff_layouts)
{
    tproc_ctx *ctx = new_ctx();
    DIR *dir = opendir(tu_data("tiff"));
    ck_assert_ptr_nonnull(dir);
    int checked = 0, files = 0;
    char src[512], copy[256], cmd[1024];
    snprintf(copy, sizeof copy, "/tmp/tproc_region_%ld_%d.tif", (long)getpid(), _i);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || !(strstr(e->d_name, ".tif") + 4 == e->d_name + n ||
                                     strstr(e->d_name, ".tiff") + 5 == e->d_name + n))
            continue;
        snprintf(src, sizeof src, "%s", tu_data("tiff"));
        snprintf(src + strlen(src), sizeof src - strlen(src), "/%s", e->d_name);
        if (!loads(ctx, src))
            continue; /* refused: 64-bit, signed samples */
        files++;
        const char *path = src;
        if (_i > 0) {
            snprintf(cmd, sizeof cmd, "%s %s '%s' '%s' >/dev/null 2>&1", TPROC_TIFFCP,
                     tiff_relayouts[_i - 1], src, copy);
            if (system(cmd) != 0 || !loads(ctx, copy)) {
                fprintf(stderr, "region: tiffcp %s %s: no copy\n", tiff_relayouts[_i - 1], src);
                continue; /* what tiffcp cannot rewrite (old-style JPEG) */
            }
            path = copy;
        }
        char what[600];
        snprintf(what, sizeof what, "%s (%s)", e->d_name, _i ? tiff_relayouts[_i - 1] : "as is");
        check_regions(ctx, path, NULL, 12, 500u + (uint64_t)checked, what);
        checked++;
    }
    closedir(dir);
    unlink(copy);
    /* Most files are rewritten (tiffcp writes no old-style JPEG, JPEG strips only of whole
     * MCU rows, no separate planes into tiles): the test must not pass by checking nothing. */
    ck_assert_int_ge(files, 50);
    ck_assert_msg(checked >= files * 3 / 4, "only %d of %d files checked", checked, files);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A pyramid level and a page other than the first. */
START_TEST(tiff_levels_and_pages)
{
    tproc_ctx *ctx = new_ctx();
    tproc_load_options lo = {.level = 2};
    check_regions(ctx, tu_data("tiff/pillow_tiff_strip_planar_raw_with_overviews.tif"), &lo, 20,
                  600, "level 2");
    lo = (tproc_load_options){.page = 2};
    check_regions(ctx, tu_data("tiff/pillow_multipage.tiff"), &lo, 20, 601, "page 2");
    tproc_ctx_free(&ctx);
}
END_TEST

/* The TIFF decoder crops itself, for strips, tiles and libtiff's RGBA path alike. */
START_TEST(tiff_native)
{
    tproc_ctx *ctx = new_ctx();
    const char *files[] = {"tiff/libtiff_rgb-3c-8b.tiff", "tiff/pillow_tiff_tiled_planar_raw.tif",
                           "tiff/pillow_hopper.Lab.tif"};
    for (int i = 0; i < 3; i++) {
        size_t size;
        unsigned char *data = tu_read_file(tu_data(files[i]), &size);
        tproc__input in = {.name = files[i], .data = data, .size = size};
        tproc__decode_request q = {0};
        q.region = (tproc_rect){5, 3, 20, 10};
        tproc__decoder d;
        tu_ok(ctx, tproc__codec_of(TPROC_FILE_TIFF)->decoder_open(ctx, &in, &q, &d));
        ck_assert_int_eq(d.region_done, 1);
        ck_assert_int_eq(d.format.width, 20);
        ck_assert_int_eq(d.format.height, 10);
        d.close(d.state);
        in.pos = 0;
        q.region = (tproc_rect){5, 3, 20, 100000};
        ck_assert_int_eq(tproc__codec_of(TPROC_FILE_TIFF)->decoder_open(ctx, &in, &q, &d),
                         TPROC_ERR_RANGE);
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "reaches outside"), "%s",
                      tproc_ctx_message(ctx));
        free(data);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* A 256x224 RGB deflate TIFF in tiles of 32x32 or strips of 8 rows, planes together or apart. */
static void write_tiff(const char *path, int tiled, int separate)
{
    enum { W = 256, H = 224, T = 32, RPS = 8 };
    TIFF *tif = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(tif);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, W);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, H);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
    int spp = separate ? 1 : 3, bw = tiled ? T : W, bh = tiled ? T : RPS;
    if (tiled) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, T);
        TIFFSetField(tif, TIFFTAG_TILELENGTH, T);
    } else {
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, RPS);
    }
    unsigned char *block = malloc((size_t)bw * (size_t)bh * (size_t)spp);
    for (int p = 0; p < (separate ? 3 : 1); p++)
        for (int y0 = 0; y0 < H; y0 += bh)
            for (int x0 = 0; x0 < W; x0 += bw) {
                for (int y = 0; y < bh; y++)
                    for (int x = 0; x < bw * spp; x++) {
                        int c = separate ? p : x % 3, px = x0 + x / spp, py = y0 + y;
                        block[(y * bw * spp) + x] =
                            (unsigned char)((px * 7 + py * 3 + c * 85) ^ (px * py >> 4));
                    }
                tmsize_t bytes = (tmsize_t)bw * (H - y0 < bh && !tiled ? H - y0 : bh) * spp;
                if (tiled)
                    ck_assert_int_ge(
                        TIFFWriteTile(tif, block, (uint32_t)x0, (uint32_t)y0, 0, (uint16_t)p), 0);
                else
                    ck_assert_int_ge(
                        TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, (uint32_t)y0, (uint16_t)p),
                                              block, bytes),
                        0);
            }
    free(block);
    TIFFClose(tif);
}

/*
 * Overwrites with garbage the data of every strip or tile of the file that holds no pixel of
 * the region (a strip counts from its first row to its last). Returns how many.
 */
static int spoil_outside(const char *path, tproc_rect r)
{
    TIFF *tif = TIFFOpen(path, "r");
    ck_assert_ptr_nonnull(tif);
    int tiled = TIFFIsTiled(tif);
    uint32_t blocks = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    uint32_t w = 0, h = 0, bw = 0, bh = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    if (tiled) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &bw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &bh);
    } else {
        TIFFGetField(tif, TIFFTAG_ROWSPERSTRIP, &bh);
        bw = w;
    }
    uint32_t across = (w + bw - 1) / bw, down = (h + bh - 1) / bh;
    uint64_t *offset = malloc(blocks * sizeof *offset), *count = malloc(blocks * sizeof *count);
    for (uint32_t i = 0; i < blocks; i++) {
        offset[i] = TIFFGetStrileOffset(tif, i);
        count[i] = TIFFGetStrileByteCount(tif, i);
    }
    TIFFClose(tif);
    FILE *fp = fopen(path, "r+b");
    ck_assert_ptr_nonnull(fp);
    int spoiled = 0;
    for (uint32_t i = 0; i < blocks; i++) {
        uint32_t k = i % (across * down), x = k % across * bw, y = k / across * bh;
        int meets = (ptrdiff_t)x < r.x + r.width && (ptrdiff_t)(x + bw) > r.x &&
                    (ptrdiff_t)y < r.y + r.height && (ptrdiff_t)(y + bh) > r.y;
        if (meets)
            continue;
        ck_assert_int_eq(fseek(fp, (long)offset[i], SEEK_SET), 0);
        for (uint64_t b = 0; b < count[i]; b++)
            fputc(0xFF, fp);
        spoiled++;
    }
    fclose(fp);
    free(offset);
    free(count);
    return spoiled;
}

/* Tiles or strips outside the region are never decoded: garbage there does not matter to the
 * region (equal to the crop of the intact file), while a full load fails on it. */
START_TEST(tiff_reads_only_what_meets)
{
    int tiled = _i & 1, separate = _i >> 1;
    tproc_ctx *ctx = new_ctx();
    char intact[128], spoiled[128];
    snprintf(intact, sizeof intact, "/tmp/tproc_region_%ld_intact.tif", (long)getpid());
    snprintf(spoiled, sizeof spoiled, "/tmp/tproc_region_%ld_spoiled.tif", (long)getpid());
    write_tiff(intact, tiled, separate);
    tproc_image *full = NULL, *bad = NULL;
    tu_ok(ctx, tproc_load(ctx, intact, NULL, &full));
    /* The region starts inside a strip (row 43 of 40-47) and a tile (column 40 of 32-63). */
    const tproc_rect regions[] = {{40, 43, 100, 90}, {0, 0, 33, 9}, {223, 191, 33, 33}};
    for (int i = 0; i < 3; i++) {
        write_tiff(spoiled, tiled, separate);
        ck_assert_int_gt(spoil_outside(spoiled, regions[i]), 0);
        ck_assert_int_eq(tproc_load(ctx, spoiled, NULL, &bad), TPROC_ERR_CORRUPT);
        ck_assert_ptr_null(bad);
        check_region(ctx, spoiled, full, regions[i], NULL, tiled ? "tiles" : "strips");
    }
    tproc_image_free(&full);
    unlink(intact);
    unlink(spoiled);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Regions outside the image are range errors naming the file; a region is set once. */
START_TEST(region_errors)
{
    tproc_ctx *ctx = new_ctx();
    const char *path = tu_data("jpeg/testorig.jpg"); /* 227x149 */
    tproc_image *img = NULL;
    const tproc_rect bad[] = {{0, 0, 228, 1}, {227, 0, 1, 1}, {0, 149, 1, 1}, {-1, 0, 2, 2},
                              {0, 0, 0, 5},   {100, 100, 128, 50}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(tproc_load_region(ctx, path, bad[i].x, bad[i].y, bad[i].width,
                                           bad[i].height, NULL, &img),
                         TPROC_ERR_RANGE);
        ck_assert_ptr_null(img);
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "testorig.jpg"), "%s",
                      tproc_ctx_message(ctx));
    }
    tproc_source *src;
    tu_ok(ctx, tproc_source_open(ctx, path, NULL, &src));
    tu_ok(ctx, tproc_source_set_region(src, 10, 10, 20, 20));
    ck_assert_int_eq(tproc_source_format(src).width, 20);
    ck_assert_int_eq(tproc_source_set_region(src, 0, 0, 5, 5), TPROC_ERR_STATE);
    tproc_source_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_region(void)
{
    Suite *s = suite_create("region");
    TCase *tc = tcase_create("jpeg");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, jpeg_layouts, 0, LAYOUTS);
    tcase_add_test(tc, jpeg_native_or_not);
    tcase_add_test(tc, jpeg_files_and_orientations);
    suite_add_tcase(s, tc);
    tc = tcase_create("tiff");
    tcase_set_timeout(tc, 900);
    tcase_add_loop_test(tc, tiff_layouts, 0, RELAYOUTS + 1);
    tcase_add_test(tc, tiff_levels_and_pages);
    tcase_add_test(tc, tiff_native);
    tcase_add_loop_test(tc, tiff_reads_only_what_meets, 0, 4);
    suite_add_tcase(s, tc);
    tc = tcase_create("generic");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, generic_path);
    tcase_add_test(tc, region_errors);
    suite_add_tcase(s, tc);
    return s;
}
