/* SPDX-License-Identifier: MIT */
/*
 * test_jpeg.c: the JPEG codec and the EXIF parser. Reference decodes are checked against
 * libjpeg-turbo's committed hashes and against the source image testorig.ppm; the EXIF set must
 * come out upright; every known-bad file must fail, be refused by the memory limit before any
 * large allocation, or load leniently and fail strictly; the EXIF parser is run on every
 * truncation of hand-built blobs (ASan checks the reads); and saves must survive a reload.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "codec_util.h"
#include "jpeg_codec.h"
#include "testutil.h"

/* --- helpers ------------------------------------------------------------------------------ */

/* MD5 (RFC 1321), enough to hash decoded payloads against committed sums. */
typedef struct md5 {
    uint32_t h[4];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
} md5;

static void md5_block(md5 *m, const unsigned char *p)
{
    static uint32_t k[64];
    static const unsigned s[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
    if (k[0] == 0)
        for (int i = 0; i < 64; i++)
            k[i] = (uint32_t)(fabs(sin((double)i + 1.0)) * 4294967296.0);
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = b;
        uint32_t x = a + f + k[i] + w[g];
        unsigned r = s[(i / 16) * 4 + i % 4];
        b = b + (x << r | x >> (32 - r));
        a = t;
    }
    m->h[0] += a;
    m->h[1] += b;
    m->h[2] += c;
    m->h[3] += d;
}

static void md5_init(md5 *m)
{
    m->h[0] = 0x67452301u;
    m->h[1] = 0xefcdab89u;
    m->h[2] = 0x98badcfeu;
    m->h[3] = 0x10325476u;
    m->bytes = 0;
    m->fill = 0;
}

static void md5_update(md5 *m, const unsigned char *p, size_t n)
{
    m->bytes += n;
    while (n > 0) {
        size_t take = 64 - m->fill < n ? 64 - m->fill : n;
        memcpy(m->block + m->fill, p, take);
        m->fill += take;
        p += take;
        n -= take;
        if (m->fill == 64) {
            md5_block(m, m->block);
            m->fill = 0;
        }
    }
}

static void md5_hex(md5 *m, char out[33])
{
    uint64_t bits = m->bytes * 8;
    unsigned char pad[72] = {0x80};
    size_t padlen = (m->fill < 56 ? 56 : 120) - m->fill;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (8 * i));
    md5_update(m, pad, padlen);
    md5_update(m, len, 8);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned)(m->h[i / 4] >> (8 * (i % 4))) & 0xFFu);
}

/* MD5 of a u8 view's samples, row by row, packed (what a plain RGB8 buffer would hold). */
static void view_md5(const tproc_view *v, char out[33])
{
    md5 m;
    md5_init(&m);
    size_t pixel = (size_t)v->channels;
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++)
            md5_update(&m, tproc_view_pixel(v, x, y), pixel);
    md5_hex(&m, out);
}

/* A P6 PPM with maxval 255 as a packed RGB buffer; NULL if it isn't one. */
static unsigned char *read_ppm(const char *path, ptrdiff_t *w, ptrdiff_t *h)
{
    size_t size;
    unsigned char *file = tu_read_file(path, &size);
    if (!file)
        return NULL;
    size_t pos = 2;
    long fields[3];
    if (size < 2 || file[0] != 'P' || file[1] != '6')
        goto bad;
    for (int f = 0; f < 3; f++) {
        for (;;) {
            while (pos < size && (file[pos] == ' ' || file[pos] == '\n' || file[pos] == '\r' ||
                                  file[pos] == '\t'))
                pos++;
            if (pos < size && file[pos] == '#') {
                while (pos < size && file[pos] != '\n')
                    pos++;
                continue;
            }
            break;
        }
        long v = 0;
        if (pos >= size || file[pos] < '0' || file[pos] > '9')
            goto bad;
        while (pos < size && file[pos] >= '0' && file[pos] <= '9' && v < 100000)
            v = v * 10 + (file[pos++] - '0');
        fields[f] = v;
    }
    pos++; /* the single whitespace after maxval */
    if (fields[2] != 255 || fields[0] < 1 || fields[1] < 1 ||
        size - pos < (size_t)(fields[0] * fields[1] * 3))
        goto bad;
    size_t bytes = (size_t)(fields[0] * fields[1] * 3);
    unsigned char *rgb = malloc(bytes);
    memcpy(rgb, file + pos, bytes);
    free(file);
    *w = fields[0];
    *h = fields[1];
    return rgb;
bad:
    free(file);
    return NULL;
}

typedef struct diffstat {
    double mean_abs, psnr, max_abs;
} diffstat;

/* Differences between two u8 views of one size and channel count (PSNR against 255). */
static diffstat diff_views(const tproc_view *a, const tproc_view *b)
{
    ck_assert_int_eq(a->width, b->width);
    ck_assert_int_eq(a->height, b->height);
    ck_assert_int_eq(a->channels, b->channels);
    double sum = 0, sq = 0, mx = 0;
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++) {
            const unsigned char *p = tproc_view_pixel(a, x, y), *q = tproc_view_pixel(b, x, y);
            for (int c = 0; c < a->channels; c++) {
                double d = fabs((double)p[c] - (double)q[c]);
                sum += d;
                sq += d * d;
                mx = d > mx ? d : mx;
            }
        }
    double n = (double)a->width * (double)a->height * a->channels;
    diffstat s = {sum / n, sq == 0 ? INFINITY : 10.0 * log10(255.0 * 255.0 / (sq / n)), mx};
    return s;
}

static tproc_view packed_view(unsigned char *data, ptrdiff_t w, ptrdiff_t h, int channels)
{
    tproc_view v;
    ck_assert_int_eq(tproc_view_init(&v, data, w, h, channels, TPROC_U8, 0, 0), TPROC_OK);
    return v;
}

static tproc_image *load_ok(tproc_ctx *ctx, const char *rel, const tproc_load_options *o)
{
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, tu_data(rel), o, &img));
    ck_assert_ptr_nonnull(img);
    return img;
}

