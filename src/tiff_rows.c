/* SPDX-License-Identifier: MIT */
/*
 * tiff_rows.c: what a TIFF image's samples become in tileproc, and the conversion of one row.
 *
 * Gray and RGB keep their samples (8 and 16 bits as u8 and u16, 32-bit floats as f32); 1, 2 and
 * 4-bit gray is scaled to u8 (1-bit: 0 and 255); a palette becomes u8 RGB (a 16-bit map's high
 * byte, as libtiff's RGBA reader, vips and Pillow take it; an 8-bit map stored in 16 bits, as
 * some writers do, taken as it is, the way libtiff's RGBA reader decides); min-is-white is
 * inverted. The first extra sample is the alpha channel: associated (premultiplied) alpha is
 * divided out, since tileproc's images hold straight alpha. CMYK (separated, InkSet CMYK, 8 or
 * 16 bits) is handed out as ink, 4 samples a pixel, and the colour step makes it RGB through the
 * embedded profile, the input profile or the untagged-CMYK rule, as for a CMYK JPEG; CMYK with
 * an extra (alpha) sample is refused, since that step converts 4 inks and has no channel to
 * carry alpha through (dropping it would show what the file hides). What tileproc cannot hold
 * is refused by name.
 */
#include <stdio.h>
#include <string.h>

#include "tiff_codec.h"

static const char *photometric_name(int p)
{
    switch (p) {
    case PHOTOMETRIC_MINISWHITE:
        return "min-is-white";
    case PHOTOMETRIC_MINISBLACK:
        return "min-is-black";
    case PHOTOMETRIC_RGB:
        return "RGB";
    case PHOTOMETRIC_PALETTE:
        return "palette";
    case PHOTOMETRIC_SEPARATED:
        return "separated (CMYK)";
    case PHOTOMETRIC_YCBCR:
        return "YCbCr";
    case PHOTOMETRIC_CIELAB:
        return "CIE L*a*b*";
    default:
        return "an unusual photometric interpretation";
    }
}

/* The colour samples of the photometric interpretation; 0 for rgba mode, -1 if unsupported. */
static int colour_samples(TIFF *tif, int photometric, int compression, tproc__tiff_layout *l)
{
    switch (photometric) {
    case PHOTOMETRIC_MINISWHITE:
        l->miniswhite = 1;
        return 1;
    case PHOTOMETRIC_MINISBLACK:
        return 1;
    case PHOTOMETRIC_PALETTE:
        l->palette = 1;
        return 1;
    case PHOTOMETRIC_RGB:
        return 3;
    case PHOTOMETRIC_SEPARATED: {
        uint16_t inkset = INKSET_CMYK;
        TIFFGetFieldDefaulted(tif, TIFFTAG_INKSET, &inkset);
        return inkset == INKSET_CMYK ? 4 : -1;
    }
    case PHOTOMETRIC_YCBCR:
        if (compression == COMPRESSION_JPEG) {
            /* libjpeg upsamples and converts: the rows are RGB. */
            TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
            return 3;
        }
        return 0;
    case PHOTOMETRIC_CIELAB:
    case PHOTOMETRIC_ICCLAB:
    case PHOTOMETRIC_ITULAB:
    case PHOTOMETRIC_LOGL:
    case PHOTOMETRIC_LOGLUV:
        return 0;
    default:
        return -1;
    }
}

/* Samples as stored that tileproc has no type for. */
static int check_samples(tproc_ctx *ctx, const char *file, int sf, int bps, int spp)
{
    if (sf == SAMPLEFORMAT_COMPLEXINT || sf == SAMPLEFORMAT_COMPLEXIEEEFP)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "complex samples (%d-bit) are not supported", bps);
    if (bps == 64)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "64-bit %s samples are not supported (u8, u16 and f32 are)",
                                 sf == SAMPLEFORMAT_IEEEFP ? "floating-point" : "integer");
    if (sf == SAMPLEFORMAT_INT)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "signed %d-bit integer samples are not supported", bps);
    if (sf == SAMPLEFORMAT_IEEEFP && bps != 32)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%d-bit floating-point samples are not supported (32-bit are)",
                                 bps);
    if (sf != SAMPLEFORMAT_IEEEFP && sf != SAMPLEFORMAT_UINT && sf != SAMPLEFORMAT_VOID)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file, "sample format %d", sf);
    if (sf != SAMPLEFORMAT_IEEEFP && bps != 1 && bps != 2 && bps != 4 && bps != 8 && bps != 16)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%d-bit integer samples are not supported (1, 2, 4, 8, 16 are)",
                                 bps);
    if (spp < 1)
        return tproc__error_file(ctx, TPROC_ERR_CORRUPT, file, "no samples per pixel");
    return TPROC_OK;
}

