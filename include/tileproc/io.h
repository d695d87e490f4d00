/* SPDX-License-Identifier: MIT */
/*
 * io.h: loading and saving images (PNG and JPEG; the formats of a build are listed by
 * tproc_file_format_count() and tproc_file_format_at()), and reading their headers without
 * decoding pixels.
 *
 * The format is recognised by its magic bytes, never by the file name. Every size a header
 * declares is checked for overflow and against the context's memory limit before anything is
 * allocated. Errors are about the file (tproc_ctx_error(): subject the path, "<memory>", or the
 * name given with a FILE*) and give the cause, including libpng's or libjpeg's own text;
 * nothing is printed. A load decodes exactly as a stream.h source does (it is one).
 */
#ifndef TILEPROC_IO_H
#define TILEPROC_IO_H

#include <stdio.h>

#include "base.h"
#include "context.h"
#include "image.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * File formats. A value is recognised (detected, named, read, written) when this build has
 * its codec: PNG, JPEG and WebP always; TIFF is reserved for builds with its codec, and
 * elsewhere behave as TPROC_FILE_UNKNOWN ("unknown", never detected, refused on save).
 */
typedef enum tproc_file_format {
    TPROC_FILE_UNKNOWN = 0,
    TPROC_FILE_PNG = 1,
    TPROC_FILE_JPEG = 2,
    TPROC_FILE_TIFF = 3,
    TPROC_FILE_WEBP = 4
} tproc_file_format;

/* The formats this build reads and writes: count, and the index-th (TPROC_FILE_UNKNOWN past
 * the end), in the order detection tries them. */
TPROC_API size_t tproc_file_format_count(void);
TPROC_API tproc_file_format tproc_file_format_at(size_t index);
/* Its short name: "png", "jpeg"; "unknown" for a format this build does not have. */
TPROC_API const char *tproc_file_format_name(tproc_file_format format);
/* Its name in prose: "PNG", "JPEG"; "unknown" likewise. */
TPROC_API const char *tproc_file_format_label(tproc_file_format format);
/* The extension an output of it is given, without the dot: "png", "jpg"; NULL if unknown. */
TPROC_API const char *tproc_file_format_extension(tproc_file_format format);
/* The format of a file from its first bytes (16 are enough); TPROC_FILE_UNKNOWN otherwise. */
TPROC_API tproc_file_format tproc_file_format_detect(const void *data, size_t size);
/* The format a file name asks for by its extension (.png, .jpg, .jpeg, .jpe, .jfif; any case). */
TPROC_API tproc_file_format tproc_file_format_from_name(const char *path);
/* The format a user names: its short name or one of its extensions without the dot ("png",
 * "jpeg", "jpg"; any case); TPROC_FILE_UNKNOWN otherwise. */
TPROC_API tproc_file_format tproc_file_format_parse(const char *name);

/* What a header says, read without decoding pixels. */
typedef struct tproc_info {
    tproc_file_format format;
    ptrdiff_t width, height; /* as stored, before orientation */
    int channels;            /* what tileproc decodes to: 1-4 */
    tproc_sample sample;     /* what tileproc decodes to: u8 or u16 */
    int bit_depth;           /* as stored: 1, 2, 4, 8, 16 (PNG) or 8, 12 (JPEG) */
    int interlaced;          /* PNG Adam7 */
    int progressive;         /* JPEG progressive */
    int orientation;         /* EXIF orientation 1-8 (1 when absent or invalid) */
    int has_icc;             /* an ICC profile is present */
    int has_exif;            /* EXIF is present */
    /* Multi-image files (TIFF): the file's pages, and the resolution levels of this page
     * (reduced-resolution SubIFDs or following IFDs; 1: full size only). 1 and 1 elsewhere. */
    int pages, levels;
    int page, level; /* the page and level described (tproc_info_read_page), else 0 */
    ptrdiff_t tile_width, tile_height; /* TIFF tiles as stored; 0 for strips and elsewhere */
    const char *compression; /* TIFF: "none", "lzw", "deflate", "jpeg", ...; NULL elsewhere */
    int bigtiff;             /* a BigTIFF file */
} tproc_info;

TPROC_API int tproc_info_read(tproc_ctx *ctx, const char *path, tproc_info *out);
TPROC_API int tproc_info_read_memory(tproc_ctx *ctx, const void *data, size_t size,
                                     tproc_info *out);
/* name is used in messages only (NULL: "<stream>"). Reads from the current position. */
TPROC_API int tproc_info_read_file(tproc_ctx *ctx, FILE *fp, const char *name, tproc_info *out);
/* The header of one page and resolution level of a multi-image file (TIFF); page 0, level 0 is
 * what tproc_info_read describes. A page or level the file does not have is TPROC_ERR_ARG. */
