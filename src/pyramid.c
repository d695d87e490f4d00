/* SPDX-License-Identifier: MIT */
/*
 * pyramid.c: a tile pyramid from streamed rows, in one pass. The pipeline streams its output
 * into a callback sink; each row goes into the full-size level's band, and every second row
 * (with the row before it) is box-reduced 2x2 into a row of the level below, which takes it
 * the same way, so all levels fill at once. A level's band holds one tile row plus the
 * overlap; when its last row has arrived, the row of tiles is cut straight from the band by
 * the worker threads (pyramid_pool.c), each with its own tile writer from the codec table
 * (tproc__tile_writer), and handed to the output. A level with two bands goes on taking rows
 * into the other, starting with the overlap rows the next tile row shares, while the workers
 * encode; with one it waits for them and keeps the overlap rows. With JPEG tiles the
 * full-size level has no band: its tiles are encoded by streaming encoders as strips arrive,
 * in the background (pyramid_strips.c), and the other levels have one band each; with other
 * tiles every level has two (one on a single thread, where the pool has no workers). Memory
 * is the bands (about twice the full-size band over all levels with one band each, four
 * times with two; once without the full-size one), a tile per thread in flight, and the
 * engine's own band: it grows with width x tile size, never with height.
 *
 * The reduction is (a + b + c + d + 2) >> 2 on 8-bit samples, an odd level's last column or
 * row averaged with itself (edge copy), as vips dzsave's mean shrink does; with alpha, the
 * colour is the alpha-weighted mean (vips premultiplies), rounded to nearest.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "engine.h"
#include "pyramid_internal.h"
#include "reduce.h"
#include "view_internal.h"

typedef struct level {
    ptrdiff_t width, height;
    size_t stride;         /* bytes in a row */
    /* capacity rows each: level rows [base, have) are in band[cur]. With two bands, a tile
     * row is encoded from one while rows arrive in the other (job[k] reads band[k]). */
    unsigned char *band[2];
    tproc__pyramid_job job[2];
    int cur, bands;
    ptrdiff_t capacity, base, have;
    ptrdiff_t next_tile_row;
    unsigned char *pending; /* an even row waiting for its pair (the level below's input) */
    int has_pending;
    unsigned char *reduced; /* a row of the level below */
} level;

typedef struct pyramid {
    tproc_ctx *ctx;
    tproc__pyramid_geom g;
    tproc__pyramid_out *out;
    tproc_save_options save;
    level lv[TPROC__PYRAMID_MAX_LEVELS];
    int threads;
    tproc__pyramid_pool *pool;
    tproc__tile_writer *tiles; /* a tile encoder per thread */
    int tiles_open;
    unsigned char **pad; /* a whole tile per thread, for google's padded edge tiles */
    size_t pad_bytes;
    unsigned char bg[4]; /* the background as samples */
    tproc_image *convert; /* input rows converted to 8-bit, when they are not */
    const int *cancel;
    /* The full-size level through streaming encoders (pyramid_strips.c), when it has no band */
    tproc__pyramid_strips *strips;
    int stream_level0;
} pyramid;

/* --- tiles ---------------------------------------------------------------------------------- */

/* Whether every sample of the tile is within skip_blanks of the background. */
static int is_blank(const pyramid *p, const tproc_view *v)
{
    int t = p->g.o.skip_blanks, ch = v->channels;
    for (ptrdiff_t y = 0; y < v->height; y++) {
        const unsigned char *s = v->data + y * v->row_stride;
        for (ptrdiff_t i = 0; i < v->width * ch; i++) {
            int d = (int)s[i] - (int)p->bg[i % ch];
            if (d > t || d < -t)
                return 0;
        }
    }
    return 1;
}

static int encode_and_add(pyramid *p, const tproc_view *v, const char *path)
{
    /* One thread: tiles are already encoded on all of them. */
    tproc__output out = {path, tproc__ctx(p->ctx), NULL, NULL, 0, 0, TPROC_OK, 1};
    int status = tproc__encode_view(p->ctx, v, &out, &p->save);
    if (!status)
        status = tproc__pyramid_out_add(p->out, path, out.data, out.size);
    tproc__dealloc(p->ctx, out.data);
    return status;
}