/* Whether all entries are below 256 (an 8-bit map in 16-bit entries). */
static int map_is_8bit(const tproc__tiff_layout *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (l->map[0][i] >= 256 || l->map[1][i] >= 256 || l->map[2][i] >= 256)
            return 0;
    return 1;
}

static int layout_rgba(tproc_ctx *ctx, const char *file, TIFF *tif, int photometric, int extras,
                       tproc__tiff_layout *l)
{
    char why[1024] = "";
    if (!TIFFRGBAImageOK(tif, why))
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file, "%s images: %s",
                                 photometric_name(photometric), why);
    l->rgba = 1;
    l->alpha = extras > 0 ? 2 : 0; /* TIFFRGBAImage premultiplies */
    l->channels = extras > 0 ? 4 : 3;
    l->sample = TPROC_U8;
    return TPROC_OK;
}

int tproc__tiff_layout_read(tproc_ctx *ctx, const char *file, TIFF *tif, tproc__tiff_layout *l)
{
    memset(l, 0, sizeof *l);
    uint16_t bps = 1, spp = 1, sf = SAMPLEFORMAT_UINT, photometric = 0, compression = 1;
    uint16_t planar = PLANARCONFIG_CONTIG, nextra = 0, *extra = NULL;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l->width);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &sf);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, &nextra, &extra);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric))
        photometric = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    l->bps = bps;
    l->spp = spp;
    if (!TIFFIsCODECConfigured(compression))
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "compression %s (%u) is not available in this libtiff",
                                 tproc__tiff_compression_name(compression), compression);
    int status = check_samples(ctx, file, sf, bps, spp);
    if (status)
        return status;
    int colour = colour_samples(tif, photometric, compression, l);
    if (colour < 0)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%s images (photometric %u) are not supported",
                                 photometric_name(photometric), photometric);
    int extras = colour ? spp - colour : (spp > 3 ? spp - 3 : 0);
    if (extras > 4)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%d extra samples per pixel (at most 4)", extras);
    if (colour == 0)
        return layout_rgba(ctx, file, tif, photometric, extras, l);
    if (extras < 0)
        return tproc__error_file(ctx, TPROC_ERR_CORRUPT, file, "%s with %d samples per pixel",
                                 photometric_name(photometric), spp);
    l->colour = colour;
    if (colour == 4 && extras > 0)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "CMYK with %d extra sample%s (alpha) is not supported: CMYK is "
                                 "read as 4 inks",
                                 extras, extras == 1 ? "" : "s");
    if (extras > 0)
        l->alpha = nextra > 0 && extra[0] == EXTRASAMPLE_ASSOCALPHA ? 2 : 1;
    l->channels = (colour == 1 && !l->palette ? 1 : colour == 4 ? 4 : 3) + (l->alpha ? 1 : 0);
    if (extras > 1 || l->channels > 4)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%s with %d samples per pixel: tileproc holds 1-4 channels "
                                 "(colour and one alpha)",
                                 photometric_name(photometric), spp);
    if (l->palette && extras)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "a palette image with extra samples");
    if (bps < 8 && spp != 1)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "%d-bit samples with %d samples per pixel", bps, spp);
    if ((colour == 4 || l->palette) && sf == SAMPLEFORMAT_IEEEFP)
        return tproc__error_file(ctx, TPROC_ERR_UNSUPPORTED, file,
                                 "floating-point %s samples are not supported (%s)",
                                 photometric_name(photometric),
                                 l->palette ? "palette indices are integers"
                                            : "8- and 16-bit CMYK are");
    if (l->palette) {
        uint16_t *r = NULL, *g = NULL, *b = NULL;
        if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &r, &g, &b) || !r || !g || !b)
            return tproc__error_file(ctx, TPROC_ERR_CORRUPT, file,
                                     "a palette image without a "
                                     "colour map");
        l->map[0] = r;
        l->map[1] = g;
        l->map[2] = b;
        l->map_8bit = map_is_8bit(l, (size_t)1 << bps);
    }
    l->sample = sf == SAMPLEFORMAT_IEEEFP  ? TPROC_F32
                : bps == 16 && !l->palette ? TPROC_U16
                                           : TPROC_U8;
    (void)planar;
    return TPROC_OK;
}

int tproc__tiff_raw_row_bytes(const tproc__tiff_layout *l, size_t *out)
{
    size_t bits;
    if (l->rgba)
        return tproc__mul(l->width, 4, out);
    if (tproc__mul(l->width, (size_t)l->spp * (size_t)l->bps, &bits))
        return 1;
    *out = bits / 8 + (bits % 8 != 0);
    return 0;
}

