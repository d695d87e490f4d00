/* SPDX-License-Identifier: MIT */
/*
 * test_codecs_stream.c: the row-by-row decoders and encoders of codec.h. Rows read in
 * chunks of 1, 7 and all must equal tproc_load's pixels (PngSuite, interlaced or not, u8/u16,
 * 1-4 channels; baseline, arithmetic, progressive and gray JPEG); whole_image must say when the
 * codec decoded everything at open; stopping early must leak nothing (counted memory here,
 * libpng/libjpeg memory through ASan); a truncated file must fail in read_rows, not at open;
 * JPEG shrink-on-load must stay close to an area-averaged full decode; encoders fed in chunks
 * must write the very bytes tproc_save writes; and the memory limit must refuse a whole-image
 * decode at open.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpeg_codec.h"
#include "png_codec.h"
#include "testutil.h"

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    return ctx;
}

static int has_text(const char *s, const char *t)
{
    return s && t && strstr(s, t) != NULL;
}

static size_t format_row_bytes(const tproc_format *f)
{
    return (size_t)f->width * (size_t)f->channels * (f->sample == TPROC_U16 ? 2u : 1u);
}

/*
 * The JPEG decoder for streamed rows at 1/denom, as the codec's entry point took it before
 * the decode request. It refused a denominator of 0, which in a request means "full size",
 * so 0 goes in as -1: still no denominator.
 */
static int jpeg_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *q,
                             int denom, tproc__decoder *d)
{
    tproc__decode_request request = {0};
    if (q)
        request = *q;
    request.scale_denom = denom == 0 ? -1 : denom;
    return tproc__jpeg_decoder_open(ctx, in, &request, d);
}

static int open_decoder(tproc_ctx *ctx, tproc__input *in, int jpeg, int strict, int scale,
                        tproc__decoder *d)
{
    tproc__decode_request q = {0};
    q.strict = strict;
    return jpeg ? jpeg_decoder_open(ctx, in, &q, scale, d)
                : tproc__png_decoder_open(ctx, in, &q, d);
}

/* Padding after each row, so that a decoder writing past its row bytes is seen. */
#define PAD 5
#define PAD_BYTE 0xA5

/*
 * Reads every row in chunks of chunk rows (0: all in one call) into a padded buffer and checks
 * that one more row is refused. Returns the malloc'd buffer; rows are *stride apart.
 */
static unsigned char *read_all(tproc_ctx *ctx, tproc__decoder *d, size_t chunk, size_t *stride)
{
    size_t row = format_row_bytes(&d->format), h = (size_t)d->format.height;
    *stride = row + PAD;
    unsigned char *buf = malloc(*stride * h);
    ck_assert_ptr_nonnull(buf);
    memset(buf, PAD_BYTE, *stride * h);
    for (size_t y = 0; y < h;) {
        size_t n = chunk && chunk < h - y ? chunk : h - y;
        tu_ok(ctx, d->read_rows(d->state, buf + y * *stride, (ptrdiff_t)*stride, n));
        y += n;
    }
    unsigned char extra[64];
    ck_assert_int_eq(d->read_rows(d->state, extra, 0, 1), TPROC_ERR_ARG);
    return buf;
}

/* Rows equal the view's, and the padding after each row is untouched. */
static void assert_rows_equal(const unsigned char *buf, size_t stride, const tproc_view *v,
                              const char *what, size_t chunk)
{
    size_t row = (size_t)v->width * tproc_view_pixel_size(v);
    for (ptrdiff_t y = 0; y < v->height; y++) {
        const unsigned char *got = buf + (size_t)y * stride;
        ck_assert_msg(memcmp(got, tproc_view_pixel(v, 0, y), row) == 0,
                      "%s, chunks of %zu: row %td differs from tproc_load", what, chunk, y);
        for (size_t i = 0; i < PAD; i++)
            ck_assert_msg(got[row + i] == PAD_BYTE, "%s: row %td written past its end", what, y);
    }
}

/* --- PNG decoder -------------------------------------------------------------------------- */

static const struct png_case {
    const char *name;
    int interlaced;
} png_cases[] = {
    {"basn0g01", 0}, {"basn0g16", 0}, {"basn2c08", 0}, {"basn2c16", 0}, {"basn3p02", 0},
    {"basn4a08", 0}, {"basn4a16", 0}, {"basn6a08", 0}, {"basn6a16", 0}, {"tbrn2c08", 0},
    {"tbbn0g04", 0}, {"exif2c08", 0}, {"basi0g01", 1}, {"basi0g16", 1}, {"basi2c08", 1},
    {"basi3p04", 1}, {"basi4a16", 1}, {"basi6a08", 1}, {"basi6a16", 1}, {"s09i3p02", 1},
    {"s01i3p01", 1},
};
#define N_PNG ((int)(sizeof png_cases / sizeof png_cases[0]))

static const char *png_path(const char *name)
{
    char rel[64];
    snprintf(rel, sizeof rel, "pngsuite/%s.png", name);
    return tu_data(rel);
}

static const size_t chunks[] = {1, 7, 0};

