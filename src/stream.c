/* SPDX-License-Identifier: MIT */
/*
 * stream.c: running a pipeline from a source to a sink in bounded memory. The executor is the
 * same one in-memory runs use; only its band and strip callbacks differ. The band is a window
 * of source rows in one buffer: rows no strip needs any more are dropped from the top, new rows
 * are read at the bottom, and the kept rows are moved back to the start when the window would
 * run off the buffer's end (a few halo rows per strip), so the buffer never grows.
 *
 * Whether a chain streams is decided before any work: the planner's input rows for each strip
 * must never move upwards. When they do (flips, rotations), or the source cannot give rows one
 * at a time, the whole input is held in memory if that fits the limit; otherwise the run fails
 * at once, naming the reason, the size and the limit. A file that can be read in any order (a
 * tiled TIFF) is instead read in the order a chain starting with turns and flips needs
 * (stream_random.c), when the rest of the chain streams.
 */
#include <stdio.h>
#include <string.h>

#include "stream_random.h"
#include "write_behind.h"
#include "view_internal.h"

typedef struct band_state {
    tproc_source *source;
    tproc_image *whole; /* the whole input, when not streaming */
    unsigned char *buf; /* the window of rows, when streaming */
    ptrdiff_t stride, capacity;
    ptrdiff_t base;         /* the source row at buf's first row */
    ptrdiff_t have0, have1; /* rows [have0, have1) are in buf */
    tproc__write_behind *out; /* the strips of output rows, to the sink (write_behind.c) */
    int direct;               /* an empty chain: rows are decoded straight into the output strips */
    tproc__random_reader *random; /* reads a random-access source instead (stream_random.c) */
} band_state;

/* Reads source rows [have1, y1) into the window, discarding rows before y0 on the way; the
 * rows kept are complete once jobs are done (rows skipped are not handed to them). */
static int fill(band_state *b, ptrdiff_t y0, ptrdiff_t y1, tproc__row_jobs *jobs)
{
    tproc_source *src = b->source;
    if (y0 >= b->have1) { /* nothing kept: skip rows up to y0 through the buffer */
        while (b->have1 < y0) {
            ptrdiff_t n = y0 - b->have1 < b->capacity ? y0 - b->have1 : b->capacity;
            int status = tproc__source_read(src, b->buf, b->stride, n);
            if (status)
                return status;
            b->have1 += n;
        }
        b->base = b->have0 = b->have1 = y0;
    }
    if (y0 > b->have0)
        b->have0 = y0;
    if (y1 - b->base > b->capacity) { /* move the kept rows to the start */
        memmove(b->buf, b->buf + (b->have0 - b->base) * b->stride,
                (size_t)((b->have1 - b->have0) * b->stride));
        b->base = b->have0;
    }
    if (y1 > b->have1) {
        int status = tproc__source_read_jobs(src, b->buf + (b->have1 - b->base) * b->stride,
                                             b->stride, y1 - b->have1, jobs);
        if (status)
            return status;
        b->have1 = y1;
    }
    return TPROC_OK;
}

static int band_fn(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band)
{
    band_state *b = user;
    tproc_format f = b->source->format;
    if (b->random)
        return tproc__random_band(b->random, y0, y1, band);
    if (y1 <= y0) {
        /* The strip reads no source row (only constant border pixels): an empty band, whose
         * view the executor never reads. */
        memset(&band->view, 0, sizeof band->view);
        band->rows.x = band->rows.y = band->rows.height = 0;
        band->rows.width = f.width;
        return TPROC_OK;
    }
    if (b->whole) {
        band->view = tproc_image_view(b->whole);
        band->rows.y = 0;
        band->rows.height = f.height;
    } else if (b->source->kind == TPROC__SOURCE_VIEW) {
        tproc_view_sub(&b->source->view, 0, y0, f.width, y1 - y0, &band->view);
        band->rows.y = y0;
        band->rows.height = y1 - y0;
    } else if (b->direct) {
        /* Strips follow each other, one row of output for each row read: the executor's copy
         * from band to strip finds them the same pixels (tproc_view_copy does nothing). */
        if (y0 != b->have1)
            return tproc__error(b->source->ctx, TPROC_ERR_STATE,
                                "stream: rows %td-%td out of order", y0, y1);
        int status = tproc__write_behind_strip(b->out, y1 - y0, &band->view);
        if (!status)
            status = tproc__source_read_jobs(b->source, band->view.data, band->view.row_stride,
                                             y1 - y0, band->jobs);
        if (status)
            return status;
        b->have1 = y1;
        band->rows.y = y0;
        band->rows.height = y1 - y0;
    } else {
        int status = fill(b, y0, y1, band->jobs);
        if (status)
            return status;
        tproc__view_packed(&band->view, b->buf + (y0 - b->base) * b->stride, f.width, y1 - y0,
                           f.channels, f.sample);
        band->view.row_stride = b->stride;
        band->rows.y = y0;
        band->rows.height = y1 - y0;
    }
    band->rows.x = 0;
    band->rows.width = f.width;
    return TPROC_OK;
}

