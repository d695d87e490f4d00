/* SPDX-License-Identifier: MIT */
/*
 * colour_bench.c: the colour engine (issue 12). For each profile and sample type, megapixels
 * per second per thread of every engine converting a 12-megapixel buffer to sRGB, and each
 * engine's maximum and mean error against lcms2's float transform rounded (the reference),
 * in levels of the sample type. Also: one transform shared by two threads (cmsFLAGS_NOCACHE,
 * no locks) against one thread, and what lcms2's one-pixel cache would have bought.
 * Prints Markdown. tileproc's rows: best of REPEATS runs (the machines are noisy); lcms2's
 * paths (a few MP/s): one run.
 *
 *     usage: colour_bench ICC_DIR [MEGAPIXELS] [REPEATS] [EXTRA_CMYK_PROFILE]
 *     environment: COLOUR_BENCH_DEPTH=u8|u16 (one depth), COLOUR_BENCH_QUICK=1 (tileproc only)
 *
 * The buffer is random pixels: the worst case for the tables' caches and for lcms2's cache.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lcms2.h>

#include "colour.h"
#include "colour_internal.h"
#include "colour_profiles.h"

static int repeats = 3;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct job {
    const tproc__transform *t;
    const unsigned char *in;
    unsigned char *out;
    size_t width, rows, in_row, out_row;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (size_t y = 0; y < j->rows; y++)
        tproc__transform_apply_row(j->t, j->in + y * j->in_row, j->out + y * j->out_row, j->width);
    return NULL;
}

/* Best time of converting the buffer with threads threads sharing one transform. */
static double time_convert(const tproc__transform *t, const unsigned char *in, unsigned char *out,
                           size_t width, size_t height, size_t in_px, size_t out_px, int threads,
                           int runs)
{
    double best = 1e30;
    for (int r = 0; r < runs; r++) {
        pthread_t th[8];
        job jobs[8];
        double t0 = now();
        size_t per = (height + (size_t)threads - 1) / (size_t)threads;
        for (int i = 0; i < threads; i++) {
            size_t y0 = per * (size_t)i, rows = y0 >= height ? 0 : height - y0 < per ? height - y0 : per;
            jobs[i] = (job){t, in + y0 * width * in_px, out + y0 * width * out_px, width, rows,
                            width * in_px, width * out_px};
            pthread_create(&th[i], NULL, run_job, &jobs[i]);
        }
        for (int i = 0; i < threads; i++)
            pthread_join(th[i], NULL);
        double e = now() - t0;
        best = e < best ? e : best;
    }
    return best;
}

static void errors(const unsigned char *a, const unsigned char *b, size_t samples, tproc_sample s,
                   double *max, double *mean)
{
    double worst = 0, sum = 0;
    for (size_t i = 0; i < samples; i++) {
        double d = s == TPROC_U8 ? (double)a[i] - (double)b[i]
                                 : (double)((const uint16_t *)(const void *)a)[i] -
                                       (double)((const uint16_t *)(const void *)b)[i];
        d = d < 0 ? -d : d;
        worst = d > worst ? d : worst;
        sum += d;
    }
    *max = worst;
    *mean = sum / (double)samples;
}

