/* SPDX-License-Identifier: MIT */
/*
 * conv_plan.c: deciding how convolve's integer path runs a matrix (see conv_int.h): the
 * integer weights, the lane width, whether the matrix is rank 1 (then two 1-D passes), and an
 * integer output formula checked against the double definition for every possible sum.
 */
#include <math.h>
#include <string.h>

#include "kernels/conv_int.h"

#define WEIGHT_MAX 1048576.0 /* 2^20: a * v and every partial sum stay exact in double */
#define SCALE_BITS_MAX 24    /* weights finer than 2^-24 take convolve's double path */
#define CHECK_MAX 1048576    /* sums ranges checked one by one for the integer output formula */

/* The output of convolve's definition for the integer sum s (convolve.c: store()). */
static int32_t reference(const tproc__conv *c, int64_t s)
{
    double max = c->sample == TPROC_U8 ? 255.0 : 65535.0;
    double v = c->scale * ((double)s * c->unit) + c->offset;
    v = v > 0.0 ? v : 0.0;
    v = v < max ? v : max;
    return (int32_t)(v + 0.5);
}

/* The smallest k such that every weight times 2^k is an integer of magnitude <= 2^20. */
static int dyadic(const double *m, int n, int *k)
{
    for (int bits = 0; bits <= SCALE_BITS_MAX; bits++) {
        int ok = 1;
        for (int i = 0; i < n && ok; i++) {
            double v = ldexp(m[i], bits);
            ok = v == floor(v) && fabs(v) <= WEIGHT_MAX;
        }
        if (ok) {
            *k = bits;
            return 1;
        }
    }
    return 0;
}

static int64_t gcd(int64_t a, int64_t b)
{
    a = a < 0 ? -a : a;
    b = b < 0 ? -b : b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Whether the integer matrix is vert[j] * horiz[i] (rank 1, integer factors). */
static int factor(tproc__conv *c)
{
    int mw = c->mw, mh = c->mh, p = -1;
    for (int j = 0; j < mh && p < 0; j++)
        for (int i = 0; i < mw; i++)
            if (c->a[j * mw + i] != 0) {
                p = j;
                break;
            }
    if (p < 0 || mw == 1 || mh == 1)
        return 0; /* all zero, or already one-dimensional */
    int64_t g = 0;
    for (int i = 0; i < mw; i++)
        g = gcd(g, c->a[p * mw + i]);
    int q = -1;
    for (int i = 0; i < mw; i++) {
        c->horiz[i] = (int32_t)(c->a[p * mw + i] / g);
        if (q < 0 && c->horiz[i] != 0)
            q = i;
    }
    for (int j = 0; j < mh; j++) {
        /* The rows are multiples of horiz, a primitive vector: the factor is an integer. */
        if (c->a[j * mw + q] % c->horiz[q] != 0)
            return 0;
        int64_t t = c->a[j * mw + q] / c->horiz[q];
        for (int i = 0; i < mw; i++)
            if ((int64_t)c->a[j * mw + i] != t * c->horiz[i])
                return 0;
        c->vert[j] = (int32_t)t;
    }
    return 1;
}

/* Finds mul, add, shift with clamp((s * mul + add) >> shift) equal to reference(s) for every s
 * in [smin, smax], all in 32-bit integers; 0 if the range is too large to check or none fits. */
static int fixed_output(tproc__conv *c)
{
    int64_t amax = c->smax > -(int64_t)c->smin ? c->smax : -(int64_t)c->smin;
    int32_t max = c->sample == TPROC_U8 ? 255 : 65535;
    if ((int64_t)c->smax - c->smin >= CHECK_MAX)
        return 0;
    for (int shift = 30; shift >= 0; shift--) {
        double mul = nearbyint(c->scale * ldexp(c->unit, shift));
        double add = floor((c->offset + 0.5) * ldexp(1.0, shift));
        if (!(fabs(mul) * (double)amax + fabs(add) < 2147483648.0))
            continue; /* s * mul + add could overflow: try a smaller shift */
        c->mul = (int32_t)mul;
        c->add = (int32_t)add;
        c->shift = shift;
        for (int64_t s = c->smin; s <= c->smax; s++) {
            int32_t v = ((int32_t)s * c->mul + c->add) >> shift;
            v = v < 0 ? 0 : v > max ? max : v;
            if (v != reference(c, s))
                return 0;
        }
        return 1;
    }
    return 0;
}

int tproc__conv_plan(tproc__conv *c, const double *matrix, int mw, int mh, double scale,
                     double offset, tproc_sample sample, tproc__simd level)
{
    memset(c, 0, sizeof *c);
    int n = mw * mh, k;
    if (sample == TPROC_F32 || !dyadic(matrix, n, &k))
        return 0;
    c->simd = level;
    c->sample = sample;
    c->mw = mw;
    c->mh = mh;
    c->unit = ldexp(1.0, -k);
    c->scale = scale;
    c->offset = offset;
    int64_t max = sample == TPROC_U8 ? 255 : 65535, lo = 0, hi = 0;
    for (int i = 0; i < n; i++) {
        c->a[i] = (int32_t)ldexp(matrix[i], k);
        if (c->a[i] < 0)
            lo += c->a[i] * max;
        else
            hi += c->a[i] * max;
    }
    if (lo < INT32_MIN || hi > INT32_MAX)
        return 0;
    c->smin = (int32_t)lo;
    c->smax = (int32_t)hi;
    c->separable = factor(c);
    c->fixed = fixed_output(c);
    /* 16-bit lanes hold u8 samples times weights modulo 2^16, which recovers S' when it lies
     * in [-2^15, 2^15); the double output formula takes 32-bit sums. */
    c->narrow = sample == TPROC_U8 && c->fixed && lo >= -32768 && hi <= 32767;
    return 1;
}
