/* SPDX-License-Identifier: MIT */
/*
 * pyramid_strips.c: the full-size level of a JPEG pyramid without a band. Every tile of the
 * current tile row keeps an open encoder (libjpeg takes rows as they come), and each strip of
 * rows the engine delivers is copied into one of two strip buffers and fed to those encoders
 * by the worker threads, column by column, while the calling thread goes back to decoding the
 * next strip. So decoding overlaps encoding instead of waiting for it, and the level that
 * would need the biggest band (a whole tile row of the full width) needs two strips and the
 * encoders' state instead. A tile is finished and handed to the output when its last row has
 * been fed; rows in the overlap go to the encoders of both tile rows. Only for codecs whose
 * open encoders are small (JPEG: a few MCU rows; a PNG encoder holds zlib's 256 KiB), and
 * layouts without padding or blank skipping (not google); the bytes are those of encoding
 * the tile from a band.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "pyramid_internal.h"
#include "view_internal.h"
#include "workers.h"

typedef struct tile_encoder {
    tproc__output out;
    tproc__encoding enc;
    int open;
    char path[TPROC__PYRAMID_NAME_MAX * 2];
} tile_encoder;

struct tproc__pyramid_strips {
    tproc_ctx *ctx;
    const tproc__pyramid_geom *g;
    tproc__pyramid_out *out;
    tproc_save_options save;
    ptrdiff_t across;
    tile_encoder *tiles; /* [2][across]: tile row r uses set r % 2 */
    unsigned char *slot[2];
    size_t stride;
    ptrdiff_t slot_rows;
    int next_slot;
    const int *cancel;
    /* the job: rows [job_y, job_y + job_rows) at job_data, fed by the pool column by column */
    tproc__workers *pool;
    tproc__batch batch;
    int pending; /* the job is submitted and not yet waited for */
    ptrdiff_t job_y, job_rows;
    const unsigned char *job_data;
};

static void tile_close(tproc__pyramid_strips *s, tile_encoder *t)
{
    if (t->open)
        tproc__encoding_close(&t->enc);
    tproc__dealloc(s->ctx, t->out.data);
    memset(&t->out, 0, sizeof t->out);
    t->open = 0;
}

