/* SPDX-License-Identifier: MIT */
/*
 * pipeline.h: chains of filters run tile by tile on threads.
 *
 * For each output tile the engine works out the rectangle every stage must compute (halos add
 * up, geometry filters map rectangles), computes each stage only inside its image's bounds, and
 * lets the next stage read past the edge through the border rule applied to that stage's
 * output, exactly as the whole-image chain does. So the output is byte-identical whatever the
 * tile size or thread count: that is the contract, and the tests hold it to it.
 *
 * Crop, flip and rotate at the head of a chain become view transforms of the input (no copy).
 */
#ifndef TILEPROC_PIPELINE_H
#define TILEPROC_PIPELINE_H

#include "base.h"
#include "context.h"
#include "filter.h"
#include "image.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tproc_pipeline tproc_pipeline;

/* An empty pipeline (the identity). The context must outlive it. */
TPROC_API int tproc_pipeline_new(tproc_ctx *ctx, tproc_pipeline **out);
/* Frees the pipeline (NULL is a no-op) and sets *pipeline to NULL. */
TPROC_API void tproc_pipeline_free(tproc_pipeline **pipeline);

/* Appends a filter given as text ("gaussian:sigma=2"); see tproc_params_parse(). */
TPROC_API int tproc_pipeline_add(tproc_pipeline *pipeline, const char *spec);
/* Appends a filter with parameters set from C (copied; checked for required keys). */
TPROC_API int tproc_pipeline_add_filter(tproc_pipeline *pipeline, const tproc_filter *filter,
                                        const tproc_params *params);
/* Number of stages. */
TPROC_API size_t tproc_pipeline_length(const tproc_pipeline *pipeline);

/* The output format for an input format (checks every stage's parameters against it). */
TPROC_API int tproc_pipeline_output_format(tproc_pipeline *pipeline, const tproc_format *in,
                                           tproc_format *out);

/* Called after each finished tile, from whichever thread finished it; keep it cheap. */
typedef void (*tproc_progress_fn)(void *user, size_t done, size_t total);

/*
 * The default tile is a strip of whole rows, TPROC_DEFAULT_TILE_HEIGHT high: long rows keep
 * memory access sequential (a point filter then runs at memcpy speed, where 512-pixel-wide
 * tiles cost 2.4 times as much) and the halo's share of the work small. Streamed runs split
 * the width between the threads instead, since they work one strip at a time.
 * bench/RESULTS.md has the measurements.
 */
#define TPROC_DEFAULT_TILE_HEIGHT 64
/* Rows wider than this are cut into tiles this wide. */
#define TPROC_MAX_DEFAULT_TILE_WIDTH 8192

typedef struct tproc_run_options {
    ptrdiff_t tile_width, tile_height; /* 0: the defaults above */
    int threads;                       /* 0: the context's (default: the number of cores) */
    tproc_border border;               /* default TPROC_BORDER_REFLECT_101 (see _init) */
    double border_value[4];            /* TPROC_BORDER_CONSTANT's value, natural range */
    tproc_progress_fn progress;
    void *progress_user;
    /* When not NULL, checked between tiles (read atomically): nonzero stops the run, which
     * returns TPROC_ERR_CANCELLED after freeing everything. It may be set from another thread
     * or from a signal handler (a plain store of an int is what the tool's SIGINT handler does;
     * the library only reads it). */
    const int *cancel;
} tproc_run_options;

/* The defaults: whole-row tiles 64 rows high, the context's threads, reflect-101. */
TPROC_API void tproc_run_options_init(tproc_run_options *options);

/* Runs the chain on in and writes a new image to *out. options may be NULL. */
TPROC_API int tproc_pipeline_run(tproc_pipeline *pipeline, const tproc_view *in,
                                 const tproc_run_options *options, tproc_image **out);
/* Runs the chain on in and writes into out, which must have the output format and must not
 * overlap in. */
TPROC_API int tproc_pipeline_run_into(tproc_pipeline *pipeline, const tproc_view *in,
                                      const tproc_view *out, const tproc_run_options *options);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_PIPELINE_H */
