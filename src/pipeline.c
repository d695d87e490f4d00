/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c: the public pipeline API. A pipeline is a list of (filter, parameters); each run
 * plans it for the input's format, turns the view transforms at the head of the chain (crop,
 * flip, rotate: filters with as_view) into views of the input (no copy), and hands the rest to
 * the executor with the whole input as the source band and the output image as the sink.
 */
#include "engine.h"
#include "view_internal.h"

typedef struct item {
    const tproc_filter *filter;
    tproc_params params;
} item;

struct tproc_pipeline {
    tproc_ctx *ctx;
    item *items;
    size_t count, capacity;
};

int tproc_pipeline_new(tproc_ctx *ctx, tproc_pipeline **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_pipeline_new: no output pointer");
    *out = NULL;
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc_pipeline), "pipeline", &p);
    if (status)
        return status;
    tproc_pipeline *pipeline = p;
    pipeline->ctx = tproc__ctx(ctx);
    *out = pipeline;
    return TPROC_OK;
}

void tproc_pipeline_free(tproc_pipeline **ppipeline)
{
    if (!ppipeline || !*ppipeline)
        return;
    tproc_pipeline *pipeline = *ppipeline;
    *ppipeline = NULL;
    tproc__dealloc(pipeline->ctx, pipeline->items);
    tproc__dealloc(pipeline->ctx, pipeline);
}

size_t tproc_pipeline_length(const tproc_pipeline *pipeline)
{
    return pipeline ? pipeline->count : 0;
}

tproc_ctx *tproc__pipeline_ctx(const tproc_pipeline *pipeline)
{
    return pipeline->ctx;
}

const tproc_filter *tproc__pipeline_stage(const tproc_pipeline *pipeline, size_t k,
                                          const tproc_params **params)
{
    *params = &pipeline->items[k].params;
    return pipeline->items[k].filter;
}

int tproc_pipeline_add_filter(tproc_pipeline *pipeline, const tproc_filter *filter,
                              const tproc_params *params)
{
    if (!pipeline || !filter)
        return tproc__error(pipeline ? pipeline->ctx : NULL, TPROC_ERR_ARG,
                            "tproc_pipeline_add_filter: missing argument");
    tproc_ctx *ctx = pipeline->ctx;
    tproc_params defaults;
    if (!params) {
        tproc_params_init(filter, &defaults);
        params = &defaults;
    }
    int status = tproc_params_check(ctx, filter, params);
    if (status)
        return status;
    if (pipeline->count == TPROC__MAX_STAGES)
        return tproc__error(ctx, TPROC_ERR_ARG, "a pipeline takes at most %d stages",
                            TPROC__MAX_STAGES);
    if (pipeline->count == pipeline->capacity) {
        size_t cap = pipeline->capacity ? pipeline->capacity * 2 : 4;
        void *p;
        if ((status = tproc__alloc(ctx, cap * sizeof(item), "pipeline stages", &p)))
            return status;
        if (pipeline->count)
            memcpy(p, pipeline->items, pipeline->count * sizeof(item));
        tproc__dealloc(ctx, pipeline->items);
        pipeline->items = p;
        pipeline->capacity = cap;
    }
    pipeline->items[pipeline->count].filter = filter;
    pipeline->items[pipeline->count].params = *params;
    pipeline->count++;
    return TPROC_OK;
}

int tproc_pipeline_add(tproc_pipeline *pipeline, const char *spec)
{
    if (!pipeline)
        return tproc__error(NULL, TPROC_ERR_ARG, "tproc_pipeline_add: no pipeline");
    const tproc_filter *filter;
    tproc_params params;
    int status = tproc_params_parse(pipeline->ctx, spec, &filter, &params);
    if (status)
        return status;
    return tproc_pipeline_add_filter(pipeline, filter, &params);
}

void tproc_run_options_init(tproc_run_options *options)
{
    memset(options, 0, sizeof *options);
    options->border = TPROC_BORDER_REFLECT_101;
}