static int strip_fn(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc_view *out)
{
    band_state *b = user;
    return tproc__write_behind_strip(b->out, y1 - y0, out);
}

static int strip_done_fn(void *user, const tproc_view *rows, ptrdiff_t y0)
{
    band_state *b = user;
    return tproc__write_behind_done(b->out, rows, y0);
}

/* Scans the strips: do the source rows they need only move down? And the tallest band. */
static int rows_move_down(const tproc__plan *plan, ptrdiff_t *tallest)
{
    ptrdiff_t last0 = PTRDIFF_MIN, last1 = PTRDIFF_MIN;
    *tallest = 1;
    for (size_t strip = 0; strip < plan->tiles_down; strip++) {
        ptrdiff_t y0 = (ptrdiff_t)strip * plan->tile_height, sy0, sy1;
        ptrdiff_t y1 = y0 + plan->tile_height < plan->output.height ? y0 + plan->tile_height
                                                                    : plan->output.height;
        tproc__plan_source_rows(plan, y0, y1, &sy0, &sy1);
        if (sy1 <= sy0)
            continue;
        if (sy0 < last0 || sy1 < last1)
            return 0;
        last0 = sy0;
        last1 = sy1;
        if (sy1 - sy0 > *tallest)
            *tallest = sy1 - sy0;
    }
    return 1;
}

/*
 * Pre-passes (analyse.c) over a streamed source: a view is read in place; a file is decoded
 * once for the pass through a window of rows of its own and rewound, so a large file is read
 * twice instead of held (held for the pass only when the file or the chain before the
 * analysing stage needs it whole anyway). A callback source cannot be read twice: its rows
 * are held (within the memory limit) and the run reads them from memory.
 */
static int pass_begin(void *user, const tproc__plan *prefix, tproc__band_fn *band, void **band_user)
{
    band_state *b = user;
    tproc_source *src = b->source;
    tproc_ctx *ctx = src->ctx;
    *band = band_fn;
    *band_user = b;
    if (src->kind == TPROC__SOURCE_VIEW)
        return TPROC_OK;
    size_t bytes;
    ptrdiff_t tallest;
    if (src->kind == TPROC__SOURCE_CALLBACK || tproc__source_whole_reason(src, &bytes) ||
        prefix->needs_whole_image || !rows_move_down(prefix, &tallest))
        return tproc__source_load_whole(src, 0, &b->whole);
    const tproc_format *f = &src->format;
    size_t packed, aligned;
    tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned);
    b->stride = (ptrdiff_t)aligned;
    b->capacity = tallest + prefix->tile_height;
    if (tproc__mul(aligned, (size_t)b->capacity, &bytes))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "stream: band too large");
    return tproc__alloc_uninit(ctx, bytes, "stream pre-pass band", (void **)&b->buf);
}

static int pass_end(void *user, int status)
{
    band_state *b = user;
    tproc_source *src = b->source;
    if (!status && src->kind == TPROC__SOURCE_CALLBACK && b->whole) { /* read from memory now */
        tproc__source_hold(src, b->whole);
        b->whole = NULL;
    }
    tproc_image_free(&b->whole);
    tproc__dealloc(b->source->ctx, b->buf);
    memset(b, 0, sizeof *b);
    b->source = src;
    int rewound = tproc__source_rewind(src);
    return status ? status : rewound;
}

/* The first stage that makes the chain need the whole image, for the message. */
static const char *whole_stage(const tproc__plan *plan, char *buf, size_t size)
{
    for (size_t k = 0; k < plan->count; k++)
        if (plan->stages[k].stage.whole_image) {
            tproc_params_format(plan->stages[k].filter, &plan->stages[k].params, buf, size);
            return buf;
        }
    snprintf(buf, size, "this chain");
    return buf;
}