/* Saves to memory as JPEG and loads it back. */
static tproc_image *round_trip(tproc_ctx *ctx, const tproc_view *v, tproc_save_options *o,
                               size_t *bytes)
{
    void *data = NULL;
    size_t size = 0;
    o->format = TPROC_FILE_JPEG;
    tu_ok(ctx, tproc_save_memory(ctx, v, o, &data, &size));
    ck_assert_uint_gt(size, 100);
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data, size, NULL, &img));
    tproc_free(ctx, data);
    if (bytes)
        *bytes = size;
    return img;
}

static void assert_message_names(tproc_ctx *ctx, const char *file)
{
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(strstr(msg, file) != NULL, "message \"%s\" does not name %s", msg, file);
}

/* Sampling factors of component 0 from the SOF of an encoded JPEG (0x22 for 4:2:0), or -1. */
static int luma_sampling(const unsigned char *d, size_t n, int *sof_type)
{
    size_t pos = 2;
    while (pos + 4 <= n && d[pos] == 0xFF) {
        unsigned marker = d[pos + 1];
        size_t len = (size_t)d[pos + 2] << 8 | d[pos + 3];
        if (marker >= 0xC0 && marker <= 0xC2 && pos + 2 + len <= n && len >= 11) {
            *sof_type = (int)marker;
            return d[pos + 2 + 9]; /* length 2, precision 1, h 2, w 2, count 1, id 1 */
        }
        pos += 2 + len;
    }
    return -1;
}

/* --- reference decodes -------------------------------------------------------------------- */

/*
 * Payload MD5s from jpeg/EXPECTED_MD5.txt, section B (default libjpeg-turbo settings: ISLOW
 * DCT, fancy upsampling, JCS_RGB). testimgint and testimgari hold the same coefficients.
 * Tolerances against testorig.ppm (the image all three were compressed from), measured with
 * libjpeg-turbo 2.1.5: testorig mean abs 0.19 / PSNR 53.9 dB (max 3), testimgint and
 * testimgari mean 0.47 / 47.6 dB (max 17). The bounds, mean < 1.0 and PSNR > 42 dB, leave
 * 2x / 5 dB of room for another libjpeg version's rounding while still rejecting a decode with
 * R and B swapped (mean 46.7, 10.3 dB) or the rows shifted by one (mean 4.7, 29.3 dB).
 */
static const struct {
    const char *file;
    const char *md5;
} reference[] = {
    {"jpeg/testorig.jpg", "058c077208b6d9e0a8fb0a5565241c7f"},
    {"jpeg/testimgint.jpg", "e45cae64d67139e9cf236b569a283000"},
    {"jpeg/testimgari.jpg", "e45cae64d67139e9cf236b569a283000"},
};
#define REF_MEAN_MAX 1.0
#define REF_PSNR_MIN 42.0

START_TEST(md5_self_check)
{
    static const struct {
        const char *in, *out;
    } v[] = {{"", "d41d8cd98f00b204e9800998ecf8427e"},
             {"abc", "900150983cd24fb0d6963f7d28e17f72"},
             {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
              "57edf4a22be3c955ac49da2e2107b67a"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        md5 m;
        char hex[33];
        md5_init(&m);
        md5_update(&m, (const unsigned char *)v[i].in, strlen(v[i].in));
        md5_hex(&m, hex);
        ck_assert_str_eq(hex, v[i].out);
    }
}
END_TEST

START_TEST(reference_decode)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = load_ok(ctx, reference[_i].file, NULL);
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.width, 227);
    ck_assert_int_eq(v.height, 149);
    ck_assert_int_eq(v.channels, 3);
    ck_assert_int_eq(v.sample, TPROC_U8);
    char hex[33];
    view_md5(&v, hex);
    ck_assert_str_eq(hex, reference[_i].md5);

    ptrdiff_t w, h;
    unsigned char *ppm = read_ppm(tu_data("jpeg/testorig.ppm"), &w, &h);
    ck_assert_ptr_nonnull(ppm);
    tproc_view ref = packed_view(ppm, w, h, 3);
    diffstat d = diff_views(&v, &ref);
    ck_assert_msg(d.mean_abs < REF_MEAN_MAX && d.psnr > REF_PSNR_MIN,
                  "%s: mean abs %.3f, PSNR %.2f dB", reference[_i].file, d.mean_abs, d.psnr);
    free(ppm);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* The same bytes through a FILE* and through memory give the same pixels. */
