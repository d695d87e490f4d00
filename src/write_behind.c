/* SPDX-License-Identifier: MIT */
/*
 * write_behind.c: a streamed run's strips written to its sink, behind the executor when the
 * sink encodes a file (see write_behind.h).
 *
 * Two strip buffers take turns: the executor fills one while the writer thread hands the other
 * to the sink. The executor only waits when it is a whole strip ahead of the writer, so the
 * run holds one strip more than a run that writes as it goes, and no more. The first strip is
 * written as it comes and the second buffer is taken only then (the executor's buffers and the
 * encoder's first allocations are counted by that time), and only if the limit has room for it
 * and as much again for what the run may still allocate: near the limit a run writes as it goes
 * rather than risk failing. An error the sink records on the writer thread is recorded again on
 * the caller's when it is reported: the default context keeps its message per thread.
 */
#include <pthread.h>
#include <string.h>

#include "write_behind.h"

struct tproc__write_behind {
    tproc_ctx *ctx;
    tproc_sink *sink;
    tproc_image *strip[2];
    int may_go_behind; /* a file sink and more than one thread */
    int behind;        /* a writer thread writes the strips; else done() writes them */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    /* Under lock. */
    int queued[2]; /* strip i is waiting for the writer or being written */
    tproc_view rows[2];
    ptrdiff_t y0[2];
    int fill, write; /* the buffer the executor fills next, the one the writer takes next */
    int stop;        /* finish: write what is queued, then end; free: end now */
    int drop;
    int status;             /* the first failed write */
    tproc__error_note note; /* its record, taken on the writer thread */
    int reported;
};

/* The first failure, recorded in the caller's thread's view of the context once. */
static int report(tproc__write_behind *wb, int status)
{
    if (status && !wb->reported) {
        wb->reported = 1;
        if (wb->note.status == status)
            tproc__error_note_give(wb->ctx, &wb->note);
        else /* the encoder failed without a word */
            tproc__error(wb->ctx, status, "%s", tproc_strerror(status));
    }
    return status;
}

static void *writer_main(void *arg)
{
    tproc__write_behind *wb = arg;
    pthread_mutex_lock(&wb->lock);
    for (;;) {
        while (!wb->queued[wb->write] && !wb->stop)
            pthread_cond_wait(&wb->changed, &wb->lock);
        if (!wb->queued[wb->write] || wb->drop)
            break;
        int i = wb->write, failed = wb->status;
        tproc_view rows = wb->rows[i];
        ptrdiff_t y0 = wb->y0[i];
        pthread_mutex_unlock(&wb->lock);
        int status = failed ? TPROC_OK : tproc__sink_write(wb->sink, y0, &rows);
        pthread_mutex_lock(&wb->lock);
        if (status && !wb->status) {
            wb->status = status;
            tproc__error_note_take(wb->ctx, &wb->note); /* this thread's, for the default context */
        }
        wb->queued[i] = 0;
        wb->write = !i;
        pthread_cond_broadcast(&wb->changed);
    }
    pthread_mutex_unlock(&wb->lock);
    return NULL;
}

/* Whether a second strip fits under the memory limit now with as much again to spare (for
 * what the run may still allocate: compressed tiles vary), checked without an error when it
 * does not: the run then writes as it goes, as it would have anyway. */
static int room_for_second_strip(const tproc__write_behind *wb)
{
    tproc_view first = tproc_image_view(wb->strip[0]);
    size_t bytes, twice;
    if (tproc__mul((size_t)first.row_stride, (size_t)first.height, &bytes) ||
        tproc__add(bytes, bytes, &twice))
        return 0;
    size_t limit = tproc_ctx_memory_limit(wb->ctx), in_use = tproc_ctx_memory_in_use(wb->ctx);
    return in_use < limit && twice <= limit - in_use;
}

/* Starts the writer thread with a second strip, buffer 1 filled next and written first;
 * quietly stays as it is when there is no room or no thread. */
