/* SPDX-License-Identifier: MIT */
/*
 * resample.c: per-axis resampling weights for the resize filter, in tables or one output at a
 * time (see resample.h).
 *
 * Filter kernels (bilinear, bicubic, lanczos3): output d samples the input at
 *     src = (d + 0.5) * r - 0.5,  r = in_n / out_n,
 * the kernel is stretched by f = max(1, r) (so support s = support * f), and the taps are the
 * inputs i with |i - src| < s, weighted K((i - src) / f) / sum. Nearest takes input
 * floor((d + 0.5) * r), computed in integers. Area weights each input pixel [i, i + 1) by the
 * length of its overlap with the output pixel's footprint [d * r, (d + 1) * r), divided by r,
 * computed in integers too; when enlarging that is nearest neighbour (exactly so for integer
 * factors), except that an output pixel straddling an input pixel edge mixes the two by
 * coverage.
 */
#include "kernels/resample.h"

#include <math.h>
#include <string.h>

static const double pi = 3.14159265358979323846;

static double kernel_support(tproc__rs_kernel k)
{
    switch (k) {
    case TPROC__RS_BILINEAR:
        return 1.0;
    case TPROC__RS_BICUBIC:
        return 2.0;
    case TPROC__RS_LANCZOS3:
        return 3.0;
    default:
        return 0.5;
    }
}

static double kernel_eval(tproc__rs_kernel k, double x)
{
    double ax = fabs(x);
    switch (k) {
    case TPROC__RS_BILINEAR:
        return ax < 1.0 ? 1.0 - ax : 0.0;
    case TPROC__RS_BICUBIC: {
        const double a = -0.5;
        if (ax < 1.0)
            return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1.0;
        if (ax < 2.0)
            return ((a * ax - 5.0 * a) * ax + 8.0 * a) * ax - 4.0 * a;
        return 0.0;
    }
    case TPROC__RS_LANCZOS3:
        if (ax == 0.0)
            return 1.0;
        if (ax >= 3.0 || ax == floor(ax))
            return 0.0; /* sin(pi * k) is not exactly 0 in floating point */
        return 3.0 * sin(pi * x) * sin(pi * x / 3.0) / (pi * pi * x * x);
    default:
        return 0.0;
    }
}

/* Inputs output d reads: [*first, *first + *count). The filter kernels take the inputs with
 * |i - src| < s, at most taps of them; nearest and area work in integers. */
static void row_range(const tproc__rs_axis *ax, ptrdiff_t d, ptrdiff_t *first, int32_t *count)
{
    int64_t in = (int64_t)ax->in_n, out = (int64_t)ax->out_n;
    if (ax->kernel == TPROC__RS_NEAREST) {
        *first = (ptrdiff_t)(((2 * (int64_t)d + 1) * in) / (2 * out));
        *count = 1;
    } else if (ax->kernel == TPROC__RS_AREA) {
        /* In units of 1 / out input pixels: the footprint is [d * in, (d + 1) * in). */
        int64_t lo = (int64_t)d * in, hi = ((int64_t)d + 1) * in;
        int64_t lo_i = lo / out, end = (hi + out - 1) / out;
        *first = (ptrdiff_t)lo_i;
        *count = (int32_t)(end - lo_i);
    } else {
        double r = (double)ax->in_n / (double)ax->out_n;
        double f = r > 1.0 ? r : 1.0;
        double s = kernel_support(ax->kernel) * f;
        double src = ((double)d + 0.5) * r - 0.5;
        ptrdiff_t lo = (ptrdiff_t)floor(src - s) + 1;
        ptrdiff_t last = (ptrdiff_t)ceil(src + s) - 1;
        if (last < lo)
            last = lo; /* cannot happen for support >= 1; keeps count >= 1 */
        if (last - lo + 1 > ax->taps)
            last = lo + ax->taps - 1;
        *first = lo;
        *count = (int32_t)(last - lo + 1);
    }
}