START_TEST(png_rows_match_load)
{
    const struct png_case *pc = &png_cases[_i];
    const char *path = png_path(pc->name);
    tproc_ctx *ctx = new_ctx();
    tproc_load_options lo = {.ignore_orientation = 1, .strict = 0};
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, path, &lo, &img));
    tproc_view v = tproc_image_view(img);
    size_t size;
    unsigned char *data = tu_read_file(path, &size);
    ck_assert_ptr_nonnull(data);
    size_t base = tproc_ctx_memory_in_use(ctx);

    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        tproc__input in = {pc->name, NULL, data, size, 0, 0};
        tproc__decoder d;
        tu_ok(ctx, tproc__png_decoder_open(ctx, &in, NULL, &d));
        ck_assert_int_eq(d.format.width, v.width);
        ck_assert_int_eq(d.format.height, v.height);
        ck_assert_int_eq(d.format.channels, v.channels);
        ck_assert_int_eq(d.format.sample, v.sample);
        ck_assert_int_eq(d.whole_image, pc->interlaced);
        size_t whole = format_row_bytes(&d.format) * (size_t)v.height;
        ck_assert_uint_eq(d.whole_bytes, pc->interlaced ? whole : 0);
        /* The whole-image buffer is counted memory. */
        if (pc->interlaced)
            ck_assert_uint_ge(tproc_ctx_memory_in_use(ctx) - base, whole);
        ck_assert_int_eq(d.orientation, tproc_image_orientation(img));
        size_t exif_size = 0;
        const void *exif = tproc_image_exif(img, &exif_size);
        ck_assert_int_eq(d.exif != NULL, exif != NULL);
        if (exif) {
            ck_assert_uint_eq(d.exif_size, exif_size);
            ck_assert_int_eq(memcmp(d.exif, exif, exif_size), 0);
        }
        size_t stride;
        unsigned char *rows = read_all(ctx, &d, chunks[c], &stride);
        assert_rows_equal(rows, stride, &v, pc->name, chunks[c]);
        free(rows);
        d.close(d.state);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), base);
    }
    free(data);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* The one PngSuite file with eXIf must show it at open (it precedes IDAT) with its orientation. */