/* Sample i of a raw row of 1-16 bit unsigned samples. */
static unsigned get_u(const unsigned char *raw, size_t i, int bps)
{
    if (bps == 8)
        return raw[i];
    if (bps == 16) {
        uint16_t v;
        memcpy(&v, raw + 2 * i, 2);
        return v;
    }
    size_t bit = i * (size_t)bps;
    unsigned byte = raw[bit / 8];
    unsigned shift = 8u - (unsigned)bps - (unsigned)(bit % 8);
    return (byte >> shift) & ((1u << bps) - 1u);
}

static void put_u(unsigned char *out, size_t i, tproc_sample s, unsigned v)
{
    if (s == TPROC_U8) {
        out[i] = (unsigned char)v;
    } else {
        uint16_t w = (uint16_t)v;
        memcpy(out + 2 * i, &w, 2);
    }
}

/* Straight from premultiplied: c * max / a, rounded, at most max; 0 where a is 0. */
static unsigned unpremultiply(unsigned c, unsigned a, unsigned max)
{
    if (a == 0)
        return 0;
    unsigned long v = ((unsigned long)c * max + a / 2) / a;
    return v > max ? max : (unsigned)v;
}

static void convert_palette(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                            size_t count, unsigned char *out)
{
    unsigned maxi = (1u << l->bps) - 1u;
    for (size_t x = 0; x < count; x++) {
        unsigned i = get_u(raw, first + x, l->bps) & maxi;
        for (int c = 0; c < 3; c++) {
            unsigned v = l->map[c][i];
            out[x * 3 + (size_t)c] = (unsigned char)(l->map_8bit ? v : v >> 8);
        }
    }
}

static void convert_uint(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                         size_t count, unsigned char *out)
{
    unsigned in_max = (1u << l->bps) - 1u;
    unsigned out_max = l->sample == TPROC_U16 ? 65535u : 255u;
    size_t spp = (size_t)l->spp, ch = (size_t)l->channels;
    for (size_t x = 0; x < count; x++) {
        unsigned s[5] = {0};
        for (size_t i = 0; i < spp && i < 5; i++) {
            unsigned v = get_u(raw, (first + x) * spp + i, l->bps);
            s[i] = in_max == out_max ? v : v * out_max / in_max; /* 1, 2, 4 bits to 8 */
        }
        unsigned a = l->alpha ? s[l->colour] : out_max;
        if (l->miniswhite)
            s[0] = out_max - s[0];
        size_t colours = ch - (l->alpha ? 1 : 0);
        for (size_t c = 0; c < colours; c++)
            put_u(out, x * ch + c, l->sample,
                  l->alpha == 2 ? unpremultiply(s[c], a, out_max) : s[c]);
        if (l->alpha)
            put_u(out, x * ch + colours, l->sample, a);
    }
}

static void convert_float(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                          size_t count, unsigned char *out)
{
    size_t spp = (size_t)l->spp, ch = (size_t)l->channels;
    size_t colours = ch - (l->alpha ? 1 : 0);
    for (size_t x = 0; x < count; x++) {
        float s[4];
        memcpy(s, raw + (first + x) * spp * 4, ch * 4);
        float a = l->alpha ? s[colours] : 1.0f;
        if (l->miniswhite)
            s[0] = 1.0f - s[0];
        for (size_t c = 0; l->alpha == 2 && c < colours; c++)
            s[c] = a > 0.0f ? s[c] / a : 0.0f;
        memcpy(out + x * ch * 4, s, ch * 4);
    }
}

static void convert_rgba(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                         size_t count, unsigned char *out)
{
    size_t ch = (size_t)l->channels;
    for (size_t x = 0; x < count; x++) {
        uint32_t v;
        memcpy(&v, raw + (first + x) * 4, 4);
        unsigned a = TIFFGetA(v);
        unsigned rgb[3] = {TIFFGetR(v), TIFFGetG(v), TIFFGetB(v)};
        for (size_t c = 0; c < 3; c++)
            out[x * ch + c] = (unsigned char)(ch == 4 ? unpremultiply(rgb[c], a, 255) : rgb[c]);
        if (ch == 4)
            out[x * ch + 3] = (unsigned char)a;
    }
}

void tproc__tiff_convert_row(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                             size_t count, unsigned char *out)
{
    size_t pixel = (size_t)l->channels * (size_t)(l->bps / 8);
    if (l->rgba)
        convert_rgba(l, raw, first, count, out);
    else if (l->palette)
        convert_palette(l, raw, first, count, out);
    else if (l->sample == TPROC_F32)
        convert_float(l, raw, first, count, out);
    else if (!l->miniswhite && l->alpha != 2 && l->bps >= 8) /* the samples as they are */
        memcpy(out, raw + first * pixel, count * pixel);
    else
        convert_uint(l, raw, first, count, out);
}