/* The weights of output d, which reads [first, first + n): normalised to sum 1. */
static void row_weights(const tproc__rs_axis *ax, ptrdiff_t d, ptrdiff_t first, int32_t n,
                        double *w)
{
    if (ax->kernel == TPROC__RS_NEAREST) {
        w[0] = 1.0;
    } else if (ax->kernel == TPROC__RS_AREA) {
        int64_t in = (int64_t)ax->in_n, out = (int64_t)ax->out_n;
        int64_t lo = (int64_t)d * in, hi = ((int64_t)d + 1) * in;
        for (int32_t k = 0; k < n; k++) {
            int64_t i = (int64_t)first + k;
            int64_t a = lo > i * out ? lo : i * out;
            int64_t b = hi < (i + 1) * out ? hi : (i + 1) * out;
            w[k] = (double)(b - a) / (double)in;
        }
    } else {
        double r = (double)ax->in_n / (double)ax->out_n;
        double f = r > 1.0 ? r : 1.0;
        double src = ((double)d + 0.5) * r - 0.5;
        double sum = 0;
        for (int32_t k = 0; k < n; k++) {
            w[k] = kernel_eval(ax->kernel, ((double)(first + k) - src) / f);
            sum += w[k];
        }
        for (int32_t k = 0; k < n; k++)
            w[k] /= sum;
    }
}

/* round(w * 2^20), the largest weight adjusted so that the n fixed weights sum to exactly 2^20:
 * flat areas stay exact. */
static void quantise(const double *w, int32_t n, int32_t *q)
{
    const double one = (double)(1 << TPROC__RS_FIXED_BITS);
    int64_t sum = 0;
    int32_t big = 0;
    for (int32_t k = 0; k < n; k++) {
        q[k] = (int32_t)floor(w[k] * one + 0.5);
        sum += q[k];
        if (fabs(w[k]) > fabs(w[big]))
            big = k;
    }
    q[big] += (int32_t)((int64_t)1 << TPROC__RS_FIXED_BITS) - (int32_t)sum;
}

/* Folds one output's weights into the axis maxima that bound the fixed-point error. */
static void fold_error(tproc__rs_axis *ax, const double *w, const int32_t *q, int32_t n)
{
    const double one = (double)(1 << TPROC__RS_FIXED_BITS);
    double abs_sum = 0, err = 0;
    int64_t fixed_abs = 0;
    for (int32_t k = 0; k < n; k++) {
        abs_sum += fabs(w[k]);
        err += fabs((double)q[k] / one - w[k]);
        fixed_abs += q[k] < 0 ? -(int64_t)q[k] : (int64_t)q[k];
    }
    if (abs_sum > ax->abs_sum)
        ax->abs_sum = abs_sum;
    if (err > ax->fixed_err)
        ax->fixed_err = err;
    if (fixed_abs > ax->fixed_abs)
        ax->fixed_abs = fixed_abs;
}

void tproc__rs_axis_row(const tproc__rs_axis *ax, ptrdiff_t d, ptrdiff_t *first, int32_t *count,
                        double *w, int32_t *q)
{
    row_range(ax, d, first, count);
    row_weights(ax, d, *first, *count, w);
    if (q)
        quantise(w, *count, q);
}

/* Every output's weights in turn, into the tables or (no tables) into w and q of ax->taps
 * entries, reused, so that only the error maxima remain. */
static void build(tproc__rs_axis *ax, double *w, int32_t *q)
{
    for (ptrdiff_t d = 0; d < ax->out_n; d++) {
        ptrdiff_t first;
        int32_t count;
        if (ax->first) {
            w = ax->weight + d * ax->taps;
            q = ax->fixed + d * ax->taps;
        }
        tproc__rs_axis_row(ax, d, &first, &count, w, q);
        if (ax->first) {
            ax->first[d] = first;
            ax->count[d] = count;
        }
        fold_error(ax, w, q, count);
    }
}