START_TEST(png_exif_at_open)
{
    tproc_ctx *ctx = new_ctx();
    size_t size;
    unsigned char *data = tu_read_file(png_path("exif2c08"), &size);
    ck_assert_ptr_nonnull(data);
    tproc__input in = {"exif2c08.png", NULL, data, size, 0, 0};
    tproc__decoder d;
    tu_ok(ctx, tproc__png_decoder_open(ctx, &in, NULL, &d));
    ck_assert_ptr_nonnull(d.exif);
    ck_assert_uint_gt(d.exif_size, 8);
    ck_assert_int_eq(d.orientation, tproc__exif_orientation(d.exif, d.exif_size));
    ck_assert_ptr_null(d.icc);
    d.close(d.state);
    free(data);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Stopping after a few rows, or at once, and closing leaves nothing behind. */
START_TEST(png_early_close)
{
    const struct png_case *pc = &png_cases[_i];
    tproc_ctx *ctx = new_ctx();
    size_t size;
    unsigned char *data = tu_read_file(png_path(pc->name), &size);
    ck_assert_ptr_nonnull(data);
    for (size_t stop = 0; stop <= 3; stop += 3) {
        tproc__input in = {pc->name, NULL, data, size, 0, 0};
        tproc__decoder d;
        tu_ok(ctx, tproc__png_decoder_open(ctx, &in, NULL, &d));
        ck_assert_uint_gt(tproc_ctx_memory_in_use(ctx), 0);
        size_t n = stop < (size_t)d.format.height ? stop : (size_t)d.format.height - 1;
        unsigned char *rows = malloc(format_row_bytes(&d.format) * (n ? n : 1));
        if (n)
            tu_ok(ctx, d.read_rows(d.state, rows, (ptrdiff_t)format_row_bytes(&d.format), n));
        d.close(d.state);
        free(rows);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    }
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Reads rows one at a time until one fails; returns the failing row (height if none did). */
static ptrdiff_t read_until_failure(tproc__decoder *d, int *status)
{
    size_t row = format_row_bytes(&d->format);
    unsigned char *buf = malloc(row);
    ck_assert_ptr_nonnull(buf);
    *status = TPROC_OK;
    ptrdiff_t y = 0;
    for (; y < d->format.height; y++)
        if ((*status = d->read_rows(d->state, buf, 0, 1)) != TPROC_OK)
            break;
    free(buf);
    return y;
}

/*
 * A non-interlaced PNG cut in its image data opens and then fails in read_rows, strict or not,
 * naming the input; later calls keep failing. Cut inside IEND's CRC, every row decodes and the
 * call that reads the last row fails (it reads the file's end, as a load does).
 */
START_TEST(png_truncated_fails_in_read_rows)
{
    tproc_ctx *ctx = new_ctx();
    size_t size;
    unsigned char *data = tu_read_file(png_path("basn2c08"), &size);
    ck_assert_ptr_nonnull(data);
    for (int strict = 0; strict <= 1; strict++) {
        tproc__input in = {"cut.png", NULL, data, size / 2, 0, 0};
        tproc__decoder d;
        tu_ok(ctx, open_decoder(ctx, &in, 0, strict, 1, &d));
        int status;
        ptrdiff_t y = read_until_failure(&d, &status);
        ck_assert_int_eq(status, TPROC_ERR_CORRUPT);
        ck_assert_int_lt(y, d.format.height);
        const char *msg = tproc_ctx_message(ctx);
        ck_assert_msg(has_text(msg, "cut.png") && has_text(msg, "truncated"), "message: %s", msg);
        unsigned char row[32 * 3];
        ck_assert_int_eq(d.read_rows(d.state, row, 0, 1), TPROC_ERR_CORRUPT);
        ck_assert(has_text(tproc_ctx_message(ctx), "cut.png"));
        d.close(d.state);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    }
    tproc__input in = {"end.png", NULL, data, size - 2, 0, 0};
    tproc__decoder d;
    tu_ok(ctx, tproc__png_decoder_open(ctx, &in, NULL, &d));
    int status;
    ck_assert_int_eq(read_until_failure(&d, &status), d.format.height - 1);
    ck_assert_int_eq(status, TPROC_ERR_CORRUPT);
    ck_assert(has_text(tproc_ctx_message(ctx), "end.png"));
    d.close(d.state);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* An interlaced file is decoded at open, so there its truncation fails open (and frees). */
START_TEST(png_interlaced_truncated_fails_at_open)
{
    tproc_ctx *ctx = new_ctx();
    size_t size;
    unsigned char *data = tu_read_file(png_path("basi2c08"), &size);
    ck_assert_ptr_nonnull(data);
    tproc__input in = {"cut_i.png", NULL, data, size / 2, 0, 0};
    tproc__decoder d;
    ck_assert_int_eq(tproc__png_decoder_open(ctx, &in, NULL, &d), TPROC_ERR_CORRUPT);
    ck_assert(has_text(tproc_ctx_message(ctx), "cut_i.png"));
    ck_assert_ptr_null(d.state);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Big-endian 32-bit value. */
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t crc32_png(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1u ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

/* Appends a chunk (length, type, data, CRC) at b + pos; returns the new end. */
static size_t put_chunk(unsigned char *b, size_t pos, const char *type, const unsigned char *data,
                        uint32_t len)
{
    put32(b + pos, len);
    memcpy(b + pos + 4, type, 4);
    if (len)
        memcpy(b + pos + 8, data, len);
    put32(b + pos + 8 + len, crc32_png(b + pos + 4, 4 + (size_t)len));
    return pos + 12 + len;
}

/* A PNG declaring w x h RGBA8 with a token IDAT: only its header matters here. */
static size_t fake_png(unsigned char *b, uint32_t w, uint32_t h, int interlaced)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char idat[8] = {0x78, 0x9c, 0x63, 0, 0, 0, 1, 0};
    unsigned char ihdr[13];
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = 8;
    ihdr[9] = 6;
    ihdr[10] = ihdr[11] = 0;
    ihdr[12] = (unsigned char)interlaced;
    memcpy(b, sig, 8);
    size_t pos = put_chunk(b, 8, "IHDR", ihdr, 13);
    pos = put_chunk(b, pos, "IDAT", idat, sizeof idat);
    return put_chunk(b, pos, "IEND", NULL, 0);
}

/*
 * 4000x4000 RGBA8 (61 MiB) under a 16 MiB limit: interlaced, the decoder would hold it all and
 * is refused at open, naming the file and the limit, before anything near that size is
 * allocated; non-interlaced, it holds a row and opens.
 */
START_TEST(png_limit_refuses_whole_image_at_open)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options co = {&alloc, 16u << 20, 1};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(&co, &ctx));
    unsigned char buf[128];
    size_t size = fake_png(buf, 4000, 4000, 1);
    size_t base = counter.live;
    counter.peak = counter.live;
    tproc__input in = {"huge_i.png", NULL, buf, size, 0, 0};
    tproc__decoder d;
    ck_assert_int_eq(tproc__png_decoder_open(ctx, &in, NULL, &d), TPROC_ERR_LIMIT);
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(has_text(msg, "huge_i.png") && has_text(msg, "16 MiB"), "message: %s", msg);
    ck_assert_uint_lt(counter.peak - base, 1u << 20);
    ck_assert_uint_eq(counter.live, base);

    size = fake_png(buf, 4000, 4000, 0);
    tproc__input in2 = {"huge_n.png", NULL, buf, size, 0, 0};
    tu_ok(ctx, tproc__png_decoder_open(ctx, &in2, NULL, &d));
    ck_assert_int_eq(d.whole_image, 0);
    ck_assert_uint_eq(d.whole_bytes, 0);
    ck_assert_int_eq(d.format.width, 4000);
    d.close(d.state);
    ck_assert_uint_eq(counter.live, base);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- JPEG decoder ------------------------------------------------------------------------- */

typedef struct blob {
    unsigned char *data;
    size_t size;
    char name[64];
} blob;

static blob blob_from_file(const char *rel, const char *name)
{
    blob b;
    b.data = tu_read_file(tu_data(rel), &b.size);
    ck_assert_ptr_nonnull(b.data);
    snprintf(b.name, sizeof b.name, "%s", name);
    return b;
}

/* testorig.jpg's pixels as an RGB image (or its first channel as gray) saved with options. */
static blob blob_saved(tproc_ctx *ctx, int gray, int progressive, const char *name)
{
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, tu_data("jpeg/testorig.jpg"), NULL, &img));
    tproc_view v = tproc_image_view(img), g;
    if (gray) {
        tu_ok(ctx, tproc_view_channels(&v, 0, 1, &g));
        v = g;
    }
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.progressive = progressive;
    void *data = NULL;
    size_t size = 0;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &size));
    blob b;
    b.data = malloc(size);
    ck_assert_ptr_nonnull(b.data);
    memcpy(b.data, data, size);
    b.size = size;
    snprintf(b.name, sizeof b.name, "%s", name);
    tproc_free(ctx, data);
    tproc_image_free(&img);
    return b;
}

enum { JC_BASELINE, JC_ARITH, JC_EXIF, JC_TRUNC_PROG, JC_PROG, JC_GRAY, JC_GRAY_PROG, N_JPEG };

static blob jpeg_case(tproc_ctx *ctx, int i)
{
    switch (i) {
    case JC_BASELINE:
        return blob_from_file("jpeg/testorig.jpg", "testorig.jpg");
    case JC_ARITH:
        return blob_from_file("jpeg/testimgari.jpg", "testimgari.jpg");
    case JC_EXIF:
        return blob_from_file("exif/Landscape_6.jpg", "Landscape_6.jpg");
    case JC_TRUNC_PROG:
        return blob_from_file("bad/jpg_pillow_truncated_jpeg.jpg", "truncated_progressive.jpg");
    case JC_PROG:
        return blob_saved(ctx, 0, 1, "progressive.jpg");
    case JC_GRAY:
        return blob_saved(ctx, 1, 0, "gray.jpg");
    default:
        return blob_saved(ctx, 1, 1, "gray_progressive.jpg");
    }
}