/*
 * Shrink-on-load: a JPEG decoder can decode at 1/2, 1/4 or 1/8 of the size for less work. If
 * the chain's first filter can give the same output from such a smaller decode (its
 * shrink_input hook: resize when it shrinks at least that much), reopen the decoder at the
 * smallest scale it accepts and plan that stage with the parameters it gave.
 */
static int maybe_shrink(tproc_pipeline *pipeline, tproc_source *source, tproc_params *first,
                        const tproc_params **override)
{
    static const int denominators[] = {8, 4, 2}; /* the smallest decode first */
    enum { SCALES = sizeof denominators / sizeof denominators[0] };
    *override = NULL;
    if (source->kind != TPROC__SOURCE_FILE || source->file_format != TPROC_FILE_JPEG ||
        source->orientation != 1)
        return TPROC_OK;
    tproc_format full = tproc__source_full_format(source), smaller[SCALES];
    for (size_t i = 0; i < SCALES; i++) {
        int d = denominators[i];
        smaller[i] = full; /* libjpeg's scaled size: ceil(size / d) */
        smaller[i].width = (full.width + d - 1) / d;
        smaller[i].height = (full.height + d - 1) / d;
    }
    size_t chosen;
    int status = tproc__pipeline_shrink_input(pipeline, &full, smaller, SCALES, &chosen, first);
    if (status || chosen == SCALES || !tproc__source_shrink(source, denominators[chosen]))
        return status;
    *override = first;
    return TPROC_OK;
}

extern const tproc_filter tproc__filter_crop;

/*
 * Region-on-load: a chain that starts with a crop of a file reads only that rectangle (see
 * tproc_source_set_region): the source is given the crop's rectangle and the crop stage is
 * planned as the identity on it (x = y = 0, same size; a view at the head of a chain, so no
 * pixels move). The output is the same bytes. A crop that reaches outside the image is left
 * to the crop stage's own error.
 */
static int maybe_region(tproc_pipeline *pipeline, tproc_source *source, tproc_params *first,
                        const tproc_params **override)
{
    *override = NULL;
    const tproc_params *params;
    if (source->kind != TPROC__SOURCE_FILE || source->next != 0 || source->region.width ||
        tproc_pipeline_length(pipeline) == 0 ||
        tproc__pipeline_stage(pipeline, 0, &params) != &tproc__filter_crop)
        return TPROC_OK;
    const tproc_filter *crop = &tproc__filter_crop;
    double x = tproc_params_get(crop, params, "x"), y = tproc_params_get(crop, params, "y");
    double w = tproc_params_get(crop, params, "width");
    double h = tproc_params_get(crop, params, "height");
    const tproc_format *f = &source->format;
    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > (double)f->width || y + h > (double)f->height)
        return TPROC_OK;
    if (w == (double)f->width && h == (double)f->height)
        return TPROC_OK; /* the whole image: nothing to save */
    int status = tproc_source_set_region(source, (ptrdiff_t)x, (ptrdiff_t)y, (ptrdiff_t)w,
                                         (ptrdiff_t)h);
    if (status)
        return status;
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    *first = *params;
    if ((status = tproc_params_set(ctx, crop, first, "x", 0)) ||
        (status = tproc_params_set(ctx, crop, first, "y", 0)))
        return status;
    *override = first;
    return TPROC_OK;
}

/* A run's options: the caller's or the defaults. Streaming works one strip at a time, so by
 * default the width is split between the threads. */
static void run_options_of(tproc_ctx *ctx, const tproc_source *source,
                           const tproc_run_options *run_options,
                           const tproc_stream_options *stream_options, tproc_run_options *ro,
                           tproc_stream_options *so)
{
    tproc_stream_options none = {0};
    *so = stream_options ? *stream_options : none;
    if (run_options)
        *ro = *run_options;
    else
        tproc_run_options_init(ro);
    if (ro->tile_width == 0) {
        ptrdiff_t threads = tproc__run_threads(ctx, ro);
        ro->tile_width = (source->format.width + threads - 1) / threads;
        if (ro->tile_width > TPROC_MAX_DEFAULT_TILE_WIDTH)
            ro->tile_width = TPROC_MAX_DEFAULT_TILE_WIDTH;
    }
}

