/* SPDX-License-Identifier: MIT */
/*
 * test_png.c: the PNG codec (src/io_png.c) through the public API: every valid PngSuite file
 * decodes to the pixels a reference decoder gives, every corrupt file fails cleanly with the
 * right status and a message naming it, saves round-trip bit-exactly for every channel count,
 * sample type, stride and compression level, metadata (ICC, EXIF, orientation) survives, and the
 * memory limit refuses an image before its buffer is allocated.
 *
 * The reference decoder. It must not share our transform path, or it would only prove that the
 * code agrees with itself. libpng's simplified API (png_image_*) is unsuitable: it converts to
 * sRGB using the file's gAMA (the g03..g25 files would differ) and reduces 16-bit files to 8
 * bits or to linear premultiplied values. The lunapaint JSON arrays are independent but weigh
 * 4.6 MB. So the reference here drives libpng's low-level API with a different set of
 * transformations: png_set_expand_16 (palette, tRNS and low bit depths all the way to 16 bits),
 * png_set_gray_to_rgb and png_set_add_alpha, reads the whole image at once with png_read_image,
 * and assembles the big-endian samples itself, giving RGBA at 16 bits for every file. Our
 * decoder uses palette_to_rgb / tRNS_to_alpha / expand_gray_1_2_4_to_8 / png_set_swap, row by
 * row into the image, with its own chunk filtering. Our output is widened the same way in the
 * test (gray to RGB, missing alpha opaque, u8 times 257) and every sample must match exactly.
 * What the two share is libpng's inflate, unfiltering and de-interlacing. To close that gap
 * the reference itself was checked, once, against the independent lunapaint arrays (produced
 * by Luna Paint, not libpng): identical for all 161 files (see tests/data/SOURCES.md).
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec_util.h"
#include "png_codec.h" /* the codec's entry points, for its own signature check */
#include "testutil.h"

/* --- file tables -------------------------------------------------------------------------- */

/* Every PngSuite file that must decode (all but the x* files). */
static const char *const valid_files[] = {
    "basi0g01", "basi0g02", "basi0g04", "basi0g08", "basi0g16", "basi2c08", "basi2c16", "basi3p01",
    "basi3p02", "basi3p04", "basi3p08", "basi4a08", "basi4a16", "basi6a08", "basi6a16", "basn0g01",
    "basn0g02", "basn0g04", "basn0g08", "basn0g16", "basn2c08", "basn2c16", "basn3p01", "basn3p02",
    "basn3p04", "basn3p08", "basn4a08", "basn4a16", "basn6a08", "basn6a16", "bgai4a08", "bgai4a16",
    "bgan6a08", "bgan6a16", "bgbn4a08", "bggn4a16", "bgwn6a08", "bgyn6a16", "ccwn2c08", "ccwn3p08",
    "cdfn2c08", "cdhn2c08", "cdsn2c08", "cdun2c08", "ch1n3p04", "ch2n3p08", "cm0n0g04", "cm7n0g04",
    "cm9n0g04", "cs3n2c16", "cs3n3p08", "cs5n2c08", "cs5n3p08", "cs8n2c08", "cs8n3p08", "ct0n0g04",
    "ct1n0g04", "cten0g04", "ctfn0g04", "ctgn0g04", "cthn0g04", "ctjn0g04", "ctzn0g04", "exif2c08",
    "f00n0g08", "f00n2c08", "f01n0g08", "f01n2c08", "f02n0g08", "f02n2c08", "f03n0g08", "f03n2c08",
    "f04n0g08", "f04n2c08", "f99n0g04", "g03n0g16", "g03n2c08", "g03n3p04", "g04n0g16", "g04n2c08",
    "g04n3p04", "g05n0g16", "g05n2c08", "g05n3p04", "g07n0g16", "g07n2c08", "g07n3p04", "g10n0g16",
    "g10n2c08", "g10n3p04", "g25n0g16", "g25n2c08", "g25n3p04", "oi1n0g16", "oi1n2c16", "oi2n0g16",
    "oi2n2c16", "oi4n0g16", "oi4n2c16", "oi9n0g16", "oi9n2c16", "pp0n2c16", "pp0n6a08", "ps1n0g08",
    "ps1n2c16", "ps2n0g08", "ps2n2c16", "s01i3p01", "s01n3p01", "s02i3p01", "s02n3p01", "s03i3p01",
    "s03n3p01", "s04i3p01", "s04n3p01", "s05i3p02", "s05n3p02", "s06i3p02", "s06n3p02", "s07i3p02",
    "s07n3p02", "s08i3p02", "s08n3p02", "s09i3p02", "s09n3p02", "s32i3p04", "s32n3p04", "s33i3p04",
    "s33n3p04", "s34i3p04", "s34n3p04", "s35i3p04", "s35n3p04", "s36i3p04", "s36n3p04", "s37i3p04",
    "s37n3p04", "s38i3p04", "s38n3p04", "s39i3p04", "s39n3p04", "s40i3p04", "s40n3p04", "tbbn0g04",
    "tbbn2c16", "tbbn3p08", "tbgn2c16", "tbgn3p08", "tbrn2c08", "tbwn0g16", "tbwn3p08", "tbyn3p08",
    "tm3n3p02", "tp0n0g08", "tp0n2c08", "tp0n3p08", "tp1n3p08", "z00n2c08", "z03n2c08", "z06n2c08",
    "z09n2c08",
};
#define N_VALID ((int)(sizeof valid_files / sizeof valid_files[0]))