/* Encodes tile col of the job's tile row on worker `worker`, with its encoder and pad buffer
 * (the pool's encode function). */
static int write_tile(void *user, const tproc__pyramid_job *job, ptrdiff_t col, int worker)
{
    pyramid *p = user;
    level *L = &p->lv[job->level];
    tproc__pyramid_tile t;
    tproc__pyramid_tile_at(&p->g, job->level, col, job->row, &t);
    int ch = p->g.channels;
    tproc_view v;
    tproc__view_packed(
        &v, (unsigned char *)job->band + (size_t)(t.y - job->base) * L->stride + (size_t)(t.x * ch),
        t.width, t.height, ch, TPROC_U8);
    v.row_stride = (ptrdiff_t)L->stride;
    if (t.out_width != t.width || t.out_height != t.height) {
        tproc_view padded;
        tproc__view_packed(&padded, p->pad[worker], t.out_width, t.out_height, ch, TPROC_U8);
        double bg[4] = {p->bg[0], p->bg[1], p->bg[2], p->bg[3]};
        tproc_view_fill(&padded, bg);
        for (ptrdiff_t y = 0; y < t.height; y++)
            memcpy(padded.data + y * padded.row_stride, v.data + y * v.row_stride,
                   (size_t)(t.width * ch));
        v = padded;
    }
    if (p->g.o.skip_blanks >= 0 && is_blank(p, &v))
        return TPROC_OK;
    char path[TPROC__PYRAMID_NAME_MAX * 2];
    if (tproc__pyramid_tile_path(&p->g, &t, path, sizeof path))
        return tproc__error(p->ctx, TPROC_ERR_OVERFLOW, "pyramid: tile name too long");
    const void *data;
    size_t size;
    int status = tproc__tile_writer_encode(&p->tiles[worker], &v, &data, &size);
    return status ? status : tproc__pyramid_out_add(p->out, path, data, size);
}

/* --- levels --------------------------------------------------------------------------------- */

static int level_push(pyramid *p, int index, const unsigned char *row);

/*
 * Hands every tile row whose rows are in to the workers and keeps the rows later tile rows
 * share. With one band the level waits for its tile row's tiles before moving those rows up;
 * with two it copies them into the other band (once that one's tile row is done) and goes on,
 * while the workers encode.
 */
static int level_flush(pyramid *p, int index)
{
    level *L = &p->lv[index];
    ptrdiff_t down = tproc__pyramid_tiles_down(&p->g, index);
    while (L->next_tile_row < down) {
        ptrdiff_t y0, y1;
        tproc__pyramid_tile_rows(&p->g, index, L->next_tile_row, &y0, &y1);
        if (L->have < y1)
            break;
        tproc__pyramid_job *job = &L->job[L->cur];
        *job = (tproc__pyramid_job){.level = index,
                                    .row = L->next_tile_row,
                                    .count = tproc__pyramid_tiles_across(&p->g, index),
                                    .band = L->band[L->cur],
                                    .base = L->base};
        int status = tproc__pyramid_pool_submit(p->pool, job);
        if (!status && L->bands == 1)
            status = tproc__pyramid_pool_wait(p->pool, job);
        if (status)
            return status;
        L->next_tile_row++;
        if (L->next_tile_row == down)
            break;
        tproc__pyramid_tile_rows(&p->g, index, L->next_tile_row, &y0, &y1);
        int to = L->bands == 2 ? !L->cur : L->cur;
        if (to != L->cur && (status = tproc__pyramid_pool_wait(p->pool, &L->job[to])))
            return status;
        if (y0 > L->base || to != L->cur) {
            memmove(L->band[to], L->band[L->cur] + (size_t)(y0 - L->base) * L->stride,
                    (size_t)(L->have - y0) * L->stride);
            L->base = y0;
            L->cur = to;
        }
    }
    return TPROC_OK;
}

