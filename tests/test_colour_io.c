/* SPDX-License-Identifier: MIT */
/*
 * test_colour_io.c: the colour step of the codec layer (src/decode_colour.c, issue 12) through
 * the public load, stream and save calls. References: lcms2's float transforms run here on the
 * values libjpeg itself decodes (not on ours), and properties (streamed == whole, keep carries
 * the identical bytes, no output carries a profile of another colour space than its pixels, a
 * CMYK TIFF of a CMYK JPEG's ink loads as that JPEG does). tiff/tiff_reference.py compares
 * CMYK TIFFs with lcms2's tificc.
 */
#include <check.h>
#include <stdio.h>
#include <unistd.h>

#include <jpeglib.h>
#include <lcms2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "colour_profiles.h"
#include "stream_internal.h"
#include "testutil.h"
#include "tileproc/tileproc.h"

/* A smooth RGB test picture (gradients over every channel, saturated corners). */
static tproc_image *picture(tproc_ctx *ctx, ptrdiff_t w, ptrdiff_t h)
{
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, w, h, 3, TPROC_U8, &img));
    tproc_view v = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < h; y++)
        for (ptrdiff_t x = 0; x < w; x++) {
            unsigned char *p = tproc_view_pixel(&v, x, y);
            p[0] = (unsigned char)(x * 255 / (w - 1));
            p[1] = (unsigned char)(y * 255 / (h - 1));
            p[2] = (unsigned char)(((x + y) * 255 / (w + h - 2)) ^ (x & 16 ? 255 : 0));
        }
    return img;
}

/* A JPEG (quality 100, 4:4:4) of img carrying icc. */
static void *jpeg_with_profile(tproc_ctx *ctx, tproc_image *img, const void *icc, size_t icc_size,
                               size_t *size)
{
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.quality = 100;
    o.chroma_444 = 1;
    o.icc = icc;
    o.icc_size = icc_size;
    void *data = NULL;
    tproc_view v = tproc_image_view(img);
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, size));
    return data;
}

/* libjpeg's own decode of a JPEG: RGB, or the raw CMYK samples. malloc'd. */
static unsigned char *libjpeg_decode(const void *data, size_t size, int cmyk, int *w, int *h)
{
    struct jpeg_decompress_struct d;
    struct jpeg_error_mgr err;
    d.err = jpeg_std_error(&err);
    jpeg_create_decompress(&d);
    jpeg_mem_src(&d, data, (unsigned long)size);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&d);
    *w = (int)d.output_width;
    *h = (int)d.output_height;
    size_t row = (size_t)*w * (size_t)d.output_components;
    unsigned char *pixels = malloc(row * (size_t)*h);
    while (d.output_scanline < d.output_height) {
        JSAMPROW r = pixels + row * d.output_scanline;
        jpeg_read_scanlines(&d, &r, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return pixels;
}

/* lcms2's float transform (relative colorimetric, no BPC) of n pixels to sRGB u8, rounded. */
static unsigned char *lcms_reference(cmsHPROFILE in, int cmyk, int inverted,
                                     const unsigned char *pixels, size_t n)
{
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    cmsHTRANSFORM t = cmsCreateTransform(in, cmyk ? TYPE_CMYK_8 : TYPE_RGB_8, srgb, TYPE_RGB_FLT,
                                         INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOOPTIMIZE);
    ck_assert_ptr_nonnull(t);
    size_t in_bytes = n * (cmyk ? 4 : 3);
    unsigned char *ink = malloc(in_bytes);
    for (size_t i = 0; i < in_bytes; i++) /* Adobe files store 255 - ink */
        ink[i] = (unsigned char)(inverted ? 255 - pixels[i] : pixels[i]);
    float *f = malloc(n * 3 * sizeof *f);
    cmsDoTransform(t, ink, f, (cmsUInt32Number)n);
    free(ink);
    unsigned char *out = malloc(n * 3);
    for (size_t i = 0; i < n * 3; i++) {
        float v = f[i] * 255.0f + 0.5f;
        out[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    free(f);
    cmsDeleteTransform(t);
    cmsCloseProfile(srgb);
    return out;
}

/* Every sample of img within bound of the packed reference. */
static void assert_close(tproc_image *img, const unsigned char *want, int bound, const char *what)
{
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.channels, 3);
    int worst = 0;
    for (ptrdiff_t y = 0; y < v.height; y++) {
        const unsigned char *p = tproc_view_pixel(&v, 0, y);
        for (ptrdiff_t i = 0; i < v.width * 3; i++) {
            int d = abs((int)p[i] - (int)want[y * v.width * 3 + i]);
            worst = d > worst ? d : worst;
        }
    }
    ck_assert_msg(worst <= bound, "%s: off by %d levels (bound %d)", what, worst, bound);
}

static int has_text(const char *s, const char *part)
{
    return strstr(s, part) != NULL;
}

static const tproc_load_options keep = {.colour = TPROC_COLOUR_KEEP};
static const tproc_load_options ignore = {.colour = TPROC_COLOUR_IGNORE};

/* An Adobe RGB JPEG: the default converts to sRGB within a level of lcms2 on libjpeg's
 * decode; keep and ignore give the stored values, keep with the identical profile bytes. */
START_TEST(adobe_rgb_jpeg_converts)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/AdobeRGB1998.icc"), &icc_size);
    tproc_image *src = picture(ctx, 96, 64);
    void *jpeg = jpeg_with_profile(ctx, src, icc, icc_size, &size);
    int w, h;
    unsigned char *raw = libjpeg_decode(jpeg, size, 0, &w, &h);
    cmsHPROFILE adobe = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    unsigned char *want = lcms_reference(adobe, 0, 0, raw, (size_t)w * (size_t)h);

    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &img));
    assert_close(img, want, 1, "Adobe RGB to sRGB");
    size_t got_size = 1;
    ck_assert_ptr_null(tproc_image_icc(img, &got_size)); /* it is sRGB now: no profile */
    tproc_image_free(&img);

    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &ignore, &img));
    assert_close(img, raw, 0, "ignore: libjpeg's values");
    ck_assert_ptr_null(tproc_image_icc(img, &got_size));
    tproc_image_free(&img);

    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &keep, &img));
    assert_close(img, raw, 0, "keep: libjpeg's values");
    const void *got = tproc_image_icc(img, &got_size);
    ck_assert_uint_eq(got_size, icc_size);
    ck_assert_mem_eq(got, icc, icc_size);
    tproc_image_free(&img);

    cmsCloseProfile(adobe);
    free(want);
    free(raw);
    tproc_free(ctx, jpeg);
    tproc_image_free(&src);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Streams jpeg through chain (NULL: none) with threads and tiles tile_height high. */
