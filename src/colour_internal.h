/* SPDX-License-Identifier: MIT */
/*
 * colour_internal.h: what the colour engine's files share (colour_cms.c, colour_profile.c,
 * colour_transform.c, colour_fast.c): the lcms2 context every object runs in, and the fast
 * path's tables.
 */
#ifndef TILEPROC_COLOUR_INTERNAL_H
#define TILEPROC_COLOUR_INTERNAL_H

#include <lcms2.h>
#include <stdatomic.h>

#include "colour.h"

/* --- the lcms2 context of one colour object (colour_cms.c) -------------------------------- */

/*
 * An lcms2 context bound to a tileproc context: its allocations go through tproc__alloc (so they
 * count against the memory limit), and lcms2's error messages are kept here (never printed)
 * until the call that failed turns them into one tproc__error naming the image.
 */
typedef struct tproc__cms {
    tproc_ctx *ctx;
    cmsContext cms;
    _Atomic int has_message;  /* lcms2 reported an error since the last reset */
    _Atomic int alloc_status; /* the first failed allocation's status (0 if none) */
    char message[256];        /* lcms2's first error message */
    char alloc_message[256];  /* the message tproc__alloc recorded for that failure */
    /* Every counted block lcms2 holds, linked through their headers (colour_cms.c): lcms2
     * leaks some when an allocation fails half-way through building a transform, so closing
     * the context frees what is left. */
    atomic_flag lock;
    void *blocks;
} tproc__cms;

/* name names the image for messages. */
int tproc__cms_open(tproc_ctx *ctx, const char *name, tproc__cms **out);
void tproc__cms_close(tproc__cms **cms);
/* Forgets recorded errors (before a step whose failure is to be reported). */
void tproc__cms_reset(tproc__cms *cms);
/*
 * Records the failure of a step in the tileproc context and returns its status: an allocation
 * failure (the limit's or out-of-memory message) wins over status; otherwise
 * "name: what: lcms2's message" with status.
 */
int tproc__cms_fail(tproc__cms *cms, int status, const char *name, const char *what);

/* Opens profile bytes in cms; NULL on failure (reported through tproc__cms_fail by the caller). */
cmsHPROFILE tproc__cms_open_bytes(tproc__cms *cms, const unsigned char *data, size_t size);

/* The data colour space of an lcms2 profile. */
tproc__colour_space tproc__cms_space(cmsHPROFILE profile);
/* The lcms2 intent number for ours. */
cmsUInt32Number tproc__cms_intent(tproc__intent intent);

/* lcms2's sRGB, and gray with sRGB's tone curve (D65 white, as lcms2's sRGB), in cms. */
cmsHPROFILE tproc__cms_srgb(tproc__cms *cms);
cmsHPROFILE tproc__cms_srgb_gray(tproc__cms *cms);

/* --- the fast path (colour_fast.c) -------------------------------------------------------- */

/* Steps of the u8 encoder's table: linear values are rounded to multiples of 1 / 65535. */
#define TPROC__ENC8_STEPS 65536
/* The u16 encoder: buckets by float exponent (2^-12 .. 1) and the top 8 mantissa bits. */
#define TPROC__ENC16_EXPONENTS 12
#define TPROC__ENC16_BUCKETS (TPROC__ENC16_EXPONENTS * 256)

/* A matrix-shaper RGB profile to sRGB: linearise, 3x3 matrix, sRGB's encoding curve. */
typedef struct tproc__fast_rgb {
    float m[9]; /* row-major: sRGB linear = m * input linear */
    float lin8[3][256];
    /* The level of linear value i / 65535, exactly rounded (colour_fast.c: why that is close
     * enough); +4: SIMD gathers read 4 bytes. */
    unsigned char enc8[TPROC__ENC8_STEPS + 4];
    /* u16: every value's linear value, as lcms2 evaluates it (its float evaluation of a
     * sampled curve goes through 16 bits, so no interpolation could match it); channels with
     * the same curve share a table. */
    float *lin16[3];
    float enc16_linear_slope; /* below 2^-12: sRGB's linear segment */
    float enc16_base[TPROC__ENC16_BUCKETS + 1];
    float enc16_slope[TPROC__ENC16_BUCKETS];
    /* How far converting could move any pixel from its input value, in output levels (see
     * colour_fast.c): under 1.5, no pixel would move by more than one level. */
    double identity_bound;
} tproc__fast_rgb;

/*
 * Fills fast (zeroed by the caller) from lcms2's reading of the input profile and of the sRGB
 * output (the colorant tags and the tone curves) for the given sample type. u16 tables are
 * allocated in ctx (what names them). TPROC_ERR_UNSUPPORTED (nothing recorded) when the
 * profile's curves or matrix cannot be read that way: the caller then uses lcms2. Free with
 * tproc__fast_rgb_free whatever the result.
 */
int tproc__fast_rgb_init(tproc__fast_rgb *fast, cmsHPROFILE in, cmsHPROFILE srgb,
                         tproc_sample sample, tproc_ctx *ctx, const char *what);
void tproc__fast_rgb_free(tproc_ctx *ctx, tproc__fast_rgb *fast);
void tproc__fast_rgb_row_u8(const tproc__fast_rgb *fast, const unsigned char *in,
                            unsigned char *out, size_t width, int alpha);
/* The SIMD part of a u8 row (colour_fast_x86.c): the pixels it did (a multiple of 8, from the
 * start; 0 when the CPU has no AVX2), with the portable rows' bytes. */
size_t tproc__fast_rgb_row_u8_simd(const tproc__fast_rgb *fast, const unsigned char *in,
                                   unsigned char *out, size_t width, int alpha);
/* Turns the SIMD rows off (0) or on again, process-wide: for tests and benchmarks. */
void tproc__fast_rgb_set_simd(int enabled);
void tproc__fast_rgb_row_u16(const tproc__fast_rgb *fast, const uint16_t *in, uint16_t *out,
                             size_t width, int alpha);

#endif /* TILEPROC_COLOUR_INTERNAL_H */