START_TEST(reference_file_and_memory)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t size;
    unsigned char *data = tu_read_file(tu_data("jpeg/testorig.jpg"), &size);
    ck_assert_ptr_nonnull(data);
    tproc_image *a = NULL, *b = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data, size, NULL, &a));
    FILE *fp = fopen(tu_data("jpeg/testorig.jpg"), "rb");
    ck_assert_ptr_nonnull(fp);
    tu_ok(ctx, tproc_load_file(ctx, fp, "testorig-stream", NULL, &b));
    fclose(fp);
    char ha[33], hb[33];
    tproc_view va = tproc_image_view(a), vb = tproc_image_view(b);
    view_md5(&va, ha);
    view_md5(&vb, hb);
    ck_assert_str_eq(ha, reference[0].md5);
    ck_assert_str_eq(hb, reference[0].md5);
    tproc_image_free(&a);
    tproc_image_free(&b);
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(reference_info)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, tu_data("jpeg/testorig.jpg"), &info));
    ck_assert_int_eq(info.format, TPROC_FILE_JPEG);
    ck_assert_int_eq(info.width, 227);
    ck_assert_int_eq(info.height, 149);
    ck_assert_int_eq(info.channels, 3);
    ck_assert_int_eq(info.sample, TPROC_U8);
    ck_assert_int_eq(info.bit_depth, 8);
    ck_assert_int_eq(info.progressive, 0);
    ck_assert_int_eq(info.orientation, 1);
    ck_assert_int_eq(info.has_icc, 0);
    ck_assert_int_eq(info.has_exif, 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- 12-bit files ------------------------------------------------------------------------- */

static const struct {
    const char *file, *base;
    ptrdiff_t width, height;
    int has_icc;
} twelve[] = {
    {"jpeg/testorig12.jpg", "testorig12.jpg", 227, 149, 0},
    {"jpeg/monkey12.jpg", "monkey12.jpg", 149, 227, 1},
};

START_TEST(twelve_bit_unsupported)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(ctx, tu_data(twelve[_i].file), NULL, &img), TPROC_ERR_UNSUPPORTED);
    ck_assert_ptr_null(img);
    assert_message_names(ctx, twelve[_i].base);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "precision 12"));
    /* The header is still readable. */
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, tu_data(twelve[_i].file), &info));
    ck_assert_int_eq(info.bit_depth, 12);
    ck_assert_int_eq(info.width, twelve[_i].width);
    ck_assert_int_eq(info.height, twelve[_i].height);
    ck_assert_int_eq(info.has_icc, twelve[_i].has_icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- EXIF orientation set ----------------------------------------------------------------- */

/* Files 0..8 Landscape, 9..17 Portrait. Upright: Landscape 1800x1200, Portrait 1200x1800. */
static void exif_name(int i, char *buf, size_t size)
{
    snprintf(buf, size, "exif/%s_%d.jpg", i < 9 ? "Landscape" : "Portrait", i % 9);
}

/*
 * After orientation every file must match its _1: mean abs < 10 (measured 0.35-3.70; a wrong
 * transform gives 74-88 per SOURCES.md). Orientations 2-4 loaded with ignore_orientation must
 * differ from _1 by more than 30 (measured 43.0-88.1), which shows the comparison can tell.
 */
#define EXIF_MATCH_MAX 10.0
#define EXIF_MISMATCH_MIN 30.0

START_TEST(exif_upright)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    int n = _i % 9;
    int landscape = _i < 9;
    char name[64], ref_name[64];
    exif_name(_i, name, sizeof name);
    exif_name(landscape ? 1 : 10, ref_name, sizeof ref_name);
    ptrdiff_t up_w = landscape ? 1800 : 1200, up_h = landscape ? 1200 : 1800;
    ptrdiff_t stored_w = n >= 5 ? up_h : up_w, stored_h = n >= 5 ? up_w : up_h;

    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, tu_data(name), &info));
    ck_assert_int_eq(info.orientation, (n == 0 ? 1 : n));
    ck_assert_int_eq(info.has_exif, 1);
    ck_assert_int_eq(info.width, stored_w);
    ck_assert_int_eq(info.height, stored_h);

    tproc_image *ref = load_ok(ctx, ref_name, NULL);
    tproc_image *img = load_ok(ctx, name, NULL);
    ck_assert_int_eq(tproc_image_orientation(img), (n == 0 ? 1 : n));
    tproc_view v = tproc_image_view(img), rv = tproc_image_view(ref);
    ck_assert_int_eq(v.width, up_w);
    ck_assert_int_eq(v.height, up_h);
    diffstat d = diff_views(&v, &rv);
    ck_assert_msg(d.mean_abs < EXIF_MATCH_MAX, "%s: mean abs %.2f vs %s", name, d.mean_abs,
                  ref_name);

    tproc_load_options keep = {.ignore_orientation = 1};
    tproc_image *raw = load_ok(ctx, name, &keep);
    tproc_view sv = tproc_image_view(raw);
    ck_assert_int_eq(sv.width, stored_w);
    ck_assert_int_eq(sv.height, stored_h);
    ck_assert_int_eq(tproc_image_orientation(raw), (n == 0 ? 1 : n));
    if (n >= 2 && n <= 4) {
        diffstat wrong = diff_views(&sv, &rv);
        ck_assert_msg(wrong.mean_abs > EXIF_MISMATCH_MIN, "%s unrotated: mean abs %.2f", name,
                      wrong.mean_abs);
    }
    size_t exif_size = 0;
    const unsigned char *exif = tproc_image_exif(raw, &exif_size);
    ck_assert_ptr_nonnull(exif);
    ck_assert_int_eq(tproc__exif_orientation(exif, exif_size), (n == 0 ? 1 : n));
    ck_assert(memcmp(exif, "MM", 2) == 0 || memcmp(exif, "II", 2) == 0);

    tproc_image_free(&raw);
    tproc_image_free(&img);
    tproc_image_free(&ref);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- known-bad files ---------------------------------------------------------------------- */

enum bad_class { BAD_FAIL, BAD_LIMIT, BAD_WARN };

/* Classes from testdata EXPECTED.tsv; status 0 means any error will do. */
static const struct {
    const char *base;
    enum bad_class cls;
    int status;
    ptrdiff_t width, height; /* of the lenient decode, for BAD_WARN */
} bad[] = {
    {"jpg_fuzzdb_lottapixel.jpg", BAD_LIMIT, TPROC_ERR_LIMIT, 0, 0},
    {"jpg_imagetestsuite_6903d4538fd33c8fd0ded32cb30d618e.jpg", BAD_LIMIT, TPROC_ERR_LIMIT, 0, 0},
    {"jpg_imagetestsuite_754664a12e36abff7950e796c906ae39.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_dc-predictor-overflow.jpg", BAD_WARN, 0, 144, 144},
    {"jpg_jpegdecoder_derive-huffman-codes-overflow.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_empty.jpg", BAD_FAIL, TPROC_ERR_FORMAT, 0, 0},
    {"jpg_jpegdecoder_invalid-dimensions.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_invalid-prediction-shift.jpg", BAD_FAIL, TPROC_ERR_UNSUPPORTED, 0, 0},
    {"jpg_jpegdecoder_max_size.jpg", BAD_FAIL, TPROC_ERR_UNSUPPORTED, 0, 0},
    {"jpg_jpegdecoder_missing-frame-image-1410.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_missing-sof.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_missing-sos.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_null_height.jpg", BAD_FAIL, TPROC_ERR_CORRUPT, 0, 0},
    {"jpg_jpegdecoder_subtract-with-overflow.jpg", BAD_WARN, 0, 546, 340},
    {"jpg_pillow_junk_jpeg_header.jpg", BAD_WARN, 0, 1024, 768},
    {"jpg_pillow_truncated_jpeg.jpg", BAD_WARN, 0, 100, 100},
};

/*
 * Each file three ways: the codec on its own (tu_codec_load, the behaviour this suite owns),
 * then tproc_load from the path and from memory. The magic check runs first on the public
 * paths, and a file it does not recognise (6903...: FF D8 then a stray byte) fails there with
 * TPROC_ERR_FORMAT before the codec sees it.
 */