static tproc_image *stream_jpeg(tproc_ctx *ctx, const void *jpeg, size_t size, const char *chain,
                                int threads, ptrdiff_t tile_height)
{
    tproc_source *source = NULL;
    tproc_sink *sink = NULL;
    tproc_pipeline *pipe = NULL;
    tproc_run_options ro;
    tproc_run_options_init(&ro);
    ro.threads = threads;
    ro.tile_height = tile_height;
    tu_ok(ctx, tproc_source_open_memory(ctx, jpeg, size, NULL, &source));
    tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
    tu_ok(ctx, tproc_pipeline_new(ctx, &pipe));
    if (chain)
        tu_ok(ctx, tproc_pipeline_add(pipe, chain));
    tu_ok(ctx, tproc_pipeline_stream(pipe, source, sink, &ro, NULL));
    tproc_image *out = tproc_sink_take_image(sink);
    ck_assert_ptr_nonnull(out);
    tproc_sink_free(&sink);
    tproc_source_free(&source);
    tproc_pipeline_free(&pipe);
    return out;
}

/* A streamed run converts rows on its own threads while the decoder goes on (exec.c's row
 * jobs): the bytes are a whole load's, through no chain and through one with a halo (rows kept
 * from band to band), at 1 to 3 threads, with bands from a row to several row jobs high. */
START_TEST(converted_stream_equals_whole_on_any_threads)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/AdobeRGB1998.icc"), &icc_size);
    tproc_image *src = picture(ctx, 300, 260); /* a row job: 109 rows of 300 pixels */
    void *jpeg = jpeg_with_profile(ctx, src, icc, icc_size, &size);
    tproc_image *whole = NULL, *raw = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &whole));
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &ignore, &raw));
    tproc_view wv = tproc_image_view(whole), rv = tproc_image_view(raw);
    ck_assert_int_ne(memcmp(wv.data, rv.data, (size_t)(wv.row_stride * wv.height)), 0);
    static const char *chains[] = {NULL, "gaussian:sigma=2"};
    static const ptrdiff_t heights[] = {1, 7, 64, 250};
    for (int c = 0; c < 2; c++) {
        tproc_image *want = NULL;
        tproc_pipeline *pipe = NULL;
        tu_ok(ctx, tproc_pipeline_new(ctx, &pipe));
        if (chains[c])
            tu_ok(ctx, tproc_pipeline_add(pipe, chains[c]));
        tu_ok(ctx, tproc_pipeline_run(pipe, &wv, NULL, &want));
        tproc_pipeline_free(&pipe);
        tproc_view want_v = tproc_image_view(want);
        for (int threads = 1; threads <= 3; threads++)
            for (size_t h = 0; h < sizeof heights / sizeof heights[0]; h++) {
                tproc_image *got = stream_jpeg(ctx, jpeg, size, chains[c], threads, heights[h]);
                tproc_view got_v = tproc_image_view(got);
                char what[96];
                snprintf(what, sizeof what, "%s, %d threads, tiles %td high",
                         chains[c] ? chains[c] : "no chain", threads, heights[h]);
                tu_assert_same(&want_v, &got_v, what);
                tproc_image_free(&got);
            }
        tproc_image_free(&want);
    }
    tproc_image_free(&whole);
    tproc_image_free(&raw);
    tproc_free(ctx, jpeg);
    tproc_image_free(&src);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* keep carries the identical bytes JPEG -> PNG -> JPEG, through tproc_save_options_from_image. */
