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
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "pyramid_internal.h"
#include "view_internal.h"

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
    /* the job: rows [job_y, job_y + job_rows) at job_data, fed by the workers */
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    pthread_t *threads;
    int thread_count, quit, busy, active;
    unsigned generation;
    ptrdiff_t job_y, job_rows;
    const unsigned char *job_data;
    atomic_ptrdiff_t next_col;
    atomic_int status;
};

static void fail(tproc__pyramid_strips *s, int status)
{
    int ok = TPROC_OK;
    atomic_compare_exchange_strong(&s->status, &ok, status);
}

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

static void *worker(void *arg)
{
    tproc__pyramid_strips *s = arg;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->quit && s->generation == seen)
            pthread_cond_wait(&s->go, &s->lock);
        if (s->quit) {
            pthread_mutex_unlock(&s->lock);
            return NULL;
        }
        seen = s->generation;
        pthread_mutex_unlock(&s->lock);
        for (;;) {
            ptrdiff_t col = atomic_fetch_add(&s->next_col, 1);
            if (col >= s->across)
                break;
            if (atomic_load(&s->status) != TPROC_OK)
                continue;
            if (s->cancel && *(const volatile int *)s->cancel) {
                fail(s, TPROC_ERR_CANCELLED);
                continue;
            }
            int status = feed_column(s, col);
            if (status)
                fail(s, status);
        }
        pthread_mutex_lock(&s->lock);
        if (--s->active == 0) {
            s->busy = 0;
            pthread_cond_broadcast(&s->done);
        }
        pthread_mutex_unlock(&s->lock);
    }
}

static void wait_idle(tproc__pyramid_strips *s)
{
    pthread_mutex_lock(&s->lock);
    while (s->busy)
        pthread_cond_wait(&s->done, &s->lock);
    pthread_mutex_unlock(&s->lock);
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
    atomic_init(&s->status, TPROC_OK);
    atomic_init(&s->next_col, 0);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->go, NULL);
    pthread_cond_init(&s->done, NULL);
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
    if (!status)
        status = tproc__alloc(ctx, (size_t)threads * sizeof(pthread_t), "pyramid threads", &p);
    if (!status) {
        s->threads = p;
        for (int i = 0; i < threads; i++, s->thread_count++)
            if (pthread_create(&s->threads[i], NULL, worker, s) != 0)
                break;
        if (s->thread_count == 0)
            status = tproc__error(ctx, TPROC_ERR_NOMEM, "pyramid: cannot start a thread");
    }
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
    wait_idle(s);
    int status = atomic_load(&s->status);
    if (status)
        return status;
    pthread_mutex_lock(&s->lock);
    s->job_y = y;
    s->job_rows = rows->height;
    s->job_data = slot;
    atomic_store(&s->next_col, 0);
    s->active = s->thread_count;
    s->busy = 1;
    s->generation++;
    pthread_cond_broadcast(&s->go);
    pthread_mutex_unlock(&s->lock);
    return TPROC_OK;
}

int tproc__pyramid_strips_finish(tproc__pyramid_strips *s)
{
    wait_idle(s);
    return atomic_load(&s->status);
}

void tproc__pyramid_strips_free(tproc__pyramid_strips *s)
{
    if (!s)
        return;
    wait_idle(s);
    pthread_mutex_lock(&s->lock);
    s->quit = 1;
    pthread_cond_broadcast(&s->go);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->thread_count; i++)
        pthread_join(s->threads[i], NULL);
    if (s->tiles)
        for (ptrdiff_t i = 0; i < 2 * s->across; i++)
            tile_close(s, &s->tiles[i]);
    tproc__dealloc(s->ctx, s->tiles);
    tproc__dealloc(s->ctx, s->threads);
    tproc__dealloc(s->ctx, s->slot[0]);
    tproc__dealloc(s->ctx, s->slot[1]);
    pthread_cond_destroy(&s->go);
    pthread_cond_destroy(&s->done);
    pthread_mutex_destroy(&s->lock);
    tproc__dealloc(s->ctx, s);
}