/*
 * Applies the stages at the head of the chain that are view transforms of their input (the
 * filters with as_view: crop, flip, rotate) to the view; returns how many were absorbed. Their
 * parameters are checked by the same prepare() the tiled path uses.
 */
static int absorb_head(tproc_pipeline *pipeline, tproc_view *view, size_t *absorbed)
{
    *absorbed = 0;
    for (size_t k = 0; k < pipeline->count; k++) {
        const item *it = &pipeline->items[k];
        int status = tproc__stage_as_view(pipeline->ctx, it->filter, &it->params, view, view);
        if (status == TPROC_ERR_NOT_FOUND)
            break;
        if (status)
            return status;
        (*absorbed)++;
    }
    return TPROC_OK;
}

static tproc_format format_of(const tproc_view *v)
{
    tproc_format f = {v->width, v->height, v->channels, v->sample};
    return f;
}

/* Plans stages [first, count) of the pipeline for a source of the given format. */
static int plan_from(tproc_pipeline *pipeline, size_t first, tproc_format source,
                     const tproc_run_options *options, tproc__plan *plan)
{
    return tproc__pipeline_plan(pipeline, first, NULL, source, options, plan);
}

int tproc__pipeline_plan(tproc_pipeline *pipeline, size_t first, const tproc_params *first_params,
                         tproc_format source, const tproc_run_options *options, tproc__plan *plan)
{
    return tproc__pipeline_plan_analysed(pipeline, first, first_params, source, options, NULL,
                                         plan);
}

int tproc__pipeline_plan_analysed(tproc_pipeline *pipeline, size_t first,
                                  const tproc_params *first_params, tproc_format source,
                                  const tproc_run_options *options, const tproc__analyser *analyser,
                                  tproc__plan *plan)
{
    const tproc_filter *filters[TPROC__MAX_STAGES];
    tproc_params *params = NULL;
    size_t count = pipeline->count - first;
    int status;
    if (count) {
        /* The parameters live in the items; the planner takes them as one array. */
        void *p;
        if ((status = tproc__alloc_uninit(pipeline->ctx, count * sizeof(tproc_params),
                                          "pipeline parameters", &p)))
            return status;
        params = p;
    }
    for (size_t k = 0; k < count; k++) {
        filters[k] = pipeline->items[first + k].filter;
        params[k] = pipeline->items[first + k].params;
    }
    if (count && first_params)
        params[0] = *first_params;
    status = tproc__plan_build_analysed(pipeline->ctx, plan, filters, params, count, source,
                                        options, analyser);
    tproc__dealloc(pipeline->ctx, params);
    return status;
}

/* Absorbs the geometric head into the view, then plans the rest. */
static int build(tproc_pipeline *pipeline, const tproc_view *in, const tproc_run_options *options,
                 tproc__plan *plan, tproc_view *source)
{
    *source = *in;
    size_t absorbed;
    int status = absorb_head(pipeline, source, &absorbed);
    if (status)
        return status;
    /* Pre-passes (trim) read the absorbed view, as the run does. */
    tproc__analyser analyser = tproc__view_analyser(source);
    return tproc__pipeline_plan_analysed(pipeline, absorbed, NULL, format_of(source), options,
                                         &analyser, plan);
}

int tproc_pipeline_output_format(tproc_pipeline *pipeline, const tproc_format *in,
                                 tproc_format *out)
{
    if (!pipeline || !in || !out)
        return tproc__error(pipeline ? pipeline->ctx : NULL, TPROC_ERR_ARG,
                            "tproc_pipeline_output_format: missing argument");
    /* Without pixels the head is planned as ordinary stages, which gives the same format. */
    tproc_run_options options;
    tproc_run_options_init(&options);
    tproc__plan plan;
    int status = plan_from(pipeline, 0, *in, &options, &plan);
    if (status)
        return status;
    *out = plan.output;
    tproc__plan_release(&plan);
    return TPROC_OK;
}

/* In-memory I/O for the executor: the whole input is the band; strips are sub-views. */
typedef struct memory_io {
    tproc_view source;
    tproc_view out;
} memory_io;