TPROC_API int tproc_info_read_page(tproc_ctx *ctx, const char *path, int page, int level,
                                   tproc_info *out);

/* What a load does with the colours of an image that carries an ICC profile (or is CMYK). */
typedef enum tproc_colour_policy {
    /* Convert to sRGB (gray profiles: gray with sRGB's tone curve), or to output_profile when
     * one is given; the image then carries no profile (it is sRGB), or output_profile. */
    TPROC_COLOUR_SRGB = 0,
    /* No conversion: the pixels stay as stored and the image carries the file's profile, so a
     * save writes it again. CMYK still becomes RGB (as under SRGB: RGB pixels cannot carry a
     * CMYK profile). */
    TPROC_COLOUR_KEEP,
    /* No conversion and no profile: the stored values (CMYK: by the profile-less formula). */
    TPROC_COLOUR_IGNORE
} tproc_colour_policy;

/* Rendering intents; zero is relative colorimetric (libvips' and sharp's default). */
typedef enum tproc_intent {
    TPROC_INTENT_RELATIVE = 0,
    TPROC_INTENT_PERCEPTUAL,
    TPROC_INTENT_SATURATION,
    TPROC_INTENT_ABSOLUTE
} tproc_intent;

/* "srgb", "keep", "ignore" and back (-1 for another name); likewise the intents' names
 * "relative", "perceptual", "saturation", "absolute". NULL for an invalid value. */
TPROC_API const char *tproc_colour_policy_name(tproc_colour_policy policy);
TPROC_API int tproc_colour_policy_parse(const char *name);
TPROC_API const char *tproc_intent_name(tproc_intent intent);
TPROC_API int tproc_intent_parse(const char *name);

/* What `tileproc info` shows about an ICC profile. */
typedef struct tproc_profile_facts {
    const char *space;     /* its data colour space: "gray", "rgb", "cmyk", "lab", "other" */
    char description[128]; /* its 'desc' tag in English (UTF-8), "" when it has none */
    size_t size;           /* bytes */
    unsigned version_major, version_minor;
} tproc_profile_facts;

/* Parses a profile (an image's tproc_image_icc(), a source's tproc_source_icc()) with lcms2;
 * TPROC_ERR_CORRUPT (named "<profile>") when it cannot be read. */
TPROC_API int tproc_profile_describe(tproc_ctx *ctx, const void *icc, size_t size,
                                     tproc_profile_facts *out);

typedef struct tproc_load_options {
    int ignore_orientation; /* 1: keep pixels as stored, ignoring the EXIF orientation */
    int strict;             /* 1: data libpng/libjpeg call corrupt but recoverable is an error */
    /* Multi-image files (TIFF): which page (0: the first) and which of its reduced-resolution
     * levels (0: full size) to read; anything but 0, 0 is refused for single-image formats. */
    int page, level;
    /* Colour (all zero: convert to sRGB, relative colorimetric, no black-point compensation). */
    tproc_colour_policy colour;
    /* The input's profile, overriding an embedded one (or for untagged CMYK): bytes, or a file
     * when input_profile is NULL and input_profile_path is set. */
    const void *input_profile;
    size_t input_profile_size;
    const char *input_profile_path;
    /* Under TPROC_COLOUR_SRGB: convert to this RGB or gray profile instead of sRGB, and carry
     * it. Bytes or a file, as above. */
    const void *output_profile;
    size_t output_profile_size;
    const char *output_profile_path;
    tproc_intent intent;
    int black_point_compensation;
    /* The profile bytes and paths above are the caller's: they must stay valid while a source
     * opened with these options is read (it reopens its decoder to stream). */
} tproc_load_options;

/*
 * Decodes an image file (PNG, JPEG, TIFF, WebP) into a new image: gray, gray+alpha, RGB or
 * RGBA; u8, u16 for 16-bit PNG and TIFF, f32 for floating-point TIFF. Palettes and low bit
 * depths expand, tRNS becomes alpha, CMYK (JPEG, TIFF) becomes RGB.
 * Colours follow options->colour (by default: converted to sRGB from the embedded profile,
 * see tproc_colour_policy). Unless ignored, the EXIF orientation is applied as a view
 * transform (no copy). options may be
 * NULL. Without strict, recoverable corruption (a truncated JPEG's grey rows) still loads.
 */
TPROC_API int tproc_load(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
                         tproc_image **out);
TPROC_API int tproc_load_memory(tproc_ctx *ctx, const void *data, size_t size,
                                const tproc_load_options *options, tproc_image **out);
TPROC_API int tproc_load_file(tproc_ctx *ctx, FILE *fp, const char *name,
                              const tproc_load_options *options, tproc_image **out);

