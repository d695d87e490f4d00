/* SPDX-License-Identifier: MIT */
/*
 * colour.h: the colour engine (issue 12): ICC profiles parsed with lcms2, and transforms from an
 * input profile to sRGB (or to a user's output profile) that a decoder applies row by row.
 *
 * A decoder's use, per image:
 *
 *     tproc__profile *p = NULL;             // the embedded profile (or --input-profile)
 *     tproc__transform *t = NULL;
 *     status = tproc__profile_open(ctx, name, icc, icc_size, &p);
 *     status = tproc__transform_new(ctx, name, p, TPROC__LAYOUT_RGB, NULL, TPROC_U8, NULL, &t);
 *     tproc__profile_free(&p);              // the transform keeps what it needs
 *     ... the image is allocated with tproc__transform_out_channels(t) channels ...
 *     for each decoded row: tproc__transform_apply_row(t, row, out_row, width);
 *     tproc__transform_free(&t);
 *
 * apply_row cannot fail and takes no lock: one transform serves any number of threads at once.
 * Every lcms2 call runs in an lcms2 context of the object's own, whose allocations go through the
 * tileproc context's counted allocator (so its memory limit holds) and whose error handler
 * records into the tileproc context instead of printing.
 */
#ifndef TILEPROC_COLOUR_H
#define TILEPROC_COLOUR_H

#include <stddef.h>

#include "internal.h"

/* The largest ICC profile accepted (JPEG's APP2 chain holds at most 255 x 65519 bytes). */
#define TPROC__PROFILE_MAX_SIZE ((size_t)16 << 20)
/* The most tags a profile may declare (lcms2 itself keeps at most 100). */
#define TPROC__PROFILE_MAX_TAGS 100u

/* A profile's data colour space, as tileproc sees it. */
typedef enum tproc__colour_space {
    TPROC__SPACE_OTHER = 0,
    TPROC__SPACE_GRAY,
    TPROC__SPACE_RGB,
    TPROC__SPACE_CMYK,
    TPROC__SPACE_LAB
} tproc__colour_space;

/* "gray", "rgb", "cmyk", "lab", "other". */
const char *tproc__colour_space_name(tproc__colour_space space);

/* Rendering intents; zero is the default, relative colorimetric (libvips' and sharp's). */
typedef enum tproc__intent {
    TPROC__INTENT_RELATIVE = 0,
    TPROC__INTENT_PERCEPTUAL,
    TPROC__INTENT_SATURATION,
    TPROC__INTENT_ABSOLUTE
} tproc__intent;

/* "relative", "perceptual", "saturation", "absolute"; NULL for an invalid value. */
const char *tproc__intent_name(tproc__intent intent);
/* Parses those names; TPROC_ERR_ARG (nothing recorded) for any other. */
int tproc__intent_parse(const char *name, tproc__intent *out);

/* What one pixel of a row holds. Alpha is always last and passes through untouched. */
typedef enum tproc__layout {
    TPROC__LAYOUT_GRAY = 1,
    TPROC__LAYOUT_GRAYA,
    TPROC__LAYOUT_RGB,
    TPROC__LAYOUT_RGBA,
    TPROC__LAYOUT_CMYK
} tproc__layout;

/* Channels of a layout (1, 2, 3, 4, 4), or 0 for an invalid one. */
int tproc__layout_channels(tproc__layout layout);

/* --- profiles ----------------------------------------------------------------------------- */

typedef struct tproc__profile tproc__profile;

/* What `tileproc info` shows about a profile. */
typedef struct tproc__profile_info {
    tproc__colour_space space; /* the data colour space */
    const char *class_name;    /* "input", "display", "output", "link", "abstract",
                                  "colorspace", "named", or "unknown" */
    unsigned version_major, version_minor;
    size_t size;           /* bytes */
    int matrix_shaper;     /* an RGB or gray profile made of curves (and a matrix) only */
    char description[128]; /* the 'desc' tag in English, "" when there is none; UTF-8 */
} tproc__profile_info;

/*
 * Parses an ICC profile from memory (the bytes are copied; the caller keeps its buffer). name
 * names the image for messages ("photo.jpg"). Sizes, the signature, the declared size and the
 * tag count are checked before lcms2 sees the bytes; a bad profile fails with
 * TPROC_ERR_CORRUPT (or TPROC_ERR_LIMIT / TPROC_ERR_NOMEM) and a message naming the image and
 * the cause, a device link or other unusable class with TPROC_ERR_UNSUPPORTED.
 */
int tproc__profile_open(tproc_ctx *ctx, const char *name, const void *data, size_t size,
                        tproc__profile **out);