/*
 * Whether what a run holds besides its band fits the limit: the whole input when it does not
 * stream (why says why; NULL when the caller asked to hold it), and the output of an image
 * sink (output bytes, 0 for other sinks).
 */
static int check_held(tproc_ctx *ctx, const char *why, int holds, const tproc_format *in_format,
                      size_t whole, size_t output)
{
    size_t limit = tproc_ctx_memory_limit(ctx), in_use = tproc_ctx_memory_in_use(ctx);
    size_t left = in_use < limit ? limit - in_use : 0, total;
    if (!holds)
        whole = 0;
    if (tproc__add(whole, output, &total))
        total = SIZE_MAX;
    if (total <= left)
        return TPROC_OK;
    char in[32], out[32], lim[32];
    tproc__format_bytes(whole, in, sizeof in);
    tproc__format_bytes(output, out, sizeof out);
    tproc__format_bytes(limit, lim, sizeof lim);
    const char *name = tproc__limit_name(ctx);
    if (holds && whole > left && why)
        return tproc__error(ctx, TPROC_ERR_LIMIT, "%s needs the whole image (%s) but %s is %s", why,
                            in, name, lim);
    if (holds && whole > left) {
        /* Held on request: in the words of the image allocation it stands for. */
        char what[128];
        snprintf(what, sizeof what, "a %tdx%td %d-channel %s image", in_format->width,
                 in_format->height, in_format->channels, tproc_sample_name(in_format->sample));
        return tproc__check_limit(ctx, whole, what);
    }
    if (!holds)
        return tproc__error(ctx, TPROC_ERR_LIMIT, "the output image (%s) is over %s of %s", out,
                            name, lim);
    if (why)
        return tproc__error(ctx, TPROC_ERR_LIMIT,
                            "%s needs the whole image (%s), which with the output image (%s) is "
                            "over %s of %s",
                            why, in, out, name, lim);
    return tproc__error(ctx, TPROC_ERR_LIMIT,
                        "the whole image (%s) and the output image (%s) are over %s of %s", in, out,
                        name, lim);
}

/*
 * A chain that needs the whole image read top to bottom may not from a random-access source
 * (stream_random.c): when its head turns or flips the image and the rest streams, *plan
 * becomes the plan of the rest, *head says how the head is read and *tallest is the rest's
 * tallest band. Otherwise *plan and *head (zeroed) are left.
 */
static int random_access(tproc_pipeline *pipeline, tproc_source *source,
                         const tproc_params *override, const tproc_run_options *ro,
                         tproc__plan *plan, tproc__random_head *head, ptrdiff_t *tallest)
{
    tproc__random_head found;
    int applies = tproc__random_head_find(pipeline, source, &found);
    if (applies <= 0)
        return -applies;
    tproc__plan rest;
    ptrdiff_t rest_tallest;
    /* With no leading turn (the file's orientation only), the first stage keeps the parameters
     * a region read gave it (a crop moved into the source starts at 0, 0). */
    int status = tproc__pipeline_plan(pipeline, found.stages, found.stages == 0 ? override : NULL,
                                      found.format, ro, &rest);
    if (status)
        return status;
    int pre_pass = 0; /* reads the source as band_state does, not in this order */
    for (size_t k = 0; k < rest.count; k++)
        pre_pass |= rest.stages[k].stage.analyse;
    if (pre_pass || rest.needs_whole_image || !rows_move_down(&rest, &rest_tallest)) {
        tproc__plan_release(&rest); /* a later stage needs the whole image anyway */
        return TPROC_OK;
    }
    tproc__plan_release(plan);
    *plan = rest;
    *head = found;
    *tallest = rest_tallest;
    return TPROC_OK;
}

/* Whether the window and read of a random-access run, its strip of output rows, and the
 * output an image sink holds fit the limit. */