/* Files that must fail, and how. io.c refuses the damaged signatures before the codec runs. */
static const struct bad_file {
    const char *path;
    int status;
} bad_files[] = {
    {"pngsuite/xs1n0g01.png", TPROC_ERR_FORMAT},
    {"pngsuite/xs2n0g01.png", TPROC_ERR_FORMAT},
    {"pngsuite/xs4n0g01.png", TPROC_ERR_FORMAT},
    {"pngsuite/xs7n0g01.png", TPROC_ERR_FORMAT},
    {"pngsuite/xcrn0g04.png", TPROC_ERR_FORMAT},
    {"pngsuite/xlfn0g04.png", TPROC_ERR_FORMAT},
    {"pngsuite/xhdn0g08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xc1n0g08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xc9n2c08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xd0n2c08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xd3n2c08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xd9n2c08.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xdtn0g01.png", TPROC_ERR_CORRUPT},
    {"pngsuite/xcsn0g01.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_consecutive_idat.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_ihdr_missing.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_image-issue_1075.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_interlaced_chck.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_issue_214.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_issue_230.0.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_issue_230.1.png", TPROC_ERR_CORRUPT},
    {"bad/png_imagepng_x_unexpected_eof.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_bad_iCCP.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_badadler.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_badcrc.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_IDAT.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_eXIf_chunk.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_iCCP_chunk.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_iTXt_chunk.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_juNK_unsafe_to_copy.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_tEXt_chunk.png", TPROC_ERR_CORRUPT},
    {"bad/png_libpng_huge_zTXt_chunk.png", TPROC_ERR_CORRUPT},
    {"bad/png_libspng_missing_plte.png", TPROC_ERR_CORRUPT},
    {"bad/png_libspng_zero_gama.png", TPROC_ERR_CORRUPT},
    {"bad/png_pillow_broken_data_stream.png", TPROC_ERR_CORRUPT},
    {"bad/png_pillow_truncated_image.png", TPROC_ERR_CORRUPT},
};
#define N_BAD ((int)(sizeof bad_files / sizeof bad_files[0]))

static const char *suite_path(const char *name)
{
    char rel[64];
    snprintf(rel, sizeof rel, "pngsuite/%s.png", name);
    return tu_data(rel);
}

/* --- the reference decoder ---------------------------------------------------------------- */

typedef struct ref_image {
    png_uint_32 width, height;
    int color_type, bit_depth, interlaced;
    int channels;     /* what the file holds once palette and tRNS are expanded */
    uint16_t *rgba;   /* width * height * 4 samples, 16-bit scale */
    png_bytep pixels; /* working memory, freed by ref_free */
    png_bytepp rows;
    char error[200];
} ref_image;

static void ref_on_error(png_structp png, png_const_charp message)
{
    ref_image *ref = png_get_error_ptr(png);
    snprintf(ref->error, sizeof ref->error, "%s", message);
    png_longjmp(png, 1);
}

static void ref_on_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

static void ref_free(ref_image *ref)
{
    free(ref->rgba);
    free(ref->pixels);
    free(ref->rows);
    ref->rgba = NULL;
    ref->pixels = NULL;
    ref->rows = NULL;
}

/* The part that libpng may longjmp out of; everything it allocates hangs off ref. */
static void ref_read(png_structp png, png_infop info, ref_image *ref)
{
    png_read_info(png, info);
    png_get_IHDR(png, info, &ref->width, &ref->height, &ref->bit_depth, &ref->color_type,
                 &ref->interlaced, NULL, NULL);
    int trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    static const int base_channels[7] = {1, 0, 3, 3, 2, 0, 4};
    ref->channels = base_channels[ref->color_type] + (trns ? 1 : 0);
    png_set_expand_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xffff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    ck_assert_uint_eq(row_bytes, (size_t)ref->width * 8);
    ref->pixels = malloc(row_bytes * ref->height);
    ref->rows = malloc(sizeof *ref->rows * ref->height);
    ref->rgba = malloc(sizeof *ref->rgba * ref->width * ref->height * 4);
    ck_assert(ref->pixels && ref->rows && ref->rgba);
    for (png_uint_32 y = 0; y < ref->height; y++)
        ref->rows[y] = ref->pixels + y * row_bytes;
    png_read_image(png, ref->rows);
    png_read_end(png, NULL);
    size_t n = (size_t)ref->width * ref->height * 4;
    for (size_t i = 0; i < n; i++)
        ref->rgba[i] = (uint16_t)(ref->pixels[2 * i] << 8 | ref->pixels[2 * i + 1]);
}

