/* SPDX-License-Identifier: MIT */
/*
 * filter_spec.c: random filter specs from parameter tables (see filter_spec.h).
 */
#include "filter_spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

uint64_t fspec_next(fspec_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t below(fspec_rng *rng, uint64_t n)
{
    return fspec_next(rng) % n;
}

const tproc_filter *fspec_choose(unsigned byte)
{
    size_t n = tproc_filter_count();
    return n ? tproc_filter_at(byte % n) : NULL;
}

/* A number for INT or FLOAT parameter p, inside its range (open ends excluded). */
static double draw_number(const tproc_param_desc *p, fspec_rng *rng)
{
    if (p->type == TPROC_PARAM_INT && p->max - p->min > 64) {
        /* Sizes and positions: half the time the minimum (so a 1-pixel image finds a crop),
         * otherwise log-uniform up to 63 above it. */
        if (below(rng, 2) == 0)
            return p->min;
        double v = p->min + (double)below(rng, (uint64_t)1 << below(rng, 7));
        return v < p->max ? v : p->max;
    }
    double lo = p->def - 3 > p->min ? p->def - 3 : p->min;
    double hi = p->def + 3 < p->max ? p->def + 3 : p->max;
    /* k in [1, 100] never gives lo itself (an open minimum); an open maximum stops short. */
    int open_top = (p->flags & TPROC_PARAM_MAX_OPEN) && hi == p->max;
    double k = (double)(1 + below(rng, open_top ? 99 : 100));
    double v = lo + (hi - lo) * k / 100.0;
    if (p->type == TPROC_PARAM_INT) {
        v = floor(v);
        if (v < lo || ((p->flags & TPROC_PARAM_MIN_OPEN) && v <= p->min))
            v = ceil(lo + 0.5);
    }
    return v;
}

/* "a b c;d e f;..." of 1, 3 or 5 rows and columns: integers from -3 to 3, sometimes halves. */
static size_t draw_matrix(fspec_rng *rng, char *buf, size_t size)
{
    unsigned w = 1 + 2 * (unsigned)below(rng, 3), h = 1 + 2 * (unsigned)below(rng, 3);
    int halves = below(rng, 4) == 0;
    size_t at = 0;
    for (unsigned i = 0; i < w * h && at < size; i++) {
        double v = halves ? ((double)below(rng, 13) - 6.0) / 2.0 : (double)below(rng, 7) - 3.0;
        at += (size_t)snprintf(buf + at, size - at, "%s%g", i == 0 ? "" : i % w ? " " : ";", v);
    }
    return at;
}

void fspec_draw(const tproc_filter *f, fspec_rng *rng, char *buf, size_t size)
{
    size_t at = (size_t)snprintf(buf, size, "%s", f->name);
    char sep = ':';
    for (int i = 0; i < f->param_count && at < size; i++) {
        const tproc_param_desc *p = &f->params[i];
        int give = (p->flags & TPROC_PARAM_REQUIRED)   ? 1
                   : (p->flags & TPROC_PARAM_OPTIONAL) ? below(rng, 2) == 0
                                                       : below(rng, 4) != 0;
        if (!give)
            continue;
        at += (size_t)snprintf(buf + at, size - at, "%c%s=", sep, p->name);
        sep = ',';
        if (at >= size)
            break;
        if (p->type == TPROC_PARAM_ENUM) {
            size_t n = 0;
            while (p->choices[n])
                n++;
            at += (size_t)snprintf(buf + at, size - at, "%s", p->choices[below(rng, n)]);
        } else if (p->type == TPROC_PARAM_MATRIX) {
            at += draw_matrix(rng, buf + at, size - at);
        } else {
            at += (size_t)snprintf(buf + at, size - at, "%.6g", draw_number(p, rng));
        }
    }
}

int fspec_valid(tproc_ctx *ctx, const tproc_filter *f, const tproc_format *in, fspec_rng *rng,
                int tries, char *buf, size_t size)
{
    for (int t = 0; t < tries; t++) {
        fspec_draw(f, rng, buf, size);
        tproc_pipeline *p = NULL;
        if (tproc_pipeline_new(ctx, &p) != TPROC_OK)
            return 0;
        tproc_format out;
        int ok = tproc_pipeline_add(p, buf) == TPROC_OK &&
                 tproc_pipeline_output_format(p, in, &out) == TPROC_OK;
        tproc_pipeline_free(&p);
        if (ok)
            return 1;
    }
    return 0;
}
