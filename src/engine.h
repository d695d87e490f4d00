/* SPDX-License-Identifier: MIT */
/*
 * engine.h: the planner and the executor, shared by pipeline.c (the public API) and, later,
 * the streaming source/sink layer. One executor serves in-memory and streamed runs: it
 * produces output strip by strip (a strip is one row of tiles) and asks a source for the input
 * rows each strip needs.
 */
#ifndef TILEPROC_ENGINE_H
#define TILEPROC_ENGINE_H

#include "filter_internal.h"

/* The longest chain a pipeline takes. */
#define TPROC__MAX_STAGES 64

/* One prepared stage of a chain (stage.in and stage.out are the whole images around it). */
typedef struct tproc__stage_run {
    const tproc_filter *filter;
    tproc_params params; /* stage.params points here */
    tproc_stage stage;
    int premultiply;     /* process() gets premultiplied f32 views (stage.work is f32) */
    tproc_rect max_need; /* the largest input and output spans of any tile (sizes only) */
    tproc_rect max_have;
} tproc__stage_run;

/* A chain prepared for one input format. */
typedef struct tproc__plan {
    tproc_ctx *ctx;
    size_t count;             /* stages */
    tproc__stage_run *stages; /* count of them */
    tproc_format source;      /* the input of stage 0 */
    tproc_format output;      /* the output of the last stage (source if count == 0) */
    tproc_border border;
    double border_value[4];
    ptrdiff_t tile_width, tile_height;
    size_t tiles_across, tiles_down;
    /* Largest per-tile sizes over every tile, in bytes: what each worker allocates once. */
    size_t region_bytes;   /* an intermediate stage's computed region */
    size_t input_bytes;    /* an assembled (border-filled) stage input */
    size_t premul_bytes;   /* an f32 premultiplied input or output */
    size_t scratch_bytes;  /* a filter's scratch */
    size_t row_bytes;      /* one packed row for process_row staging */
    int needs_whole_image; /* some stage maps output rows to far input rows */
} tproc__plan;

/* Rectangles a tile needs at each stage: need[k] is stage k's input rectangle (may reach
 * outside), have[k] the part of stage k's input image that must be computed (inside bounds;
 * have[0] is read from the source); have[count] is the tile itself. */
typedef struct tproc__tile_rects {
    tproc_rect need[TPROC__MAX_STAGES];
    tproc_rect have[TPROC__MAX_STAGES + 1];
} tproc__tile_rects;

/*
 * Prepares stages[0..count) for the source format (calling each filter's prepare) and sizes the
 * per-worker buffers by walking every tile. On failure everything prepared is released.
 */
int tproc__plan_build(tproc_ctx *ctx, tproc__plan *plan, const tproc_filter *const *filters,
                      const tproc_params *params, size_t count, tproc_format source,
                      const tproc_run_options *options);
struct tproc__analyser;
/* The same, running the pre-pass of every analysing stage (analyse_rows) through analyser
 * (NULL: none runs, their provisional outputs stand). */
int tproc__plan_build_analysed(tproc_ctx *ctx, tproc__plan *plan,
                               const tproc_filter *const *filters, const tproc_params *params,
                               size_t count, tproc_format source, const tproc_run_options *options,
                               const struct tproc__analyser *analyser);
void tproc__plan_release(tproc__plan *plan);

/* The output rectangle of tile `index`. */
tproc_rect tproc__plan_tile(const tproc__plan *plan, size_t index);
/* Walks the chain backwards for one output tile. */
void tproc__plan_rects(const tproc__plan *plan, tproc_rect tile, tproc__tile_rects *rects);

/* Input rows [*y0, *y1) of the source that output rows [out_y0, out_y1) need. */
void tproc__plan_source_rows(const tproc__plan *plan, ptrdiff_t out_y0, ptrdiff_t out_y1,
                             ptrdiff_t *y0, ptrdiff_t *y1);

/*
 * Work on rows a band function may hand to the run's threads while it goes on reading (the
 * colour conversion of rows just decoded, exec.c): fn(state, first, stride, count) on rows no
 * one else touches until the band function returns. Every job is done when it returns, on the
 * run's own threads: with one thread, at once on the calling thread.
 */
typedef void (*tproc__rows_fn)(void *state, unsigned char *first, ptrdiff_t stride, size_t count);
typedef struct tproc__row_jobs tproc__row_jobs;
void tproc__row_jobs_submit(tproc__row_jobs *jobs, tproc__rows_fn fn, void *state,
                            unsigned char *first, ptrdiff_t stride, size_t count);

/*
 * Where the executor reads the source: a view of source rows [rows.y, rows.y + rows.height)
 * (all columns). For in-memory runs that is the whole image. jobs is set by the executor
 * before the band function is called (NULL: do the work yourself).
 */
typedef struct tproc__source_band {
    tproc_view view;
    tproc_rect rows;
    tproc__row_jobs *jobs;
} tproc__source_band;