START_TEST(jpeg_rows_match_load)
{
    tproc_ctx *ctx = new_ctx();
    blob b = jpeg_case(ctx, _i);
    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, b.data, b.size, &info));
    tproc_load_options lo = {.ignore_orientation = 1, .strict = 0};
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, b.data, b.size, &lo, &img));
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.channels, _i == JC_GRAY || _i == JC_GRAY_PROG ? 1 : 3);
    ck_assert_int_eq(info.progressive, _i == JC_TRUNC_PROG || _i == JC_PROG || _i == JC_GRAY_PROG);
    size_t base = tproc_ctx_memory_in_use(ctx);
    if (_i == JC_TRUNC_PROG) {
        /* A row decoder stops where the data does; a multi-scan file decodes at open, so the
         * truncation is found there (the lenient load above went on with grey). */
        tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
        tproc__decoder d;
        ck_assert_int_eq(jpeg_decoder_open(ctx, &in, NULL, 1, &d), TPROC_ERR_CORRUPT);
        ck_assert_msg(has_text(tproc_ctx_message(ctx), "truncated JPEG data"), "message: %s",
                      tproc_ctx_message(ctx));
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), base);
    }
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0] && _i != JC_TRUNC_PROG; c++) {
        tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
        tproc__decoder d;
        tu_ok(ctx, jpeg_decoder_open(ctx, &in, NULL, 1, &d));
        ck_assert_int_eq(d.format.width, v.width);
        ck_assert_int_eq(d.format.height, v.height);
        ck_assert_int_eq(d.format.channels, v.channels);
        ck_assert_int_eq(d.format.sample, TPROC_U8);
        ck_assert_int_eq(d.whole_image, info.progressive);
        size_t whole = format_row_bytes(&d.format) * (size_t)v.height;
        ck_assert_uint_eq(d.whole_bytes, info.progressive ? whole : 0);
        if (info.progressive)
            ck_assert_uint_ge(tproc_ctx_memory_in_use(ctx) - base, whole);
        ck_assert_int_eq(d.orientation, _i == JC_EXIF ? 6 : 1);
        size_t exif_size = 0;
        const void *exif = tproc_image_exif(img, &exif_size);
        ck_assert_int_eq(d.exif != NULL, _i == JC_EXIF);
        ck_assert_int_eq(exif != NULL, _i == JC_EXIF);
        if (exif) {
            ck_assert_uint_eq(d.exif_size, exif_size);
            ck_assert_int_eq(memcmp(d.exif, exif, exif_size), 0);
        }
        size_t stride;
        unsigned char *rows = read_all(ctx, &d, chunks[c], &stride);
        assert_rows_equal(rows, stride, &v, b.name, chunks[c]);
        free(rows);
        d.close(d.state);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), base);
    }
    free(b.data);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(jpeg_early_close)
{
    tproc_ctx *ctx = new_ctx();
    blob b = jpeg_case(ctx, _i);
    for (size_t stop = 0; stop <= 20 && _i != JC_TRUNC_PROG; stop += 10) {
        for (int scale = 1; scale <= 2; scale++) {
            tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
            tproc__decoder d;
            tu_ok(ctx, jpeg_decoder_open(ctx, &in, NULL, scale, &d));
            ck_assert_uint_gt(tproc_ctx_memory_in_use(ctx), 0);
            size_t row = format_row_bytes(&d.format);
            unsigned char *rows = malloc(row * (stop ? stop : 1));
            if (stop)
                tu_ok(ctx, d.read_rows(d.state, rows, (ptrdiff_t)row, stop));
            d.close(d.state);
            free(rows);
            ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
        }
    }
    free(b.data);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * testorig.jpg cut at 60%: strict or not, the decoder opens and read_rows fails with
 * "truncated JPEG data" naming the input, at the rows where the data ends (a row decoder stops
 * there; only a whole load, which the memory limit bounds, goes on with grey rows). The rows
 * before the cut equal a lenient load's.
 */
START_TEST(jpeg_truncated_fails_in_read_rows)
{
    tproc_ctx *ctx = new_ctx();
    blob b = blob_from_file("jpeg/testorig.jpg", "cut.jpg");
    size_t cut = b.size * 6 / 10;
    tproc__input in = {"cut.jpg", NULL, b.data, cut, 0, 0};
    tproc__decoder d;
    tu_ok(ctx, open_decoder(ctx, &in, 1, 1, 1, &d));
    int status;
    ptrdiff_t y = read_until_failure(&d, &status);
    ck_assert_int_eq(status, TPROC_ERR_CORRUPT);
    ck_assert_int_lt(y, d.format.height);
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(has_text(msg, "cut.jpg") && has_text(msg, "truncated JPEG data"), "message: %s",
                  msg);
    unsigned char row[227 * 3];
    ck_assert_int_eq(d.read_rows(d.state, row, 0, 1), TPROC_ERR_CORRUPT);
    d.close(d.state);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);

    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, b.data, cut, NULL, &img));
    tproc_view v = tproc_image_view(img);
    tproc__input in2 = {"cut.jpg", NULL, b.data, cut, 0, 0};
    tu_ok(ctx, open_decoder(ctx, &in2, 1, 0, 1, &d));
    size_t row_bytes = (size_t)d.format.width * 3;
    unsigned char *rows = malloc(row_bytes * (size_t)d.format.height);
    ptrdiff_t got = 0;
    int lenient = TPROC_OK;
    while (got < d.format.height && (lenient = d.read_rows(d.state, rows + (size_t)got * row_bytes,
                                                           (ptrdiff_t)row_bytes, 1)) == TPROC_OK)
        got++;
    ck_assert_int_eq(lenient, TPROC_ERR_CORRUPT);
    ck_assert_msg(has_text(tproc_ctx_message(ctx), "truncated JPEG data"), "message: %s",
                  tproc_ctx_message(ctx));
    ck_assert_int_gt(got, 0);
    ck_assert_int_lt(got, d.format.height);
    for (ptrdiff_t r = 0; r < got; r++)
        ck_assert_msg(memcmp(rows + (size_t)r * row_bytes, tproc_view_pixel(&v, 0, r), row_bytes) ==
                          0,
                      "lenient cut.jpg: row %td differs from the load", r);
    free(rows);
    d.close(d.state);
    tproc_image_free(&img);
    free(b.data);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A progressive file is read whole at open: strict, its truncation fails open. */