/* Feeds rows [y0, y1) of the job to tile (col, row) of the full-size level. */
static int feed(tproc__pyramid_strips *s, ptrdiff_t col, ptrdiff_t row, ptrdiff_t y0, ptrdiff_t y1)
{
    const tproc__pyramid_geom *g = s->g;
    tproc__pyramid_tile t;
    tproc__pyramid_tile_at(g, 0, col, row, &t);
    tile_encoder *e = &s->tiles[(row % 2) * s->across + col];
    int status = TPROC_OK;
    if (y0 == t.y) {
        tile_close(s, e);
        if (tproc__pyramid_tile_path(g, &t, e->path, sizeof e->path))
            return tproc__error(s->ctx, TPROC_ERR_OVERFLOW, "pyramid: tile name too long");
        e->out = (tproc__output){e->path, s->ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
        tproc_format f = {t.width, t.height, g->channels, TPROC_U8};
        status = tproc__encoding_begin(s->ctx, &e->out, &f, &s->save, &e->enc);
        e->open = status == TPROC_OK;
    }
    if (!e->open)
        return status ? status : tproc__error(s->ctx, TPROC_ERR_STATE, "pyramid: tile not begun");
    tproc_view v;
    tproc__view_packed(&v,
                       (unsigned char *)s->job_data + (size_t)(y0 - s->job_y) * s->stride +
                           (size_t)t.x * (size_t)g->channels,
                       t.width, y1 - y0, g->channels, TPROC_U8);
    v.row_stride = (ptrdiff_t)s->stride;
    status = tproc__encoding_write(&e->enc, &v);
    if (!status && y1 == t.y + t.height) {
        status = tproc__encoding_finish(&e->enc);
        if (!status)
            status = tproc__pyramid_out_add(s->out, e->path, e->out.data, e->out.size);
        tile_close(s, e);
    }
    return status;
}

/* Every tile row of column col the job's rows belong to (two in the overlap). */
static int feed_column(tproc__pyramid_strips *s, ptrdiff_t col)
{
    const tproc__pyramid_geom *g = s->g;
    ptrdiff_t ts = g->o.tile_size, down = tproc__pyramid_tiles_down(g, 0);
    ptrdiff_t a = s->job_y, b = s->job_y + s->job_rows;
    ptrdiff_t first = a / ts > 0 ? a / ts - 1 : 0, last = (b - 1) / ts + 1;
    for (ptrdiff_t row = first; row <= last && row < down; row++) {
        ptrdiff_t y0, y1;
        tproc__pyramid_tile_rows(g, 0, row, &y0, &y1);
        ptrdiff_t from = a > y0 ? a : y0, to = b < y1 ? b : y1;
        if (from >= to)
            continue;
        int status = feed(s, col, row, from, to);
        if (status)
            return status;
    }
    return TPROC_OK;
}

/* batch.run: the job's rows into every tile of column col they belong to. */
static int feed_job_column(void *user, ptrdiff_t col, int worker)
{
    tproc__pyramid_strips *s = user;
    (void)worker;
    if (s->cancel && *(const volatile int *)s->cancel)
        return TPROC_ERR_CANCELLED;
    return feed_column(s, col);
}

/* Waits for (and helps with) the job in flight; its status. */
static int wait_job(tproc__pyramid_strips *s)
{
    if (!s->pending)
        return TPROC_OK;
    s->pending = 0;
    return tproc__workers_wait(s->pool, &s->batch);
}

int tproc__pyramid_strips_new(tproc_ctx *ctx, const tproc__pyramid_geom *g,
                              tproc__pyramid_out *out, const tproc_save_options *save, int threads,
                              ptrdiff_t strip_rows, const int *cancel,
                              tproc__pyramid_strips **result)
{
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc__pyramid_strips), "pyramid strips", &p);
    if (status)
        return status;
    tproc__pyramid_strips *s = p;
    s->ctx = ctx;
    s->g = g;
    s->out = out;
    s->cancel = cancel;
    s->across = tproc__pyramid_tiles_across(g, 0);
    s->slot_rows = strip_rows;
    s->batch.run = feed_job_column;
    s->batch.user = s;
    s->batch.count = s->across;
    size_t bytes = 0;
    status = tproc__save_options_resolve(ctx, g->name, save, &s->save);
    if (!status && (tproc__mul((size_t)g->width, (size_t)g->channels, &s->stride) ||
                    tproc__mul(s->stride, (size_t)strip_rows, &bytes)))
        status = tproc__error(ctx, TPROC_ERR_OVERFLOW, "pyramid: strip too large");
    for (int i = 0; i < 2 && !status; i++)
        status = tproc__alloc_uninit(ctx, bytes, "pyramid strip", (void **)&s->slot[i]);
    if (!status)
        status = tproc__alloc(ctx, 2 * (size_t)s->across * sizeof(tile_encoder),
                              "pyramid tile encoders", &p);
    if (!status)
        s->tiles = p;
    /* threads helpers besides the caller, which decodes and helps only while it waits; with
     * one thread none: the run stays on the calling thread, which feeds the encoders itself
     * when it waits for a strip, as every other part of a one-thread run does. */
    if (!status)
        status = tproc__workers_new(ctx, threads > 1 ? threads + 1 : 1, &s->pool);
    if (status) {
        tproc__pyramid_strips_free(s);
        return status;
    }
    *result = s;
    return TPROC_OK;
}

int tproc__pyramid_strips_write(tproc__pyramid_strips *s, ptrdiff_t y, const tproc_view *rows)
{
    if (rows->height > s->slot_rows)
        return tproc__error(s->ctx, TPROC_ERR_STATE, "pyramid: strip taller than planned");
    unsigned char *slot = s->slot[s->next_slot];
    for (ptrdiff_t r = 0; r < rows->height; r++)
        memcpy(slot + (size_t)r * s->stride, tproc_view_pixel(rows, 0, r), s->stride);
    s->next_slot ^= 1;
    /* The previous strip must be fed before this one: each tile takes its rows in order. */
    int status = wait_job(s);
    if (status)
        return status;
    s->job_y = y;
    s->job_rows = rows->height;
    s->job_data = slot;
    s->pending = 1;
    tproc__workers_submit(s->pool, &s->batch);
    return TPROC_OK;
}

int tproc__pyramid_strips_finish(tproc__pyramid_strips *s)
{
    return wait_job(s);
}

void tproc__pyramid_strips_free(tproc__pyramid_strips *s)
{
    if (!s)
        return;
    if (s->pending)
        tproc__workers_cancel(s->pool, &s->batch, TPROC_ERR_CANCELLED);
    tproc__workers_free(s->pool);
    if (s->tiles)
        for (ptrdiff_t i = 0; i < 2 * s->across; i++)
            tile_close(s, &s->tiles[i]);
    tproc__dealloc(s->ctx, s->tiles);
    tproc__dealloc(s->ctx, s->slot[0]);
    tproc__dealloc(s->ctx, s->slot[1]);
    tproc__dealloc(s->ctx, s);
}