static int check_random_band(tproc_ctx *ctx, tproc_source *source, const tproc__random_head *head,
                             const tproc__plan *plan, ptrdiff_t tallest, size_t output)
{
    const tproc_format *f = &plan->output;
    size_t band = tproc__random_reader_bytes(source, head, tallest), total, packed, strip;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &strip) ||
        tproc__mul(strip, (size_t)plan->tile_height, &strip) || tproc__add(band, strip, &band))
        band = SIZE_MAX;
    size_t limit = tproc_ctx_memory_limit(ctx), in_use = tproc_ctx_memory_in_use(ctx);
    if (tproc__add(band, output, &total))
        total = SIZE_MAX;
    if (total <= (in_use < limit ? limit - in_use : 0))
        return TPROC_OK;
    char need[32], out[32], lim[32];
    tproc__format_bytes(band, need, sizeof need);
    tproc__format_bytes(output, out, sizeof out);
    tproc__format_bytes(limit, lim, sizeof lim);
    return tproc__error(ctx, TPROC_ERR_LIMIT,
                        "reading the tiles in the order the chain needs takes a band of %s "
                        "(with an output image of %s), over %s of %s",
                        need, out, tproc__limit_name(ctx), lim);
}

/*
 * Plans the run (shrinking the source first when asked) and decides whether it streams:
 * *streams is 0 when the chain or the source needs the whole input, or so->whole_input asks
 * for it. Then checks what the run will hold against the limit (sink may be NULL).
 */
static int plan_stream(tproc_pipeline *pipeline, tproc_source *source, const tproc_sink *sink,
                       const tproc_run_options *ro, const tproc_stream_options *so,
                       tproc__plan *plan, int *streams, size_t *whole_bytes, ptrdiff_t *tallest,
                       int analyse, tproc__random_head *head)
{
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    tproc_params first;
    const tproc_params *override = NULL;
    int status = TPROC_OK;
    if (so->whole_input && so->no_fallback)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "stream: whole_input and no_fallback contradict each other");
    if (!so->no_region && (status = maybe_region(pipeline, source, &first, &override)))
        return status;
    if (!override && so->shrink_on_load &&
        (status = maybe_shrink(pipeline, source, &first, &override)))
        return status;
    /* Pre-passes (trim) read the source once each and rewind it; planning only does not. */
    band_state pass = {0};
    pass.source = source;
    tproc__analyser analyser = {pass_begin, pass_end, &pass};
    if ((status = tproc__pipeline_plan_analysed(pipeline, 0, override, source->format, ro,
                                                analyse ? &analyser : NULL, plan)))
        return status;
    size_t src_bytes;
    const char *why = tproc__source_whole_reason(source, &src_bytes);
    char stage[256];
    if (!why && (plan->needs_whole_image || !rows_move_down(plan, tallest)))
        why = whole_stage(plan, stage, sizeof stage);
    memset(head, 0, sizeof *head);
    if (why && !so->whole_input && (status = random_access(pipeline, source, override, ro, plan,
                                                           head, tallest)) == TPROC_OK &&
        head->orientation)
        why = NULL;
    if (status) {
        tproc__plan_release(plan);
        return status;
    }
    *streams = why == NULL && !so->whole_input;
    size_t packed, aligned;
    const tproc_format *f = &source->format;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)f->height, whole_bytes))
        *whole_bytes = SIZE_MAX;
    if (src_bytes > *whole_bytes)
        *whole_bytes = src_bytes;
    if (why && so->no_fallback) {
        char need[32];
        tproc__format_bytes(*whole_bytes, need, sizeof need);
        status = tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                              "%s needs the whole image (%s) and cannot stream", why, need);
    } else {
        size_t output = sink ? tproc__sink_whole_bytes(sink, &plan->output) : 0;
        status = check_held(ctx, why, !*streams, f, *whole_bytes, output);
        if (!status && head->orientation)
            status = check_random_band(ctx, source, head, plan, *tallest, output);
    }
    if (status)
        tproc__plan_release(plan);
    return status;
}

/* Errors about the input as a whole (its size against the limit, the band it needs) are
 * about the file, as every other error about it is; errors about a file already are kept. */
static int name_source(const tproc_source *source, int status)
{
    if (status == TPROC_OK || source->kind != TPROC__SOURCE_FILE || !source->path)
        return status;
    return tproc__error_about_file(source->ctx, status, source->path);
}