/* Decodes path to 16-bit RGBA; returns 0 with ref->error set on failure. */
static int ref_decode(const char *path, ref_image *ref)
{
    memset(ref, 0, sizeof *ref);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, ref, ref_on_error, ref_on_warning);
    ck_assert_ptr_nonnull(png);
    png_infop info = png_create_info_struct(png);
    ck_assert_ptr_nonnull(info);
    int ok = 0;
    if (!setjmp(png_jmpbuf(png))) {
        png_init_io(png, fp);
        ref_read(png, info, ref);
        ok = 1;
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    if (!ok)
        ref_free(ref);
    return ok;
}

/* --- helpers ------------------------------------------------------------------------------ */

static tproc_ctx *new_ctx(void)
{
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    return ctx;
}

static unsigned sample_at(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
{
    const unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_U8)
        return p[c];
    uint16_t s;
    memcpy(&s, p + 2 * c, 2);
    return s;
}

/* Asserts two views hold the same samples (sizes, channels and type included). */
static void assert_same_pixels(const tproc_view *a, const tproc_view *b)
{
    ck_assert_int_eq(a->width, b->width);
    ck_assert_int_eq(a->height, b->height);
    ck_assert_int_eq(a->channels, b->channels);
    ck_assert_int_eq(a->sample, b->sample);
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++)
            for (int c = 0; c < a->channels; c++) {
                unsigned sa = sample_at(a, x, y, c), sb = sample_at(b, x, y, c);
                ck_assert_msg(sa == sb, "pixel (%td, %td) channel %d: %u != %u", x, y, c, sa, sb);
            }
}

static int has_text(const char *haystack, const char *needle)
{
    return haystack && needle && strstr(haystack, needle) != NULL;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static tproc_save_options png_options(void)
{
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_PNG;
    return o;
}

/* Saves view to memory as PNG, loads it back (orientation ignored), and returns the image. */
static tproc_image *round_trip(tproc_ctx *ctx, const tproc_view *view,
                               const tproc_save_options *options, size_t *encoded_size)
{
    void *data = NULL;
    size_t size = 0;
    tu_ok(ctx, tproc_save_memory(ctx, view, options, &data, &size));
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_gt(size, 8);
    ck_assert_int_eq(tproc_file_format_detect(data, size), TPROC_FILE_PNG);
    tproc_load_options lo = {.ignore_orientation = 1, .strict = 1};
    tproc_image *back = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data, size, &lo, &back));
    tproc_free(ctx, data);
    if (encoded_size)
        *encoded_size = size;
    return back;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* --- decoding PngSuite -------------------------------------------------------------------- */

START_TEST(decode_matches_reference)
{
    const char *name = valid_files[_i];
    const char *path = suite_path(name);
    ref_image ref;
    ck_assert_msg(ref_decode(path, &ref), "reference decoder failed on %s: %s", name, ref.error);

    /* The file name encodes colour type and bit depth; the reference must agree. */
    static const char *const codes[7] = {"0g", "", "2c", "3p", "4a", "", "6a"};
    ck_assert_msg(strncmp(name + 4, codes[ref.color_type], 2) == 0, "%s: colour type %d", name,
                  ref.color_type);
    ck_assert_int_eq(ref.bit_depth, atoi(name + 6));

    tproc_ctx *ctx = new_ctx();
    /* As stored; strict: PngSuite is valid. */
    tproc_load_options lo = {.ignore_orientation = 1, .strict = 1};
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, path, &lo, &img));
    tproc_view v = tproc_image_view(img);
    ck_assert_int_eq(v.width, (ptrdiff_t)ref.width);
    ck_assert_int_eq(v.height, (ptrdiff_t)ref.height);
    ck_assert_int_eq(v.channels, ref.channels);
    ck_assert_int_eq(v.sample, ref.bit_depth == 16 ? TPROC_U16 : TPROC_U8);

    unsigned scale = v.sample == TPROC_U8 ? 257u : 1u;
    for (ptrdiff_t y = 0; y < v.height; y++) {
        for (ptrdiff_t x = 0; x < v.width; x++) {
            unsigned rgba[4];
            for (int c = 0; c < 4; c++) {
                int from = v.channels >= 3 ? c : 0; /* gray repeats into R, G, B */
                if (c == 3)
                    from = v.channels == 2 || v.channels == 4 ? v.channels - 1 : -1;
                rgba[c] = from < 0 ? 65535u : sample_at(&v, x, y, from) * scale;
            }
            const uint16_t *want = ref.rgba + ((size_t)y * ref.width + (size_t)x) * 4;
            for (int c = 0; c < 4; c++)
                ck_assert_msg(rgba[c] == want[c], "%s: pixel (%td, %td) channel %d: %u, want %u",
                              name, x, y, c, rgba[c], (unsigned)want[c]);
        }
    }
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
    ref_free(&ref);
}
END_TEST

