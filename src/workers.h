/* SPDX-License-Identifier: MIT */
/*
 * workers.h: a small pool of threads that run batches of independent items (the tiles of a
 * row, say) in the background while the caller goes on. Batches run in the order they were
 * submitted; waiting for one makes the caller help with it, so a pool of threads - 1 helpers
 * keeps threads cores busy, and with threads = 1 there are no helpers at all: every item runs
 * on the caller, inside tproc__workers_wait.
 */
#ifndef TILEPROC_WORKERS_H
#define TILEPROC_WORKERS_H

#include <stddef.h>

#include "internal.h"

typedef struct tproc__workers tproc__workers;

typedef struct tproc__batch {
    /* Runs item index on worker `worker` (0 is the caller, 1 .. threads - 1 the helpers, so
     * per-worker scratch can be indexed by it); returns a status, its error recorded. */
    int (*run)(void *user, ptrdiff_t index, int worker);
    void *user;
    ptrdiff_t count;
    /* The pool's (under its lock): items handed out and finished, the first failure. */
    ptrdiff_t next, finished;
    int status, queued;
    struct tproc__batch *link;
} tproc__batch;

/* A pool for threads workers in all (threads - 1 helper threads; at most 64). */
int tproc__workers_new(tproc_ctx *ctx, int threads, tproc__workers **out);
/* Queues b (run, user and count set); b must stay alive until waited for. */
void tproc__workers_submit(tproc__workers *p, tproc__batch *b);
/* Helps with b until every item has run; b's status (the first item's failure). After a
 * failure the items not yet begun are skipped. */
int tproc__workers_wait(tproc__workers *p, tproc__batch *b);
/* Skips b's items not yet begun, then waits for it (for cleaning up after a failure). */
void tproc__workers_cancel(tproc__workers *p, tproc__batch *b, int status);
/* Stops the helpers; every submitted batch must have been waited for. NULL is a no-op. */
void tproc__workers_free(tproc__workers *p);

#endif /* TILEPROC_WORKERS_H */