START_TEST(keep_carries_profile_across_formats)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/ProPhotoRGB.icc"), &icc_size);
    tproc_image *src = picture(ctx, 40, 30);
    void *data = jpeg_with_profile(ctx, src, icc, icc_size, &size);
    for (int step = 0; step < 2; step++) {
        tproc_image *img = NULL;
        tu_ok(ctx, tproc_load_memory(ctx, data, size, &keep, &img));
        tproc_free(ctx, data);
        size_t got_size = 0;
        const void *got = tproc_image_icc(img, &got_size);
        ck_assert_uint_eq(got_size, icc_size);
        ck_assert_mem_eq(got, icc, icc_size);
        tproc_save_options o;
        tproc_save_options_from_image(&o, img);
        o.format = step == 0 ? TPROC_FILE_PNG : TPROC_FILE_JPEG;
        tproc_view v = tproc_image_view(img);
        tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &size));
        tproc_image_free(&img);
    }
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data, size, &keep, &img));
    size_t got_size = 0;
    const void *got = tproc_image_icc(img, &got_size);
    ck_assert_uint_eq(got_size, icc_size);
    ck_assert_mem_eq(got, icc, icc_size);
    tproc_image_free(&img);
    tproc_free(ctx, data);
    tproc_image_free(&src);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A CMYK JPEG (Adobe-inverted or not) with an embedded CMYK profile: RGB within a level of
 * lcms2 on libjpeg's CMYK; no CMYK profile on the result under any policy, nor on its save. */
static unsigned char *cmyk_jpeg(int adobe, const void *icc, size_t icc_size, size_t *size)
{
    enum { W = 48, H = 32 };
    unsigned char *pixels = malloc(W * H * 4);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 4; c++) {
                int ink = c == 3 ? y * 255 / (H - 1) / 2 : ((x * (c + 1) * 255) / (W - 1)) % 256;
                pixels[(y * W + x) * 4 + c] = (unsigned char)(adobe ? 255 - ink : ink);
            }
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long out_size = 0;
    jpeg_mem_dest(&c, &out, &out_size);
    c.image_width = W;
    c.image_height = H;
    c.input_components = 4;
    c.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_colorspace(&c, adobe ? JCS_YCCK : JCS_CMYK);
    c.write_Adobe_marker = adobe ? TRUE : FALSE;
    jpeg_set_quality(&c, 95, TRUE);
    jpeg_start_compress(&c, TRUE);
    if (icc)
        jpeg_write_icc_profile(&c, icc, (unsigned int)icc_size);
    for (int y = 0; y < H; y++) {
        JSAMPROW row = pixels + y * W * 4;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(pixels);
    *size = out_size;
    return out;
}

START_TEST(cmyk_jpeg_converts_through_its_profile)
{
    int adobe = _i;
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tcp_make("cmyk-v2", &icc_size);
    unsigned char *jpeg = cmyk_jpeg(adobe, icc, icc_size, &size);
    int w, h;
    unsigned char *raw = libjpeg_decode(jpeg, size, 1, &w, &h);
    cmsHPROFILE p = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    unsigned char *want = lcms_reference(p, 1, adobe, raw, (size_t)w * (size_t)h);

    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &img));
    assert_close(img, want, 1, adobe ? "Adobe CMYK" : "CMYK");
    size_t got_size = 1;
    ck_assert_ptr_null(tproc_image_icc(img, &got_size));
    tproc_image_free(&img);
    /* keep: still converted (RGB cannot carry a CMYK profile), and no profile. */
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &keep, &img));
    assert_close(img, want, 1, "keep on CMYK");
    ck_assert_ptr_null(tproc_image_icc(img, &got_size));
    /* Even a save told to write the CMYK profile leaves it out of the RGB JPEG. */
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.icc = icc;
    o.icc_size = icc_size;
    void *out = NULL;
    size_t out_size;
    tproc_view v = tproc_image_view(img);
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &out, &out_size));
    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, out, out_size, &info));
    ck_assert_int_eq(info.has_icc, 0);
    tproc_free(ctx, out);
    tproc_image_free(&img);

    /* streamed == whole, byte for byte. */
    tproc_image *whole = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &whole));
    tproc_source *s = NULL;
    tu_ok(ctx, tproc_source_open_memory(ctx, jpeg, size, NULL, &s));
    tproc_format f = tproc_source_format(s);
    ck_assert_int_eq(f.channels, 3);
    tproc_image *rows = NULL;
    tu_ok(ctx, tproc_image_new(ctx, f.width, f.height, 3, TPROC_U8, &rows));
    tproc_view b = tproc_image_view(rows);
    for (ptrdiff_t y = 0; y < f.height; y += 5) { /* bands of 5 rows, as a stream reads */
        ptrdiff_t n = f.height - y < 5 ? f.height - y : 5;
        tu_ok(ctx, tproc__source_read(s, tproc_view_pixel(&b, 0, y), b.row_stride, n));
    }
    tproc_view a = tproc_image_view(whole);
    tu_assert_same(&a, &b, "streamed CMYK");
    tproc_source_free(&s);
    tproc_image_free(&rows);
    tproc_image_free(&whole);

    cmsCloseProfile(p);
    free(want);
    free(raw);
    free(jpeg);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Untagged CMYK keeps today's formula; --input-profile gives it a profile. */
