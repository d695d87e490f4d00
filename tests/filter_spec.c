/* SPDX-License-Identifier: MIT */
/*
 * filter_spec.c: random filter specs from parameter tables (see filter_spec.h).
 */
#include "filter_spec.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* "a b c;d e f;..." of 1, 3 or 5 rows and columns (any size in [min, max] for a matrix of
 * TPROC_PARAM_ANY_SIZE, 1-3 when unbounded): integers from -3 to 3, sometimes halves. */
static size_t draw_matrix(const tproc_param_desc *p, fspec_rng *rng, char *buf, size_t size)
{
    unsigned w = 1 + 2 * (unsigned)below(rng, 3), h = 1 + 2 * (unsigned)below(rng, 3);
    if (p->flags & TPROC_PARAM_ANY_SIZE) {
        unsigned lo = p->min >= 1 ? (unsigned)p->min : 1, hi = p->max >= lo ? (unsigned)p->max : 3;
        hi = hi > 5 ? 5 : hi;
        w = lo + (unsigned)below(rng, hi - lo + 1);
        h = lo + (unsigned)below(rng, hi - lo + 1);
    }
    int halves = below(rng, 4) == 0;
    size_t at = 0;
    for (unsigned i = 0; i < w * h && at < size; i++) {
        double v = halves ? ((double)below(rng, 13) - 6.0) / 2.0 : (double)below(rng, 7) - 3.0;
        at += (size_t)snprintf(buf + at, size - at, "%s%g", i == 0 ? "" : i % w ? " " : ";", v);
    }
    return at;
}

/* 1-4 numbers in [0, 255] (some of them 0 or 255, so opaque and transparent alphas come up),
 * or the same as #rrggbb or #rrggbbaa. */
static size_t draw_colour(fspec_rng *rng, char *buf, size_t size)
{
    unsigned n = 1 + (unsigned)below(rng, 4), v[4];
    for (unsigned k = 0; k < n; k++) {
        uint64_t pick = below(rng, 4);
        v[k] = pick == 0 ? 0 : pick == 1 ? 255 : (unsigned)below(rng, 256);
    }
    if ((n == 3 || n == 4) && below(rng, 3) == 0) {
        size_t at = (size_t)snprintf(buf, size, "#");
        for (unsigned k = 0; k < n && at < size; k++)
            at += (size_t)snprintf(buf + at, size - at, "%02x", v[k]);
        return at;
    }
    size_t at = 0;
    for (unsigned k = 0; k < n && at < size; k++)
        at += (size_t)snprintf(buf + at, size - at, "%s%u", k ? " " : "", v[k]);
    return at;
}

/* --- the image file TEXT parameters get --------------------------------------------------- */

static char image_path[512];
static pthread_once_t image_once = PTHREAD_ONCE_INIT;

static void remove_image(void)
{
    if (image_path[0])
        unlink(image_path);
}

/* A 9x7 RGBA PNG: colour ramps, and alpha from transparent to opaque with a hole. */
static void write_image(void)
{
    const char *dir = getenv("TMPDIR");
    char path[sizeof image_path];
    snprintf(path, sizeof path, "%s/tileproc-fspec-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    unlink(path);
    char png[sizeof image_path + 8];
    snprintf(png, sizeof png, "%s.png", path);
    unsigned char px[7][9][4];
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 9; x++) {
            px[y][x][0] = (unsigned char)(28 * x);
            px[y][x][1] = (unsigned char)(36 * y);
            px[y][x][2] = (unsigned char)(255 - 14 * (x + y));
            px[y][x][3] = (unsigned char)(x == 4 && y == 3 ? 0 : 40 * y + 15);
        }
    tproc_view v;
    if (tproc_view_init(&v, px, 9, 7, 4, TPROC_U8, 0, 0) == TPROC_OK &&
        tproc_save(NULL, &v, png, NULL) == TPROC_OK && strlen(png) < sizeof image_path) {
        memcpy(image_path, png, strlen(png) + 1);
        atexit(remove_image);
    }
}

const char *fspec_text_value(void)
{
    pthread_once(&image_once, write_image);
    return image_path[0] ? image_path : "/nonexistent/tileproc-fspec.png";
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
            at += draw_matrix(p, rng, buf + at, size - at);
        } else if (p->type == TPROC_PARAM_COLOUR) {
            at += draw_colour(rng, buf + at, size - at);
        } else if (p->type == TPROC_PARAM_TEXT) {
            for (const char *t = fspec_text_value(); *t && at + 2 < size; t++) {
                if (*t == ',' || *t == '\\') /* the spec's escapes */
                    buf[at++] = '\\';
                buf[at++] = *t;
            }
            buf[at] = '\0';
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
