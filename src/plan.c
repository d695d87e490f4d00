/* SPDX-License-Identifier: MIT */
/*
 * plan.c: the planner. For an output tile it walks the chain backwards: the tile's rectangle in
 * the last stage's output asks that stage for an input rectangle (grown by the halo, or mapped
 * by a geometry filter), which may reach past the input image's edges. Through the border rule
 * those outside pixels map back inside the image, so the part of the previous stage that must
 * really be computed is the hull of the mapped rectangle, clipped to its image: exactly what
 * the whole-image chain computes there. The next stage then reads its halo through the border
 * rule applied to that stage's output, which is what keeps tiled output byte-identical to
 * the whole-image result. Computing every stage on the grown area instead would not be.
 */
#include "engine.h"

static int rect_empty(tproc_rect r)
{
    return r.width <= 0 || r.height <= 0;
}

/*
 * The hull [*lo, *hi) of the indices that positions [a, b) of an axis of n samples read under
 * the border rule; empty (lo >= hi) when every position is outside and the rule is constant.
 */
static void map_span(ptrdiff_t a, ptrdiff_t b, ptrdiff_t n, tproc_border border, ptrdiff_t *lo,
                     ptrdiff_t *hi)
{
    ptrdiff_t l = PTRDIFF_MAX, h = PTRDIFF_MIN;
    ptrdiff_t i0 = a > 0 ? a : 0, i1 = b < n ? b : n;
    if (i0 < i1) {
        l = i0;
        h = i1;
    }
    /* Only the overhang needs the rule; for wide halos it touches at most every index once
     * per period, so stop as soon as the hull is the whole axis. */
    for (ptrdiff_t i = a; i < b && i < 0 && !(l == 0 && h == n); i++) {
        ptrdiff_t m = tproc_border_index(i, n, border);
        if (m >= 0) {
            l = m < l ? m : l;
            h = m + 1 > h ? m + 1 : h;
        }
    }
    for (ptrdiff_t i = a > n ? a : n; i < b && !(l == 0 && h == n); i++) {
        ptrdiff_t m = tproc_border_index(i, n, border);
        if (m >= 0) {
            l = m < l ? m : l;
            h = m + 1 > h ? m + 1 : h;
        }
    }
    if (l >= h) {
        *lo = 0;
        *hi = 0;
    } else {
        *lo = l;
        *hi = h;
    }
}

void tproc__plan_rects(const tproc__plan *plan, tproc_rect tile, tproc__tile_rects *rects)
{
    rects->have[plan->count] = tile;
    for (size_t k = plan->count; k-- > 0;) {
        const tproc__stage_run *st = &plan->stages[k];
        tproc_rect out = rects->have[k + 1], need;
        if (rect_empty(out)) {
            tproc_rect none = {0, 0, 0, 0};
            rects->need[k] = none;
            rects->have[k] = none;
            continue;
        }
        if (st->stage.geometry) {
            need = st->filter->map_rect(&st->stage, out);
        } else {
            const tproc_halo *h = &st->stage.halo;
            need.x = out.x - h->left;
            need.y = out.y - h->top;
            need.width = out.width + h->left + h->right;
            need.height = out.height + h->top + h->bottom;
        }
        rects->need[k] = need;
        ptrdiff_t x0, x1, y0, y1;
        map_span(need.x, need.x + need.width, st->stage.in.width, plan->border, &x0, &x1);
        map_span(need.y, need.y + need.height, st->stage.in.height, plan->border, &y0, &y1);
        tproc_rect have = {x0, y0, x1 - x0, y1 - y0};
        if (rect_empty(have)) {
            have.width = 0;
            have.height = 0;
        }
        rects->have[k] = have;
    }
}

tproc_rect tproc__plan_tile(const tproc__plan *plan, size_t index)
{
    tproc_rect r;
    r.x = (ptrdiff_t)(index % plan->tiles_across) * plan->tile_width;
    r.y = (ptrdiff_t)(index / plan->tiles_across) * plan->tile_height;
    r.width =
        plan->output.width - r.x < plan->tile_width ? plan->output.width - r.x : plan->tile_width;
    r.height = plan->output.height - r.y < plan->tile_height ? plan->output.height - r.y
                                                             : plan->tile_height;
    return r;
}