START_TEST(bad_file)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    tproc_ctx_options opts = {.allocator = &alloc};
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(&opts, &ctx));
    ck_assert_uint_eq(tproc_ctx_memory_limit(ctx), TPROC_DEFAULT_MEMORY_LIMIT);
    char rel[128];
    snprintf(rel, sizeof rel, "bad/%s", bad[_i].base);
    const char *path = tu_data(rel);
    size_t size = 0;
    unsigned char *data = tu_read_file(path, &size);
    ck_assert_ptr_nonnull(data);
    int detected = tproc_file_format_detect(data, size) == TPROC_FILE_JPEG;
    tproc_load_options strict = {.strict = 1};
    tproc_image *img = NULL;

    /* The codec itself. */
    tproc__input in = {bad[_i].base, NULL, data, size, 0, 0};
    int status = tu_codec_load(ctx, tproc__jpeg_decoder_open, &in, NULL, &img);
    if (bad[_i].cls == BAD_WARN) {
        ck_assert_msg(status == TPROC_OK, "%s: %s", bad[_i].base, tproc_ctx_message(ctx));
        ck_assert_int_eq(tproc_image_width(img), bad[_i].width);
        ck_assert_int_eq(tproc_image_height(img), bad[_i].height);
        tproc_image_free(&img);
        tproc__input again = {bad[_i].base, NULL, data, size, 0, 0};
        ck_assert_int_eq(tu_codec_load(ctx, tproc__jpeg_decoder_open, &again, &strict, &img),
                         TPROC_ERR_CORRUPT);
        ck_assert_ptr_null(img);
        assert_message_names(ctx, bad[_i].base);
        if (strstr(bad[_i].base, "truncated"))
            ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "truncated JPEG data"));
    } else {
        ck_assert_msg(status < 0, "%s loaded", bad[_i].base);
        ck_assert_ptr_null(img);
        if (bad[_i].status)
            ck_assert_msg(status == bad[_i].status, "%s: %s (%s)", bad[_i].base,
                          tproc_status_name(status), tproc_ctx_message(ctx));
        assert_message_names(ctx, bad[_i].base);
    }
    if (bad[_i].cls == BAD_LIMIT) {
        /* Refused from the header: nothing near the declared size was ever allocated. */
        ck_assert_msg(counter.peak < ((size_t)1 << 20), "peak %zu bytes", counter.peak);
        ck_assert_ptr_nonnull(strstr(tproc_ctx_message(ctx), "limit"));
    }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);

    /* The public API, from the path and from memory. */
    int want = bad[_i].cls == BAD_WARN ? TPROC_OK : detected ? status : TPROC_ERR_FORMAT;
    int got = tproc_load(ctx, path, NULL, &img);
    ck_assert_msg(got == want, "%s: %s, want %s (%s)", bad[_i].base, tproc_status_name(got),
                  tproc_status_name(want), tproc_ctx_message(ctx));
    if (got != TPROC_OK)
        assert_message_names(ctx, bad[_i].base);
    tproc_image_free(&img);
    got = tproc_load(ctx, path, &strict, &img);
    /* Strict stops at the first libjpeg warning, which for a bomb with junk before its markers
     * comes before the size check: corrupt or limit, but refused either way. */
    if (bad[_i].cls == BAD_LIMIT && got == TPROC_ERR_CORRUPT)
        got = want;
    ck_assert_int_eq(got, bad[_i].cls == BAD_WARN ? TPROC_ERR_CORRUPT : want);
    assert_message_names(ctx, bad[_i].base);
    ck_assert_int_eq(tproc_load_memory(ctx, data, size, NULL, &img), want);
    tproc_image_free(&img);
    if (bad[_i].cls == BAD_LIMIT)
        ck_assert_msg(counter.peak < ((size_t)1 << 20), "peak %zu bytes", counter.peak);

    free(data);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
}
END_TEST

/* Every prefix of a good file: lenient loads never crash, strict loads always fail. */
START_TEST(truncations)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t size;
    unsigned char *data = tu_read_file(tu_data("jpeg/testorig.jpg"), &size);
    ck_assert_ptr_nonnull(data);
    tproc_load_options strict = {.strict = 1};
    size_t lenient_ok = 0;
    for (size_t n = 0; n < size; n += n < 700 || n + 40 > size ? 1 : 37) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, data, n);
        tproc_image *img = NULL;
        int status = tproc_load_memory(ctx, copy, n, NULL, &img);
        if (status == TPROC_OK) {
            lenient_ok++;
            ck_assert_int_eq(tproc_image_width(img), 227);
            tproc_image_free(&img);
        }
        status = tproc_load_memory(ctx, copy, n, &strict, &img);
        ck_assert_msg(status == TPROC_ERR_CORRUPT || status == TPROC_ERR_FORMAT,
                      "strict load of %zu bytes: %s", n, tproc_status_name(status));
        ck_assert_ptr_null(img);
        free(copy);
    }
    /* Cut after the first scan started, the lenient loader returns (partly grey) images. */
    ck_assert_uint_gt(lenient_ok, 50);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- EXIF parser -------------------------------------------------------------------------- */

/*
 * A TIFF block: header, IFD0 with three entries (Make as an offset to ASCII, Orientation,
 * XResolution as an offset), next-IFD 0, then the Make string. be selects "MM".
 * Returns the size; *orient_end is the offset just past the orientation entry.
 */
static size_t build_tiff(unsigned char *b, int be, unsigned orientation, unsigned type,
                         size_t *orient_end)
{
    size_t pos = 0;
#define PUT16(v)                                                                                   \
    do {                                                                                           \
        unsigned v_ = (unsigned)(v);                                                               \
        b[pos++] = (unsigned char)(be ? v_ >> 8 : v_ & 0xFF);                                      \
        b[pos++] = (unsigned char)(be ? v_ & 0xFF : v_ >> 8);                                      \
    } while (0)
#define PUT32(v)                                                                                   \
    do {                                                                                           \
        uint32_t w_ = (uint32_t)(v);                                                               \
        PUT16(be ? w_ >> 16 : w_ & 0xFFFF);                                                        \
        PUT16(be ? w_ & 0xFFFF : w_ >> 16);                                                        \
    } while (0)
    b[pos++] = be ? 'M' : 'I';
    b[pos++] = be ? 'M' : 'I';
    PUT16(42);
    PUT32(8);
    PUT16(3);
    PUT16(0x010F); /* Make, ASCII, 6 bytes at 50 */
    PUT16(2);
    PUT32(6);
    PUT32(50);
    PUT16(0x0112); /* Orientation */
    PUT16(type);
    PUT32(1);
    PUT16(orientation);
    PUT16(0);
    *orient_end = pos;
    PUT16(0x011A); /* XResolution, RATIONAL at 56 */
    PUT16(5);
    PUT32(1);
    PUT32(56);
    PUT32(0); /* no IFD1 */
    memcpy(b + pos, "Canon", 6);
    pos += 6;
    PUT32(72);
    PUT32(1);
#undef PUT16
#undef PUT32
    return pos;
}

