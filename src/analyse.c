/* SPDX-License-Identifier: MIT */
/*
 * analyse.c: pre-passes. A filter whose output depends on the whole input's pixels (trim's
 * box, a smart crop's position) has analyse_rows/analyse_done. When the planner reaches such a
 * stage it plans the chain before it (the prefix) on its own, runs that over the whole input
 * with the ordinary executor, one strip at a time, and hands every finished strip to the
 * stage's analyse_rows, in order, from this thread. Then analyse_done sets the stage's output
 * and the planner goes on. Where the source rows come from is the caller's: the input view for
 * in-memory runs, a second decode of the file for streamed ones (stream.c), so a large file is
 * read twice instead of held.
 */
#include "engine.h"

typedef struct analysis {
    const tproc_stage *stage;
    tproc_image *strip; /* one strip of the prefix's output */
    tproc__band_fn band;
    void *band_user;
} analysis;

static int analysis_band(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band)
{
    analysis *a = user;
    return a->band(a->band_user, y0, y1, band);
}

static int analysis_strip(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc_view *out)
{
    analysis *a = user;
    tproc_view all = tproc_image_view(a->strip);
    (void)y0;
    return tproc_view_sub(&all, 0, 0, all.width, y1 - y0, out);
}

static int analysis_done(void *user, const tproc_view *rows, ptrdiff_t y0)
{
    analysis *a = user;
    return a->stage->filter->analyse_rows(a->stage, rows, y0);
}

int tproc__stage_analyse(tproc_ctx *ctx, const tproc_filter *const *filters,
                         const tproc_params *params, size_t k, tproc_format source,
                         const tproc_run_options *options, const tproc__analyser *analyser,
                         tproc_stage *stage)
{
    tproc__plan prefix;
    /* The prefix may hold pre-passes of its own (trim after trim): each runs in its turn. */
    int status =
        tproc__plan_build_analysed(ctx, &prefix, filters, params, k, source, options, analyser);
    if (status) {
        tproc_stage_release(ctx, stage);
        return status;
    }
    analysis a = {stage, NULL, NULL, NULL};
    status = analyser->begin(analyser->user, &prefix, &a.band, &a.band_user);
    if (!status) {
        const tproc_format *f = &prefix.output;
        status =
            tproc_image_new(ctx, f->width, prefix.tile_height, f->channels, f->sample, &a.strip);
        if (!status) {
            tproc__exec_io io = {analysis_band, analysis_strip, analysis_done, &a, 0};
            status = tproc__execute(&prefix, options, &io);
        }
        status = analyser->end(analyser->user, status);
    }
    tproc_image_free(&a.strip);
    tproc__plan_release(&prefix);
    if (status) {
        tproc_stage_release(ctx, stage);
        return status;
    }
    return tproc__stage_analysed(ctx, stage);
}

/* --- in-memory runs: the band is the whole view ------------------------------------------- */

static int view_band(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band)
{
    const tproc_view *view = user;
    (void)y0;
    (void)y1;
    band->view = *view;
    band->rows.x = 0;
    band->rows.y = 0;
    band->rows.width = view->width;
    band->rows.height = view->height;
    return TPROC_OK;
}

static int view_begin(void *user, const tproc__plan *prefix, tproc__band_fn *band, void **band_user)
{
    (void)prefix;
    *band = view_band;
    *band_user = user;
    return TPROC_OK;
}

static int view_end(void *user, int status)
{
    (void)user;
    return status;
}

tproc__analyser tproc__view_analyser(const tproc_view *view)
{
    tproc__analyser a = {view_begin, view_end, (void *)(uintptr_t)view};
    return a;
}