void tproc__plan_source_rows(const tproc__plan *plan, ptrdiff_t out_y0, ptrdiff_t out_y1,
                             ptrdiff_t *y0, ptrdiff_t *y1)
{
    ptrdiff_t lo = PTRDIFF_MAX, hi = PTRDIFF_MIN;
    size_t first = (size_t)(out_y0 / plan->tile_height) * plan->tiles_across;
    size_t end = ((size_t)((out_y1 - 1) / plan->tile_height) + 1) * plan->tiles_across;
    tproc__tile_rects rects;
    for (size_t i = first; i < end; i++) {
        tproc__plan_rects(plan, tproc__plan_tile(plan, i), &rects);
        tproc_rect h = rects.have[0];
        if (h.width > 0 && h.height > 0) {
            lo = h.y < lo ? h.y : lo;
            hi = h.y + h.height > hi ? h.y + h.height : hi;
        }
    }
    *y0 = lo <= hi ? lo : 0;
    *y1 = lo <= hi ? hi : 0;
}

static size_t pixel_bytes(const tproc_format *f)
{
    return (size_t)f->channels * tproc_sample_size(f->sample);
}

/* bytes = w * h * pixel, or SIZE_MAX on overflow (which then fails the limit check). */
static size_t area_bytes(tproc_rect r, size_t pixel)
{
    size_t n;
    if (r.width <= 0 || r.height <= 0)
        return 0;
    if (tproc__mul((size_t)r.width, (size_t)r.height, &n) || tproc__mul(n, pixel, &n))
        return SIZE_MAX;
    return n;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

int tproc__check_pixels(tproc_ctx *ctx, const char *what, const tproc_format *f)
{
    uint64_t limit = tproc_ctx_pixel_limit(ctx);
    double pixels = (double)f->width * (double)f->height;
    if (pixels > (double)limit)
        return tproc__error(ctx, TPROC_ERR_LIMIT,
                            "%s: a %tdx%td image (%.0f pixels) is over the pixel limit of %.0f",
                            what, f->width, f->height, pixels, (double)limit);
    return TPROC_OK;
}

int tproc__plan_build(tproc_ctx *ctx, tproc__plan *plan, const tproc_filter *const *filters,
                      const tproc_params *params, size_t count, tproc_format source,
                      const tproc_run_options *options)
{
    return tproc__plan_build_analysed(ctx, plan, filters, params, count, source, options, NULL);
}

int tproc__plan_build_analysed(tproc_ctx *ctx, tproc__plan *plan,
                               const tproc_filter *const *filters, const tproc_params *params,
                               size_t count, tproc_format source, const tproc_run_options *options,
                               const tproc__analyser *analyser)
{
    memset(plan, 0, sizeof *plan);
    plan->ctx = tproc__ctx(ctx);
    if (count > TPROC__MAX_STAGES)
        return tproc__error(ctx, TPROC_ERR_ARG, "a pipeline takes at most %d stages",
                            TPROC__MAX_STAGES);
    if (options->tile_width < 0 || options->tile_height < 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "tile size must be positive, got %tdx%td",
                            options->tile_width, options->tile_height);
    if ((unsigned)options->border > TPROC_BORDER_WRAP)
        return tproc__error(ctx, TPROC_ERR_ARG, "unknown border rule %d", (int)options->border);
    plan->border = options->border;
    memcpy(plan->border_value, options->border_value, sizeof plan->border_value);
    plan->source = source;
    int status = tproc__check_pixels(ctx, "input", &source);
    if (status)
        return status;
    if (count) {
        void *p;
        if ((status = tproc__alloc(ctx, count * sizeof(tproc__stage_run), "pipeline stages", &p)))
            return status;
        plan->stages = p;
    }
    tproc_format fmt = source;
    for (size_t k = 0; k < count; k++) {
        tproc__stage_run *st = &plan->stages[k];
        st->filter = filters[k];
        st->params = params[k];
        /* On failure tproc_stage_prepare holds nothing: release the stages before it. */
        if ((status = tproc_stage_prepare(ctx, st->filter, &st->params, &fmt, &st->stage))) {
            tproc__plan_release(plan);
            return status;
        }
        /* A pre-pass: the stages before this one run over the whole input first. */
        if (analyser && st->filter->analyse_rows && st->stage.analyse &&
            (status = tproc__stage_analyse(ctx, filters, params, k, source, options, analyser,
                                           &st->stage))) {
            tproc__plan_release(plan);
            return status;
        }
        plan->count = k + 1;
        const tproc_stage *s = &st->stage;
        st->premultiply = s->premultiply && st->filter->process && tproc__has_alpha(fmt.channels);
        plan->needs_whole_image |= s->whole_image;
        fmt = s->out;
    }
    plan->output = fmt;

    /* Whole rows by default, but not wider than TPROC_MAX_DEFAULT_TILE_WIDTH, so that a cancel
     * (read between tiles) is never far away. */
    ptrdiff_t tw = options->tile_width                        ? options->tile_width
                   : fmt.width < TPROC_MAX_DEFAULT_TILE_WIDTH ? fmt.width
                                                              : TPROC_MAX_DEFAULT_TILE_WIDTH;
    ptrdiff_t th = options->tile_height ? options->tile_height : TPROC_DEFAULT_TILE_HEIGHT;
    plan->tile_width = tw < fmt.width ? tw : fmt.width;
    plan->tile_height = th < fmt.height ? th : fmt.height;
    plan->tiles_across = (size_t)((fmt.width + plan->tile_width - 1) / plan->tile_width);
    plan->tiles_down = (size_t)((fmt.height + plan->tile_height - 1) / plan->tile_height);

    /* Size every worker buffer for the largest tile. Without geometry stages each stage's
     * rectangles are products of an x span that depends on the tile's column alone and a y span
     * that depends on its row alone, so walking the first row and the first column of tiles
     * finds the widest and the tallest span of every stage; their product bounds every tile.
     * A geometry stage may map a tile to a rectangle that depends on both (a rotation by 30
     * degrees: tiles inside the image need more input than those at its corners), so then every
     * tile is walked. The executor still checks each tile against these sizes. */
    ptrdiff_t need_w[TPROC__MAX_STAGES] = {0}, need_h[TPROC__MAX_STAGES] = {0};
    ptrdiff_t have_w[TPROC__MAX_STAGES] = {0}, have_h[TPROC__MAX_STAGES] = {0};
    tproc__tile_rects rects;
    int every_tile = 0;
    for (size_t k = 0; k < count; k++)
        every_tile |= plan->stages[k].stage.geometry;
    size_t walk = every_tile ? plan->tiles_across * plan->tiles_down
                             : plan->tiles_across + plan->tiles_down - 1;
    for (size_t j = 0; j < walk; j++) {
        size_t i = every_tile || j < plan->tiles_across
                       ? j
                       : (j - plan->tiles_across + 1) * plan->tiles_across;
        tproc__plan_rects(plan, tproc__plan_tile(plan, i), &rects);
        for (size_t k = 0; k < count; k++) {
            tproc_rect need = rects.need[k], out = rects.have[k + 1];
            need_w[k] = need.width > need_w[k] ? need.width : need_w[k];
            need_h[k] = need.height > need_h[k] ? need.height : need_h[k];
            have_w[k] = out.width > have_w[k] ? out.width : have_w[k];
            have_h[k] = out.height > have_h[k] ? out.height : have_h[k];
        }
    }
    for (size_t k = 0; k < count; k++) {
        tproc__stage_run *st = &plan->stages[k];
        tproc_rect need = {0, 0, need_w[k], need_h[k]}, out = {0, 0, have_w[k], have_h[k]};
        size_t in_px = pixel_bytes(&st->stage.in), out_px = pixel_bytes(&st->stage.out);
        st->max_need = need;
        st->max_have = out;
        plan->input_bytes = max_size(plan->input_bytes, area_bytes(need, in_px));
        if (k + 1 < count)
            plan->region_bytes = max_size(plan->region_bytes, area_bytes(out, out_px));
        if (st->premultiply) {
            size_t f32 = 4u * (size_t)st->stage.in.channels;
            plan->premul_bytes = max_size(plan->premul_bytes, area_bytes(need, f32));
            plan->premul_bytes = max_size(plan->premul_bytes, area_bytes(out, f32));
        }
        if (st->filter->scratch_size && need.width > 0 && out.width > 0)
            plan->scratch_bytes =
                max_size(plan->scratch_bytes, st->filter->scratch_size(&st->stage, need, out));
        if (!st->filter->process) {
            tproc_rect in_row = {0, 0, need.width, 1}, out_row = {0, 0, out.width, 1};
            plan->row_bytes = max_size(plan->row_bytes, area_bytes(in_row, in_px));
            plan->row_bytes = max_size(plan->row_bytes, area_bytes(out_row, out_px));
        }
    }
    return TPROC_OK;
}

void tproc__plan_release(tproc__plan *plan)
{
    for (size_t k = 0; k < plan->count; k++)
        tproc_stage_release(plan->ctx, &plan->stages[k].stage);
    tproc__dealloc(plan->ctx, plan->stages);
    plan->stages = NULL;
    plan->count = 0;
}
