/* SPDX-License-Identifier: MIT */
/*
 * base.h: what every other tileproc header needs: the export macro, the version, status codes
 * and their text, the sample types, and the small value types (rectangles, halos, borders).
 */
#ifndef TILEPROC_BASE_H
#define TILEPROC_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TPROC_API marks the public symbols; everything else is hidden (-fvisibility=hidden). */
#if defined(TPROC_STATIC_DEFINE)
#define TPROC_API
#elif defined(_WIN32)
#ifdef TPROC_BUILDING
#define TPROC_API __declspec(dllexport)
#else
#define TPROC_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define TPROC_API __attribute__((visibility("default")))
#else
#define TPROC_API
#endif

#define TPROC_VERSION_MAJOR 0
#define TPROC_VERSION_MINOR 1
#define TPROC_VERSION_PATCH 0
/* "MAJOR.MINOR.PATCH", made from the three numbers above (CMakeLists.txt reads them too). */
#define TPROC__VERSION_TEXT(x) #x
#define TPROC__VERSION_STR(major, minor, patch)                                                   \
    TPROC__VERSION_TEXT(major) "." TPROC__VERSION_TEXT(minor) "." TPROC__VERSION_TEXT(patch)
#define TPROC_VERSION_STRING                                                                       \
    TPROC__VERSION_STR(TPROC_VERSION_MAJOR, TPROC_VERSION_MINOR, TPROC_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH". */
TPROC_API const char *tproc_version(void);

/*
 * Status codes, from one list: X(NAME, value, text). TPROC_OK is 0; every error is negative.
 * Every fallible call returns one of these; the detailed message is in the context
 * (tproc_ctx_message()).
 */
#define TPROC_STATUS_LIST(X)                                                                       \
    X(OK, 0, "success")                                                                            \
    X(ERR_ARG, -1, "invalid argument")                                                             \
    X(ERR_NOMEM, -2, "out of memory")                                                              \
    X(ERR_LIMIT, -3, "memory limit exceeded")                                                      \
    X(ERR_OVERFLOW, -4, "size too large (arithmetic overflow)")                                    \
    X(ERR_IO, -5, "input/output error")                                                            \
    X(ERR_FORMAT, -6, "unknown image format")                                                     \
    X(ERR_CORRUPT, -7, "corrupt or truncated image data")                                          \
    X(ERR_UNSUPPORTED, -8, "unsupported image feature")                                            \
    X(ERR_RANGE, -9, "request outside the view")                                                   \
    X(ERR_CANCELLED, -10, "cancelled")                                                             \
    X(ERR_PARAM, -11, "bad filter parameter")                                                      \
    X(ERR_NOT_FOUND, -12, "not found")                                                             \
    X(ERR_PLUGIN, -13, "plugin could not be loaded")                                               \
    X(ERR_READONLY, -14, "view is read-only")                                                      \
    X(ERR_STATE, -15, "object is in a failed state")

typedef enum tproc_status {
#define TPROC__STATUS_ENUM(name, value, text) TPROC_##name = value,
    TPROC_STATUS_LIST(TPROC__STATUS_ENUM)
#undef TPROC__STATUS_ENUM
} tproc_status;

/* A short fixed text for a status ("memory limit exceeded"); never NULL. */
TPROC_API const char *tproc_strerror(int status);
/* The status's name without prefix ("ERR_LIMIT"); never NULL. */
TPROC_API const char *tproc_status_name(int status);

/* Sample types. Values are in their natural range: u8 0..255, u16 0..65535, f32 0..1. */
typedef enum tproc_sample { TPROC_U8 = 1, TPROC_U16 = 2, TPROC_F32 = 3 } tproc_sample;

/* Bytes per sample (1, 2 or 4), or 0 for an invalid type. */
TPROC_API size_t tproc_sample_size(tproc_sample sample);
/* "u8", "u16", "f32", or "?" */
TPROC_API const char *tproc_sample_name(tproc_sample sample);

/* A rectangle in pixel coordinates. */
typedef struct tproc_rect {
    ptrdiff_t x, y, width, height;
} tproc_rect;

/* Extra pixels around a rectangle that an area operation reads. */
typedef struct tproc_halo {
    ptrdiff_t left, top, right, bottom;
} tproc_halo;

/*
 * Border rules for pixels read outside an image, named as in OpenCV. For a row "abcdef":
 * CONSTANT    iiii|abcdef|iiii  (a given value)
 * REPLICATE   aaaa|abcdef|ffff
 * REFLECT     dcba|abcdef|fedc
 * REFLECT_101 edcb|abcdef|edcb  (OpenCV's default, and ours)
 * WRAP        cdef|abcdef|abcd
 * Halos wider than the image repeat the rule (reflections bounce back and forth).
 */
typedef enum tproc_border {
    TPROC_BORDER_CONSTANT = 0,
    TPROC_BORDER_REPLICATE = 1,
    TPROC_BORDER_REFLECT = 2,
    TPROC_BORDER_REFLECT_101 = 3,
    TPROC_BORDER_WRAP = 4
} tproc_border;

/* "constant", "replicate", "reflect", "reflect101", "wrap"; NULL for an invalid value. */
TPROC_API const char *tproc_border_name(tproc_border border);
/* Parses the names above (also "reflect_101", "reflect-101"); returns TPROC_ERR_ARG if unknown. */
TPROC_API int tproc_border_parse(const char *name, tproc_border *out);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_BASE_H */