START_TEST(jpeg_progressive_truncated_fails_at_open)
{
    tproc_ctx *ctx = new_ctx();
    blob b = jpeg_case(ctx, JC_TRUNC_PROG);
    tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
    tproc__decoder d;
    ck_assert_int_eq(open_decoder(ctx, &in, 1, 1, 1, &d), TPROC_ERR_CORRUPT);
    ck_assert(has_text(tproc_ctx_message(ctx), "truncated JPEG data"));
    ck_assert(has_text(tproc_ctx_message(ctx), b.name));
    ck_assert_ptr_null(d.state);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(b.data);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * Shrink-on-load: 1/N of each side (rounded up), and pixels close to the full decode averaged
 * over N x N blocks (blocks cut by the right and bottom edges average what they hold).
 * Tolerances: the mean absolute difference per sample and the largest single difference,
 * measured (the table's comment) plus a margin.
 */
static const struct {
    int denom;
    double mean, max;
} scale_tolerance[] = {
    /* Measured with libjpeg-turbo 2.1 (ISLOW, fancy upsampling) over the four images below,
     * worst per denominator: mean 0.87 / 0.84 / 0.74, max 31.5 / 19.6 / 16.5 (the maxima sit
     * on sharp edges of the 1800x1200 photo and testorig; smooth areas differ by 0-2). */
    {2, 1.25, 40},
    {4, 1.25, 28},
    {8, 1.25, 24},
};

enum { SC_BASELINE, SC_PHOTO, SC_GRAY, SC_PROG, N_SCALE_IMAGES };

START_TEST(jpeg_scale_close_to_area_average)
{
    int image = _i / 3, denom = scale_tolerance[_i % 3].denom;
    tproc_ctx *ctx = new_ctx();
    blob b = image == SC_BASELINE ? jpeg_case(ctx, JC_BASELINE)
             : image == SC_PHOTO  ? blob_from_file("exif/Landscape_1.jpg", "Landscape_1.jpg")
             : image == SC_GRAY   ? jpeg_case(ctx, JC_GRAY)
                                  : jpeg_case(ctx, JC_PROG);
    tproc_load_options lo = {.ignore_orientation = 1, .strict = 0};
    tproc_image *full = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, b.data, b.size, &lo, &full));
    tproc_view fv = tproc_image_view(full);
    tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
    tproc__decoder d;
    tu_ok(ctx, jpeg_decoder_open(ctx, &in, NULL, denom, &d));
    ck_assert_int_eq(d.format.width, (fv.width + denom - 1) / denom);
    ck_assert_int_eq(d.format.height, (fv.height + denom - 1) / denom);
    ck_assert_int_eq(d.format.channels, fv.channels);
    ck_assert_int_eq(d.whole_image, image == SC_PROG);
    ck_assert_uint_eq(d.whole_bytes,
                      image == SC_PROG ? format_row_bytes(&d.format) * (size_t)d.format.height : 0);
    size_t stride;
    unsigned char *rows = read_all(ctx, &d, 7, &stride);
    d.close(d.state);

    double sum = 0, worst = 0;
    size_t n = 0;
    int ch = fv.channels;
    for (ptrdiff_t y = 0; y < d.format.height; y++) {
        for (ptrdiff_t x = 0; x < d.format.width; x++) {
            for (int c = 0; c < ch; c++) {
                double acc = 0;
                int count = 0;
                for (ptrdiff_t yy = y * denom; yy < (y + 1) * denom && yy < fv.height; yy++)
                    for (ptrdiff_t xx = x * denom; xx < (x + 1) * denom && xx < fv.width; xx++) {
                        acc += tproc_view_pixel(&fv, xx, yy)[c];
                        count++;
                    }
                double diff = acc / count - rows[(size_t)y * stride + (size_t)(x * ch + c)];
                diff = diff < 0 ? -diff : diff;
                sum += diff;
                worst = diff > worst ? diff : worst;
                n++;
            }
        }
    }
    double mean = sum / (double)n;
    if (getenv("TPROC_TEST_VERBOSE"))
        fprintf(stderr, "scale 1/%d %s: mean %.3f max %.1f\n", denom, b.name, mean, worst);
    ck_assert_msg(mean <= scale_tolerance[_i % 3].mean, "1/%d %s: mean difference %.3f", denom,
                  b.name, mean);
    ck_assert_msg(worst <= scale_tolerance[_i % 3].max, "1/%d %s: largest difference %.1f", denom,
                  b.name, worst);
    free(rows);
    free(b.data);
    tproc_image_free(&full);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(jpeg_scale_refuses_other_denominators)
{
    tproc_ctx *ctx = new_ctx();
    blob b = jpeg_case(ctx, JC_BASELINE);
    static const int bad[] = {0, 3, 16, -2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tproc__input in = {b.name, NULL, b.data, b.size, 0, 0};
        tproc__decoder d;
        memset(&d, 0x5a, sizeof d);
        ck_assert_int_eq(jpeg_decoder_open(ctx, &in, NULL, bad[i], &d), TPROC_ERR_ARG);
        ck_assert_ptr_null(d.state);
        ck_assert(has_text(tproc_ctx_message(ctx), b.name));
    }
    free(b.data);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * A progressive decoder holds the whole image in counted memory, so a limit below that refuses
 * it at open with TPROC_ERR_LIMIT; a baseline file of the same pixels opens under that limit.
 */
START_TEST(jpeg_limit_refuses_progressive_at_open)
{
    tproc_ctx *ctx = new_ctx();
    blob prog = jpeg_case(ctx, JC_PROG), base = jpeg_case(ctx, JC_BASELINE);
    size_t whole = 227u * 149u * 3u;
    tproc_ctx_set_memory_limit(ctx, tproc_ctx_memory_in_use(ctx) + whole / 2);
    tproc__input in = {prog.name, NULL, prog.data, prog.size, 0, 0};
    tproc__decoder d;
    ck_assert_int_eq(jpeg_decoder_open(ctx, &in, NULL, 1, &d), TPROC_ERR_LIMIT);
    ck_assert(has_text(tproc_ctx_message(ctx), prog.name));
    ck_assert(has_text(tproc_ctx_message(ctx), "limit"));
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc__input in2 = {base.name, NULL, base.data, base.size, 0, 0};
    tu_ok(ctx, jpeg_decoder_open(ctx, &in2, NULL, 1, &d));
    ck_assert_int_eq(d.whole_image, 0);
    d.close(d.state);
    free(prog.data);
    free(base.data);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- encoders ----------------------------------------------------------------------------- */

typedef int (*encoder_open_fn)(tproc_ctx *, tproc__output *, const tproc_format *,
                               const tproc_save_options *, tproc__encoder *);

/* The PNG and JPEG encoders, opened as the library opens encoders (tproc__encoder_open). */
static int png_encoder(tproc_ctx *ctx, tproc__output *out, const tproc_format *f,
                       const tproc_save_options *o, tproc__encoder *enc)
{
    return tproc__encoder_open(tproc__codec_of(TPROC_FILE_PNG), ctx, out, f, o, enc);
}

static int jpeg_encoder(tproc_ctx *ctx, tproc__output *out, const tproc_format *f,
                        const tproc_save_options *o, tproc__encoder *enc)
{
    return tproc__encoder_open(tproc__codec_of(TPROC_FILE_JPEG), ctx, out, f, o, enc);
}

/* Encodes view through an encoder in chunks of chunk rows (0: all); returns the bytes. */
static unsigned char *encode_chunks(tproc_ctx *ctx, encoder_open_fn open, const tproc_view *view,
                                    const tproc_save_options *o, size_t chunk, size_t *size)
{
    tproc__output out = {"stream.out", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    tproc_format f = {view->width, view->height, view->channels, view->sample};
    tproc__encoder enc;
    tu_ok(ctx, open(ctx, &out, &f, o, &enc));
    for (ptrdiff_t y = 0; y < view->height;) {
        ptrdiff_t n =
            chunk && (ptrdiff_t)chunk < view->height - y ? (ptrdiff_t)chunk : view->height - y;
        tproc_view rows;
        tu_ok(ctx, tproc_view_sub(view, 0, y, view->width, n, &rows));
        tu_ok(ctx, enc.write_rows(enc.state, &rows));
        y += n;
    }
    tu_ok(ctx, enc.finish(enc.state));
    enc.close(enc.state);
    unsigned char *copy = malloc(out.size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, out.data, out.size);
    *size = out.size;
    tproc__dealloc(ctx, out.data);
    return copy;
}

/* Chunks of 1, 7 and all give tproc_save_memory's bytes, which load back to the same pixels. */
static void assert_encodes_like_save(tproc_ctx *ctx, encoder_open_fn open, const tproc_view *view,
                                     const tproc_save_options *o, const char *what)
{
    void *ref = NULL;
    size_t ref_size = 0;
    tu_ok(ctx, tproc_save_memory(ctx, view, o, &ref, &ref_size));
    /* ignore: the made-up profile of the metadata case cannot convert anything. */
    tproc_load_options lo = {.ignore_orientation = 1, .colour = TPROC_COLOUR_IGNORE};
    tproc_image *ref_img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, ref, ref_size, &lo, &ref_img));
    tproc_view rv = tproc_image_view(ref_img);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t size;
        unsigned char *got = encode_chunks(ctx, open, view, o, chunks[c], &size);
        ck_assert_msg(size == ref_size && memcmp(got, ref, size) == 0,
                      "%s, chunks of %zu: %zu bytes differ from tproc_save's %zu", what, chunks[c],
                      size, ref_size);
        tproc_image *img = NULL;
        tu_ok(ctx, tproc_load_memory(ctx, got, size, &lo, &img));
        tproc_view gv = tproc_image_view(img);
        tu_assert_same(&gv, &rv, what);
        tproc_image_free(&img);
        free(got);
    }
    tproc_image_free(&ref_img);
    tproc_free(ctx, ref);
}

/* _i: channels 1-4, then u8 / u16. Packed, padded-pixel, and bottom-up views. */
START_TEST(png_encoder_matches_save)
{
    int channels = _i % 4 + 1;
    tproc_sample sample = _i < 4 ? TPROC_U8 : TPROC_U16;
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 37, 23, channels, sample, 100 + (uint64_t)_i);
    tproc_image *wide = tu_random_image(ctx, 37, 23, 4, sample, 200 + (uint64_t)_i);
    tproc_view v = tproc_image_view(img), wv = tproc_image_view(wide), sub, flipped;
    tu_ok(ctx, tproc_view_channels(&wv, 0, channels, &sub));
    tu_ok(ctx, tproc_view_flip_v(&v, &flipped));
    tproc_image *exif_src = NULL;
    tu_ok(ctx, tproc_load(ctx, png_path("exif2c08"), NULL, &exif_src));
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_PNG;
    assert_encodes_like_save(ctx, png_encoder, &v, &o, "packed");
    if (channels < 4)
        assert_encodes_like_save(ctx, png_encoder, &sub, &o, "padded pixels");
    o.compression = 9;
    o.exif = tproc_image_exif(exif_src, &o.exif_size);
    ck_assert_ptr_nonnull(o.exif);
    assert_encodes_like_save(ctx, png_encoder, &flipped, &o, "bottom-up with eXIf");
    tproc_image_free(&exif_src);
    tproc_image_free(&wide);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A small big-endian EXIF block with orientation 6. */
static size_t exif_orientation_6(unsigned char *b)
{
    static const unsigned char block[26] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0,
                                            3,   0,   0, 0,  1, 0, 6, 0, 0, 0, 0,    0,    0};
    memcpy(b, block, sizeof block);
    return sizeof block;
}

