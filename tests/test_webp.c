/* SPDX-License-Identifier: MIT */
/*
 * test_webp.c: the WebP codec against libwebp's own command-line tools as the independent
 * reference. Every still file in tests/data/webp decodes sample for sample as `dwebp -pam`
 * does; its ICC and EXIF are the bytes `webpmux -get` extracts; animated files are refused.
 * Saves are read back by dwebp: lossless exactly, lossy within a PSNR bound; metadata by
 * webpmux. Streamed rows equal a whole load; the 16383-pixel limit and the memory limit are
 * errors before the work.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "webp_codec.h"
#include "testutil.h"

#ifndef TPROC_DWEBP
#define TPROC_DWEBP "dwebp"
#endif
#ifndef TPROC_WEBPMUX
#define TPROC_WEBPMUX "webpmux"
#endif

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    return ctx;
}

/* A temporary file name, unique to this process and purpose. */
static const char *tmp_path(const char *what)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "/tmp/tproc_webp_%ld_%s", (long)getpid(), what);
    return p;
}

/* Reads a PAM (dwebp -pam: RGB_ALPHA, 8-bit) into a new 4-channel image. */
static tproc_image *read_pam(tproc_ctx *ctx, const char *path)
{
    size_t size;
    unsigned char *d = tu_read_file(path, &size);
    ck_assert_msg(d != NULL, "cannot read %s", path);
    const char *end = strstr((const char *)d, "ENDHDR\n");
    ck_assert_ptr_nonnull(end);
    int w = 0, h = 0, depth = 0;
    const char *p = strstr((const char *)d, "WIDTH ");
    ck_assert(p && sscanf(p, "WIDTH %d", &w) == 1);
    p = strstr((const char *)d, "HEIGHT ");
    ck_assert(p && sscanf(p, "HEIGHT %d", &h) == 1);
    p = strstr((const char *)d, "DEPTH ");
    ck_assert(p && sscanf(p, "DEPTH %d", &depth) == 1);
    ck_assert_int_eq(depth, 4);
    size_t off = (size_t)(end + 7 - (const char *)d);
    ck_assert_uint_eq(size - off, (size_t)w * (size_t)h * 4u);
    tproc_image *img;
    tu_ok(ctx, tproc_image_new(ctx, w, h, 4, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    for (int y = 0; y < h; y++)
        memcpy(tproc_view_pixel(&v, 0, y), d + off + (size_t)y * (size_t)w * 4u, (size_t)w * 4u);
    free(d);
    return img;
}

/* dwebp's decode of a file, as RGBA. */
static tproc_image *dwebp(tproc_ctx *ctx, const char *file)
{
    const char *pam = tmp_path("ref.pam");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -quiet -pam '%s' -o '%s'", TPROC_DWEBP, file, pam);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
    tproc_image *img = read_pam(ctx, pam);
    unlink(pam);
    return img;
}

/* Our image (1-4 channels) against dwebp's RGBA: gray repeats, no alpha means 255. Returns the
 * sum of squared differences and asserts exactness when exact. */
static double compare_rgba(const tproc_view *ours, const tproc_image *ref, int exact,
                           const char *what)
{
    tproc_view r = tproc_image_view(ref);
    ck_assert_int_eq(ours->width, r.width);
    ck_assert_int_eq(ours->height, r.height);
    double sse = 0;
    for (ptrdiff_t y = 0; y < r.height; y++)
        for (ptrdiff_t x = 0; x < r.width; x++) {
            const unsigned char *a = tproc_view_pixel(ours, x, y), *b = tproc_view_pixel(&r, x, y);
            int c = ours->channels;
            unsigned char want[4] = {a[0], c >= 3 ? a[1] : a[0], c >= 3 ? a[2] : a[0],
                                     c == 2 ? a[1] : c == 4 ? a[3] : 255};
            for (int k = 0; k < 4; k++) {
                double d = (double)want[k] - (double)b[k];
                sse += d * d;
                if (exact && d != 0) /* Check records every assertion: only on a mismatch */
                    ck_abort_msg("%s: (%td,%td) channel %d: ours %d, dwebp %d", what, x, y, k,
                                 want[k], b[k]);
            }
        }
    return sse;
}

static int is_animated(const char *name)
{
    return strstr(name, "anim") || strstr(name, "iss634") || strstr(name, "advertises");
}

static const char *const still_files[] = {
    "libwebp_test.webp",
    "libwebptd_alpha_filter_2.webp",
    "libwebptd_alpha_no_compression.webp",
    "libwebptd_color_cache_bits_11.webp",
    "libwebptd_lossless1.webp",
    "libwebptd_lossless_color_transform.webp",
    "libwebptd_lossy_alpha1.webp",
    "libwebptd_lossy_q0_f100.webp",
    "libwebptd_near_lossless_75.webp",
    "libwebptd_one_color_no_palette.webp",
    "libwebptd_small_13x1.webp",
    "libwebptd_vp80-05-sharpness-1438.webp",
    "pillow_flower.webp",
    "pillow_flower2.webp",
    "pillow_transparent.webp",
    "pillow_hopper_orientation_6.webp",
    "imagers_simple_xmp.webp",
    "imagers_simple-gray.webp",
};
#define STILL_COUNT ((int)(sizeof still_files / sizeof still_files[0]))

/* Every still file, stored orientation, equals dwebp sample for sample; so does the same file
 * read from memory; alpha comes out exactly when dwebp says the file has it. */
START_TEST(decode_matches_dwebp)
{
    char rel[256];
    snprintf(rel, sizeof rel, "webp/%s", still_files[_i]);
    const char *path = tu_data(rel);
    tproc_ctx *ctx = new_ctx();
    /* The stored values: dwebp does no colour management. */
    tproc_load_options lo = {.ignore_orientation = 1, .colour = TPROC_COLOUR_KEEP};
    tproc_image *img;
    tu_ok(ctx, tproc_load(ctx, path, &lo, &img));
    tproc_image *ref = dwebp(ctx, path);
    tproc_view v = tproc_image_view(img);
    compare_rgba(&v, ref, 1, still_files[_i]);
    /* An opaque file decodes to RGB, one with alpha to RGBA. */
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, path, &info));
    ck_assert_int_eq(info.format, TPROC_FILE_WEBP);
    ck_assert_int_eq(info.channels, v.channels);
    ck_assert_int_eq(info.width, v.width);
    size_t size;
    unsigned char *data = tu_read_file(path, &size);
    tproc_image *mem;
    tu_ok(ctx, tproc_load_memory(ctx, data, size, &lo, &mem));
    tproc_view mv = tproc_image_view(mem);
    compare_rgba(&mv, ref, 1, "from memory");
    free(data);
    tproc_image_free(&mem);
    tproc_image_free(&ref);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Rows read from a streamed decoder 7 at a time equal the whole load, for every still file;
 * the decoder says it decoded the whole image at open, and holds its bytes. */
START_TEST(streamed_equals_whole)
{
    char rel[256];
    snprintf(rel, sizeof rel, "webp/%s", still_files[_i]);
    const char *path = tu_data(rel);
    tproc_ctx *ctx = new_ctx();
    tproc_load_options lo = {.ignore_orientation = 1};
    tproc_image *whole;
    tu_ok(ctx, tproc_load(ctx, path, &lo, &whole));
    tproc_view wv = tproc_image_view(whole);
    size_t size;
    unsigned char *data = tu_read_file(path, &size);
    tproc__input in = {.name = path, .data = data, .size = size};
    tproc__decode_request q = {0};
    tproc__decoder d;
    tu_ok(ctx, tproc__webp_decoder_open(ctx, &in, &q, &d));
    ck_assert(d.whole_image);
    ck_assert_uint_ge(d.whole_bytes, (size_t)wv.width * (size_t)wv.height * (size_t)wv.channels);
    size_t row = (size_t)wv.width * (size_t)wv.channels;
    unsigned char *buf = malloc(row * 7);
    for (ptrdiff_t y = 0; y < wv.height; y += 7) {
        size_t n = (size_t)(wv.height - y < 7 ? wv.height - y : 7);
        tu_ok(ctx, d.read_rows(d.state, buf, (ptrdiff_t)row, n));
        for (size_t i = 0; i < n; i++)
            if (memcmp(buf + i * row, tproc_view_pixel(&wv, 0, y + (ptrdiff_t)i), row) != 0)
                ck_abort_msg("%s: streamed row %td differs", still_files[_i], y + (ptrdiff_t)i);
    }
    ck_assert_int_ne(d.read_rows(d.state, buf, (ptrdiff_t)row, 1), TPROC_OK);
    d.close(d.state);
    free(buf);
    free(data);
    tproc_image_free(&whole);
    tproc_ctx_free(&ctx);
}
END_TEST

/* The ICC profile and EXIF are webpmux's bytes; the EXIF orientation is honoured. */
START_TEST(metadata_matches_webpmux)
{
    tproc_ctx *ctx = new_ctx();
    const char *files[] = {"webp/pillow_flower2.webp", "webp/pillow_hopper_orientation_6.webp"};
    for (int i = 0; i < 2; i++) {
        const char *path = tu_data(files[i]);
        tproc_image *img;
        /* keep: the profile travels as the file has it (the default converts and drops it). */
        tproc_load_options keep = {.colour = TPROC_COLOUR_KEEP};
        tu_ok(ctx, tproc_load(ctx, path, &keep, &img));
        const char *kinds[] = {"icc", "exif"};
        for (int k = 0; k < 2; k++) {
            const char *out = tmp_path("chunk");
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "%s -get %s '%s' -o '%s' >/dev/null 2>&1", TPROC_WEBPMUX,
                     kinds[k], path, out);
            int rc = system(cmd);
            size_t size = 0;
            const unsigned char *ours = k == 0 ? tproc_image_icc(img, &size)
                                               : tproc_image_exif(img, &size);
            if (rc != 0) {
                ck_assert_msg(ours == NULL, "%s: %s that webpmux doesn't see", files[i], kinds[k]);
                continue;
            }
            size_t ref_size;
            unsigned char *ref = tu_read_file(out, &ref_size);
            unlink(out);
            /* Some writers keep JPEG's "Exif\0\0" in the chunk; the image's EXIF never has it. */
            size_t skip = k == 1 && ref_size >= 6 && memcmp(ref, "Exif\0", 6) == 0 ? 6 : 0;
            ck_assert_msg(ours != NULL, "%s: no %s", files[i], kinds[k]);
            ck_assert_uint_eq(size, ref_size - skip);
            ck_assert(memcmp(ours, ref + skip, size) == 0);
            free(ref);
        }
        if (i == 1) { /* orientation 6: upright is the stored image turned 90 degrees clockwise */
            ck_assert_int_eq(tproc_image_orientation(img), 6);
            tproc_load_options lo = {.ignore_orientation = 1};
            tproc_image *stored;
            tu_ok(ctx, tproc_load(ctx, path, &lo, &stored));
            tproc_view u = tproc_image_view(img), s = tproc_image_view(stored);
            ck_assert_int_eq(u.width, s.height);
            for (ptrdiff_t y = 0; y < u.height; y += 7)
                for (ptrdiff_t x = 0; x < u.width; x += 5)
                    ck_assert(memcmp(tproc_view_pixel(&u, x, y),
                                     tproc_view_pixel(&s, y, s.height - 1 - x), 3) == 0);
            tproc_image_free(&stored);
        }
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Animated files are refused, saying so. */
START_TEST(animated_refused)
{
    const char *files[] = {"webp/pillow_iss634.webp", "webp/imagers_anim.webp",
                           "webp/imagers_advertises_rgba_but_frames_are_rgb.webp"};
    tproc_ctx *ctx = new_ctx();
    for (int i = 0; i < 3; i++) {
        ck_assert(is_animated(files[i]));
        tproc_image *img = NULL;
        ck_assert_int_eq(tproc_load(ctx, tu_data(files[i]), NULL, &img), TPROC_ERR_UNSUPPORTED);
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "animated WebP"), "%s",
                      tproc_ctx_message(ctx));
        ck_assert_ptr_null(img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Lossless saves of random images with 1-4 channels come back from dwebp exactly (colours
 * under transparent pixels included). */
START_TEST(lossless_round_trip_exact)
{
    tproc_ctx *ctx = new_ctx();
    tu_rng rng;
    tu_rng_seed(&rng, 1300u + (unsigned)_i);
    int channels = 1 + _i % 4;
    tproc_image *img =
        tu_random_image(ctx, tu_rng_range(&rng, 1, 90), tu_rng_range(&rng, 1, 70), channels,
                        TPROC_U8, tu_rng_next(&rng));
    tproc_save_options so;
    tproc_save_options_init(&so);
    so.lossless = 1;
    so.effort = (int)(_i % 7);
    const char *out = tmp_path("ll.webp");
    tproc_view v = tproc_image_view(img);
    tu_ok(ctx, tproc_save(ctx, &v, out, &so));
    tproc_image *ref = dwebp(ctx, out);
    compare_rgba(&v, ref, 1, "lossless save");
    unlink(out);
    tproc_image_free(&ref);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

static double psnr(double sse, const tproc_view *v)
{
    double n = (double)v->width * (double)v->height * 4.0;
    return sse == 0 ? 99.0 : 10.0 * log10(255.0 * 255.0 * n / sse);
}

/* A lossy save of a photo is close to it as dwebp decodes it, closer at a higher quality, and
 * smaller at a lower one; more effort is allowed, never required, to shrink the file. */
START_TEST(lossy_round_trip_psnr)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img;
    tu_ok(ctx, tproc_load(ctx, tu_data("jpeg/testorig.jpg"), NULL, &img));
    tproc_view v = tproc_image_view(img);
    double db[2];
    long bytes[2];
    const int qualities[2] = {30, 95};
    for (int i = 0; i < 2; i++) {
        tproc_save_options so;
        tproc_save_options_init(&so);
        so.quality = qualities[i];
        const char *out = tmp_path("lossy.webp");
        tu_ok(ctx, tproc_save(ctx, &v, out, &so));
        FILE *fp = fopen(out, "rb");
        fseek(fp, 0, SEEK_END);
        bytes[i] = ftell(fp);
        fclose(fp);
        tproc_image *ref = dwebp(ctx, out);
        db[i] = psnr(compare_rgba(&v, ref, 0, "lossy"), &v);
        unlink(out);
        tproc_image_free(&ref);
    }
    ck_assert_msg(db[0] > 28.0 && db[1] > 36.0 && db[1] > db[0] + 3.0, "PSNR %.1f / %.1f dB",
                  db[0], db[1]);
    ck_assert_msg(bytes[0] < bytes[1], "q30 %ld bytes, q95 %ld", bytes[0], bytes[1]);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* ICC and EXIF given to a save are what webpmux extracts (the EXIF upright: orientation 1). */
START_TEST(save_metadata)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img;
    tu_ok(ctx, tproc_load(ctx, tu_data("webp/pillow_hopper_orientation_6.webp"), NULL, &img));
    size_t icc_size;
    unsigned char *icc = tu_read_file(tu_data("icc/free-sRGB.icc"), &icc_size);
    ck_assert_ptr_nonnull(icc);
    tproc_save_options so;
    tproc_save_options_from_image(&so, img);
    so.icc = icc;
    so.icc_size = icc_size;
    ck_assert_ptr_nonnull(so.exif);
    const char *out = tmp_path("meta.webp");
    tproc_view v = tproc_image_view(img);
    tu_ok(ctx, tproc_save(ctx, &v, out, &so));
    const char *chunk = tmp_path("meta.icc");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -get icc '%s' -o '%s' >/dev/null 2>&1", TPROC_WEBPMUX, out, chunk);
    ck_assert_int_eq(system(cmd), 0);
    size_t got_size;
    unsigned char *got = tu_read_file(chunk, &got_size);
    ck_assert_uint_eq(got_size, icc_size);
    ck_assert(memcmp(got, icc, icc_size) == 0);
    free(got);
    snprintf(cmd, sizeof cmd, "%s -get exif '%s' -o '%s' >/dev/null 2>&1", TPROC_WEBPMUX, out, chunk);
    ck_assert_int_eq(system(cmd), 0);
    tproc_image *back;
    tu_ok(ctx, tproc_load(ctx, out, NULL, &back));
    ck_assert_int_eq(tproc_image_orientation(back), 1);
    ck_assert_int_eq(tproc_image_width(back), v.width);
    unlink(chunk);
    unlink(out);
    free(icc);
    tproc_image_free(&back);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Past 16383 pixels a side: an error naming the limit, before any row, and no file. */
START_TEST(size_limit_named)
{
    tproc_ctx *ctx = new_ctx();
    const ptrdiff_t sizes[2][2] = {{16384, 1}, {1, 20000}};
    for (int i = 0; i < 2; i++) {
        tproc_image *img;
        tu_ok(ctx, tproc_image_new(ctx, sizes[i][0], sizes[i][1], 3, TPROC_U8, &img));
        tproc_view v = tproc_image_view(img);
        void *data = NULL;
        size_t size = 0;
        tproc_save_options so;
        tproc_save_options_init(&so);
        so.format = TPROC_FILE_WEBP;
        ck_assert_int_eq(tproc_save_memory(ctx, &v, &so, &data, &size), TPROC_ERR_UNSUPPORTED);
        ck_assert_msg(strstr(tproc_ctx_message(ctx), "16383"), "%s", tproc_ctx_message(ctx));
        ck_assert_ptr_null(data);
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Bad option values are refused naming the output. */
START_TEST(options_checked)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img;
    tu_ok(ctx, tproc_image_new(ctx, 4, 4, 3, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    tproc_save_options so;
    tproc_save_options_init(&so);
    ck_assert_int_eq(so.effort, 4);
    so.effort = 7;
    ck_assert_int_eq(tproc_save(ctx, &v, tmp_path("x.webp"), &so), TPROC_ERR_ARG);
    ck_assert(strstr(tproc_ctx_message(ctx), "effort must be 0-6"));
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A decode needs its pixels under the memory limit: refused before libwebp runs. */
START_TEST(memory_limit_before_decoding)
{
    tproc_ctx *ctx = new_ctx();
    tproc_ctx_set_memory_limit(ctx, 200000); /* lossless1 is 1000x307 RGBA: 1.2 MB */
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(ctx, tu_data("webp/libwebptd_lossless1.webp"), NULL, &img),
                     TPROC_ERR_LIMIT);
    tproc_source *src = NULL;
    int status = tproc_source_open(ctx, tu_data("webp/libwebptd_lossless1.webp"), NULL, &src);
    if (status == TPROC_OK) { /* the header fits; the whole decode does not */
        ck_assert(!tproc_source_streams(src));
        tproc_source_free(&src);
    } else {
        ck_assert_int_eq(status, TPROC_ERR_LIMIT);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_webp(void)
{
    Suite *s = suite_create("webp");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, decode_matches_dwebp, 0, STILL_COUNT);
    tcase_add_loop_test(tc, streamed_equals_whole, 0, STILL_COUNT);
    tcase_add_test(tc, metadata_matches_webpmux);
    tcase_add_test(tc, animated_refused);
    tcase_add_test(tc, memory_limit_before_decoding);
    suite_add_tcase(s, tc);
    tc = tcase_create("encode");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, lossless_round_trip_exact, 0, 12);
    tcase_add_test(tc, lossy_round_trip_psnr);
    tcase_add_test(tc, save_metadata);
    tcase_add_test(tc, size_limit_named);
    tcase_add_test(tc, options_checked);
    suite_add_tcase(s, tc);
    return s;
}
