/* SPDX-License-Identifier: MIT */
/*
 * resample.h: per-axis weights for separable resampling (the resize filter). For each output
 * position along one axis: the first input index it reads, how many consecutive inputs, and
 * their weights (normalised to sum 1), both as doubles and as Q20 fixed point for the u8 fast
 * path. Input indices may lie outside [0, in_n): the engine fills those pixels through the
 * border rule, so the kernels never clamp.
 *
 * An axis either stores them in tables (O(out_n * taps) memory; resize's horizontal axis, read
 * for every input row) or keeps only its parameters and computes one output's weights when
 * asked (tproc__rs_axis_row; resize's vertical axis, so memory does not grow with the image's
 * height). Both give the same numbers: the tables are filled by that same function.
 *
 * Coordinates are pixel centres: output d samples the input at (d + 0.5) * in_n / out_n - 0.5.
 * When shrinking, the kernel is stretched by in_n / out_n (its support too) so that it
 * antialiases, as Pillow, stb_image_resize and libvips do.
 */
#ifndef TILEPROC_KERNELS_RESAMPLE_H
#define TILEPROC_KERNELS_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef enum tproc__rs_kernel {
    TPROC__RS_NEAREST = 0,  /* input floor((d + 0.5) * in_n / out_n), exactly (integers) */
    TPROC__RS_BILINEAR = 1, /* triangle, support 1 */
    TPROC__RS_BICUBIC = 2,  /* Keys cubic a = -0.5 (Catmull-Rom), support 2 */
    TPROC__RS_LANCZOS3 = 3, /* sinc(x) sinc(x / 3), support 3 */
    TPROC__RS_AREA = 4      /* exact coverage of the output pixel's footprint, see resample.c */
} tproc__rs_kernel;

/* Fixed-point weights are weight * 2^TPROC__RS_FIXED_BITS. */
#define TPROC__RS_FIXED_BITS 20

/* Refuse more taps than this per output position (shrinking by a huge factor). */
#define TPROC__RS_MAX_TAPS 100000

typedef struct tproc__rs_axis {
    tproc__rs_kernel kernel;
    ptrdiff_t in_n, out_n;
    ptrdiff_t taps; /* row length of weight[] and fixed[]: the most taps any output uses */
    /* The tables, or all NULL for an axis without tables: */
    ptrdiff_t *first; /* [out_n] first input index (may be < 0 or >= in_n) */
    int32_t *count;   /* [out_n] inputs used, from first on (1 <= count <= taps) */
    double *weight;   /* [out_n * taps] weights, summing to 1 per output */
    int32_t *fixed;   /* [out_n * taps] round(weight * 2^20), adjusted to sum exactly 2^20 */
    /* Over every output, with or without tables (they bound the fixed-point error): */
    double abs_sum;    /* max over outputs of sum |weight| */
    double fixed_err;  /* max over outputs of sum |fixed / 2^20 - weight| */
    int64_t fixed_abs; /* max over outputs of sum |fixed| */
    void *block;       /* the one allocation behind the arrays */
} tproc__rs_axis;

/*
 * Sets up the axis for in_n inputs -> out_n outputs, with tables when tables is nonzero. Either
 * way it evaluates every output's weights once for abs_sum, fixed_err and fixed_abs; without
 * tables it keeps nothing (it may allocate taps * 12 bytes while it runs). Errors are recorded in
 * ctx with the prefix who ("resize") and returned: TPROC_ERR_PARAM for too many taps,
 * TPROC_ERR_OVERFLOW, TPROC_ERR_LIMIT / TPROC_ERR_NOMEM from the allocation. On failure *axis
 * owns nothing.
 */
int tproc__rs_axis_init(tproc_ctx *ctx, tproc__rs_axis *axis, tproc__rs_kernel kernel,
                        ptrdiff_t in_n, ptrdiff_t out_n, int tables, const char *who);
/* Frees the tables (an axis without them, or a zeroed one, is fine). */
void tproc__rs_axis_free(tproc_ctx *ctx, tproc__rs_axis *axis);

/*
 * Computes output d's taps (0 <= d < out_n, with or without tables): *first and *count as in
 * the tables, w[0 .. count) the weights and, if q is not NULL, q[0 .. count) the fixed-point
 * ones; w and q hold axis->taps entries. The numbers equal the tables' bit for bit. Reentrant.
 */
void tproc__rs_axis_row(const tproc__rs_axis *axis, ptrdiff_t d, ptrdiff_t *first, int32_t *count,
                        double *w, int32_t *q);

/* The input span [lo, hi) that outputs [d0, d0 + n) read (n >= 1, inside [0, out_n)). */
void tproc__rs_axis_span(const tproc__rs_axis *axis, ptrdiff_t d0, ptrdiff_t n, ptrdiff_t *lo,
                         ptrdiff_t *hi);
/* An upper bound of hi - lo above for any n consecutive outputs (sizes scratch buffers). */
size_t tproc__rs_axis_span_bound(const tproc__rs_axis *axis, ptrdiff_t n);

#endif