int tproc_pipeline_stream_plan(tproc_pipeline *pipeline, tproc_source *source,
                               const tproc_run_options *run_options,
                               const tproc_stream_options *stream_options, int *streams,
                               size_t *bytes)
{
    if (!pipeline || !source || !streams || !bytes)
        return tproc__error(NULL, TPROC_ERR_ARG, "stream plan: missing argument");
    tproc_run_options ro;
    tproc_stream_options so;
    run_options_of(tproc__pipeline_ctx(pipeline), source, run_options, stream_options, &ro, &so);
    /* Planning must leave the source as it was: a shrunk decode changes sizes, not whether
     * the chain streams, so plan at full size, and without reading a region. */
    so.shrink_on_load = 0;
    so.no_region = 1;
    tproc__plan plan;
    ptrdiff_t tallest;
    tproc__random_head head;
    int status =
        plan_stream(pipeline, source, NULL, &ro, &so, &plan, streams, bytes, &tallest, 0, &head);
    if (!status)
        tproc__plan_release(&plan);
    return name_source(source, status);
}

int tproc_pipeline_stream(tproc_pipeline *pipeline, tproc_source *source, tproc_sink *sink,
                          const tproc_run_options *run_options,
                          const tproc_stream_options *stream_options)
{
    if (!pipeline || !source || !sink)
        return tproc__error(NULL, TPROC_ERR_ARG, "stream: missing pipeline, source or sink");
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    if (source->next != 0)
        return tproc__error(ctx, TPROC_ERR_STATE, "stream: the source was already read from");
    tproc_run_options ro;
    tproc_stream_options so;
    run_options_of(ctx, source, run_options, stream_options, &ro, &so);

    tproc__plan plan;
    int streams;
    size_t whole_bytes;
    ptrdiff_t tallest = 1;
    tproc__random_head head;
    int status = plan_stream(pipeline, source, sink, &ro, &so, &plan, &streams, &whole_bytes,
                             &tallest, 1, &head);
    if (status) {
        tproc__sink_abort(sink);
        return name_source(source, status);
    }
    band_state b = {0};
    b.source = source;
    tproc__random_reader reader = {0};
    const tproc_format *in = &source->format;
    /* The sink first: an output its format refuses (a WebP past 16383 pixels) fails before
     * any decoding. */
    int threads = tproc__run_threads(ctx, &ro);
    status = tproc__sink_begin(sink, &plan.output, threads);
    if (status) {
    } else if (!streams) {
        status = tproc__source_load_whole(source, 0, &b.whole);
    } else if (head.orientation) {
        status = tproc__random_reader_open(source, &head, tallest, &reader);
        b.random = &reader;
    } else if (source->kind != TPROC__SOURCE_VIEW && plan.count == 0) {
        b.direct = 1; /* no band: rows go straight into the output strips */
    } else if (source->kind != TPROC__SOURCE_VIEW) {
        size_t packed, aligned, bytes;
        tproc__row_bytes(in->width, in->channels, in->sample, &packed, &aligned);
        b.stride = (ptrdiff_t)aligned;
        /* The tallest band plus a quarter strip of slack: the rows kept for the next strip's
         * halo move back to the start at most once a strip (a few rows: 1.1 MB a strip for a
         * blur of a 30000-pixel-wide RGB image), and a strip's worth of slack would be 5.5 MB
         * more held for the whole run. */
        b.capacity = tallest + (plan.tile_height + 3) / 4;
        if (tproc__mul(aligned, (size_t)b.capacity, &bytes))
            status = tproc__error(ctx, TPROC_ERR_OVERFLOW, "stream: band too large");
        else
            status = tproc__alloc_uninit(ctx, bytes, "stream input band", (void **)&b.buf);
    }
    if (!status)
        status =
            tproc__write_behind_open(ctx, sink, &plan.output, plan.tile_height, threads, &b.out);
    if (!status) {
        tproc__exec_io io = {band_fn, strip_fn, strip_done_fn, &b, 0};
        status = tproc__execute(&plan, &ro, &io);
    }
    if (b.out) { /* every strip written (or dropped, after a failure) before the sink ends */
        int written = status ? TPROC_OK : tproc__write_behind_finish(b.out);
        tproc__write_behind_free(b.out);
        status = status ? status : written;
    }
    if (!status)
        status = tproc__sink_finish(sink);
    else
        tproc__sink_abort(sink);
    tproc__random_reader_close(&reader);
    tproc_image_free(&b.whole);
    tproc__dealloc(ctx, b.buf);
    tproc__plan_release(&plan);
    /* Running out of memory is about the input's size: say which input. */
    if (status == TPROC_ERR_LIMIT || status == TPROC_ERR_NOMEM || status == TPROC_ERR_OVERFLOW)
        status = name_source(source, status);
    return status;
}