START_TEST(exif_parse_orders)
{
    for (int be = 0; be <= 1; be++)
        for (unsigned o = 0; o <= 9; o++) {
            unsigned char b[128];
            size_t end;
            size_t size = build_tiff(b, be, o, 3, &end);
            ck_assert_uint_eq(size, 64);
            int want = o >= 1 && o <= 8 ? (int)o : 1;
            ck_assert_int_eq(tproc__exif_orientation(b, size), want);
        }
}
END_TEST

/* Every truncation, each in a buffer of exactly that size so ASan sees any overread. */
START_TEST(exif_parse_truncated)
{
    int be = _i;
    unsigned char b[128];
    size_t end;
    size_t size = build_tiff(b, be, 6, 3, &end);
    for (size_t n = 0; n <= size; n++) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, b, n);
        int want = n >= end ? 6 : 1;
        ck_assert_msg(tproc__exif_orientation(copy, n) == want, "length %zu", n);
        unsigned char before[128];
        memcpy(before, copy, n);
        int changed = tproc__exif_set_orientation(copy, n, 3);
        ck_assert_int_eq(changed, n >= end ? 1 : 0);
        if (!changed)
            ck_assert(n == 0 || memcmp(before, copy, n) == 0);
        else
            ck_assert_int_eq(tproc__exif_orientation(copy, n), 3);
        free(copy);
    }
    ck_assert_int_eq(tproc__exif_orientation(NULL, 0), 1);
    ck_assert_int_eq(tproc__exif_set_orientation(NULL, 0, 1), 0);
}
END_TEST

START_TEST(exif_parse_malformed)
{
    unsigned char b[128];
    size_t end;
    size_t size;
    /* Wrong type for the tag (LONG). */
    size = build_tiff(b, 0, 6, 4, &end);
    ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
    /* Bad byte order mark, bad magic. */
    size = build_tiff(b, 0, 6, 3, &end);
    b[1] = 'M';
    ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
    size = build_tiff(b, 1, 6, 3, &end);
    b[3] = 43;
    ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
    /* IFD offset past the end, at the very end, huge, and inside the header. */
    static const uint32_t offsets[] = {64, 63, 0xFFFFFFFFu, 0xFFFFFFF0u, 0, 4};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        size = build_tiff(b, 0, 6, 3, &end);
        for (int k = 0; k < 4; k++)
            b[4 + k] = (unsigned char)(offsets[i] >> (8 * k));
        ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
        ck_assert_int_eq(tproc__exif_set_orientation(b, size, 1), 0);
    }
    /* A huge entry count: only entries inside the block are looked at. */
    size = build_tiff(b, 1, 8, 3, &end);
    b[8] = 0xFF;
    b[9] = 0xFF;
    ck_assert_int_eq(tproc__exif_orientation(b, size), 8);
    ck_assert_int_eq(tproc__exif_orientation(b, end - 1), 1);
    /* An orientation value outside 1-8 reads as 1 but can be overwritten. */
    size = build_tiff(b, 1, 0, 3, &end);
    ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
    ck_assert_int_eq(tproc__exif_set_orientation(b, size, 1), 1);
    ck_assert_int_eq(tproc__exif_set_orientation(b, size, 1), 0);
    ck_assert_int_eq(tproc__exif_orientation(b, size), 1);
    ck_assert_int_eq(tproc__exif_set_orientation(b, size, 7), 1);
    ck_assert_int_eq(tproc__exif_orientation(b, size), 7);
    ck_assert_int_eq(tproc__exif_set_orientation(b, size, -1), 0);
    ck_assert_int_eq(tproc__exif_set_orientation(b, size, 0x10000), 0);
    ck_assert_int_eq(tproc__exif_orientation(b, size), 7);
}
END_TEST

/* --- round trips -------------------------------------------------------------------------- */

/*
 * A smooth test picture: gradients, a slow sinusoid per channel and a little deterministic
 * noise (+-3), so JPEG has realistic work but no white noise to choke on.
 */
static tproc_image *smooth_image(tproc_ctx *ctx, ptrdiff_t w, ptrdiff_t h, int channels,
                                 uint64_t seed)
{
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, w, h, channels, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    for (ptrdiff_t y = 0; y < h; y++)
        for (ptrdiff_t x = 0; x < w; x++) {
            unsigned char *p = tproc_view_pixel(&v, x, y);
            for (int c = 0; c < channels; c++) {
                double val =
                    128 +
                    60 * sin((double)x / (9.0 + 4 * c) + c) * cos((double)y / (13.0 - 3 * c)) +
                    50.0 * ((double)x / (double)w - (double)y / (double)h) +
                    (double)tu_rng_range(&rng, -3, 3);
                p[c] = (unsigned char)(val < 0 ? 0 : val > 255 ? 255 : val + 0.5);
            }
        }
    return img;
}

/* Measured at quality 90: gray 43.1 dB, RGB 4:2:0 40.6 dB; the bound leaves 2.6 dB. */
#define SMOOTH_PSNR_MIN 38.0

START_TEST(round_trip_smooth)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    int channels = _i == 0 ? 1 : 3;
    tproc_image *src = smooth_image(ctx, 257, 131, channels, 42u + (uint64_t)_i);
    tproc_view sv = tproc_image_view(src);
    tproc_save_options o;
    tproc_save_options_init(&o);
    tproc_image *back = round_trip(ctx, &sv, &o, NULL);
    tproc_view bv = tproc_image_view(back);
    ck_assert_int_eq(bv.channels, channels);
    diffstat d = diff_views(&sv, &bv);
    ck_assert_msg(d.psnr > SMOOTH_PSNR_MIN, "%d channels: PSNR %.2f dB", channels, d.psnr);
    tproc_image_free(&back);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