START_TEST(info_matches_load)
{
    const char *name = valid_files[_i];
    const char *path = suite_path(name);
    tproc_ctx *ctx = new_ctx();
    tproc_info info;
    memset(&info, 0xAB, sizeof info);
    tu_ok(ctx, tproc_info_read(ctx, path, &info));
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, path, NULL, &img));
    ck_assert_int_eq(info.format, TPROC_FILE_PNG);
    ck_assert_int_eq(info.width, tproc_image_width(img));
    ck_assert_int_eq(info.height, tproc_image_height(img));
    ck_assert_int_eq(info.channels, tproc_image_channels(img));
    ck_assert_int_eq(info.sample, tproc_image_sample(img));
    ck_assert_int_eq(info.bit_depth, atoi(name + 6));
    ck_assert_int_eq(info.interlaced, name[3] == 'i');
    ck_assert_int_eq(info.progressive, 0);
    ck_assert_int_eq(info.orientation, tproc_image_orientation(img));
    size_t exif_size = 0, icc_size = 0;
    ck_assert_int_eq(info.has_exif, tproc_image_exif(img, &exif_size) != NULL);
    ck_assert_int_eq(info.has_icc, tproc_image_icc(img, &icc_size) != NULL);
    ck_assert_int_eq(info.has_exif, strcmp(name, "exif2c08") == 0);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- rejecting bad files ------------------------------------------------------------------ */

START_TEST(bad_file_fails_cleanly)
{
    const struct bad_file *bad = &bad_files[_i];
    const char *path = tu_data(bad->path);
    tproc_ctx *ctx = new_ctx();
    for (int strict = 0; strict <= 1; strict++) {
        tproc_load_options lo = {.ignore_orientation = 0, .strict = strict};
        tproc_image *img = (tproc_image *)&lo; /* must be reset to NULL */
        int status = tproc_load(ctx, path, &lo, &img);
        ck_assert_msg(status == bad->status, "%s (strict %d): got %s (%s), want %s", bad->path,
                      strict, tproc_status_name(status), tproc_ctx_message(ctx),
                      tproc_status_name(bad->status));
        ck_assert_ptr_null(img);
        ck_assert_int_eq(tproc_ctx_status(ctx), bad->status);
        ck_assert_msg(has_text(tproc_ctx_message(ctx), base_name(path)),
                      "message does not name the file: %s", tproc_ctx_message(ctx));
    }
    /* The same bytes from memory fail the same way, named "<memory>". */
    size_t size = 0;
    unsigned char *data = tu_read_file(path, &size);
    ck_assert_ptr_nonnull(data);
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load_memory(ctx, data, size, NULL, &img), bad->status);
    ck_assert_ptr_null(img);
    ck_assert(has_text(tproc_ctx_message(ctx), "<memory>"));
    free(data);
    tproc_ctx_free(&ctx);
}
END_TEST