static int level_push(pyramid *p, int index, const unsigned char *row)
{
    level *L = &p->lv[index];
    int banded = !(index == 0 && p->stream_level0);
    if (L->have >= L->height || (banded && L->have - L->base >= L->capacity))
        return tproc__error(p->ctx, TPROC_ERR_STATE, "pyramid: level %d overfull", index);
    if (banded)
        memcpy(L->band[L->cur] + (size_t)(L->have - L->base) * L->stride, row, L->stride);
    L->have++;
    int status = TPROC_OK, ch = p->g.channels;
    if (index + 1 < p->g.levels) {
        if (!L->has_pending) {
            memcpy(L->pending, row, L->stride);
            L->has_pending = 1;
        } else {
            tproc__reduce_2x2_u8(L->pending, row, L->reduced, L->width, ch);
            L->has_pending = 0;
            status = level_push(p, index + 1, L->reduced);
        }
    }
    if (!status && banded)
        status = level_flush(p, index);
    if (!status && L->have == L->height && L->has_pending) { /* an odd last row */
        tproc__reduce_2x2_u8(L->pending, L->pending, L->reduced, L->width, ch);
        L->has_pending = 0;
        status = level_push(p, index + 1, L->reduced);
    }
    return status;
}

/* The sink: rows of the pipeline's output, 8-bit or converted to it. */
static int take_rows(void *user, ptrdiff_t y, const tproc_view *rows)
{
    pyramid *p = user;
    const tproc_view *v = rows;
    tproc_view part;
    if (rows->sample != TPROC_U8) {
        if (!p->convert || tproc_image_height(p->convert) < rows->height) {
            tproc_image_free(&p->convert);
            int status = tproc_image_new(p->ctx, rows->width, rows->height, rows->channels,
                                         TPROC_U8, &p->convert);
            if (status)
                return status;
        }
        tproc_view all = tproc_image_view(p->convert);
        tproc_view_sub(&all, 0, 0, rows->width, rows->height, &part);
        int status = tproc_view_copy(p->ctx, rows, &part);
        if (status)
            return status;
        v = &part;
    }
    if (p->strips) {
        int status = tproc__pyramid_strips_write(p->strips, y, v);
        if (status)
            return status;
    }
    for (ptrdiff_t r = 0; r < v->height; r++) {
        int status = level_push(p, 0, tproc_view_pixel(v, 0, r));
        if (status)
            return status;
    }
    return TPROC_OK;
}

/* --- a run ---------------------------------------------------------------------------------- */

static int alloc_bytes(pyramid *p, size_t n, const char *what, unsigned char **out)
{
    void *q = NULL;
    int status = tproc__alloc_uninit(p->ctx, n ? n : 1, what, &q);
    *out = q;
    return status;
}

/* Every buffer the levels and the tile writers need, before any work. */
static int pyramid_alloc(pyramid *p)
{
    const tproc__pyramid_geom *g = &p->g;
    int ts = g->o.tile_size, ov = g->o.overlap, status = TPROC_OK;
    for (int i = 0; i < g->levels && !status; i++) {
        level *L = &p->lv[i];
        L->width = g->level_width[i];
        L->height = g->level_height[i];
        L->capacity = ts + 2 * ov;
        if (L->capacity > L->height)
            L->capacity = L->height;
        size_t band;
        if (tproc__mul((size_t)L->width, (size_t)g->channels, &L->stride) ||
            tproc__mul(L->stride, (size_t)L->capacity, &band))
            return tproc__error(p->ctx, TPROC_ERR_OVERFLOW, "pyramid: level too large");
        /* Two bands when workers can encode one while rows arrive in the other. */
        L->bands = i == 0 && p->stream_level0 ? 0 : p->stream_level0 || p->threads == 1 ? 1 : 2;
        for (int k = 0; k < L->bands && !status; k++)
            status = alloc_bytes(p, band, "pyramid level band", &L->band[k]);
        if (!status && i + 1 < g->levels) {
            status = alloc_bytes(p, L->stride, "pyramid level row", &L->pending);
            if (!status)
                status = alloc_bytes(p, (size_t)g->level_width[i + 1] * (size_t)g->channels,
                                     "pyramid level row", &L->reduced);
        }
    }
    void *q = NULL;
    if (!status)
        status = tproc__alloc(p->ctx, (size_t)p->threads * sizeof(tproc__tile_writer),
                              "pyramid tile encoders", &q);
    p->tiles = q;
    for (int t = 0; t < p->threads && !status; t++, p->tiles_open++)
        status = tproc__tile_writer_begin(p->ctx, g->name, &p->save, g->channels, &p->tiles[t]);
    size_t side = (size_t)ts + 2 * (size_t)ov;
    if (!status && g->o.layout == TPROC_PYRAMID_GOOGLE) {
        p->pad_bytes = side * side * (size_t)g->channels;
        status = tproc__alloc(p->ctx, (size_t)p->threads * sizeof(unsigned char *),
                              "pyramid tile buffers", &q);
        p->pad = q;
        for (int t = 0; t < p->threads && !status; t++)
            status = alloc_bytes(p, p->pad_bytes, "pyramid tile buffer", &p->pad[t]);
    }
    return status;
}