START_TEST(untagged_cmyk_and_input_profile)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tcp_make("cmyk-v4", &icc_size);
    unsigned char *jpeg = cmyk_jpeg(1, NULL, 0, &size);
    int w, h;
    unsigned char *raw = libjpeg_decode(jpeg, size, 1, &w, &h);
    size_t n = (size_t)w * (size_t)h;
    unsigned char *naive = malloc(n * 3);
    for (size_t i = 0; i < n; i++) /* inverted: R = C * K / 255, rounded */
        for (size_t c = 0; c < 3; c++)
            naive[i * 3 + c] =
                (unsigned char)(((unsigned)raw[i * 4 + c] * raw[i * 4 + 3] + 127u) / 255u);
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &img));
    assert_close(img, naive, 0, "untagged CMYK formula");
    tproc_image_free(&img);

    tproc_load_options o = {.input_profile = icc, .input_profile_size = icc_size};
    cmsHPROFILE p = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    unsigned char *want = lcms_reference(p, 1, 1, raw, n);
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &o, &img));
    assert_close(img, want, 1, "CMYK with --input-profile");
    tproc_image_free(&img);
    /* An RGB input profile for CMYK pixels is the caller's error. */
    size_t rgb_size;
    unsigned char *rgb = tu_read_file(tu_data("icc/AdobeRGB1998.icc"), &rgb_size);
    o.input_profile = rgb;
    o.input_profile_size = rgb_size;
    ck_assert_int_eq(tproc_load_memory(ctx, jpeg, size, &o, &img), TPROC_ERR_ARG);
    ck_assert_msg(has_text(tproc_ctx_message(ctx), "input profile is rgb"), "%s",
                  tproc_ctx_message(ctx));
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(rgb);
    cmsCloseProfile(p);
    free(want);
    free(naive);
    free(raw);
    free(jpeg);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * A CMYK TIFF (strips of 5 rows) of w x h pixels of 8-bit ink with libtiff, an unassociated
 * alpha sample after the inks when alpha, carrying icc when given. Returns the file's bytes.
 */
static unsigned char *cmyk_tiff(const unsigned char *ink, int w, int h, int alpha, const void *icc,
                                size_t icc_size, size_t *size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/tproc_cmyk_%ld.tif", (long)getpid());
    TIFF *tif = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(tif);
    uint16_t spp = (uint16_t)(alpha ? 5 : 4), extra = EXTRASAMPLE_UNASSALPHA;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)w);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)h);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
    TIFFSetField(tif, TIFFTAG_INKSET, INKSET_CMYK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 5);
    if (alpha)
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    if (icc)
        TIFFSetField(tif, TIFFTAG_ICCPROFILE, (uint32_t)icc_size, icc);
    unsigned char *row = malloc((size_t)w * spp);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            memcpy(row + (size_t)x * spp, ink + ((size_t)y * (size_t)w + (size_t)x) * 4, 4);
            if (alpha)
                row[(size_t)x * spp + 4] = (unsigned char)(x * 255 / w);
        }
        ck_assert_int_eq(TIFFWriteScanline(tif, row, (uint32_t)y, 0), 1);
    }
    free(row);
    TIFFClose(tif);
    unsigned char *data = tu_read_file(path, size);
    unlink(path);
    return data;
}

static void assert_same_image(tproc_image *a, tproc_image *b, const char *what)
{
    tproc_view va = tproc_image_view(a), vb = tproc_image_view(b);
    tu_assert_same(&va, &vb, what);
}

/*
 * A CMYK TIFF goes through the colour step as a CMYK JPEG does: a TIFF of the ink libjpeg
 * decodes from a CMYK JPEG (plain and Adobe-inverted, whose ink is stored as 255 - ink) loads
 * to the same bytes as the JPEG, untagged (the untagged-CMYK rule) and tagged (its profile,
 * within a level of lcms2 too), under the default policy and keep; ignore reads it as
 * untagged. Streamed == whole, a region == the crop.
 */