/* _i: gray / RGB; settings: default, q75 + 4:4:4, progressive, metadata. */
START_TEST(jpeg_encoder_matches_save)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, tu_data("jpeg/testorig.jpg"), NULL, &img));
    tproc_view v = tproc_image_view(img), g;
    if (_i == 0) {
        tu_ok(ctx, tproc_view_channels(&v, 1, 1, &g)); /* pixel stride 3: the row-copy path */
        v = g;
    }
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    assert_encodes_like_save(ctx, jpeg_encoder, &v, &o, "default");
    o.quality = 75;
    o.chroma_444 = 1;
    assert_encodes_like_save(ctx, jpeg_encoder, &v, &o, "q75 4:4:4");
    o.chroma_444 = 0;
    o.progressive = 1;
    assert_encodes_like_save(ctx, jpeg_encoder, &v, &o, "progressive");
    o.progressive = 0;
    unsigned char exif[32], icc[300];
    o.exif = exif;
    o.exif_size = exif_orientation_6(exif);
    for (size_t i = 0; i < sizeof icc; i++)
        icc[i] = (unsigned char)(i * 7);
    /* Saves leave out a profile of another colour space than the pixels'. */
    memcpy(icc + 16, v.channels == 1 ? "GRAY" : "RGB ", 4);
    o.icc = icc;
    o.icc_size = sizeof icc;
    assert_encodes_like_save(ctx, jpeg_encoder, &v, &o, "metadata");

    /* The written EXIF says upright; the caller's block is left alone. */
    size_t size;
    unsigned char *got = encode_chunks(ctx, jpeg_encoder, &v, &o, 7, &size);
    ck_assert_int_eq(tproc__exif_orientation(exif, o.exif_size), 6);
    tproc__input in = {"meta.jpg", NULL, got, size, 0, 0};
    tproc__decoder d;
    tu_ok(ctx, jpeg_decoder_open(ctx, &in, NULL, 1, &d));
    ck_assert_int_eq(d.orientation, 1);
    ck_assert_uint_eq(d.exif_size, o.exif_size);
    ck_assert_uint_eq(d.icc_size, sizeof icc);
    ck_assert_int_eq(memcmp(d.icc, icc, sizeof icc), 0);
    d.close(d.state);
    free(got);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * Misuse is refused without harming the encoder (wrong width, too many rows, finishing early),
 * the output afterwards still equals tproc_save's, and an encoder closed before finish, at any
 * point, leaves nothing behind. _i: PNG, JPEG.
 */