static void go_behind(tproc__write_behind *wb)
{
    tproc_view v = tproc_image_view(wb->strip[0]);
    if (!room_for_second_strip(wb) ||
        tproc_image_new(wb->ctx, v.width, v.height, v.channels, v.sample, &wb->strip[1]))
        return;
    pthread_mutex_init(&wb->lock, NULL);
    pthread_cond_init(&wb->changed, NULL);
    wb->fill = wb->write = 1;
    if (pthread_create(&wb->thread, NULL, writer_main, wb) != 0) {
        pthread_cond_destroy(&wb->changed);
        pthread_mutex_destroy(&wb->lock);
        tproc_image_free(&wb->strip[1]);
        wb->fill = wb->write = 0;
        return;
    }
    wb->behind = 1;
}

int tproc__write_behind_open(tproc_ctx *ctx, tproc_sink *sink, const tproc_format *f,
                             ptrdiff_t strip_rows, int threads, tproc__write_behind **out)
{
    void *mem;
    *out = NULL;
    int status = tproc__alloc(ctx, sizeof(tproc__write_behind), "stream writer", &mem);
    if (status)
        return status;
    tproc__write_behind *wb = mem;
    memset(wb, 0, sizeof *wb);
    wb->ctx = ctx;
    wb->sink = sink;
    *out = wb;
    wb->may_go_behind = threads > 1 && tproc__sink_writes_behind(sink);
    return tproc_image_new(ctx, f->width, strip_rows, f->channels, f->sample, &wb->strip[0]);
}

int tproc__write_behind_strip(tproc__write_behind *wb, ptrdiff_t rows, tproc_view *out)
{
    int status = TPROC_OK;
    if (wb->behind) {
        pthread_mutex_lock(&wb->lock);
        while (wb->queued[wb->fill] && !wb->status)
            pthread_cond_wait(&wb->changed, &wb->lock);
        status = wb->status;
        pthread_mutex_unlock(&wb->lock);
        if (status)
            return report(wb, status);
    }
    tproc_view all = tproc_image_view(wb->strip[wb->fill]);
    return tproc_view_sub(&all, 0, 0, all.width, rows, out);
}

int tproc__write_behind_done(tproc__write_behind *wb, const tproc_view *rows, ptrdiff_t y0)
{
    if (!wb->behind) {
        /* The first strip is written here, and the writer started after it: the executor's
         * buffers and whatever the encoder allocates for its first rows are counted by then. */
        int status = tproc__sink_write(wb->sink, y0, rows);
        if (!status && wb->may_go_behind) {
            wb->may_go_behind = 0;
            go_behind(wb);
        }
        return status;
    }
    pthread_mutex_lock(&wb->lock);
    int status = wb->status;
    if (!status) {
        wb->rows[wb->fill] = *rows;
        wb->y0[wb->fill] = y0;
        wb->queued[wb->fill] = 1;
        wb->fill = !wb->fill;
        pthread_cond_broadcast(&wb->changed);
    }
    pthread_mutex_unlock(&wb->lock);
    return report(wb, status);
}

/* Ends the writer thread: after what is queued (finish), or after the strip it is writing. */
static void stop(tproc__write_behind *wb, int drop)
{
    if (!wb->behind)
        return;
    pthread_mutex_lock(&wb->lock);
    wb->stop = 1;
    wb->drop = drop;
    pthread_cond_broadcast(&wb->changed);
    pthread_mutex_unlock(&wb->lock);
    pthread_join(wb->thread, NULL);
    pthread_cond_destroy(&wb->changed);
    pthread_mutex_destroy(&wb->lock);
    wb->behind = 0;
}

int tproc__write_behind_finish(tproc__write_behind *wb)
{
    stop(wb, 0);
    return report(wb, wb->status);
}

void tproc__write_behind_free(tproc__write_behind *wb)
{
    if (!wb)
        return;
    stop(wb, 1);
    tproc_image_free(&wb->strip[0]);
    tproc_image_free(&wb->strip[1]);
    tproc__dealloc(wb->ctx, wb);
}