START_TEST(cmyk_tiff_like_cmyk_jpeg)
{
    int adobe = _i;
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size, tiff_size;
    unsigned char *icc = tcp_make("cmyk-v2", &icc_size);
    tproc_image *untagged = NULL;
    for (int tagged = 0; tagged < 2; tagged++) {
        unsigned char *jpeg = cmyk_jpeg(adobe, tagged ? icc : NULL, icc_size, &size);
        int w, h;
        unsigned char *raw = libjpeg_decode(jpeg, size, 1, &w, &h);
        size_t n = (size_t)w * (size_t)h;
        for (size_t i = 0; adobe && i < n * 4; i++)
            raw[i] = (unsigned char)(255 - raw[i]); /* the ink itself, as TIFF stores it */
        unsigned char *tiff = cmyk_tiff(raw, w, h, 0, tagged ? icc : NULL, icc_size, &tiff_size);
        const char *what = tagged ? "tagged CMYK TIFF == JPEG" : "untagged CMYK TIFF == JPEG";
        for (int k = 0; k < 2; k++) {
            const tproc_load_options *o = k ? &keep : NULL;
            tproc_image *from_jpeg = NULL, *from_tiff = NULL;
            tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, o, &from_jpeg));
            tu_ok(ctx, tproc_load_memory(ctx, tiff, tiff_size, o, &from_tiff));
            assert_same_image(from_jpeg, from_tiff, what);
            size_t got_size = 1;
            ck_assert_ptr_null(tproc_image_icc(from_tiff, &got_size));
            tproc_image_free(&from_jpeg);
            if (k == 0 && !tagged)
                untagged = from_tiff;
            else
                tproc_image_free(&from_tiff);
        }
        if (tagged) {
            cmsHPROFILE p = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
            unsigned char *want = lcms_reference(p, 1, 0, raw, n);
            tproc_image *img = NULL;
            tu_ok(ctx, tproc_load_memory(ctx, tiff, tiff_size, NULL, &img));
            assert_close(img, want, 1, "tagged CMYK TIFF against lcms2");
            tproc_image_free(&img);
            tu_ok(ctx, tproc_load_memory(ctx, tiff, tiff_size, &ignore, &img));
            assert_same_image(img, untagged, "ignore on a tagged CMYK TIFF");
            tproc_image_free(&img);
            cmsCloseProfile(p);
            free(want);
        }
        /* streamed in bands of 5 == whole; a region == the crop. */
        tproc_image *whole = NULL, *rows = NULL, *part = NULL;
        tu_ok(ctx, tproc_load_memory(ctx, tiff, tiff_size, NULL, &whole));
        tproc_source *s = NULL;
        tu_ok(ctx, tproc_source_open_memory(ctx, tiff, tiff_size, NULL, &s));
        tu_ok(ctx, tproc_image_new(ctx, w, h, 3, TPROC_U8, &rows));
        tproc_view b = tproc_image_view(rows);
        for (ptrdiff_t y = 0; y < h; y += 5)
            tu_ok(ctx, tproc__source_read(s, tproc_view_pixel(&b, 0, y), b.row_stride,
                                          h - y < 5 ? h - y : 5));
        assert_same_image(whole, rows, "streamed CMYK TIFF");
        tproc_source_free(&s);
        tu_ok(ctx, tproc_source_open_memory(ctx, tiff, tiff_size, NULL, &s));
        tu_ok(ctx, tproc_source_set_region(s, 7, 6, 23, 19));
        tu_ok(ctx, tproc_image_new(ctx, 23, 19, 3, TPROC_U8, &part));
        tproc_view pv = tproc_image_view(part), wv = tproc_image_view(whole), crop;
        tu_ok(ctx, tproc__source_read(s, pv.data, pv.row_stride, 19));
        tu_ok(ctx, tproc_view_sub(&wv, 7, 6, 23, 19, &crop));
        tu_assert_same(&crop, &pv, "a region of a CMYK TIFF");
        tproc_source_free(&s);
        tproc_image_free(&part);
        tproc_image_free(&rows);
        tproc_image_free(&whole);
        free(tiff);
        free(raw);
        free(jpeg);
    }
    tproc_image_free(&untagged);
    free(icc);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Floating-point CMYK is refused, saying which depths are read. */
START_TEST(float_cmyk_tiff_is_refused)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/tproc_cmykf_%ld.tif", (long)getpid());
    TIFF *tif = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(tif);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)6);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)2);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 32);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 4);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_SEPARATED);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    float row[6 * 4] = {0};
    for (uint32_t y = 0; y < 2; y++)
        ck_assert_int_eq(TIFFWriteScanline(tif, row, y, 0), 1);
    TIFFClose(tif);
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(ctx, path, NULL, &img), TPROC_ERR_UNSUPPORTED);
    const char *m = tproc_ctx_message(ctx);
    ck_assert_msg(has_text(m, path) && has_text(m, "floating-point") &&
                      has_text(m, "8- and 16-bit CMYK are"),
                  "%s", m);
    ck_assert_ptr_null(img);
    unlink(path);
    tproc_ctx_free(&ctx);
}
END_TEST

/* CMYK with an alpha sample is refused, saying what the file has (see tiff_rows.c). */
START_TEST(cmyk_tiff_with_alpha_is_refused)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    unsigned char ink[8 * 4 * 4] = {0};
    size_t size;
    unsigned char *tiff = cmyk_tiff(ink, 8, 4, 1, NULL, 0, &size);
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load_memory(ctx, tiff, size, NULL, &img), TPROC_ERR_UNSUPPORTED);
    ck_assert_msg(has_text(tproc_ctx_message(ctx), "CMYK with 1 extra sample (alpha)"), "%s",
                  tproc_ctx_message(ctx));
    ck_assert_ptr_null(img);
    free(tiff);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --output-profile: converted to it (lcms2 sRGB -> P3 on the sRGB input) and carried. */