static int memory_band(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band)
{
    memory_io *m = user;
    (void)y0;
    (void)y1;
    band->view = m->source;
    band->rows.x = 0;
    band->rows.y = 0;
    band->rows.width = m->source.width;
    band->rows.height = m->source.height;
    return TPROC_OK;
}

static int memory_strip(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc_view *out)
{
    memory_io *m = user;
    return tproc_view_sub(&m->out, 0, y0, m->out.width, y1 - y0, out);
}

/* Checks the arguments every run shares and fills in default options. */
static int check_run(tproc_pipeline *pipeline, const tproc_view *in,
                     const tproc_run_options **options, tproc_run_options *defaults)
{
    if (!pipeline)
        return tproc__error(NULL, TPROC_ERR_ARG, "run: no pipeline");
    if (!in || tproc_view_validate(in))
        return tproc__error(pipeline->ctx, TPROC_ERR_ARG, "run: invalid input view");
    if (!*options) {
        tproc_run_options_init(defaults);
        *options = defaults;
    }
    return TPROC_OK;
}

static int execute_into(tproc__plan *plan, const tproc_view *source, const tproc_view *out,
                        const tproc_run_options *options)
{
    memory_io m = {*source, *out};
    tproc__exec_io io = {memory_band, memory_strip, NULL, &m, 1};
    return tproc__execute(plan, options, &io);
}

int tproc_pipeline_run_into(tproc_pipeline *pipeline, const tproc_view *in, const tproc_view *out,
                            const tproc_run_options *options)
{
    tproc_run_options defaults;
    int status = check_run(pipeline, in, &options, &defaults);
    if (status)
        return status;
    tproc_ctx *ctx = pipeline->ctx;
    if (!out || tproc_view_validate(out))
        return tproc__error(ctx, TPROC_ERR_ARG, "run: invalid output view");
    if (out->flags & TPROC_VIEW_READONLY)
        return tproc__error(ctx, TPROC_ERR_READONLY, "run: the output view is read-only");
    if (tproc__views_overlap(in, out))
        return tproc__error(ctx, TPROC_ERR_ARG, "run: the output view overlaps the input");
    tproc__plan plan;
    tproc_view source;
    if ((status = build(pipeline, in, options, &plan, &source)))
        return status;
    tproc_format want = format_of(out), got = plan.output;
    if (want.width != got.width || want.height != got.height || want.channels != got.channels ||
        want.sample != got.sample)
        status =
            tproc__error(ctx, TPROC_ERR_ARG,
                         "run: the output view is %tdx%td, %d %s channels; the pipeline "
                         "makes %tdx%td, %d %s channels",
                         want.width, want.height, want.channels, tproc_sample_name(want.sample),
                         got.width, got.height, got.channels, tproc_sample_name(got.sample));
    else
        status = execute_into(&plan, &source, out, options);
    tproc__plan_release(&plan);
    return status;
}

int tproc_pipeline_run(tproc_pipeline *pipeline, const tproc_view *in,
                       const tproc_run_options *options, tproc_image **out)
{
    if (!out)
        return tproc__error(pipeline ? pipeline->ctx : NULL, TPROC_ERR_ARG,
                            "run: no output pointer");
    *out = NULL;
    tproc_run_options defaults;
    int status = check_run(pipeline, in, &options, &defaults);
    if (status)
        return status;
    tproc__plan plan;
    tproc_view source;
    if ((status = build(pipeline, in, options, &plan, &source)))
        return status;
    tproc_format f = plan.output;
    tproc_image *image = NULL;
    status = tproc_image_new(pipeline->ctx, f.width, f.height, f.channels, f.sample, &image);
    if (!status) {
        tproc_view v = tproc_image_view(image);
        status = execute_into(&plan, &source, &v, options);
    }
    tproc__plan_release(&plan);
    if (status) {
        tproc_image_free(&image);
        return status;
    }
    *out = image;
    return TPROC_OK;
}