static void pyramid_release(pyramid *p)
{
    for (int i = 0; i < p->g.levels; i++) {
        tproc__dealloc(p->ctx, p->lv[i].band[0]);
        tproc__dealloc(p->ctx, p->lv[i].band[1]);
        tproc__dealloc(p->ctx, p->lv[i].pending);
        tproc__dealloc(p->ctx, p->lv[i].reduced);
    }
    if (p->pad)
        for (int t = 0; t < p->threads; t++)
            tproc__dealloc(p->ctx, p->pad[t]);
    tproc__dealloc(p->ctx, p->pad);
    for (int t = 0; t < p->tiles_open; t++)
        tproc__tile_writer_end(&p->tiles[t]);
    tproc__dealloc(p->ctx, p->tiles);
    tproc_image_free(&p->convert);
}

/* Google's blank tile: the background, a whole tile. */
static int write_blank(pyramid *p)
{
    tproc_image *blank = NULL;
    int ts = p->g.o.tile_size;
    int status = tproc_image_new(p->ctx, ts, ts, p->g.channels, TPROC_U8, &blank);
    if (!status) {
        tproc_view v = tproc_image_view(blank);
        double bg[4] = {p->bg[0], p->bg[1], p->bg[2], p->bg[3]};
        tproc_view_fill(&v, bg);
        char path[TPROC__PYRAMID_NAME_MAX * 2];
        tproc__pyramid_blank_path(&p->g, path, sizeof path);
        status = encode_and_add(p, &v, path);
    }
    tproc_image_free(&blank);
    return status;
}

static int write_text(pyramid *p, int (*make)(tproc_ctx *, const tproc__pyramid_geom *,
                                              tproc__pyramid_file *))
{
    tproc__pyramid_file f;
    int status = make(p->ctx, &p->g, &f);
    if (!status && f.text)
        status = tproc__pyramid_out_add(p->out, f.path, f.text, strlen(f.text));
    free(f.text);
    return status;
}

static int run(pyramid *p, tproc_pipeline *pipeline, tproc_source *source,
               const tproc_run_options *run_options, const tproc_stream_options *stream_options)
{
    int status = TPROC_OK;
    if (p->g.o.layout == TPROC_PYRAMID_GOOGLE)
        status = write_blank(p);
    if (!status)
        status = tproc__pyramid_pool_new(p->ctx, p->threads, write_tile, p, p->cancel, &p->pool);
    if (!status && p->stream_level0)
        status = tproc__pyramid_strips_new(p->ctx, &p->g, p->out, &p->save, p->threads,
                                           run_options->tile_height, p->cancel, &p->strips);
    tproc_sink *sink = NULL;
    if (!status)
        status = tproc_sink_new_callback(p->ctx, take_rows, p, &sink);
    if (!status)
        status = tproc_pipeline_stream(pipeline, source, sink, run_options, stream_options);
    tproc_sink_free(&sink);
    if (p->strips) { /* every full-size tile is out once the last strip is fed */
        int level0 = tproc__pyramid_strips_finish(p->strips);
        if (!status)
            status = level0;
        if (!status)
            p->lv[0].next_tile_row = tproc__pyramid_tiles_down(&p->g, 0);
        tproc__pyramid_strips_free(p->strips);
        p->strips = NULL;
    }
    for (int i = 0; p->pool && i < p->g.levels; i++) /* the bands are freed after this */
        for (int k = 0; k < 2; k++) {
            int done = tproc__pyramid_pool_wait(p->pool, &p->lv[i].job[k]);
            if (!status)
                status = done;
        }
    tproc__pyramid_pool_free(p->pool);
    p->pool = NULL;
    for (int i = 0; !status && i < p->g.levels; i++)
        if (p->lv[i].next_tile_row != tproc__pyramid_tiles_down(&p->g, i))
            status = tproc__error(p->ctx, TPROC_ERR_STATE, "pyramid: level %d incomplete", i);
    if (!status)
        status = write_text(p, tproc__pyramid_metadata);
    if (!status && p->g.o.viewer_script)
        status = write_text(p, tproc__pyramid_viewer);
    return status;
}