/* TIFF compression (tproc_save_options.tiff_compression). */
typedef enum tproc_tiff_compression {
    TPROC_TIFF_DEFAULT = 0, /* deflate */
    TPROC_TIFF_NONE,
    TPROC_TIFF_DEFLATE,
    TPROC_TIFF_LZW,
    TPROC_TIFF_JPEG, /* u8 gray or RGB only (with quality) */
    TPROC_TIFF_ZSTD,
    TPROC_TIFF_WEBP /* u8 RGB or RGBA only (with quality; 100: lossless) */
} tproc_tiff_compression;

/* TIFF predictor (tproc_save_options.tiff_predictor). */
typedef enum tproc_tiff_predictor {
    TPROC_TIFF_PREDICTOR_DEFAULT = 0, /* horizontal for integer samples and float for f32 with
                                       * deflate, LZW and zstd; none otherwise */
    TPROC_TIFF_PREDICTOR_NONE,
    TPROC_TIFF_PREDICTOR_HORIZONTAL,
    TPROC_TIFF_PREDICTOR_FLOAT /* f32 only */
} tproc_tiff_predictor;
/*
 * Loads only the rectangle x, y, width, height of the upright image (after its EXIF
 * orientation, unless options ignore it), equal to a crop of tproc_load()'s image, decoding
 * only what intersects it (see tproc_source_set_region). TPROC_ERR_RANGE if the rectangle
 * reaches outside the image. Metadata that a PNG stores after its pixels is not read.
 */
TPROC_API int tproc_load_region(tproc_ctx *ctx, const char *path, ptrdiff_t x, ptrdiff_t y,
                                ptrdiff_t width, ptrdiff_t height,
                                const tproc_load_options *options, tproc_image **out);

typedef struct tproc_save_options {
    tproc_file_format format; /* TPROC_FILE_UNKNOWN: from the path's extension */
    int quality;              /* JPEG and lossy WebP 1-100; 0: 90 */
    int compression;          /* PNG zlib level 0-9; -1 or unset via init: 6 */
    int chroma_444;           /* JPEG: 1 keeps full-resolution colour (no 4:2:0 subsampling) */
    int progressive;          /* JPEG: 1 writes a progressive file */
    /* Metadata to embed (NULL to omit). A saved EXIF has its orientation tag reset to 1,
     * since tileproc saves pixels upright. */
    const void *icc;
    size_t icc_size;
    const void *exif;
    size_t exif_size;
    /* TIFF: tiles of tile_width x tile_height (multiples of 16; 0, 0: strips), compression,
     * predictor, BigTIFF always (else only when the file could pass 4 GiB), and a pyramid:
     * every 2x reduction down to one tile, written in the same pass as reduced-resolution
     * SubIFDs of the full image (tiled: 256x256 when no tile size is given). */
    int tile_width, tile_height;
    tproc_tiff_compression tiff_compression;
    tproc_tiff_predictor tiff_predictor;
    int bigtiff;
    int pyramid;
    int lossless; /* WebP: 1 encodes losslessly (exactly, also under transparent pixels) */
    int effort;   /* WebP: 0 (fastest) to 6 (smallest), libwebp's method; -1 or unset via
                   * init: 4 */
    /* 1: an output without icc carries a compact sRGB profile (gray outputs: a gray profile
     * with sRGB's tone curve). An icc whose colour space does not match the output's pixels
     * (RGB, gray) is never written, with or without this. */
    int embed_profile;
} tproc_save_options;

/* The defaults: format from the name, quality 90, compression 6, 4:2:0, no metadata. */
TPROC_API void tproc_save_options_init(tproc_save_options *options);
/* The defaults plus image's ICC profile and EXIF. */
TPROC_API void tproc_save_options_from_image(tproc_save_options *options, const tproc_image *image);

/*
 * Encodes view. PNG takes u8 or u16 (f32 is converted to u16), 1-4 channels. JPEG takes u8
 * gray or RGB (u16/f32 convert to u8; alpha is dropped). options may be NULL. A TIFF's JPEG
 * or deflate tiles are compressed on the context's threads (tproc_ctx_threads), here and in
 * the two functions below; the bytes do not depend on how many.
 */
TPROC_API int tproc_save(tproc_ctx *ctx, const tproc_view *view, const char *path,
                         const tproc_save_options *options);
/* Writes to fp; options->format must be set. name is used in messages only. */
TPROC_API int tproc_save_file(tproc_ctx *ctx, const tproc_view *view, FILE *fp, const char *name,
                              const tproc_save_options *options);
/* Encodes into a new buffer from tproc_malloc(ctx, ...): free it with tproc_free(ctx, *data). */
TPROC_API int tproc_save_memory(tproc_ctx *ctx, const tproc_view *view,
                                const tproc_save_options *options, void **data, size_t *size);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_IO_H */
