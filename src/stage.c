/* SPDX-License-Identifier: MIT */
/*
 * stage.c: one stage of a chain. What the engine does around a filter's prepare(): the
 * pre-fill, the checks of what prepare() set, the lookup tables of map filters, the format
 * process() sees. And the two hooks through which a first stage changes how a chain starts:
 * as_view (no pixels moved at the head of a chain) and shrink_input (a smaller decode).
 * Everything here asks the filter's descriptor; nothing knows a filter by name.
 */
#include "engine.h"
#include "kernels/point_lut.h"

int tproc__filter_uses_map(const tproc_filter *filter)
{
    return filter->map && !filter->process;
}

tproc__row_fn tproc__stage_row(const tproc_stage *stage)
{
    return stage->filter->process_row ? stage->filter->process_row : tproc__point_lut_row;
}

static int halo_empty(const tproc_halo *h)
{
    return !h->left && !h->top && !h->right && !h->bottom;
}

/* What prepare() set must make sense before anything is sized from it. */
static int check_stage(tproc_ctx *ctx, const tproc_stage *s)
{
    const tproc_filter *f = s->filter;
    const tproc_format *out = &s->out;
    if (out->width < 1 || out->height < 1 || out->channels < 1 || out->channels > 4 ||
        tproc_sample_size(out->sample) == 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: bad output format %tdx%td, %d channels",
                            f->name, out->width, out->height, out->channels);
    int status = tproc__check_pixels(ctx, f->name, out);
    if (status)
        return status;
    if (s->geometry && !f->map_rect)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: geometry filter without map_rect", f->name);
    if (s->halo.left < 0 || s->halo.top < 0 || s->halo.right < 0 || s->halo.bottom < 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: negative halo", f->name);
    if (!f->process && (s->geometry || !halo_empty(&s->halo) || out->width != s->in.width ||
                        out->height != s->in.height))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: a row-only filter cannot change size or need a halo", f->name);
    if (tproc__filter_uses_map(f) &&
        (s->state || out->channels != s->in.channels || out->sample != s->in.sample))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "%s: a map filter keeps its input's format and has no state", f->name);
    return TPROC_OK;
}

int tproc_stage_prepare(tproc_ctx *ctx, const tproc_filter *filter, const tproc_params *params,
                        const tproc_format *in, tproc_stage *stage)
{
    if (!filter || !params || !in || !stage)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_stage_prepare: missing argument");
    memset(stage, 0, sizeof *stage);
    stage->filter = filter;
    stage->params = params;
    stage->in = *in;
    stage->out = *in;
    int status = filter->prepare ? filter->prepare(ctx, stage) : TPROC_OK;
    if (status) { /* prepare() freed what it allocated */
        stage->filter = NULL;
        stage->state = NULL;
        return status;
    }
    status = check_stage(ctx, stage);
    if (!status && tproc__filter_uses_map(filter))
        status = tproc__point_lut_prepare(ctx, stage);
    if (status) {
        tproc_stage_release(ctx, stage);
        return status;
    }
    /* Premultiplication only concerns process(): rows and maps see the stored samples. */
    stage->work = *in;
    if (stage->premultiply && filter->process && tproc__has_alpha(in->channels))
        stage->work.sample = TPROC_F32;
    return TPROC_OK;
}

int tproc__stage_analysed(tproc_ctx *ctx, tproc_stage *stage)
{
    int status = stage->filter->analyse_done(ctx, stage);
    if (!status)
        status = check_stage(ctx, stage);
    if (status) {
        tproc_stage_release(ctx, stage);
        return status;
    }
    stage->work = stage->in;
    if (stage->premultiply && stage->filter->process && tproc__has_alpha(stage->in.channels))
        stage->work.sample = TPROC_F32;
    return TPROC_OK;
}

void tproc_stage_release(tproc_ctx *ctx, tproc_stage *stage)
{
    if (!stage || !stage->filter)
        return;
    if (tproc__filter_uses_map(stage->filter))
        tproc__point_lut_release(ctx, stage);
    else if (stage->filter->release)
        stage->filter->release(ctx, stage);
    stage->state = NULL;
    stage->filter = NULL;
}

int tproc__stage_as_view(tproc_ctx *ctx, const tproc_filter *filter, const tproc_params *params,
                         const tproc_view *in, tproc_view *out)
{
    if (!filter->as_view)
        return TPROC_ERR_NOT_FOUND;
    tproc_format format = {in->width, in->height, in->channels, in->sample};
    tproc_stage stage;
    int status = tproc_stage_prepare(ctx, filter, params, &format, &stage);
    if (status)
        return status;
    tproc_view v;
    status = filter->as_view(&stage, in, &v);
    if (status == TPROC_ERR_NOT_FOUND) { /* not a view with these parameters: tile it */
        tproc_stage_release(ctx, &stage);
        return status;
    }
    if (!status && (v.width != stage.out.width || v.height != stage.out.height ||
                    v.channels != stage.out.channels || v.sample != stage.out.sample))
        status = TPROC_ERR_STATE; /* a view of another shape than prepare() promised */
    tproc_stage_release(ctx, &stage);
    if (status)
        return tproc__error(ctx, status, "%s: cannot apply as a view", filter->name);
    *out = v;
    return TPROC_OK;
}

int tproc__pipeline_shrink_input(tproc_pipeline *pipeline, const tproc_format *full,
                                 const tproc_format *smaller, size_t count, size_t *chosen,
                                 tproc_params *params)
{
    *chosen = count;
    if (tproc_pipeline_length(pipeline) == 0)
        return TPROC_OK;
    const tproc_params *first;
    const tproc_filter *f = tproc__pipeline_stage(pipeline, 0, &first);
    if (!f->shrink_input)
        return TPROC_OK;
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    tproc_stage stage;
    int status = tproc_stage_prepare(ctx, f, first, full, &stage);
    if (status)
        return status;
    for (size_t i = 0; i < count && *chosen == count; i++) {
        *params = *first;
        if (f->shrink_input(&stage, &smaller[i], params))
            *chosen = i;
    }
    tproc_stage_release(ctx, &stage);
    return TPROC_OK;
}