/* Called before each strip: make source rows [y0, y1) available in *band. */
typedef int (*tproc__band_fn)(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band);
/* Called after each strip with its finished output rows (a view of the output). */
typedef int (*tproc__strip_done_fn)(void *user, const tproc_view *rows, ptrdiff_t y0);

/* Called before each strip: a view of output rows [y0, y1) to write the strip's tiles into. */
typedef int (*tproc__strip_view_fn)(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc_view *out);

/*
 * Runs the plan strip by strip: get the source band the strip needs, get the strip's output
 * view, process its tiles on the worker threads, then report the finished strip. In-memory runs
 * hand out the whole source and sub-views of the output image; streamed runs a ring of rows.
 */
typedef struct tproc__exec_io {
    tproc__band_fn band;
    tproc__strip_view_fn strip_view;
    tproc__strip_done_fn strip_done; /* may be NULL */
    void *user;
    /* 1: the band and the output never change (in-memory runs): one pass over every tile, so
     * threads never wait at the end of a strip. */
    int one_pass;
} tproc__exec_io;

int tproc__execute(tproc__plan *plan, const tproc_run_options *options, const tproc__exec_io *io);
/* The threads a run uses: its options' count, or the context's when that is 0 (options may be
 * NULL). */
int tproc__run_threads(const tproc_ctx *ctx, const tproc_run_options *options);

/*
 * Plans stages [first, length) of a pipeline for a source format; first_params, if not NULL,
 * replaces the parameters of stage `first` for this plan only.
 */
int tproc__pipeline_plan(tproc_pipeline *pipeline, size_t first, const tproc_params *first_params,
                         tproc_format source, const tproc_run_options *options, tproc__plan *plan);
/* The same, with the pre-passes of analysing stages run through analyser (analyse.c). */
int tproc__pipeline_plan_analysed(tproc_pipeline *pipeline, size_t first,
                                  const tproc_params *first_params, tproc_format source,
                                  const tproc_run_options *options,
                                  const struct tproc__analyser *analyser, tproc__plan *plan);
tproc_ctx *tproc__pipeline_ctx(const tproc_pipeline *pipeline);
const tproc_filter *tproc__pipeline_stage(const tproc_pipeline *pipeline, size_t k,
                                          const tproc_params **params);

/* --- stage.c: around a filter's callbacks ------------------------------------------------- */

/* Whether the engine builds the tables of the filter's map (it has a map and no process). */
int tproc__filter_uses_map(const tproc_filter *filter);

/* The row function of a prepared stage without process(): its own, or the map's tables. */
typedef void (*tproc__row_fn)(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width);
tproc__row_fn tproc__stage_row(const tproc_stage *stage);

/*
 * For a filter with as_view: prepares it for *in (the same checks as the tiled path) and sets
 * *out to its output as a view of *in, copying nothing. TPROC_ERR_NOT_FOUND, with no message,
 * for a filter without the hook or whose hook declines these parameters.
 */
int tproc__stage_as_view(tproc_ctx *ctx, const tproc_filter *filter, const tproc_params *params,
                         const tproc_view *in, tproc_view *out);

/*
 * Shrink-on-load: offers the first stage of the pipeline, prepared for the full-size input
 * *full, smaller decodes of the same image, smaller[0 .. count) in order of preference (the
 * smallest first). *chosen is the first one the stage's shrink_input hook accepts, with
 * *params the parameters that give the same output from it; count if none was (or the first
 * filter has no hook). A failing prepare() is returned as an error.
 */
int tproc__pipeline_shrink_input(tproc_pipeline *pipeline, const tproc_format *full,
                                 const tproc_format *smaller, size_t count, size_t *chosen,
                                 tproc_params *params);

/* After an analysing stage's pre-pass: its analyse_done(), then the checks prepare() gets.
 * On failure the stage is released. */
int tproc__stage_analysed(tproc_ctx *ctx, tproc_stage *stage);

/* --- analyse.c: pre-passes for filters with analyse_rows ---------------------------------- */

/*
 * Where a pre-pass reads the source. begin() starts a pass for prefix (the chain before the
 * analysing stage, planned for the source) and gives the band function the executor reads
 * source rows through; end() frees what begin() held and readies the source for the next
 * pass (a file is rewound and decoded again), returning status or its own error.
 */
typedef struct tproc__analyser {
    int (*begin)(void *user, const tproc__plan *prefix, tproc__band_fn *band, void **band_user);
    int (*end)(void *user, int status);
    void *user;
} tproc__analyser;

/* An analyser reading a view (in-memory runs): the view must outlive it. */
tproc__analyser tproc__view_analyser(const tproc_view *view);

/*
 * Runs the pre-pass of stage k (prepared, its filter has analyse_rows): plans stages [0, k)
 * for source, runs them over the whole input through analyser feeding the stage's
 * analyse_rows, then tproc__stage_analysed. On failure the stage is released.
 */
int tproc__stage_analyse(tproc_ctx *ctx, const tproc_filter *const *filters,
                         const tproc_params *params, size_t k, tproc_format source,
                         const tproc_run_options *options, const tproc__analyser *analyser,
                         tproc_stage *stage);

#endif