/* The same from a file (--input-profile FILE, --output-profile FILE); messages name the file. */
int tproc__profile_open_file(tproc_ctx *ctx, const char *path, tproc__profile **out);
/* Frees a profile (NULL is a no-op) and sets *profile to NULL. */
void tproc__profile_free(tproc__profile **profile);
/* The profile's facts, filled when it was opened. */
const tproc__profile_info *tproc__profile_info_of(const tproc__profile *profile);
/* The profile's bytes, as given. */
const unsigned char *tproc__profile_bytes(const tproc__profile *profile, size_t *size);

/*
 * A compact sRGB profile for output (--embed-profile): lcms2's built-in sRGB, or for gray a
 * gray profile with sRGB's tone curve (tproc__cms_srgb_gray), saved to memory, made once per
 * process (thread-safe) and kept in static storage. Fails only if lcms2 cannot make it (out of
 * memory), with TPROC_ERR_NOMEM recorded in ctx.
 */
int tproc__srgb_profile_bytes(tproc_ctx *ctx, int gray, const unsigned char **data, size_t *size);
/* Whether profile is one of those (written by any tileproc run: the date may differ). */
int tproc__profile_is_own_srgb(tproc_ctx *ctx, const tproc__profile *profile);

/* --- transforms --------------------------------------------------------------------------- */

/* Which code converts the pixels. AUTO is what tileproc uses; the rest are for tests and bench. */
typedef enum tproc__colour_engine {
    TPROC__ENGINE_AUTO = 0,     /* the fast path where it applies, else PRECISE */
    TPROC__ENGINE_PRECISE,      /* lcms2 without its optimisations (never the fast path) */
    TPROC__ENGINE_FLOAT,        /* lcms2 in float, rounded: the reference */
    TPROC__ENGINE_LCMS_DEFAULT  /* lcms2's default optimised integer transform (bench only) */
} tproc__colour_engine;

typedef struct tproc__transform_options {
    tproc__intent intent;         /* default relative colorimetric */
    int black_point_compensation; /* default off */
    int cmyk_inverted;            /* CMYK input as Adobe writes it: 0 is full ink */
    tproc__colour_engine engine;  /* default AUTO */
} tproc__transform_options;

typedef struct tproc__transform tproc__transform;

/*
 * A transform of rows of in_layout pixels of the given sample type, from profile in to profile
 * out. options may be NULL for the defaults.
 *
 * in NULL: sRGB (gray layouts: gray with sRGB's tone curve); for TPROC__LAYOUT_CMYK it means
 * untagged CMYK, converted by the naive formula (tproc__cmyk_to_rgb_naive) because no freely
 * licensed CMYK profile can be shipped (see README).
 * out NULL: sRGB, or for gray input a gray profile with sRGB's tone curve. An output profile
 * must be RGB or gray.
 *
 * The output layout follows the output's colour space (gray or RGB), with alpha when the input
 * has it; CMYK gives RGB. The input profile's colour space must match in_layout
 * (TPROC_ERR_UNSUPPORTED otherwise, e.g. an RGB profile on a gray PNG: the caller decides what
 * its policy does then).
 *
 * The transform owns everything it needs: the profiles may be freed as soon as this returns.
 */
int tproc__transform_new(tproc_ctx *ctx, const char *name, const tproc__profile *in,
                         tproc__layout in_layout, const tproc__profile *out, tproc_sample sample,
                         const tproc__transform_options *options, tproc__transform **result);
void tproc__transform_free(tproc__transform **transform);

tproc__layout tproc__transform_out_layout(const tproc__transform *transform);
int tproc__transform_out_channels(const tproc__transform *transform);
/* Whether the transform changes no pixel (the input is sRGB, see colour_transform.c for the
 * rule): a decoder may skip apply_row. */
int tproc__transform_is_identity(const tproc__transform *transform);
/* Which code runs: "identity", "matrix-shaper", "gray-table", "lcms-precise", "lcms-float",
 * "lcms-default", "cmyk-formula" (for tests, bench and --verbose). */
const char *tproc__transform_path(const tproc__transform *transform);

/*
 * Converts width pixels from in to out (packed rows of the input and output layouts, the
 * transform's sample type, native byte order). in == out is allowed (the output pixel is never
 * larger than the input one, except gray input with an RGB output profile, where it is not);
 * other overlaps are not. Thread-safe, lock-free, never fails.
 */
void tproc__transform_apply_row(const tproc__transform *transform, const void *in, void *out,
                                size_t width);

/*
 * Untagged CMYK to RGB without a profile (today's formula, from src/io_jpeg.c):
 * R = (max - C)(max - K) / max, likewise G from M and B from Y, rounded to nearest. Inverted
 * (Adobe) samples store max - ink, so there R = C * K / max on the stored values. width pixels,
 * u8 or u16 (f32: the same in [0, 1], unrounded). in == out is allowed.
 */
void tproc__cmyk_to_rgb_naive(const void *cmyk, void *rgb, size_t width, tproc_sample sample,
                              int inverted);

#endif /* TILEPROC_COLOUR_H */