START_TEST(encoder_misuse_and_early_close)
{
    int jpeg = _i == 1;
    encoder_open_fn open = jpeg ? jpeg_encoder : png_encoder;
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 40, 30, 3, TPROC_U8, 7);
    tproc_view v = tproc_image_view(img), part;
    tproc_format f = {40, 30, 3, TPROC_U8};
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = jpeg ? TPROC_FILE_JPEG : TPROC_FILE_PNG;
    size_t base = tproc_ctx_memory_in_use(ctx);

    for (int stop = 0; stop < 3; stop++) {
        tproc__output out = {"early.out", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
        tproc__encoder enc;
        tu_ok(ctx, open(ctx, &out, &f, &o, &enc));
        if (stop >= 1) {
            tu_ok(ctx, tproc_view_sub(&v, 0, 0, 40, 10, &part));
            tu_ok(ctx, enc.write_rows(enc.state, &part));
        }
        if (stop >= 2) {
            tu_ok(ctx, tproc_view_sub(&v, 0, 10, 40, 20, &part));
            tu_ok(ctx, enc.write_rows(enc.state, &part));
        }
        enc.close(enc.state);
        tproc__dealloc(ctx, out.data);
        ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), base);
    }

    tproc__output out = {"misuse.out", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    tproc__encoder enc;
    tu_ok(ctx, open(ctx, &out, &f, &o, &enc));
    tu_ok(ctx, tproc_view_sub(&v, 0, 0, 39, 5, &part));
    ck_assert_int_eq(enc.write_rows(enc.state, &part), TPROC_ERR_ARG);
    ck_assert(has_text(tproc_ctx_message(ctx), "misuse.out"));
    tu_ok(ctx, tproc_view_sub(&v, 0, 0, 40, 12, &part));
    tu_ok(ctx, enc.write_rows(enc.state, &part));
    ck_assert_int_eq(enc.finish(enc.state), TPROC_ERR_ARG);
    ck_assert(has_text(tproc_ctx_message(ctx), "12 of 30 rows"));
    tu_ok(ctx, tproc_view_sub(&v, 0, 0, 40, 19, &part));
    ck_assert_int_eq(enc.write_rows(enc.state, &part), TPROC_ERR_ARG);
    tu_ok(ctx, tproc_view_sub(&v, 0, 12, 40, 18, &part));
    tu_ok(ctx, enc.write_rows(enc.state, &part));
    tu_ok(ctx, enc.finish(enc.state));
    ck_assert_int_eq(enc.write_rows(enc.state, &part), TPROC_ERR_ARG);
    ck_assert_int_eq(enc.finish(enc.state), TPROC_ERR_ARG);
    enc.close(enc.state);
    void *ref = NULL;
    size_t ref_size = 0;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &ref, &ref_size));
    ck_assert_uint_eq(out.size, ref_size);
    ck_assert_int_eq(memcmp(out.data, ref, ref_size), 0);
    tproc_free(ctx, ref);
    tproc__dealloc(ctx, out.data);

    /* Formats the encoder does not take are refused at open, before any output. */
    tproc_format bad = {40, 30, jpeg ? 2 : 5, TPROC_U8};
    tproc__output out2 = {"bad.out", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    ck_assert_int_eq(open(ctx, &out2, &bad, &o, &enc), TPROC_ERR_ARG);
    ck_assert_ptr_null(enc.state);
    ck_assert_uint_eq(out2.size, 0);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * An output that cannot grow (its 64 KiB buffer is over the memory limit): the encoder fails
 * with tproc__output_write's status, TPROC_ERR_LIMIT, in whichever call first writes (PNG at
 * open, JPEG once its 16 KiB buffer fills); later calls fail too, and close frees everything.
 */
