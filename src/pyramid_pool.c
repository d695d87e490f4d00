/* SPDX-License-Identifier: MIT */
/*
 * pyramid_pool.c: the threads that encode a pyramid's banded tile rows. A level whose tile row
 * is complete submits it as a job and goes on taking rows (into its other band, when it has
 * two), so decoding and reducing on the calling thread overlap the encoding; the workers take
 * tiles from the oldest job first. A job's band must stay as it is until tproc__pyramid_pool_
 * wait says its tiles are done. The first failure (or a cancel) stops the rest: later tiles are
 * dropped, and every call after it returns it. With one thread there are no workers: submit
 * encodes the job's tiles on the calling thread, so a run on one thread stays on it (the
 * caller's allocator is then never called from two threads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "pyramid_internal.h"

struct tproc__pyramid_pool {
    tproc_ctx *ctx;
    tproc__pyramid_encode_fn *encode;
    void *user;
    const int *cancel;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    pthread_t *threads;
    int thread_count, quit;
    tproc__pyramid_job *head, *tail; /* jobs with tiles not yet taken, oldest first */
    atomic_int status;
    /* The first failure's record on the worker that had it (under lock), given to the calling
     * thread when it waits (the default context keeps its record per thread). */
    tproc__error_note note;
    int noted;
};

typedef struct worker_arg {
    tproc__pyramid_pool *pool;
    int index;
} worker_arg;

/* Records the first failure; 1 if this one was it. */
static int fail(tproc__pyramid_pool *p, int status)
{
    int ok = TPROC_OK;
    return atomic_compare_exchange_strong(&p->status, &ok, status);
}

/* Takes the next tile of the oldest job (lock held); NULL when there is none. */
static tproc__pyramid_job *take(tproc__pyramid_pool *p, ptrdiff_t *col)
{
    tproc__pyramid_job *job = p->head;
    if (!job)
        return NULL;
    *col = job->next++;
    if (job->next == job->count) { /* every tile taken: off the queue */
        p->head = job->queue_next;
        if (!p->head)
            p->tail = NULL;
    }
    return job;
}

static void *worker(void *arg)
{
    worker_arg *w = arg;
    tproc__pyramid_pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        ptrdiff_t col;
        tproc__pyramid_job *job;
        while (!p->quit && !(job = take(p, &col)))
            pthread_cond_wait(&p->work, &p->lock);
        if (p->quit)
            break;
        pthread_mutex_unlock(&p->lock);
        int first = 0;
        if (atomic_load(&p->status) == TPROC_OK) {
            int status = p->cancel && *(const volatile int *)p->cancel
                             ? TPROC_ERR_CANCELLED
                             : p->encode(p->user, job, col, w->index);
            first = status && fail(p, status);
        }
        pthread_mutex_lock(&p->lock);
        if (first) {
            tproc__error_note_take(p->ctx, &p->note);
            p->noted = 1;
        }
        if (--job->left == 0)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int tproc__pyramid_pool_new(tproc_ctx *ctx, int threads, tproc__pyramid_encode_fn *encode,
                            void *user, const int *cancel, tproc__pyramid_pool **out)
{
    void *mem;
    int status = tproc__alloc(ctx, sizeof(tproc__pyramid_pool), "pyramid threads", &mem);
    if (status)
        return status;
    tproc__pyramid_pool *p = mem;
    p->ctx = ctx;
    p->encode = encode;
    p->user = user;
    p->cancel = cancel;
    atomic_init(&p->status, TPROC_OK);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads <= 1) {
        *out = p;
        return TPROC_OK;
    }
    status = tproc__alloc(ctx, (size_t)threads * (sizeof(pthread_t) + sizeof(worker_arg)),
                          "pyramid threads", &mem);
    if (!status) {
        p->threads = mem;
        worker_arg *args = (worker_arg *)(p->threads + threads);
        for (int i = 0; i < threads; i++, p->thread_count++) {
            args[i] = (worker_arg){p, i};
            if (pthread_create(&p->threads[i], NULL, worker, &args[i]) != 0)
                break; /* fewer workers then */
        }
        if (p->thread_count == 0)
            status = tproc__error(ctx, TPROC_ERR_NOMEM, "pyramid: cannot start a thread");
    }
    if (status) {
        tproc__pyramid_pool_free(p);
        return status;
    }
    *out = p;
    return TPROC_OK;
}

int tproc__pyramid_pool_submit(tproc__pyramid_pool *p, tproc__pyramid_job *job)
{
    int status = atomic_load(&p->status);
    if (status) { /* an earlier failure, maybe a worker's */
        pthread_mutex_lock(&p->lock);
        if (p->noted && p->note.status == status)
            tproc__error_note_give(p->ctx, &p->note);
        pthread_mutex_unlock(&p->lock);
        return status;
    }
    if (job->count <= 0)
        return TPROC_OK;
    if (p->thread_count == 0) { /* one thread: the caller's */
        job->left = 0;
        for (ptrdiff_t col = 0; col < job->count && !status; col++)
            status = p->cancel && *(const volatile int *)p->cancel
                         ? TPROC_ERR_CANCELLED
                         : p->encode(p->user, job, col, 0);
        if (status)
            fail(p, status);
        return status;
    }
    pthread_mutex_lock(&p->lock);
    job->next = 0;
    job->left = job->count;
    job->queue_next = NULL;
    if (p->tail)
        p->tail->queue_next = job;
    else
        p->head = job;
    p->tail = job;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    return TPROC_OK;
}

int tproc__pyramid_pool_wait(tproc__pyramid_pool *p, tproc__pyramid_job *job)
{
    pthread_mutex_lock(&p->lock);
    while (job->left > 0)
        pthread_cond_wait(&p->done, &p->lock);
    int status = atomic_load(&p->status);
    if (status && p->noted && p->note.status == status)
        tproc__error_note_give(p->ctx, &p->note);
    pthread_mutex_unlock(&p->lock);
    return status;
}

void tproc__pyramid_pool_free(tproc__pyramid_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1; /* jobs still queued are dropped: their owner is going away */
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->thread_count; i++)
        pthread_join(p->threads[i], NULL);
    tproc__dealloc(p->ctx, p->threads);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    tproc__dealloc(p->ctx, p);
}