START_TEST(output_profile_is_carried)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t p3_size, size;
    unsigned char *p3 = tcp_make("p3", &p3_size);
    tproc_image *src = picture(ctx, 32, 24);
    void *png = NULL;
    tproc_save_options so;
    tproc_save_options_init(&so);
    so.format = TPROC_FILE_PNG;
    tproc_view sv = tproc_image_view(src);
    tu_ok(ctx, tproc_save_memory(ctx, &sv, &so, &png, &size));
    tproc_load_options o = {.output_profile = p3, .output_profile_size = p3_size};
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, png, size, &o, &img));
    size_t got_size = 0;
    const void *got = tproc_image_icc(img, &got_size);
    ck_assert_uint_eq(got_size, p3_size);
    ck_assert_mem_eq(got, p3, p3_size);
    /* Reference: lcms2 from its own sRGB to P3. */
    cmsHPROFILE srgb = cmsCreate_sRGBProfile(),
                dst = cmsOpenProfileFromMem(p3, (cmsUInt32Number)p3_size);
    cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_8, dst, TYPE_RGB_FLT,
                                         INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOOPTIMIZE);
    size_t n = 32 * 24;
    float *f = malloc(n * 3 * sizeof *f);
    unsigned char *want = malloc(n * 3);
    tproc_view sv2 = tproc_image_view(src);
    for (ptrdiff_t y = 0; y < 24; y++)
        cmsDoTransform(t, tproc_view_pixel(&sv2, 0, y), f + y * 32 * 3, 32);
    for (size_t i = 0; i < n * 3; i++)
        want[i] = (unsigned char)fminf(255.0f, fmaxf(0.0f, f[i] * 255.0f + 0.5f));
    assert_close(img, want, 1, "sRGB to P3");
    cmsDeleteTransform(t);
    cmsCloseProfile(srgb);
    cmsCloseProfile(dst);
    free(f);
    free(want);
    tproc_image_free(&img);
    tproc_free(ctx, png);
    tproc_image_free(&src);
    free(p3);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Hostile embedded profiles (truncated, an absurd tag count, size fields under the header, short
 * of the tag table or of 64 MiB): SRGB fails naming the file with the way round it, loaded or
 * streamed; ignore loads and streams without a profile; keep carries the bytes. Nothing leaks. */