int tproc__rs_axis_init(tproc_ctx *ctx, tproc__rs_axis *ax, tproc__rs_kernel kernel, ptrdiff_t in_n,
                        ptrdiff_t out_n, int tables, const char *who)
{
    memset(ax, 0, sizeof *ax);
    if (in_n < 1 || out_n < 1)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: empty axis", who);
    /* Nearest and area work in integers up to 2 * (in_n + 1) * (out_n + 1). */
    size_t prod;
    if (tproc__mul((size_t)in_n + 1, (size_t)out_n + 1, &prod) || prod > (size_t)INT64_MAX / 4)
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: %td -> %td pixels is too large", who,
                            in_n, out_n);
    double r = (double)in_n / (double)out_n;
    double taps;
    if (kernel == TPROC__RS_NEAREST)
        taps = 1;
    else if (kernel == TPROC__RS_AREA)
        taps = ceil(r) + 1;
    else
        taps = ceil(2.0 * kernel_support(kernel) * (r > 1.0 ? r : 1.0)) + 1;
    if (taps > TPROC__RS_MAX_TAPS)
        return tproc__error(ctx, TPROC_ERR_PARAM,
                            "%s: shrinking %td to %td pixels needs %.0f taps per pixel (at most "
                            "%d); shrink in several steps",
                            who, in_n, out_n, taps, TPROC__RS_MAX_TAPS);
    ax->kernel = kernel;
    ax->in_n = in_n;
    ax->out_n = out_n;
    ax->taps = (ptrdiff_t)taps;

    /* With tables: first, count, weight and fixed for every output. Without: one output's
     * weight and fixed, reused for each in turn and freed at the end (on the stack when small). */
    size_t n = tables ? (size_t)out_n : 1, cells, b_first, b_count, b_weight, b_fixed, total;
    if (tproc__mul(n, (size_t)ax->taps, &cells) || tproc__mul(n, sizeof(ptrdiff_t), &b_first) ||
        tproc__mul(n, sizeof(int32_t), &b_count) || tproc__align_up(b_count, 64, &b_count) ||
        tproc__mul(cells, sizeof(double), &b_weight) ||
        tproc__mul(cells, sizeof(int32_t), &b_fixed) || tproc__align_up(b_first, 64, &b_first) ||
        tproc__add(b_first, b_count, &total) || tproc__add(total, b_weight, &total) ||
        tproc__add(total, b_fixed, &total))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: weight tables for %td outputs overflow",
                            who, out_n);
    if (!tables) {
        enum { SMALL = 64 };
        double w_small[SMALL];
        int32_t q_small[SMALL];
        void *work = NULL;
        double *w = w_small;
        int32_t *q = q_small;
        if (ax->taps > SMALL) {
            int status = tproc__alloc(ctx, b_weight + b_fixed, "resize weights", &work);
            if (status) {
                memset(ax, 0, sizeof *ax);
                return status;
            }
            w = work;
            q = (int32_t *)(void *)((unsigned char *)work + b_weight);
        }
        build(ax, w, q);
        if (work)
            tproc__dealloc(ctx, work);
        return TPROC_OK;
    }
    int status = tproc__alloc(ctx, total, "resize weight tables", &ax->block);
    if (status) {
        memset(ax, 0, sizeof *ax);
        return status;
    }
    unsigned char *p = ax->block;
    ax->first = (ptrdiff_t *)(void *)p;
    ax->count = (int32_t *)(void *)(p + b_first);
    ax->weight = (double *)(void *)(p + b_first + b_count);
    ax->fixed = (int32_t *)(void *)(p + b_first + b_count + b_weight);
    build(ax, NULL, NULL);
    return TPROC_OK;
}

void tproc__rs_axis_free(tproc_ctx *ctx, tproc__rs_axis *ax)
{
    if (ax->block)
        tproc__dealloc(ctx, ax->block);
    memset(ax, 0, sizeof *ax);
}

void tproc__rs_axis_span(const tproc__rs_axis *ax, ptrdiff_t d0, ptrdiff_t n, ptrdiff_t *lo,
                         ptrdiff_t *hi)
{
    /* first and first + count never decrease with d, so the ends decide. */
    ptrdiff_t d1 = d0 + n - 1, first;
    int32_t count;
    if (ax->first) {
        *lo = ax->first[d0];
        *hi = ax->first[d1] + ax->count[d1];
        return;
    }
    row_range(ax, d0, lo, &count);
    row_range(ax, d1, &first, &count);
    *hi = first + count;
}

size_t tproc__rs_axis_span_bound(const tproc__rs_axis *ax, ptrdiff_t n)
{
    /* hi - lo < (n - 1) * r + taps for every kernel (see row_range); keep a margin for rounding. */
    double r = (double)ax->in_n / (double)ax->out_n;
    return (size_t)ceil((double)(n > 0 ? n - 1 : 0) * r) + (size_t)ax->taps + 3;
}