/* The codec's own signature check (detection normally refuses these first). */
START_TEST(signature_messages)
{
    static const unsigned char ascii[8] = {0x89, 'P', 'N', 'G', '\r', '\r', '\n', 0x1a};
    static const unsigned char other[8] = {'G', 'I', 'F', '8', '9', 'a', 0, 0};
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = NULL;
    tproc__input in = {"sig.png", NULL, ascii, sizeof ascii, 0, 0};
    ck_assert_int_eq(tu_codec_load(ctx, tproc__png_decoder_open, &in, NULL, &img),
                     TPROC_ERR_FORMAT);
    ck_assert_ptr_null(img);
    ck_assert_str_eq(tproc_ctx_message(ctx), "sig.png: PNG file corrupted by ASCII conversion");
    tproc__input in2 = {"gif.png", NULL, other, sizeof other, 0, 0};
    tproc_info info;
    ck_assert_int_eq(tproc__png_info(ctx, &in2, &info), TPROC_ERR_FORMAT);
    ck_assert_str_eq(tproc_ctx_message(ctx), "gif.png: not a PNG file");
    tproc__input in3 = {"short.png", NULL, ascii, 3, 0, 0};
    ck_assert_int_eq(tu_codec_load(ctx, tproc__png_decoder_open, &in3, NULL, &img),
                     TPROC_ERR_FORMAT);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Every prefix of a valid file fails: FORMAT inside the signature, CORRUPT after it. */
START_TEST(truncations_fail)
{
    static const char *const files[] = {"basn0g01", "basi6a16"};
    tproc_ctx *ctx = new_ctx();
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t size = 0;
        unsigned char *data = tu_read_file(suite_path(files[f]), &size);
        ck_assert_ptr_nonnull(data);
        for (size_t len = 0; len < size; len++) {
            tproc_image *img = NULL;
            int status = tproc_load_memory(ctx, data, len, NULL, &img);
            int want = len < 8 ? TPROC_ERR_FORMAT : TPROC_ERR_CORRUPT;
            ck_assert_msg(status == want, "%s cut at %zu: %s (%s)", files[f], len,
                          tproc_status_name(status), tproc_ctx_message(ctx));
            ck_assert_ptr_null(img);
        }
        tproc_image *img = NULL;
        tu_ok(ctx, tproc_load_memory(ctx, data, size, NULL, &img));
        tproc_image_free(&img);
        free(data);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* Three zTXt chunks inflating to 2 MiB each: the text is skipped, the 1x1 pixel loads. */
START_TEST(ztxt_bomb_loads)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = NULL;
    tproc_load_options lo = {.ignore_orientation = 0, .strict = 1};
    tu_ok(ctx, tproc_load(ctx, tu_data("bad/png_pillow_png_decompression_dos.png"), &lo, &img));
    ck_assert_int_eq(tproc_image_width(img), 1);
    ck_assert_int_eq(tproc_image_height(img), 1);
    /* Only the pixels were allocated through the context: one aligned row. */
    ck_assert_uint_le(tproc_ctx_memory_peak(ctx), 4096);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * Text chunks are skipped unparsed: a zTXt whose compressed text is garbage (valid CRC) makes
 * libpng report a benign error if it inflates it, which strict mode would turn into a failure.
 */
START_TEST(text_chunks_not_inflated)
{
    static const unsigned char text[] = {'C',  'o',  'm',  'm',  'e',  'n',  't',  0,   0,
                                         0x78, 0x9c, 0xff, 0xfe, 0xfd, 0xfc, 0x00, 0x01};
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 3, 2, 1, TPROC_U8, 4);
    tproc_view v = tproc_image_view(img);
    tproc_save_options o = png_options();
    void *data = NULL;
    size_t n = 0;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &n));
    /* Insert the chunk right after IHDR (signature 8 + IHDR 25 bytes). */
    size_t chunk = 12 + sizeof text, at = 33;
    unsigned char *png = malloc(n + chunk);
    ck_assert_ptr_nonnull(png);
    memcpy(png, data, at);
    put32(png + at, (uint32_t)sizeof text);
    memcpy(png + at + 4, "zTXt", 4);
    memcpy(png + at + 8, text, sizeof text);
    put32(png + at + 8 + sizeof text, crc32_of(png + at + 4, 4 + sizeof text));
    memcpy(png + at + chunk, (unsigned char *)data + at, n - at);
    tproc_free(ctx, data);

    tproc_load_options strict = {.ignore_orientation = 0, .strict = 1};
    tproc_image *back = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, png, n + chunk, &strict, &back));
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);
    /* The CRC is still checked: a damaged one fails in strict mode. */
    png[at + 8] ^= 1;
    ck_assert_int_eq(tproc_load_memory(ctx, png, n + chunk, &strict, &back), TPROC_ERR_CORRUPT);
    ck_assert_msg(has_text(tproc_ctx_message(ctx), "zTXt"), "%s", tproc_ctx_message(ctx));
    tu_ok(ctx, tproc_load_memory(ctx, png, n + chunk, NULL, &back)); /* lenient: dropped */
    tproc_image_free(&back);
    free(png);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * Zero-length ancillary chunks (bKGD, eXIf, iCCP, ... before and after PLTE and IDAT). Lenient
 * (the default) loads the valid pixels and drops the broken metadata, as libpng recommends;
 * strict turns libpng's benign errors into failures, so it refuses the file ("eXIf: too short").
 */
START_TEST(empty_ancillary_chunks)
{
    const char *path = tu_data("bad/png_libpng_empty_ancillary_chunks.png");
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, path, NULL, &img));
    ck_assert_int_eq(tproc_image_width(img), 1);
    ck_assert_int_eq(tproc_image_height(img), 1);
    ck_assert_int_eq(tproc_image_channels(img), 3);
    size_t size = 1;
    ck_assert_ptr_null(tproc_image_exif(img, &size));
    ck_assert_ptr_null(tproc_image_icc(img, &size));
    tproc_image_free(&img);
    tproc_load_options strict = {.ignore_orientation = 0, .strict = 1};
    ck_assert_int_eq(tproc_load(ctx, path, &strict, &img), TPROC_ERR_CORRUPT);
    ck_assert_ptr_null(img);
    ck_assert(has_text(tproc_ctx_message(ctx), "png_libpng_empty_ancillary_chunks.png: "));
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- round trips -------------------------------------------------------------------------- */

/* Loop index: channels 1-4 x {u8, u16}. */
static void format_of(int i, int *channels, tproc_sample *sample)
{
    *channels = i % 4 + 1;
    *sample = i < 4 ? TPROC_U8 : TPROC_U16;
}

START_TEST(round_trip_memory)
{
    int channels;
    tproc_sample sample;
    format_of(_i, &channels, &sample);
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 37, 23, channels, sample, 1000u + (uint64_t)_i);
    tproc_view v = tproc_image_view(img);
    tproc_save_options o = png_options();
    tproc_image *back = round_trip(ctx, &v, &o, NULL);
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);

    /* A 1x1 and a single-row image are valid PNGs too. */
    tproc_view one;
    tu_ok(ctx, tproc_view_sub(&v, 5, 7, 1, 1, &one));
    back = round_trip(ctx, &one, &o, NULL);
    bv = tproc_image_view(back);
    assert_same_pixels(&one, &bv);
    tproc_image_free(&back);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(round_trip_file)
{
    int channels;
    tproc_sample sample;
    format_of(_i, &channels, &sample);
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 19, 31, channels, sample, 2000u + (uint64_t)_i);
    tproc_view v = tproc_image_view(img);
    char dir[] = "/tmp/tproc-png-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/round trip.png", dir);
    tu_ok(ctx, tproc_save(ctx, &v, path, NULL)); /* format from the extension */
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, path, &info));
    ck_assert_int_eq(info.channels, channels);
    ck_assert_int_eq(info.sample, sample);
    ck_assert_int_eq(info.bit_depth, sample == TPROC_U16 ? 16 : 8);
    ck_assert_int_eq(info.interlaced, 0);
    tproc_image *back = NULL;
    tu_ok(ctx, tproc_load(ctx, path, NULL, &back));
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);

    /* Through a FILE* as well. */
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    tproc_save_options o = png_options();
    tu_ok(ctx, tproc_save_file(ctx, &v, fp, "stream.png", &o));
    ck_assert_int_eq(fclose(fp), 0);
    fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    tu_ok(ctx, tproc_load_file(ctx, fp, "stream.png", NULL, &back));
    fclose(fp);
    bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);

    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Views whose layout is not a packed image: every stride case of the encoder. */