START_TEST(broken_profiles_fail_cleanly)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/AdobeRGB1998.icc"), &icc_size);
    tproc_image *src = picture(ctx, 16, 16);
    size_t cuts[] = {130, icc_size / 2, icc_size - 1};
    /* Size fields: under the header, short of the tag table's extent, 64 MiB. */
    static const uint32_t declared[] = {100, 300, 64u << 20};
    for (size_t k = 0; k < 7; k++) {
        unsigned char *bad = malloc(icc_size);
        memcpy(bad, icc, icc_size);
        size_t bad_size = k < 3 ? cuts[k] : icc_size;
        if (k == 3)
            memset(bad + 128, 0xFF, 4); /* an absurd tag count */
        if (k > 3)
            for (int b = 0; b < 4; b++)
                bad[b] = (unsigned char)(declared[k - 4] >> (24 - 8 * b));
        void *jpeg = jpeg_with_profile(ctx, src, bad, bad_size, &size);
        tproc_image *img = NULL;
        int status = tproc_load_memory(ctx, jpeg, size, NULL, &img);
        ck_assert_msg(status == TPROC_ERR_CORRUPT || status == TPROC_ERR_UNSUPPORTED,
                      "case %zu: %d", k, status);
        ck_assert_msg(has_text(tproc_ctx_message(ctx), "<memory>: ") &&
                          has_text(tproc_ctx_message(ctx), "\"ignore\""),
                      "%s", tproc_ctx_message(ctx));
        ck_assert_ptr_null(img);
        /* Streamed: the same failure (at open or at the first rows), and ignore streams. */
        for (int policy = 0; policy < 2; policy++) {
            tproc_source *source = NULL;
            tproc_sink *sink = NULL;
            tproc_pipeline *pipe = NULL;
            int st = tproc_source_open_memory(ctx, jpeg, size, policy ? &ignore : NULL, &source);
            if (st == TPROC_OK) {
                tu_ok(ctx, tproc_sink_new_image(ctx, &sink));
                tu_ok(ctx, tproc_pipeline_new(ctx, &pipe));
                tu_ok(ctx, tproc_pipeline_add(pipe, "invert"));
                st = tproc_pipeline_stream(pipe, source, sink, NULL, NULL);
            }
            if (policy)
                ck_assert_msg(st == TPROC_OK, "case %zu: ignore streams: %s", k,
                              tproc_ctx_message(ctx));
            else
                ck_assert_msg(st == status && has_text(tproc_ctx_message(ctx), "<memory>: "),
                              "case %zu: streamed %d, loaded %d: %s", k, st, status,
                              tproc_ctx_message(ctx));
            tproc_pipeline_free(&pipe);
            tproc_sink_free(&sink);
            tproc_source_free(&source);
        }
        tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &ignore, &img));
        size_t got = 1;
        ck_assert_ptr_null(tproc_image_icc(img, &got));
        tproc_image_free(&img);
        tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &keep, &img));
        ck_assert_ptr_nonnull(tproc_image_icc(img, &got));
        ck_assert_uint_eq(got, bad_size);
        tproc_image_free(&img);
        tproc_free(ctx, jpeg);
        free(bad);
    }
    tproc_image_free(&src);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * libpng's complaints never fail a run: a PNG carrying a profile on libpng's list of flawed
 * sRGB profiles (chelsea.png's, CC0, tests/data/icc/flawed-srgb-chelsea.png) loads under every
 * policy, strict too, and saves again with it under keep.
 */
START_TEST(flawed_srgb_png_loads_and_saves)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    const char *path = tu_data("icc/flawed-srgb-chelsea.png");
    tproc_load_options options[] = {{.strict = 1}, keep, ignore};
    for (size_t k = 0; k < 3; k++) {
        tproc_image *img = NULL;
        tu_ok(ctx, tproc_load(ctx, path, &options[k], &img));
        tproc_save_options o;
        tproc_save_options_from_image(&o, img);
        o.format = TPROC_FILE_PNG;
        void *out = NULL;
        size_t size;
        tproc_view v = tproc_image_view(img);
        tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &out, &size));
        tproc_info info;
        tu_ok(ctx, tproc_info_read_memory(ctx, out, size, &info));
        ck_assert_int_eq(info.has_icc, k == 1);
        tproc_free(ctx, out);
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* An RGB profile on a gray JPEG is dropped, not fatal; under keep the save leaves it out. */
START_TEST(mismatched_profile_is_dropped)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/AdobeRGB1998.icc"), &icc_size);
    /* tproc_save would leave the profile out (as it must): libjpeg writes the gray JPEG. */
    tproc_image *gray = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 8, 8, 1, TPROC_U8, &gray));
    tproc_view v = tproc_image_view(gray);
    for (int y = 0; y < 8; y++)
        memset(tproc_view_pixel(&v, 0, y), y * 30, 8);
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *jpeg = NULL;
    unsigned long jsize = 0;
    jpeg_mem_dest(&c, &jpeg, &jsize);
    c.image_width = 8;
    c.image_height = 8;
    c.input_components = 1;
    c.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&c);
    jpeg_start_compress(&c, TRUE);
    jpeg_write_icc_profile(&c, icc, (unsigned int)icc_size);
    for (int y = 0; y < 8; y++) {
        JSAMPROW row = tproc_view_pixel(&v, 0, y);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    size = jsize;
    tproc_image *img = NULL, *raw = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &img));
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &ignore, &raw));
    tproc_view a = tproc_image_view(img), b = tproc_image_view(raw);
    tu_assert_same(&a, &b, "untagged gray");
    size_t got = 1;
    ck_assert_ptr_null(tproc_image_icc(img, &got));
    tproc_image_free(&img);
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &keep, &img));
    tproc_save_options o;
    tproc_save_options_from_image(&o, img);
    ck_assert_ptr_nonnull(o.icc);
    o.format = TPROC_FILE_PNG;
    void *out = NULL;
    v = tproc_image_view(img);
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &out, &size));
    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, out, size, &info));
    ck_assert_int_eq(info.has_icc, 0); /* no RGB profile on gray */
    tproc_free(ctx, out);
    tproc_image_free(&img);
    tproc_image_free(&raw);
    tproc_image_free(&gray);
    free(jpeg);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A gray JPEG with a gray profile (icc-profiles-free's Gray.icc): gray with sRGB's tone curve,
 * within a level of lcms2's float transform to a gray sRGB-curve profile. */
START_TEST(gray_profile_gives_srgb_gray)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    size_t icc_size, size;
    unsigned char *icc = tu_read_file(tu_data("icc/Gray.icc"), &icc_size);
    tproc_image *gray = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 256, 4, 1, TPROC_U8, &gray));
    tproc_view v = tproc_image_view(gray);
    for (ptrdiff_t y = 0; y < 4; y++)
        for (ptrdiff_t x = 0; x < 256; x++)
            *(unsigned char *)tproc_view_pixel(&v, x, y) = (unsigned char)x;
    void *jpeg = jpeg_with_profile(ctx, gray, icc, icc_size, &size);
    tproc_image *raw = NULL, *img = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, &ignore, &raw));
    tu_ok(ctx, tproc_load_memory(ctx, jpeg, size, NULL, &img));
    ck_assert_int_eq(tproc_image_channels(img), 1);
    cmsHPROFILE in = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    cmsHPROFILE out = tcp_profile("srgb-gray");
    cmsHTRANSFORM t = cmsCreateTransform(in, TYPE_GRAY_8, out, TYPE_GRAY_FLT,
                                         INTENT_RELATIVE_COLORIMETRIC, cmsFLAGS_NOOPTIMIZE);
    ck_assert_ptr_nonnull(t);
    tproc_view rv = tproc_image_view(raw), iv = tproc_image_view(img);
    int worst = 0;
    for (ptrdiff_t y = 0; y < 4; y++)
        for (ptrdiff_t x = 0; x < 256; x++) {
            float f;
            cmsDoTransform(t, tproc_view_pixel(&rv, x, y), &f, 1);
            int want = (int)fminf(255.0f, fmaxf(0.0f, f * 255.0f + 0.5f));
            int got = *(const unsigned char *)tproc_view_pixel(&iv, x, y);
            worst = abs(got - want) > worst ? abs(got - want) : worst;
        }
    ck_assert_msg(worst <= 1, "gray: off by %d levels", worst);
    size_t got_size = 1;
    ck_assert_ptr_null(tproc_image_icc(img, &got_size));
    cmsDeleteTransform(t);
    cmsCloseProfile(in);
    cmsCloseProfile(out);
    tproc_image_free(&img);
    tproc_image_free(&raw);
    tproc_free(ctx, jpeg);
    tproc_image_free(&gray);
    free(icc);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --embed-profile: an RGB output without a profile gets the compact sRGB one, a gray output a
 * gray profile with sRGB's curve; either loads back as sRGB, the pixels unchanged. */