/* testorig.ppm at quality 90: measured 44.5 dB, baseline and progressive alike. */
#define PHOTO_PSNR_MIN 40.0

START_TEST(round_trip_progressive)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    ptrdiff_t w, h;
    unsigned char *ppm = read_ppm(tu_data("jpeg/testorig.ppm"), &w, &h);
    ck_assert_ptr_nonnull(ppm);
    tproc_view sv = packed_view(ppm, w, h, 3);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    void *base = NULL, *prog = NULL;
    size_t base_size, prog_size;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &base, &base_size));
    o.progressive = 1;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &prog, &prog_size));

    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, base, base_size, &info));
    ck_assert_int_eq(info.progressive, 0);
    tu_ok(ctx, tproc_info_read_memory(ctx, prog, prog_size, &info));
    ck_assert_int_eq(info.progressive, 1);
    int sof = 0;
    ck_assert_int_eq(luma_sampling(prog, prog_size, &sof), 0x22);
    ck_assert_int_eq(sof, 0xC2);

    tproc_image *a = NULL, *b = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, base, base_size, NULL, &a));
    tu_ok(ctx, tproc_load_memory(ctx, prog, prog_size, NULL, &b));
    tproc_view av = tproc_image_view(a), bv = tproc_image_view(b);
    diffstat da = diff_views(&sv, &av), db = diff_views(&sv, &bv);
    ck_assert_msg(da.psnr > PHOTO_PSNR_MIN, "baseline PSNR %.2f", da.psnr);
    ck_assert_msg(db.psnr > PHOTO_PSNR_MIN, "progressive PSNR %.2f", db.psnr);
    /* Same quantised coefficients, so the same pixels. */
    diffstat same = diff_views(&av, &bv);
    ck_assert_msg(same.max_abs <= 1.0, "baseline vs progressive max %.0f", same.max_abs);

    tproc_image_free(&a);
    tproc_image_free(&b);
    tproc_free(ctx, base);
    tproc_free(ctx, prog);
    free(ppm);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Alternating saturated colour stripes two pixels wide: chroma subsampling smears them. */
START_TEST(chroma_444_better)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 96, 64, 3, TPROC_U8, &src));
    tproc_view sv = tproc_image_view(src);
    static const unsigned char colours[4][3] = {
        {230, 20, 20}, {20, 20, 230}, {20, 200, 40}, {220, 200, 20}};
    for (ptrdiff_t y = 0; y < sv.height; y++)
        for (ptrdiff_t x = 0; x < sv.width; x++)
            memcpy(tproc_view_pixel(&sv, x, y), colours[(x / 2 + y / 8) % 4], 3);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    void *d420 = NULL, *d444 = NULL;
    size_t s420, s444;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &d420, &s420));
    o.chroma_444 = 1;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &d444, &s444));
    int sof = 0;
    ck_assert_int_eq(luma_sampling(d420, s420, &sof), 0x22);
    ck_assert_int_eq(sof, 0xC0);
    ck_assert_int_eq(luma_sampling(d444, s444, &sof), 0x11);
    tproc_image *a = NULL, *b = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, d420, s420, NULL, &a));
    tu_ok(ctx, tproc_load_memory(ctx, d444, s444, NULL, &b));
    tproc_view av = tproc_image_view(a), bv = tproc_image_view(b);
    diffstat e420 = diff_views(&sv, &av), e444 = diff_views(&sv, &bv);
    /* Measured: 4:2:0 16.2 dB, 4:4:4 41.6 dB. */
    ck_assert_msg(e444.psnr > e420.psnr + 10.0, "4:4:4 %.2f dB vs 4:2:0 %.2f dB", e444.psnr,
                  e420.psnr);
    tproc_image_free(&a);
    tproc_image_free(&b);
    tproc_free(ctx, d420);
    tproc_free(ctx, d444);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Views with unusual strides encode exactly like their packed copies. */
START_TEST(save_strided_views)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = smooth_image(ctx, 61, 47, 3, 7);
    tproc_view sv = tproc_image_view(src), views[4];
    ck_assert_int_eq(tproc_view_flip_h(&sv, &views[0]), TPROC_OK); /* negative pixel stride */
    ck_assert_int_eq(tproc_view_flip_v(&sv, &views[1]), TPROC_OK); /* negative row stride */
    ck_assert_int_eq(tproc_view_transpose(&sv, &views[2]), TPROC_OK);
    ck_assert_int_eq(tproc_view_step(&sv, 2, 3, &views[3]), TPROC_OK);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    for (int i = 0; i < 4; i++) {
        tproc_image *copy = NULL;
        tu_ok(ctx, tproc_image_from_view(ctx, &views[i], &copy));
        tproc_view cv = tproc_image_view(copy);
        void *a = NULL, *b = NULL;
        size_t as, bs;
        tu_ok(ctx, tproc_save_memory(ctx, &views[i], &o, &a, &as));
        tu_ok(ctx, tproc_save_memory(ctx, &cv, &o, &b, &bs));
        ck_assert_uint_eq(as, bs);
        ck_assert_msg(memcmp(a, b, as) == 0, "view %d encodes differently", i);
        tproc_free(ctx, a);
        tproc_free(ctx, b);
        tproc_image_free(&copy);
    }
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(save_quality)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = smooth_image(ctx, 120, 80, 3, 9);
    tproc_view sv = tproc_image_view(src);
    tproc_save_options o;
    tproc_save_options_init(&o);
    size_t s0, s90, s30, s98;
    o.quality = 0;
    tproc_image *i0 = round_trip(ctx, &sv, &o, &s0);
    o.quality = 90;
    tproc_image *i90 = round_trip(ctx, &sv, &o, &s90);
    o.quality = 30;
    tproc_image *i30 = round_trip(ctx, &sv, &o, &s30);
    o.quality = 98;
    tproc_image *i98 = round_trip(ctx, &sv, &o, &s98);
    ck_assert_uint_eq(s0, s90); /* 0 means 90 */
    ck_assert_uint_lt(s30, s90);
    ck_assert_uint_lt(s90, s98);
    tproc_view v30 = tproc_image_view(i30), v98 = tproc_image_view(i98);
    ck_assert(diff_views(&sv, &v30).psnr < diff_views(&sv, &v98).psnr);
    void *data = NULL;
    size_t size;
    o.quality = 101;
    ck_assert_int_eq(tproc_save_memory(ctx, &sv, &o, &data, &size), TPROC_ERR_ARG);
    o.quality = -5;
    ck_assert_int_eq(tproc_save_memory(ctx, &sv, &o, &data, &size), TPROC_ERR_ARG);
    ck_assert_ptr_null(data);
    tproc_image_free(&i0);
    tproc_image_free(&i90);
    tproc_image_free(&i30);
    tproc_image_free(&i98);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

