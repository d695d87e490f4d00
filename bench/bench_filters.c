/* SPDX-License-Identifier: MIT */
/*
 * bench_filters.c: megapixels per second for every built-in filter on a 12-megapixel RGB u8
 * image (a real photo resized to 4000x3000), with one thread and with all threads; memcpy of the
 * same bytes as the yardstick (the "x memcpy" column: the filter's one-thread time over
 * memcpy's); and the tile-size curve of gaussian blur. Prints a Markdown table. The best of
 * several runs is reported (the machines are noisy). With SPEC arguments only those filters
 * run, one thread, without the tile-size curve.
 *
 *     usage: bench_filters PHOTO [REPEATS [SPEC...]]
 *
 * TILEPROC_SIMD=portable|avx2|avx512 caps the instruction set of the area filters' kernels.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tileproc/tileproc.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int repeats = 5;

/* Best time of `repeats` runs of spec on in, writing into a preallocated output. */
static double time_chain(const tproc_view *in, const char *spec, int threads, ptrdiff_t tw,
                         ptrdiff_t th)
{
    tproc_pipeline *p;
    tproc_pipeline_new(NULL, &p);
    if (tproc_pipeline_add(p, spec)) {
        fprintf(stderr, "bench: %s\n", tproc_ctx_message(NULL));
        exit(1);
    }
    tproc_format fin = {in->width, in->height, in->channels, in->sample}, fout;
    tproc_pipeline_output_format(p, &fin, &fout);
    tproc_image *out;
    tproc_image_new(NULL, fout.width, fout.height, fout.channels, fout.sample, &out);
    tproc_view ov = tproc_image_view(out);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.threads = threads;
    o.tile_width = tw;
    o.tile_height = th;
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        if (tproc_pipeline_run_into(p, in, &ov, &o)) {
            fprintf(stderr, "bench: %s: %s\n", spec, tproc_ctx_message(NULL));
            exit(1);
        }
        double t = now() - t0;
        best = t < best ? t : best;
    }
    tproc_image_free(&out);
    tproc_pipeline_free(&p);
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PHOTO [REPEATS]\n", argv[0]);
        return 2;
    }
    if (argc > 2)
        repeats = atoi(argv[2]);
    tproc_image *photo, *big;
    if (tproc_load(NULL, argv[1], NULL, &photo)) {
        fprintf(stderr, "bench: %s\n", tproc_ctx_message(NULL));
        return 1;
    }
    tproc_view pv = tproc_image_view(photo);
    tproc_pipeline *up;
    tproc_pipeline_new(NULL, &up);
    tproc_pipeline_add(up, "resize:width=4000,height=3000,kernel=bicubic");
    if (tproc_pipeline_run(up, &pv, NULL, &big)) {
        fprintf(stderr, "bench: %s\n", tproc_ctx_message(NULL));
        return 1;
    }
    tproc_pipeline_free(&up);
    tproc_view in = tproc_image_view(big);
    double mp = (double)in.width * (double)in.height / 1e6;
    int cores = tproc_ctx_threads(NULL);

    /* memcpy of the same bytes, the bound for a point filter. */
    size_t bytes = (size_t)in.row_stride * (size_t)in.height;
    unsigned char *copy = malloc(bytes);
    double best_copy = 1e30;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        memcpy(copy, in.data, bytes);
        double t = now() - t0;
        best_copy = t < best_copy ? t : best_copy;
    }
    printf("Image: %tdx%td RGB u8 (%.1f MP), best of %d runs, %d cores.\n\n", in.width, in.height,
           mp, repeats, cores);
    printf("memcpy of the same %zu bytes: %.4f s (%.0f MP/s)\n\n", bytes, best_copy,
           mp / best_copy);
    if (argc > 3) { /* only the filters named, one thread */
        printf("| filter | 1 thread (s) | MP/s | x memcpy |\n|---|---|---|---|\n");
        for (int a = 3; a < argc; a++) {
            double t1 = time_chain(&in, argv[a], 1, 0, 0);
            printf("| `%s` | %.4f | %.0f | %.1f |\n", argv[a], t1, mp / t1, t1 / best_copy);
        }
        free(copy);
        tproc_image_free(&big);
        tproc_image_free(&photo);
        return 0;
    }
    printf("| filter | 1 thread (s) | MP/s | x memcpy | %d threads (s) | MP/s |\n", cores);
    printf("|---|---|---|---|---|---|\n");
    static const char *specs[] = {"invert",
                                  "grayscale",
                                  "brightness:amount=0.1",
                                  "contrast:amount=1.2",
                                  "gamma:value=2.2",
                                  "levels:in_black=0.1,in_white=0.9",
                                  "threshold:level=0.5",
                                  "crop:x=100,y=100,width=3800,height=2800",
                                  "flip:axis=horizontal",
                                  "rotate:angle=90",
                                  "box:radius=2",
                                  "box:radius=25",
                                  "gaussian:sigma=2",
                                  "sharpen:sigma=1,amount=1",
                                  "sobel",
                                  "median:radius=1",
                                  "median:radius=3",
                                  "convolve:matrix=-1 -1 -1;-1 16 -1;-1 -1 -1,scale=0.125",
                                  "resize:scale=0.5,kernel=lanczos3",
                                  "resize:scale=0.5,kernel=bilinear",
                                  "resize:scale=0.5,kernel=area"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        double t1 = time_chain(&in, specs[i], 1, 0, 0);
        double tn = time_chain(&in, specs[i], cores, 0, 0);
        printf("| `%s` | %.4f | %.0f | %.1f | %.4f | %.0f |\n", specs[i], t1, mp / t1,
               t1 / best_copy, tn, mp / tn);
    }
    printf("\nGaussian sigma=2, one thread, by tile size (square tiles):\n\n");
    printf("| tile | s | MP/s |\n|---|---|---|\n");
    for (ptrdiff_t t = 32; t <= 1024; t *= 2) {
        double s = time_chain(&in, "gaussian:sigma=2", 1, t, t);
        printf("| %tdx%td | %.4f | %.0f |\n", t, t, s, mp / s);
    }
    double full = time_chain(&in, "gaussian:sigma=2", 1, in.width, 128);
    printf("| %tdx128 (full-width strips) | %.4f | %.0f |\n", in.width, full, mp / full);
    free(copy);
    tproc_image_free(&big);
    tproc_image_free(&photo);
    return 0;
}