START_TEST(embed_profile_matches_the_channels)
{
    tproc_ctx *ctx = NULL;
    tu_ok(ctx, tproc_ctx_new(NULL, &ctx));
    for (int channels = 1; channels <= 3; channels += 2) {
        tproc_image *img = tu_random_image(ctx, 8, 8, channels, TPROC_U8, 3);
        tproc_save_options o;
        tproc_save_options_init(&o);
        o.format = TPROC_FILE_PNG;
        o.embed_profile = 1;
        void *out = NULL;
        size_t size;
        tproc_view v = tproc_image_view(img);
        tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &out, &size));
        tproc_image *back = NULL;
        tu_ok(ctx, tproc_load_memory(ctx, out, size, &keep, &back));
        size_t got_size = 0;
        const unsigned char *got = tproc_image_icc(back, &got_size);
        ck_assert_ptr_nonnull(got);
        ck_assert(got_size < 1024 && memcmp(got + 16, channels == 1 ? "GRAY" : "RGB ", 4) == 0);
        tproc_image_free(&back);
        tu_ok(ctx, tproc_load_memory(ctx, out, size, NULL, &back)); /* converted to sRGB */
        tproc_view bv = tproc_image_view(back);
        tu_assert_same(&bv, &v, channels == 1 ? "gray, own profile" : "RGB, own profile");
        tproc_image_free(&back);
        tproc_free(ctx, out);
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(policy_names)
{
    ck_assert_int_eq(tproc_colour_policy_parse("keep"), TPROC_COLOUR_KEEP);
    ck_assert_int_eq(tproc_colour_policy_parse("sRGB"), -1);
    ck_assert_str_eq(tproc_colour_policy_name(TPROC_COLOUR_IGNORE), "ignore");
    ck_assert_int_eq(tproc_intent_parse("perceptual"), TPROC_INTENT_PERCEPTUAL);
    ck_assert_int_eq(tproc_intent_parse("bogus"), -1);
    ck_assert_str_eq(tproc_intent_name(TPROC_INTENT_ABSOLUTE), "absolute");
}
END_TEST

Suite *suite_colour_io(void)
{
    Suite *s = suite_create("colour_io");
    TCase *tc = tcase_create("colour_io");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, adobe_rgb_jpeg_converts);
    tcase_add_test(tc, converted_stream_equals_whole_on_any_threads);
    tcase_add_test(tc, keep_carries_profile_across_formats);
    tcase_add_loop_test(tc, cmyk_jpeg_converts_through_its_profile, 0, 2);
    tcase_add_test(tc, untagged_cmyk_and_input_profile);
    tcase_add_loop_test(tc, cmyk_tiff_like_cmyk_jpeg, 0, 2);
    tcase_add_test(tc, cmyk_tiff_with_alpha_is_refused);
    tcase_add_test(tc, float_cmyk_tiff_is_refused);
    tcase_add_test(tc, output_profile_is_carried);
    tcase_add_test(tc, broken_profiles_fail_cleanly);
    tcase_add_test(tc, flawed_srgb_png_loads_and_saves);
    tcase_add_test(tc, mismatched_profile_is_dropped);
    tcase_add_test(tc, gray_profile_gives_srgb_gray);
    tcase_add_test(tc, embed_profile_matches_the_channels);
    tcase_add_test(tc, policy_names);
    suite_add_tcase(s, tc);
    return s;
}