/* What the codec itself refuses (encode.c converts most other input before it gets here). */
START_TEST(save_codec_refuses)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    unsigned char *pixels = calloc(70000, 2);
    tproc_view v;
    tproc__output out = {"refused.jpg", ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    ck_assert_int_eq(tproc_view_init(&v, pixels, 8, 8, 2, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tu_codec_save(ctx, TPROC_FILE_JPEG, &v, &out, NULL), TPROC_ERR_ARG);
    assert_message_names(ctx, "refused.jpg");
    ck_assert_int_eq(tproc_view_init(&v, pixels, 70000, 1, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tu_codec_save(ctx, TPROC_FILE_JPEG, &v, &out, NULL),
                     TPROC_ERR_UNSUPPORTED);
    ck_assert_uint_eq(out.size, 0);
    tproc_free(ctx, out.data);
    free(pixels);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(save_write_error)
{
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp)
        return; /* not Linux */
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = smooth_image(ctx, 300, 200, 3, 3);
    tproc_view sv = tproc_image_view(src);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    ck_assert_int_eq(tproc_save_file(ctx, &sv, fp, "full.jpg", &o), TPROC_ERR_IO);
    assert_message_names(ctx, "full.jpg");
    fclose(fp);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A small EXIF with orientation 6 (big-endian) and a 70 KB "profile" (two APP2 markers). */
START_TEST(metadata_round_trip)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    unsigned char exif[128];
    size_t end;
    size_t exif_size = build_tiff(exif, 1, 6, 3, &end);
    unsigned char exif_before[128];
    memcpy(exif_before, exif, exif_size);
    size_t icc_size = 70000;
    unsigned char *icc = malloc(icc_size);
    tu_rng rng;
    tu_rng_seed(&rng, 5);
    for (size_t i = 0; i < icc_size; i++)
        icc[i] = (unsigned char)tu_rng_next(&rng);
    memcpy(icc + 16, "RGB ", 4); /* an output only carries a profile of its pixels' space */

    tproc_image *src = smooth_image(ctx, 40, 30, 3, 1);
    tproc_view sv = tproc_image_view(src);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.icc = icc;
    o.icc_size = icc_size;
    o.exif = exif;
    o.exif_size = exif_size;
    void *data = NULL;
    size_t size;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &data, &size));
    ck_assert(memcmp(exif, exif_before, exif_size) == 0); /* the caller's blob is untouched */
    /* APP1 Exif directly after SOI. */
    const unsigned char *d = data;
    ck_assert(d[2] == 0xFF && d[3] == 0xE1 && memcmp(d + 6, "Exif\0\0", 6) == 0);

    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, data, size, &info));
    ck_assert_int_eq(info.has_icc, 1);
    ck_assert_int_eq(info.has_exif, 1);
    ck_assert_int_eq(info.orientation, 1);

    tproc_image *back = NULL;
    /* keep: the bytes (no real profile) travel as they are, unparsed. */
    tu_ok(ctx, tproc_load_memory(ctx, data, size,
                                 &(tproc_load_options){.colour = TPROC_COLOUR_KEEP}, &back));
    ck_assert_int_eq(tproc_image_orientation(back), 1);
    ck_assert_int_eq(tproc_image_width(back), 40); /* not rotated */
    size_t got_icc_size = 0, got_exif_size = 0;
    const unsigned char *got_icc = tproc_image_icc(back, &got_icc_size);
    const unsigned char *got_exif = tproc_image_exif(back, &got_exif_size);
    ck_assert_uint_eq(got_icc_size, icc_size);
    ck_assert(memcmp(got_icc, icc, icc_size) == 0);
    ck_assert_uint_eq(got_exif_size, exif_size);
    ck_assert_int_eq(tproc__exif_orientation(got_exif, got_exif_size), 1);
    /* Only the orientation value differs from what was given. */
    for (size_t i = 0; i < exif_size; i++)
        if (i != end - 4 && i != end - 3)
            ck_assert_msg(got_exif[i] == exif[i], "EXIF byte %zu changed", i);

    /* A blob that already has the "Exif\0\0" prefix is not prefixed twice. */
    unsigned char prefixed[134];
    memcpy(prefixed, "Exif\0\0", 6);
    memcpy(prefixed + 6, exif, exif_size);
    o.exif = prefixed;
    o.exif_size = exif_size + 6;
    o.icc = NULL;
    o.icc_size = 0;
    void *data2 = NULL;
    size_t size2;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &data2, &size2));
    tproc_image *back2 = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data2, size2, NULL, &back2));
    ck_assert_uint_eq(tproc_image_exif(back2, &got_exif_size) ? got_exif_size : 0, exif_size);
    ck_assert_ptr_null(tproc_image_icc(back2, &got_icc_size));

    tproc_image_free(&back);
    tproc_image_free(&back2);
    tproc_free(ctx, data);
    tproc_free(ctx, data2);
    tproc_image_free(&src);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* The EXIF of a real file goes back out with orientation 1 and loads upright unchanged. */