START_TEST(round_trip_strides)
{
    int channels;
    tproc_sample sample;
    format_of(_i, &channels, &sample);
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 29, 17, channels, sample, 3000u + (uint64_t)_i);
    tproc_view v = tproc_image_view(img), t[5];
    tu_ok(ctx, tproc_view_flip_v(&v, &t[0]));            /* negative row stride */
    tu_ok(ctx, tproc_view_rotate(&v, 180, &t[1]));       /* both strides negative */
    tu_ok(ctx, tproc_view_transpose(&v, &t[2]));         /* pixels a row apart */
    tu_ok(ctx, tproc_view_sub(&v, 3, 2, 20, 11, &t[3])); /* rows with gaps */
    tu_ok(ctx, tproc_view_step(&v, 2, 3, &t[4]));        /* every other pixel */
    ck_assert_int_lt(t[0].row_stride, 0);
    ck_assert_int_lt(t[1].pixel_stride, 0);
    tproc_save_options o = png_options();
    for (int k = 0; k < 5; k++) {
        tproc_image *back = round_trip(ctx, &t[k], &o, NULL);
        tproc_view bv = tproc_image_view(back);
        assert_same_pixels(&t[k], &bv);
        tproc_image_free(&back);
    }
    /* A read-only view saves too (libpng never writes to the rows). */
    tproc_view ro = v;
    ro.flags |= TPROC_VIEW_READONLY;
    tproc_image *back = round_trip(ctx, &ro, &o, NULL);
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(round_trip_compression)
{
    int channels;
    tproc_sample sample;
    format_of(_i, &channels, &sample);
    tproc_ctx *ctx = new_ctx();
    /* A smooth image, so that compression has something to do. */
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, 64, 48, channels, sample, &img));
    tproc_view v = tproc_image_view(img);
    for (ptrdiff_t y = 0; y < v.height; y++)
        for (ptrdiff_t x = 0; x < v.width; x++)
            for (int c = 0; c < channels; c++) {
                unsigned value = (unsigned)((x * 3 + y * 5 + c * 40) % 256);
                unsigned char *p = tproc_view_pixel(&v, x, y);
                if (sample == TPROC_U8) {
                    p[c] = (unsigned char)value;
                } else {
                    uint16_t s16 = (uint16_t)(value * 257u);
                    memcpy(p + 2 * c, &s16, 2);
                }
            }
    tproc_save_options o = png_options();
    size_t size[3];
    const int levels[3] = {0, 9, -1};
    for (int k = 0; k < 3; k++) {
        o.compression = levels[k];
        tproc_image *back = round_trip(ctx, &v, &o, &size[k]);
        tproc_view bv = tproc_image_view(back);
        assert_same_pixels(&v, &bv);
        tproc_image_free(&back);
    }
    size_t raw = (size_t)v.width * (size_t)v.height * tproc_view_pixel_size(&v);
    ck_assert_uint_gt(size[0], raw); /* level 0: stored, never smaller than the pixels */
    ck_assert_uint_lt(size[1], size[0] / 4);
    o.compression = 10;
    void *data = NULL;
    size_t n = 0;
    ck_assert_int_eq(tproc_save_memory(ctx, &v, &o, &data, &n), TPROC_ERR_ARG);
    ck_assert_ptr_null(data);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- metadata ----------------------------------------------------------------------------- */

/* A minimal ICC profile libpng accepts: a v2 display header and one private tag. */
#define ICC_SIZE 176
static void make_icc(unsigned char icc[ICC_SIZE], int gray)
{
    memset(icc, 0, ICC_SIZE);
    put32(icc, ICC_SIZE);
    put32(icc + 8, 0x02100000u);
    memcpy(icc + 12, "mntr", 4);
    memcpy(icc + 16, gray ? "GRAY" : "RGB ", 4);
    memcpy(icc + 20, "XYZ ", 4);
    memcpy(icc + 36, "acsp", 4);
    put32(icc + 68, 0x0000F6D6u); /* D50 */
    put32(icc + 72, 0x00010000u);
    put32(icc + 76, 0x0000D32Du);
    put32(icc + 128, 1); /* one tag: 'tprc' at 144, 32 bytes */
    memcpy(icc + 132, "tprc", 4);
    put32(icc + 136, 144);
    put32(icc + 140, 32);
    for (int i = 0; i < 32; i++)
        icc[144 + i] = (unsigned char)(i * 37 + 11);
}