int tproc_pipeline_pyramid(tproc_pipeline *pipeline, tproc_source *source, const char *output,
                           const tproc_pyramid_options *options,
                           const tproc_run_options *run_options,
                           const tproc_stream_options *stream_options)
{
    if (!pipeline || !source || !output)
        return tproc__error(NULL, TPROC_ERR_ARG, "pyramid: missing pipeline, source or output");
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    tproc_pyramid_options o;
    int status = tproc__pyramid_resolve(ctx, output, options, &o);
    tproc_format in = tproc_source_format(source), f;
    if (!status)
        status = tproc_pipeline_output_format(pipeline, &in, &f);
    if (status)
        return status;
    void *mem;
    if ((status = tproc__alloc(ctx, sizeof(pyramid), "pyramid", &mem)))
        return status;
    pyramid *p = mem;
    p->ctx = ctx;
    p->threads = tproc__run_threads(ctx, run_options);
    if (p->threads > 64)
        p->threads = 64;
    p->cancel = run_options ? run_options->cancel : NULL;
    status = tproc__pyramid_geom_init(ctx, output, &o, f.width, f.height, f.channels, &p->g);
    for (int c = 0; c < 4; c++) {
        double v = o.background[c] < 0 ? 0 : o.background[c] > 255 ? 255 : o.background[c];
        p->bg[c] = (unsigned char)(v + 0.5);
    }
    tproc_save_options_init(&p->save);
    p->save.format = o.suffix;
    p->save.quality = o.quality;
    p->save.effort = o.effort;
    /* Every tile carries the profile the source does under its colour policy: none when it
     * converts to sRGB, the output profile, or the file's under keep (the encoders leave out
     * one whose colour space the chain's output does not have). The source outlives the run. */
    p->save.icc = tproc_source_icc(source, &p->save.icc_size);
    /* JPEG encoders are small enough to keep one open per tile of a row: the full-size level
     * then needs no band, and its encoding overlaps decoding (pyramid_strips.c). Google pads
     * and skips tiles, which the band path does. */
    p->stream_level0 = o.suffix == TPROC_FILE_JPEG && o.layout != TPROC_PYRAMID_GOOGLE;
    /* Whether the chain can run on this source within the limit, before any output exists. */
    int streams;
    size_t whole;
    if (!status)
        status = tproc_pipeline_stream_plan(pipeline, source, run_options, stream_options,
                                            &streams, &whole);
    if (!status)
        status = pyramid_alloc(p);
    if (!status)
        status = tproc__pyramid_out_open(ctx, &p->g, &p->out);
    /* The engine's strips are the pyramid's input: 16 rows at a time rather than 64 keep its
     * band and strip small beside the levels' bands (the output is the same bytes). */
    tproc_run_options ro;
    if (run_options)
        ro = *run_options;
    else
        tproc_run_options_init(&ro);
    if (ro.tile_height == 0)
        ro.tile_height = 16;
    if (!status) {
        status = run(p, pipeline, source, &ro, stream_options);
        status = tproc__pyramid_out_close(p->out, status);
    }
    pyramid_release(p);
    tproc__dealloc(ctx, p);
    return status;
}
