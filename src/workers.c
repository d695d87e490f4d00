/* SPDX-License-Identifier: MIT */
/*
 * workers.c: see workers.h. One lock guards the queue and every batch's counters: items are
 * whole tiles (milliseconds each), so the lock is never what limits the pool. A helper's
 * failure is carried to the waiting thread's record of the context (tproc__error_note).
 */
#include <pthread.h>

#include "workers.h"

#define MAX_HELPERS 63

typedef struct helper_arg {
    struct tproc__workers *p;
    int index;
} helper_arg;

struct tproc__workers {
    tproc_ctx *ctx;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    tproc__batch *head, *tail; /* batches with items not yet handed out */
    pthread_t helper[MAX_HELPERS];
    helper_arg arg[MAX_HELPERS];
    int helpers, quit;
    /* The first failure on a helper thread, for the batch's waiter (tproc__error_note_give):
     * the default context keeps its record per thread. */
    tproc__batch *noted;
    tproc__error_note note;
};

/* Takes the next item of b, or of the oldest queued batch when b is NULL (lock held). */
static tproc__batch *take(tproc__workers *p, tproc__batch *b, ptrdiff_t *index)
{
    if (!b)
        b = p->head;
    if (!b || b->next >= b->count)
        return NULL;
    *index = b->next++;
    if (b->next == b->count && b->queued) { /* fully handed out: off the queue */
        tproc__batch **at = &p->head, *prev = NULL;
        while (*at != b) {
            prev = *at;
            at = &(*at)->link;
        }
        *at = b->link;
        if (p->tail == b)
            p->tail = prev;
        b->queued = 0;
    }
    return b;
}

/* Runs item index of b unlocked, then counts it (lock held on entry and exit). */
static void run_item(tproc__workers *p, tproc__batch *b, ptrdiff_t index, int worker)
{
    int failed = b->status;
    pthread_mutex_unlock(&p->lock);
    int status = failed ? TPROC_OK : b->run(b->user, index, worker);
    pthread_mutex_lock(&p->lock);
    if (status && !b->status) {
        b->status = status;
        if (worker != 0 && !p->noted) {
            tproc__error_note_take(p->ctx, &p->note);
            p->noted = b;
        }
    }
    if (++b->finished == b->count)
        pthread_cond_broadcast(&p->done);
}

static void *helper(void *arg)
{
    tproc__workers *p = ((helper_arg *)arg)->p;
    int worker = ((helper_arg *)arg)->index;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        ptrdiff_t index;
        tproc__batch *b = take(p, NULL, &index);
        if (b)
            run_item(p, b, index, worker);
        else if (p->quit)
            break;
        else
            pthread_cond_wait(&p->work, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int tproc__workers_new(tproc_ctx *ctx, int threads, tproc__workers **out)
{
    void *mem;
    int status = tproc__alloc(ctx, sizeof(tproc__workers), "worker pool", &mem);
    if (status)
        return status;
    tproc__workers *p = mem;
    p->ctx = ctx;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    int helpers = threads - 1 < MAX_HELPERS ? threads - 1 : MAX_HELPERS;
    for (int i = 0; i < helpers; i++, p->helpers++) {
        p->arg[i] = (helper_arg){p, i + 1};
        if (pthread_create(&p->helper[i], NULL, helper, &p->arg[i]) != 0)
            break; /* fewer helpers: the caller does more */
    }
    *out = p;
    return TPROC_OK;
}

void tproc__workers_submit(tproc__workers *p, tproc__batch *b)
{
    pthread_mutex_lock(&p->lock);
    b->next = b->finished = 0;
    b->status = TPROC_OK;
    b->link = NULL;
    b->queued = b->count > 0;
    if (b->queued) {
        if (p->tail)
            p->tail->link = b;
        else
            p->head = b;
        p->tail = b;
        pthread_cond_broadcast(&p->work);
    }
    pthread_mutex_unlock(&p->lock);
}

int tproc__workers_wait(tproc__workers *p, tproc__batch *b)
{
    pthread_mutex_lock(&p->lock);
    for (;;) {
        ptrdiff_t index;
        if (take(p, b, &index))
            run_item(p, b, index, 0);
        else if (b->finished < b->count)
            pthread_cond_wait(&p->done, &p->lock);
        else
            break;
    }
    int status = b->status;
    if (p->noted == b) { /* a helper's failure: its record on this thread too */
        p->noted = NULL;
        if (status && p->note.status == status)
            tproc__error_note_give(p->ctx, &p->note);
    }
    pthread_mutex_unlock(&p->lock);
    return status;
}

void tproc__workers_cancel(tproc__workers *p, tproc__batch *b, int status)
{
    pthread_mutex_lock(&p->lock);
    if (!b->status)
        b->status = status ? status : TPROC_ERR_CANCELLED;
    pthread_mutex_unlock(&p->lock);
    tproc__workers_wait(p, b);
}

void tproc__workers_free(tproc__workers *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->helpers; i++)
        pthread_join(p->helper[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    tproc__dealloc(p->ctx, p);
}