/* Big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, value at bytes 18-19. */
#define EXIF_SIZE 26
static void make_exif(unsigned char exif[EXIF_SIZE], int orientation)
{
    static const unsigned char tiff[EXIF_SIZE] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0,
                                                  3,   0,   0, 0,  1, 0, 1, 0, 0, 0, 0,    0,    0};
    memcpy(exif, tiff, EXIF_SIZE);
    exif[19] = (unsigned char)orientation;
}

START_TEST(exif_round_trip)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_load(ctx, suite_path("exif2c08"), NULL, &img));
    size_t size = 0;
    const unsigned char *exif = tproc_image_exif(img, &size);
    ck_assert_ptr_nonnull(exif);
    ck_assert_uint_eq(size, 978); /* the whole eXIf chunk */
    ck_assert(exif[0] == 'M' && exif[1] == 'M');
    ck_assert_int_eq(tproc_image_orientation(img), 1);

    tproc_save_options o;
    tproc_save_options_from_image(&o, img);
    o.format = TPROC_FILE_PNG;
    tproc_view v = tproc_image_view(img);
    tproc_image *back = round_trip(ctx, &v, &o, NULL);
    size_t back_size = 0;
    const unsigned char *back_exif = tproc_image_exif(back, &back_size);
    ck_assert_uint_eq(back_size, size);
    ck_assert_ptr_nonnull(back_exif);
    ck_assert_mem_eq(back_exif, exif, size);
    tproc_view bv = tproc_image_view(back);
    assert_same_pixels(&v, &bv);
    tproc_image_free(&back);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(icc_round_trip)
{
    tproc_ctx *ctx = new_ctx();
    for (int gray = 0; gray <= 1; gray++) {
        unsigned char icc[ICC_SIZE];
        make_icc(icc, gray);
        tproc_image *img = tu_random_image(ctx, 8, 5, gray ? 2 : 4, TPROC_U16, 77);
        tproc_view v = tproc_image_view(img);
        tproc_save_options o = png_options();
        o.icc = icc;
        o.icc_size = sizeof icc;
        void *data = NULL;
        size_t n = 0;
        tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &n));
        tproc_info info;
        tu_ok(ctx, tproc_info_read_memory(ctx, data, n, &info));
        ck_assert_int_eq(info.has_icc, 1);
        ck_assert_int_eq(info.has_exif, 0);
        tproc_image *back = NULL;
        /* keep: the bytes travel unparsed (this "profile" cannot convert anything). */
        tproc_load_options keep = {.colour = TPROC_COLOUR_KEEP};
        tu_ok(ctx, tproc_load_memory(ctx, data, n, &keep, &back));
        tproc_free(ctx, data);
        size_t size = 0;
        const void *got = tproc_image_icc(back, &size);
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(size, sizeof icc);
        ck_assert_mem_eq(got, icc, sizeof icc);
        tproc_image_free(&back);
        tproc_image_free(&img);
    }
    tproc_ctx_free(&ctx);
}
END_TEST

/* An output never carries a profile of another colour space than its pixels' (issue 12): a
 * gray profile given for an RGB image is left out, and the save still works. */
START_TEST(bad_icc_rejected)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 4, 4, 3, TPROC_U8, 5);
    tproc_view v = tproc_image_view(img);
    unsigned char icc[ICC_SIZE];
    make_icc(icc, 1); /* a GRAY profile on an RGB image */
    tproc_save_options o = png_options();
    o.icc = icc;
    o.icc_size = sizeof icc;
    void *data = NULL;
    size_t n = 0;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &n));
    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, data, n, &info));
    ck_assert_int_eq(info.has_icc, 0);
    tproc_free(ctx, data);
    tproc_image_free(&img);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/*
 * A saved EXIF says orientation 1 (pixels are saved upright) without touching the caller's
 * bytes; a file whose eXIf says 6 is recorded as 6, shown rotated, and kept as stored on request.
 */