START_TEST(encoder_output_failure)
{
    int jpeg = _i == 1;
    encoder_open_fn open = jpeg ? jpeg_encoder : png_encoder;
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 300, 200, 3, TPROC_U8, 9);
    tproc_view v = tproc_image_view(img);
    tproc_format f = {300, 200, 3, TPROC_U8};
    tproc_save_options o;
    tproc_save_options_init(&o);
    size_t base = tproc_ctx_memory_in_use(ctx);
    /* JPEG also counts libjpeg's own memory (32 KiB + 12 bytes a sample of a row) at open. */
    tproc_ctx_set_memory_limit(ctx, base + 40000 + (jpeg ? (32u << 10) + 12 * 300 * 3 : 0));
    tproc__output out = {"full.out", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    tproc__encoder enc;
    int status = open(ctx, &out, &f, &o, &enc);
    if (status == TPROC_OK) {
        ck_assert_int_eq(jpeg, 1);
        status = enc.write_rows(enc.state, &v);
        if (status == TPROC_OK)
            status = enc.finish(enc.state);
        ck_assert_int_eq(status, TPROC_ERR_LIMIT);
        ck_assert(has_text(tproc_ctx_message(ctx), "encoded output"));
        ck_assert_int_eq(enc.finish(enc.state), TPROC_ERR_LIMIT);
        ck_assert(has_text(tproc_ctx_message(ctx), "earlier error"));
        enc.close(enc.state);
    } else {
        ck_assert_int_eq(jpeg, 0);
        ck_assert_int_eq(status, TPROC_ERR_LIMIT);
        ck_assert(has_text(tproc_ctx_message(ctx), "encoded output"));
        ck_assert_ptr_null(enc.state);
    }
    ck_assert_int_eq(out.status, TPROC_ERR_LIMIT);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), base);
    tproc_ctx_set_memory_limit(ctx, 0);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_codecs_stream(void)
{
    Suite *s = suite_create("codecs_stream");

    TCase *tc = tcase_create("png_decoder");
    tcase_add_loop_test(tc, png_rows_match_load, 0, N_PNG);
    tcase_add_test(tc, png_exif_at_open);
    tcase_add_loop_test(tc, png_early_close, 0, N_PNG);
    tcase_add_test(tc, png_truncated_fails_in_read_rows);
    tcase_add_test(tc, png_interlaced_truncated_fails_at_open);
    tcase_add_test(tc, png_limit_refuses_whole_image_at_open);
    suite_add_tcase(s, tc);

    tc = tcase_create("jpeg_decoder");
    tcase_add_loop_test(tc, jpeg_rows_match_load, 0, N_JPEG);
    tcase_add_loop_test(tc, jpeg_early_close, 0, N_JPEG);
    tcase_add_test(tc, jpeg_truncated_fails_in_read_rows);
    tcase_add_test(tc, jpeg_progressive_truncated_fails_at_open);
    tcase_add_loop_test(tc, jpeg_scale_close_to_area_average, 0, N_SCALE_IMAGES * 3);
    tcase_add_test(tc, jpeg_scale_refuses_other_denominators);
    tcase_add_test(tc, jpeg_limit_refuses_progressive_at_open);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("encoders");
    tcase_add_loop_test(tc, png_encoder_matches_save, 0, 8);
    tcase_add_loop_test(tc, jpeg_encoder_matches_save, 0, 2);
    tcase_add_loop_test(tc, encoder_misuse_and_early_close, 0, 2);
    tcase_add_loop_test(tc, encoder_output_failure, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