START_TEST(metadata_from_image)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = load_ok(ctx, "exif/Portrait_6.jpg", NULL);
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.width, 1200);
    tproc_save_options o;
    tproc_save_options_from_image(&o, img);
    ck_assert_ptr_nonnull(o.exif);
    tproc_image *back = round_trip(ctx, &v, &o, NULL);
    ck_assert_int_eq(tproc_image_orientation(back), 1);
    ck_assert_int_eq(tproc_image_width(back), 1200);
    ck_assert_int_eq(tproc_image_height(back), 1800);
    /* The image's own blob still says 6. */
    size_t n;
    const unsigned char *exif = tproc_image_exif(img, &n);
    ck_assert_int_eq(tproc__exif_orientation(exif, n), 6);
    tproc_image_free(&back);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- CMYK --------------------------------------------------------------------------------- */

/*
 * Four flat quadrants written by libjpeg itself as CMYK or YCCK, with or without the Adobe
 * marker. Adobe files hold inverted samples (255 = no ink), plain CMYK holds ink amounts.
 * ink = {C, M, Y, K} per quadrant; expected RGB = 255 * (1 - ink/255) * (1 - K/255).
 */
static const unsigned char cmyk_ink[4][4] = {{0, 255, 255, 0},   /* red */
                                             {255, 0, 255, 0},   /* green */
                                             {0, 0, 0, 128},     /* mid grey */
                                             {0, 128, 255, 64}}; /* orange-brown */

static const struct {
    J_COLOR_SPACE space;
    int adobe;
} cmyk_cases[] = {{JCS_CMYK, 1}, {JCS_YCCK, 1}, {JCS_CMYK, 0}};

START_TEST(cmyk_decode)
{
    enum { W = 64, H = 64 };
    unsigned char *pixels = malloc(W * H * 4);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const unsigned char *ink = cmyk_ink[(y >= H / 2) * 2 + (x >= W / 2)];
            for (int c = 0; c < 4; c++)
                pixels[(y * W + x) * 4 + c] =
                    (unsigned char)(cmyk_cases[_i].adobe ? 255 - ink[c] : ink[c]);
        }
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_size = 0;
    jpeg_mem_dest(&c, &out, &out_size);
    c.image_width = W;
    c.image_height = H;
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, cmyk_cases[_i].space);
    c.write_Adobe_marker = cmyk_cases[_i].adobe ? TRUE : FALSE;
    jpeg_set_quality(&c, 100, TRUE);
    jpeg_start_compress(&c, TRUE);
    for (int y = 0; y < H; y++) {
        JSAMPROW row = pixels + y * W * 4;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);

    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, out, out_size, NULL, &img));
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.channels, 3);
    for (int q = 0; q < 4; q++) {
        const unsigned char *ink = cmyk_ink[q];
        const unsigned char *p =
            tproc_view_pixel(&v, (q % 2) * W / 2 + W / 4, (q / 2) * H / 2 + H / 4);
        for (int ch = 0; ch < 3; ch++) {
            double want = (255.0 - ink[ch]) * (255.0 - ink[3]) / 255.0;
            ck_assert_msg(fabs(p[ch] - want) <= 3.0, "case %d quadrant %d channel %d: %d vs %.1f",
                          _i, q, ch, p[ch], want);
        }
    }
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
    free(out);
    free(pixels);
}
END_TEST

/* --- memory limit ------------------------------------------------------------------------- */

/*
 * A progressive decode keeps every coefficient (about as many bytes as the RGB image), through
 * libjpeg's max_memory_to_use. With a limit that leaves room for the image but not for them,
 * the baseline file loads and the progressive one is refused with TPROC_ERR_LIMIT.
 */
START_TEST(limit_progressive_working_memory)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *src = smooth_image(ctx, 320, 240, 3, 11);
    tproc_view sv = tproc_image_view(src);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    void *base = NULL, *prog = NULL;
    size_t base_size, prog_size;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &base, &base_size));
    o.progressive = 1;
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &o, &prog, &prog_size));

    tproc_ctx *small = NULL;
    tu_ok(small, tproc_ctx_new(NULL, &small));
    tproc_image *img = NULL;
    tu_ok(small, tproc_load_memory(small, base, base_size, NULL, &img));
    size_t peak = tproc_ctx_memory_peak(small);
    tproc_image_free(&img);
    tproc_ctx_set_memory_limit(small, peak + 16384);
    tu_ok(small, tproc_load_memory(small, base, base_size, NULL, &img));
    tproc_image_free(&img);
    ck_assert_int_eq(tproc_load_memory(small, prog, prog_size, NULL, &img), TPROC_ERR_LIMIT);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(small), "working memory"));
    /* Too small for the image itself: refused before decoding. */
    tproc_ctx_set_memory_limit(small, 100000);
    ck_assert_int_eq(tproc_load_memory(small, base, base_size, NULL, &img), TPROC_ERR_LIMIT);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(small), 0);
    tproc_ctx_free(&small);

    tproc_free(ctx, base);
    tproc_free(ctx, prog);
    tproc_image_free(&src);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_jpeg(void)
{
    Suite *s = suite_create("jpeg");

    TCase *tc = tcase_create("reference");
    tcase_add_test(tc, md5_self_check);
    tcase_add_loop_test(tc, reference_decode, 0, (int)(sizeof reference / sizeof reference[0]));
    tcase_add_test(tc, reference_file_and_memory);
    tcase_add_test(tc, reference_info);
    tcase_add_loop_test(tc, twelve_bit_unsupported, 0, (int)(sizeof twelve / sizeof twelve[0]));
    tcase_add_loop_test(tc, cmyk_decode, 0, (int)(sizeof cmyk_cases / sizeof cmyk_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("exif");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, exif_upright, 0, 18);
    tcase_add_test(tc, exif_parse_orders);
    tcase_add_loop_test(tc, exif_parse_truncated, 0, 2);
    tcase_add_test(tc, exif_parse_malformed);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, bad_file, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, truncations);
    tcase_add_test(tc, limit_progressive_working_memory);
    suite_add_tcase(s, tc);

    tc = tcase_create("save");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, round_trip_smooth, 0, 2);
    tcase_add_test(tc, round_trip_progressive);
    tcase_add_test(tc, chroma_444_better);
    tcase_add_test(tc, save_strided_views);
    tcase_add_test(tc, save_quality);
    tcase_add_test(tc, save_codec_refuses);
    tcase_add_test(tc, save_write_error);
    tcase_add_test(tc, metadata_round_trip);
    tcase_add_test(tc, metadata_from_image);
    suite_add_tcase(s, tc);
    return s;
}