START_TEST(exif_orientation)
{
    tproc_ctx *ctx = new_ctx();
    tproc_image *img = tu_random_image(ctx, 5, 3, 3, TPROC_U8, 9);
    tproc_view v = tproc_image_view(img);
    unsigned char exif[EXIF_SIZE];
    make_exif(exif, 6);
    tproc_save_options o = png_options();
    o.exif = exif;
    o.exif_size = sizeof exif;
    void *data = NULL;
    size_t n = 0;
    tu_ok(ctx, tproc_save_memory(ctx, &v, &o, &data, &n));
    ck_assert_int_eq(exif[19], 6);
    tproc_image *back = NULL;
    tu_ok(ctx, tproc_load_memory(ctx, data, n, NULL, &back));
    ck_assert_int_eq(tproc_image_orientation(back), 1);
    size_t size = 0;
    const unsigned char *saved = tproc_image_exif(back, &size);
    ck_assert_uint_eq(size, sizeof exif);
    ck_assert_int_eq(saved[19], 1);
    tproc_image_free(&back);

    /* Patch the stored orientation to 6 (and the chunk CRC). */
    unsigned char *png = data, *chunk = NULL;
    for (size_t i = 8; i + 4 <= n; i++)
        if (memcmp(png + i, "eXIf", 4) == 0) {
            chunk = png + i;
            break;
        }
    ck_assert_ptr_nonnull(chunk);
    ck_assert_int_eq(chunk[4 + 19], 1);
    chunk[4 + 19] = 6;
    put32(chunk + 4 + EXIF_SIZE, crc32_of(chunk, 4 + EXIF_SIZE));

    tproc_info info;
    tu_ok(ctx, tproc_info_read_memory(ctx, data, n, &info));
    ck_assert_int_eq(info.orientation, 6);
    ck_assert_int_eq(info.has_exif, 1);
    ck_assert_int_eq(info.width, 5);
    ck_assert_int_eq(info.height, 3);

    tu_ok(ctx, tproc_load_memory(ctx, data, n, NULL, &back));
    ck_assert_int_eq(tproc_image_orientation(back), 6);
    tproc_view up = tproc_image_view(back);
    ck_assert_int_eq(up.width, 3);
    ck_assert_int_eq(up.height, 5);
    /* Orientation 6 shows the stored image turned 90 degrees clockwise. */
    for (ptrdiff_t y = 0; y < up.height; y++)
        for (ptrdiff_t x = 0; x < up.width; x++)
            ck_assert_mem_eq(tproc_view_pixel(&up, x, y), tproc_view_pixel(&v, y, v.height - 1 - x),
                             3);
    tproc_image_free(&back);

    tproc_load_options keep = {.ignore_orientation = 1, .strict = 0};
    tu_ok(ctx, tproc_load_memory(ctx, data, n, &keep, &back));
    ck_assert_int_eq(tproc_image_orientation(back), 6);
    tproc_view stored = tproc_image_view(back);
    assert_same_pixels(&v, &stored);
    tproc_image_free(&back);
    tproc_free(ctx, data);
    tproc_image_free(&img);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- limits ------------------------------------------------------------------------------- */

START_TEST(memory_limit_refuses_before_allocating)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator allocator = tu_counting_allocator(&counter);
    tproc_ctx_options co = {&allocator, 4096, 1};
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(&co, &ctx), TPROC_OK);
    const char *path = suite_path("basn6a16"); /* 32x32 RGBA u16: 8 KiB of pixels */
    size_t base = counter.live;
    counter.peak = counter.live;

    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(ctx, path, NULL, &img), TPROC_ERR_LIMIT);
    ck_assert_ptr_null(img);
    const char *msg = tproc_ctx_message(ctx);
    ck_assert_msg(has_text(msg, "4 KiB") && has_text(msg, "basn6a16.png"), "message: %s", msg);
    ck_assert_uint_le(counter.peak - base, 4096);
    ck_assert_uint_eq(counter.live, base);

    /* The header alone is fine, and the same file loads under a limit it fits. */
    tproc_info info;
    tu_ok(ctx, tproc_info_read(ctx, path, &info));
    ck_assert_int_eq(info.channels, 4);
    ck_assert_int_eq(info.sample, TPROC_U16);
    tproc_ctx_set_memory_limit(ctx, 64 * 1024);
    tu_ok(ctx, tproc_load(ctx, path, NULL, &img));
    ck_assert_uint_gt(counter.peak - base, 8192);
    tproc_image_free(&img);
    ck_assert_uint_eq(counter.live, base);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_png(void)
{
    Suite *s = suite_create("png");

    TCase *tc = tcase_create("decode");
    tcase_add_loop_test(tc, decode_matches_reference, 0, N_VALID);
    tcase_add_loop_test(tc, info_matches_load, 0, N_VALID);
    suite_add_tcase(s, tc);

    tc = tcase_create("reject");
    tcase_add_loop_test(tc, bad_file_fails_cleanly, 0, N_BAD);
    tcase_add_test(tc, signature_messages);
    tcase_add_test(tc, truncations_fail);
    tcase_add_test(tc, ztxt_bomb_loads);
    tcase_add_test(tc, text_chunks_not_inflated);
    tcase_add_test(tc, empty_ancillary_chunks);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("round_trip");
    tcase_add_loop_test(tc, round_trip_memory, 0, 8);
    tcase_add_loop_test(tc, round_trip_file, 0, 8);
    tcase_add_loop_test(tc, round_trip_strides, 0, 8);
    tcase_add_loop_test(tc, round_trip_compression, 0, 8);
    suite_add_tcase(s, tc);

    tc = tcase_create("metadata");
    tcase_add_test(tc, exif_round_trip);
    tcase_add_test(tc, icc_round_trip);
    tcase_add_test(tc, bad_icc_rejected);
    tcase_add_test(tc, exif_orientation);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, memory_limit_refuses_before_allocating);
    suite_add_tcase(s, tc);
    return s;
}