static void bench_profile(const char *label, const unsigned char *icc, size_t icc_size,
                          tproc__layout layout, tproc_sample sample, size_t width, size_t height)
{
    tproc_ctx *ctx = NULL;
    tproc_ctx_options co = {NULL, SIZE_MAX, 1};
    tproc_ctx_new(&co, &ctx);
    tproc__profile *p = NULL;
    if (tproc__profile_open(ctx, label, icc, icc_size, &p)) {
        printf("| %s | %s |\n", label, tproc_ctx_message(ctx));
        tproc_ctx_free(&ctx);
        return;
    }
    size_t bytes = tproc_sample_size(sample);
    size_t in_px = (size_t)tproc__layout_channels(layout) * bytes, out_px = 3 * bytes;
    size_t n = width * height;
    unsigned char *in = malloc(n * in_px), *ref = malloc(n * out_px), *out = malloc(n * out_px);
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < n * in_px; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        in[i] = (unsigned char)(x >> 24);
    }
    static const struct {
        tproc__colour_engine engine;
        int simd;
        const char *name;
    } engines[] = {{TPROC__ENGINE_FLOAT, 1, "lcms2 float (reference)"},
                   {TPROC__ENGINE_AUTO, 1, "tileproc"},
                   {TPROC__ENGINE_AUTO, 0, "tileproc, no SIMD"},
                   {TPROC__ENGINE_PRECISE, 1, "lcms2 NOOPTIMIZE"},
                   {TPROC__ENGINE_LCMS_DEFAULT, 1, "lcms2 default (optimised)"}};
    /* COLOUR_BENCH_QUICK=1: tileproc's rows only, no error figures (for tuning). */
    int quick = getenv("COLOUR_BENCH_QUICK") != NULL;
    for (size_t e = quick ? 1 : 0; e < (quick ? 3 : sizeof engines / sizeof engines[0]); e++) {
        tproc__fast_rgb_set_simd(engines[e].simd);
        tproc__transform_options o = {0};
        o.engine = engines[e].engine;
        tproc__transform *t = NULL;
        double t0 = now();
        if (tproc__transform_new(ctx, label, p, layout, NULL, sample, &o, &t)) {
            printf("| %s | %s | %s |\n", label, engines[e].name, tproc_ctx_message(ctx));
            continue;
        }
        double build = now() - t0;
        unsigned char *dst = e == 0 ? ref : out;
        /* lcms2's own paths run at a few MP/s: one run of those is long enough to be stable. */
        int runs = engines[e].engine == TPROC__ENGINE_AUTO ? repeats : 1;
        double t1 = time_convert(t, in, dst, width, height, in_px, out_px, 1, runs);
        double t2 = time_convert(t, in, dst, width, height, in_px, out_px, 2, runs);
        double max = 0, mean = 0;
        if (e > 0 && !quick)
            errors(ref, out, n * 3, sample, &max, &mean);
        printf("| %s %s | %s (%s) | %.1f | %.0f | %.0f | %.2f | %.4f |\n", label,
               tproc_sample_name(sample), engines[e].name, tproc__transform_path(t), build * 1e3,
               (double)n / t1 / 1e6, (double)n / t2 / 1e6, max, mean);
        fflush(stdout);
        tproc__transform_free(&t);
    }
    tproc__fast_rgb_set_simd(1);
    free(in);
    free(ref);
    free(out);
    tproc__profile_free(&p);
    tproc_ctx_free(&ctx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s ICC_DIR [MEGAPIXELS] [REPEATS] [EXTRA_CMYK_PROFILE]\n", argv[0]);
        return 2;
    }
    double mp = argc > 2 ? atof(argv[2]) : 12.0;
    if (argc > 3)
        repeats = atoi(argv[3]);
    size_t width = 4000, height = (size_t)(mp * 1e6 / 4000.0);
    char path[1024];
    printf("Buffer: %zux%zu random pixels (%.1f MP); tileproc best of %d runs, lcms2 one run; "
           "MP/s at 1 and 2 threads sharing one transform; errors in levels against lcms2 "
           "float rounded (max and mean over every sample).\n\n",
           width, height, (double)(width * height) / 1e6, repeats);
    printf("| profile | engine (path) | build ms | MP/s 1 thr | MP/s 2 thr | max err | mean err "
           "|\n|---|---|---|---|---|---|---|\n");
    static const char *rgb[] = {"AdobeRGB1998.icc", "ProPhotoRGB.icc"};
    /* COLOUR_BENCH_DEPTH=u8 or u16: one depth only. */
    const char *depth = getenv("COLOUR_BENCH_DEPTH");
    for (int s = 0; s < 2; s++) {
        tproc_sample sample = s == 0 ? TPROC_U8 : TPROC_U16;
        if (depth && strcmp(depth, tproc_sample_name(sample)) != 0)
            continue;
        for (size_t i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/%s", argv[1], rgb[i]);
            size_t size;
            unsigned char *icc = tcp_read_file(path, &size);
            if (!icc) {
                fprintf(stderr, "cannot read %s\n", path);
                return 1;
            }
            bench_profile(rgb[i], icc, size, TPROC__LAYOUT_RGB, sample, width, height);
            free(icc);
        }
        static const char *made[] = {"p3", "rgb-lut", "cmyk-v2", "cmyk-v4"};
        for (size_t i = 0; i < 4; i++) {
            size_t size;
            unsigned char *icc = tcp_make(made[i], &size);
            bench_profile(made[i], icc, size, i >= 2 ? TPROC__LAYOUT_CMYK : TPROC__LAYOUT_RGB,
                          sample, width, height);
            free(icc);
        }
        if (argc > 4) {
            size_t size;
            unsigned char *icc = tcp_read_file(argv[4], &size);
            if (icc)
                bench_profile(strrchr(argv[4], '/') ? strrchr(argv[4], '/') + 1 : argv[4], icc,
                              size, TPROC__LAYOUT_CMYK, sample, width, height);
            free(icc);
        }
    }
    return 0;
}
