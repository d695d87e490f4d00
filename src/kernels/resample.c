/* SPDX-License-Identifier: MIT */
/*
 * resample.c: per-axis weight tables for the resize filter (see resample.h).
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

/* Fixed-point weights for one output and the error bookkeeping. */
static void make_fixed(tproc__rs_axis *ax, ptrdiff_t d)
{
    const double *w = ax->weight + d * ax->taps;
    int32_t *q = ax->fixed + d * ax->taps;
    const double one = (double)(1 << TPROC__RS_FIXED_BITS);
    int32_t n = ax->count[d];
    int64_t sum = 0;
    int32_t big = 0;
    for (int32_t k = 0; k < n; k++) {
        q[k] = (int32_t)floor(w[k] * one + 0.5);
        sum += q[k];
        if (fabs(w[k]) > fabs(w[big]))
            big = k;
    }
    /* Flat areas stay exact: the fixed weights sum to exactly 1. */
    q[big] += (int32_t)((int64_t)1 << TPROC__RS_FIXED_BITS) - (int32_t)sum;
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

static void build_filter(tproc__rs_axis *ax, tproc__rs_kernel kernel)
{
    double r = (double)ax->in_n / (double)ax->out_n;
    double f = r > 1.0 ? r : 1.0;
    double s = kernel_support(kernel) * f;
    for (ptrdiff_t d = 0; d < ax->out_n; d++) {
        double src = ((double)d + 0.5) * r - 0.5;
        ptrdiff_t first = (ptrdiff_t)floor(src - s) + 1;
        ptrdiff_t last = (ptrdiff_t)ceil(src + s) - 1;
        if (last < first)
            last = first; /* cannot happen for support >= 1; keeps count >= 1 */
        if (last - first + 1 > ax->taps)
            last = first + ax->taps - 1;
        double *w = ax->weight + d * ax->taps;
        double sum = 0;
        for (ptrdiff_t i = first; i <= last; i++) {
            w[i - first] = kernel_eval(kernel, ((double)i - src) / f);
            sum += w[i - first];
        }
        for (ptrdiff_t i = first; i <= last; i++)
            w[i - first] /= sum;
        ax->first[d] = first;
        ax->count[d] = (int32_t)(last - first + 1);
    }
}

static void build_nearest(tproc__rs_axis *ax)
{
    int64_t in = (int64_t)ax->in_n, out = (int64_t)ax->out_n;
    for (ptrdiff_t d = 0; d < ax->out_n; d++) {
        ax->first[d] = (ptrdiff_t)(((2 * (int64_t)d + 1) * in) / (2 * out));
        ax->count[d] = 1;
        ax->weight[d * ax->taps] = 1.0;
    }
}

static void build_area(tproc__rs_axis *ax)
{
    int64_t in = (int64_t)ax->in_n, out = (int64_t)ax->out_n;
    for (ptrdiff_t d = 0; d < ax->out_n; d++) {
        /* In units of 1 / out input pixels: the footprint is [d * in, (d + 1) * in). */
        int64_t lo = (int64_t)d * in, hi = ((int64_t)d + 1) * in;
        int64_t first = lo / out, end = (hi + out - 1) / out;
        double *w = ax->weight + d * ax->taps;
        for (int64_t i = first; i < end; i++) {
            int64_t a = lo > i * out ? lo : i * out;
            int64_t b = hi < (i + 1) * out ? hi : (i + 1) * out;
            w[i - first] = (double)(b - a) / (double)in;
        }
        ax->first[d] = (ptrdiff_t)first;
        ax->count[d] = (int32_t)(end - first);
    }
}

int tproc__rs_axis_init(tproc_ctx *ctx, tproc__rs_axis *ax, tproc__rs_kernel kernel, ptrdiff_t in_n,
                        ptrdiff_t out_n, const char *who)
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
    ax->in_n = in_n;
    ax->out_n = out_n;
    ax->taps = (ptrdiff_t)taps;

    size_t n = (size_t)out_n, cells, b_first, b_count, b_weight, b_fixed, total;
    if (tproc__mul(n, (size_t)ax->taps, &cells) || tproc__mul(n, sizeof(ptrdiff_t), &b_first) ||
        tproc__mul(n, sizeof(int32_t), &b_count) || tproc__align_up(b_count, 64, &b_count) ||
        tproc__mul(cells, sizeof(double), &b_weight) ||
        tproc__mul(cells, sizeof(int32_t), &b_fixed) || tproc__align_up(b_first, 64, &b_first) ||
        tproc__add(b_first, b_count, &total) || tproc__add(total, b_weight, &total) ||
        tproc__add(total, b_fixed, &total))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "%s: weight tables for %td outputs overflow",
                            who, out_n);
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

    if (kernel == TPROC__RS_NEAREST)
        build_nearest(ax);
    else if (kernel == TPROC__RS_AREA)
        build_area(ax);
    else
        build_filter(ax, kernel);
    for (ptrdiff_t d = 0; d < out_n; d++)
        make_fixed(ax, d);
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
    /* first[] and first[] + count[] never decrease with d, so the ends decide. */
    ptrdiff_t d1 = d0 + n - 1;
    *lo = ax->first[d0];
    *hi = ax->first[d1] + ax->count[d1];
}

size_t tproc__rs_axis_span_bound(const tproc__rs_axis *ax, ptrdiff_t n)
{
    /* hi - lo < (n - 1) * r + taps for every kernel (see build_*); keep a margin for rounding. */
    double r = (double)ax->in_n / (double)ax->out_n;
    return (size_t)ceil((double)(n > 0 ? n - 1 : 0) * r) + (size_t)ax->taps + 3;
}
