/* SPDX-License-Identifier: MIT */
/*
 * filter_internal.h: what the built-in filters (the files in filters/) and the engine share: the
 * declarations of the built-in descriptors and small helpers for writing kernels.
 */
#ifndef TILEPROC_FILTER_INTERNAL_H
#define TILEPROC_FILTER_INTERNAL_H

#include <math.h>
#include <string.h>

#include "internal.h"
#include "tileproc/filter.h"
#include "tileproc/pipeline.h"

#define TPROC_FILTER(name) extern const tproc_filter tproc__filter_##name;
#include "../filters/filters.def"
#undef TPROC_FILTER

/* The value of parameter i of the stage's parameters (its default when not given). */
static inline double tproc__param(const tproc_stage *stage, int i)
{
    return stage->params->value[i];
}

/* Rounds half up and clamps to an integer sample's range; NaN becomes 0. */
static inline unsigned char tproc__to_u8(double v)
{
    return (unsigned char)floor(tproc__clamp(v, 0.0, 255.0) + 0.5);
}
static inline uint16_t tproc__to_u16(double v)
{
    return (uint16_t)floor(tproc__clamp(v, 0.0, 65535.0) + 0.5);
}

/* Whether a format's last channel is alpha (gray+alpha or RGBA). */
static inline int tproc__has_alpha(int channels)
{
    return channels == 2 || channels == 4;
}

/* Number of colour channels (channels without the alpha). */
static inline int tproc__colour_channels(int channels)
{
    return tproc__has_alpha(channels) ? channels - 1 : channels;
}

/*
 * Hot kernels are compiled twice, for AVX2 and for the baseline, and the loader picks one for
 * the CPU (GCC's target_clones on x86-64 Linux). Not under ThreadSanitizer: the ifunc resolver
 * runs before TSan's runtime is up and crashes.
 */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(__clang__) &&       \
    !defined(__SANITIZE_THREAD__)
#define TPROC__CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TPROC__CLONES
#endif

/* Records "<filter>: <message>" as TPROC_ERR_PARAM in ctx and returns it. */
int tproc__filter_error(tproc_ctx *ctx, const tproc_filter *filter, const char *fmt, ...)
    TPROC__PRINTF(3, 4);

/* Refuses (TPROC_ERR_LIMIT, message naming what) an image over the context's pixel limit; a
 * geometry filter calls it before building tables for a size the run would refuse anyway. */
int tproc__check_pixels(tproc_ctx *ctx, const char *what, const tproc_format *format);

#endif
