/* SPDX-License-Identifier: MIT */
/*
 * exec.c: the executor. Output is produced strip by strip (a strip is one row of tiles). For
 * each strip the calling thread gets the source band and the output rows, then it and the
 * workers take tiles from an atomic counter until the strip is done; each tile runs the whole
 * chain on the worker's own buffers, sized by the planner and allocated once, so nothing is
 * allocated in the loop. A cancel flag is read between tiles; the first error stops every
 * worker and is the one reported.
 *
 * While the calling thread gets a band from the source, the workers would idle: a band
 * function may hand them row jobs (tproc__row_jobs_submit: the colour conversion of rows just
 * decoded), which they do while it decodes the next rows; the calling thread helps with what
 * is left when the band is read, and the strip's tiles start once every job is done. The
 * workers are the run's own: with one thread, the jobs run at once on the calling thread.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "engine.h"
#include "view_internal.h"

/* One worker's buffers, carved from one allocation. */
typedef struct arena {
    void *block;
    unsigned char *region[2]; /* intermediate stage outputs, used alternately */
    unsigned char *input;     /* an assembled stage input */
    unsigned char *premul_in, *premul_out;
    unsigned char *scratch;
    unsigned char *row_in, *row_out;
} arena;

/* Row jobs waiting in a ring; when it is full, the submitting thread does the job itself. */
#define JOB_RING 64

typedef struct row_job {
    tproc__rows_fn fn;
    void *state;
    unsigned char *first;
    ptrdiff_t stride;
    size_t count;
} row_job;

struct tproc__row_jobs {
    struct shared *sh;
    int running; /* the workers are taking jobs (a rows phase) */
    int closed;  /* the band function returned: no more jobs come */
    size_t head, count;
    row_job ring[JOB_RING];
};

enum { PHASE_TILES, PHASE_ROWS };

typedef struct shared {
    tproc__plan *plan;
    const tproc_run_options *options;
    const tproc__exec_io *io;
    pthread_mutex_t lock;
    pthread_cond_t go, idle, more; /* more: a row job was queued, or the band was read */
    unsigned generation;
    int quit, busy, phase;
    int started; /* worker threads besides the calling one */
    tproc__row_jobs jobs;
    size_t first, end; /* tiles of the current strip */
    atomic_size_t next;
    tproc__source_band band;
    tproc_view strip_out;
    ptrdiff_t strip_y0;
    atomic_int status;
    atomic_size_t done;
    size_t total;
    /* The first failure's record when a worker thread had it, given to the calling thread at
     * the end (the default context keeps its record per thread). */
    const arena *caller_arena;
    tproc__error_note note;
    int noted;
} shared;

typedef struct worker {
    shared *sh;
    arena mem;
    pthread_t thread;
} worker;

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

static int arena_new(tproc__plan *plan, arena *a)
{
    memset(a, 0, sizeof *a);
    size_t sizes[8] = {plan->region_bytes, plan->region_bytes, plan->input_bytes,
                       plan->premul_bytes, plan->premul_bytes, plan->scratch_bytes,
                       plan->row_bytes,    plan->row_bytes};
    size_t total = 0;
    for (int i = 0; i < 8; i++) {
        if (sizes[i] > SIZE_MAX / 2 || tproc__add(total, align64(sizes[i]), &total))
            return tproc__error(plan->ctx, TPROC_ERR_OVERFLOW, "tile buffers are too large");
    }
    if (total == 0)
        return TPROC_OK;
    int status = tproc__alloc_uninit(plan->ctx, total, "tile buffers", &a->block);
    if (status)
        return status;
    unsigned char *p = a->block;
    unsigned char **slots[8] = {&a->region[0],  &a->region[1], &a->input,  &a->premul_in,
                                &a->premul_out, &a->scratch,   &a->row_in, &a->row_out};
    for (int i = 0; i < 8; i++) {
        *slots[i] = p;
        p += align64(sizes[i]);
    }
    return TPROC_OK;
}

static void arena_free(tproc__plan *plan, arena *a)
{
    tproc__dealloc(plan->ctx, a->block);
    a->block = NULL;
}

static int contains(tproc_rect outer, tproc_rect inner)
{
    return inner.x >= outer.x && inner.y >= outer.y &&
           inner.x + inner.width <= outer.x + outer.width &&
           inner.y + inner.height <= outer.y + outer.height;
}

static void view_of(tproc_view *v, unsigned char *data, tproc_rect r, const tproc_format *f)
{
    tproc__view_packed(v, data, r.width, r.height, f->channels, f->sample);
}

/* Premultiplied f32 from any sample type: colour * alpha, everything scaled to [0, 1]. */
static void premultiply(const tproc_view *in, const tproc_view *out)
{
    int n = in->channels, colour = n - 1;
    float inv = (float)(1.0 / tproc__sample_max(in->sample));
    for (ptrdiff_t y = 0; y < in->height; y++) {
        const unsigned char *s = tproc_view_pixel(in, 0, y);
        float *d = (float *)(void *)tproc_view_pixel(out, 0, y);
        for (ptrdiff_t x = 0; x < in->width; x++, s += in->pixel_stride, d += n) {
            float a = (float)tproc__get_sample(s, in->sample, colour) * inv;
            for (int c = 0; c < colour; c++)
                d[c] = (float)tproc__get_sample(s, in->sample, c) * inv * a;
            d[colour] = a;
        }
    }
}

/* The way back: colour / alpha (0 where alpha is 0), then to the output type. */
static void unpremultiply(const tproc_view *in, const tproc_view *out)
{
    int n = in->channels, colour = n - 1;
    double max = tproc__sample_max(out->sample);
    for (ptrdiff_t y = 0; y < in->height; y++) {
        const float *s = (const float *)(const void *)tproc_view_pixel(in, 0, y);
        unsigned char *d = tproc_view_pixel(out, 0, y);
        for (ptrdiff_t x = 0; x < in->width; x++, s += n, d += out->pixel_stride) {
            double a = s[colour];
            for (int c = 0; c < colour; c++) {
                double v = a > 0.0 ? s[c] / a : 0.0;
                tproc__put_sample(d, out->sample, c, out->sample == TPROC_F32 ? v : v * max);
            }
            tproc__put_sample(d, out->sample, colour, out->sample == TPROC_F32 ? a : a * max);
        }
    }
}

/* Runs one stage from in (covering need) into out (covering have). */
static int run_stage(const tproc__stage_run *st, const tproc_view *in, tproc_rect need,
                     const tproc_view *out, tproc_rect have, arena *a)
{
    const tproc_filter *f = st->filter;
    if (f->process) {
        tproc_call call = {&st->stage, *in, need, *out, have, a->scratch};
        if (st->premultiply) {
            tproc_format f32 = st->stage.work;
            view_of(&call.in, a->premul_in, need, &f32);
            premultiply(in, &call.in);
            f32.channels = st->stage.out.channels;
            view_of(&call.out, a->premul_out, have, &f32);
        }
        int status = f->process(&call);
        if (status)
            return status;
        if (st->premultiply)
            unpremultiply(&call.out, out);
        return TPROC_OK;
    }
    /* A row filter: rows must be packed, so stage through the row buffers when they are not. */
    tproc__row_fn row_fn = tproc__stage_row(&st->stage);
    ptrdiff_t in_px = (ptrdiff_t)tproc_view_pixel_size(in);
    ptrdiff_t out_px = (ptrdiff_t)tproc_view_pixel_size(out);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        const unsigned char *src = tproc_view_pixel(in, 0, y);
        unsigned char *dst = tproc_view_pixel(out, 0, y);
        if (in->pixel_stride != in_px) {
            for (ptrdiff_t x = 0; x < in->width; x++)
                memcpy(a->row_in + x * in_px, src + x * in->pixel_stride, (size_t)in_px);
            src = a->row_in;
        }
        unsigned char *row = out->pixel_stride == out_px ? dst : a->row_out;
        row_fn(&st->stage, src, row, out->width);
        if (row != dst)
            for (ptrdiff_t x = 0; x < out->width; x++)
                memcpy(dst + x * out->pixel_stride, row + x * out_px, (size_t)out_px);
    }
    return TPROC_OK;
}

/* Runs the chain for one output tile. */
static int run_tile(shared *sh, arena *a, size_t index)
{
    const tproc__plan *plan = sh->plan;
    tproc__tile_rects rects;
    tproc_rect tile = tproc__plan_tile(plan, index);
    tproc__plan_rects(plan, tile, &rects);

    tproc_view prev = sh->band.view;
    tproc_rect prev_at = {0, sh->band.rows.y, plan->source.width, sh->band.rows.height};
    if (plan->count == 0) {
        tproc_view src, dst;
        tproc_view_sub(&prev, tile.x, tile.y - prev_at.y, tile.width, tile.height, &src);
        tproc_view_sub(&sh->strip_out, tile.x, tile.y - sh->strip_y0, tile.width, tile.height,
                       &dst);
        return tproc_view_copy(plan->ctx, &src, &dst);
    }
    for (size_t k = 0; k < plan->count; k++) {
        const tproc__stage_run *st = &plan->stages[k];
        tproc_rect need = rects.need[k], have = rects.have[k + 1];
        if (have.width <= 0 || have.height <= 0) {
            prev_at = have; /* nothing of this stage is needed downstream */
            continue;
        }
        /* The planner sized the buffers from the widest and tallest spans; a tile outside
         * them would be a planner bug, so refuse it rather than overrun a buffer. */
        if (need.width > st->max_need.width || need.height > st->max_need.height ||
            have.width > st->max_have.width || have.height > st->max_have.height)
            return tproc__error(plan->ctx, TPROC_ERR_STATE,
                                "%s: tile %zu needs more than the planned buffers",
                                st->filter->name, index);
        tproc_view in, out;
        if (prev_at.width > 0 && contains(prev_at, need)) {
            /* Zero copy: the input lies inside what was computed (or the source band). */
            tproc_view_sub(&prev, need.x - prev_at.x, need.y - prev_at.y, need.width, need.height,
                           &in);
        } else {
            view_of(&in, a->input, need, &st->stage.in);
            if (prev_at.width > 0 && prev_at.height > 0)
                tproc__read_border_region(&prev, prev_at, st->stage.in.width, st->stage.in.height,
                                          need, plan->border, plan->border_value, &in);
            else /* only constant border pixels are read */
                tproc_view_fill(&in, plan->border_value);
        }
        if (k + 1 == plan->count)
            tproc_view_sub(&sh->strip_out, have.x, have.y - sh->strip_y0, have.width, have.height,
                           &out);
        else
            view_of(&out, a->region[k % 2], have, &st->stage.out);
        int status = run_stage(st, &in, need, &out, have, a);
        if (status)
            return tproc__error(plan->ctx, status, "%s: processing a tile failed",
                                st->filter->name);
        prev = out;
        prev_at = have;
    }
    return TPROC_OK;
}

static int cancelled(const tproc_run_options *options)
{
    return options->cancel && __atomic_load_n(options->cancel, __ATOMIC_RELAXED) != 0;
}

/* Records the run's first failure; a worker thread's record of it is kept for the caller. */
static void fail(shared *sh, const arena *a, int status)
{
    int ok = TPROC_OK;
    if (atomic_compare_exchange_strong(&sh->status, &ok, status) && a != sh->caller_arena) {
        tproc__error_note_take(sh->plan->ctx, &sh->note);
        sh->noted = 1; /* read by the caller after joining the worker */
    }
}

/* Takes tiles of the current strip until there are none left or the run has failed. */
static void work_strip(shared *sh, arena *a)
{
    for (;;) {
        if (atomic_load(&sh->status) != TPROC_OK)
            return;
        if (cancelled(sh->options)) {
            fail(sh, a, TPROC_ERR_CANCELLED);
            return;
        }
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->end)
            return;
        int status = run_tile(sh, a, i);
        if (status) {
            fail(sh, a, status);
            return;
        }
        size_t done = atomic_fetch_add(&sh->done, 1) + 1;
        if (sh->options->progress)
            sh->options->progress(sh->options->progress_user, done, sh->total);
    }
}

static void run_job(const row_job *job)
{
    job->fn(job->state, job->first, job->stride, job->count);
}

void tproc__row_jobs_submit(tproc__row_jobs *jobs, tproc__rows_fn fn, void *state,
                            unsigned char *first, ptrdiff_t stride, size_t count)
{
    shared *sh = jobs->sh;
    row_job job = {fn, state, first, stride, count};
    if (sh->started == 0) {
        run_job(&job);
        return;
    }
    pthread_mutex_lock(&sh->lock);
    if (jobs->count == JOB_RING) {
        pthread_mutex_unlock(&sh->lock);
        run_job(&job);
        return;
    }
    jobs->ring[(jobs->head + jobs->count) % JOB_RING] = job;
    jobs->count++;
    if (!jobs->running) { /* the band's first job: wake the workers */
        jobs->running = 1;
        sh->phase = PHASE_ROWS;
        sh->busy = sh->started;
        sh->generation++;
        pthread_cond_broadcast(&sh->go);
    } else {
        pthread_cond_signal(&sh->more);
    }
    pthread_mutex_unlock(&sh->lock);
}

/* Does queued row jobs until there are none and no more will come. */
static void take_jobs(shared *sh)
{
    tproc__row_jobs *jobs = &sh->jobs;
    pthread_mutex_lock(&sh->lock);
    for (;;) {
        if (jobs->count > 0) {
            row_job job = jobs->ring[jobs->head];
            jobs->head = (jobs->head + 1) % JOB_RING;
            jobs->count--;
            pthread_mutex_unlock(&sh->lock);
            run_job(&job);
            pthread_mutex_lock(&sh->lock);
        } else if (jobs->closed) {
            break;
        } else {
            pthread_cond_wait(&sh->more, &sh->lock);
        }
    }
    pthread_mutex_unlock(&sh->lock);
}

/* After the band function: the calling thread helps with the jobs left, then waits for every
 * worker to be done with them. */
static void finish_jobs(shared *sh)
{
    tproc__row_jobs *jobs = &sh->jobs;
    pthread_mutex_lock(&sh->lock);
    int running = jobs->running;
    jobs->closed = 1;
    pthread_cond_broadcast(&sh->more);
    pthread_mutex_unlock(&sh->lock);
    if (running)
        take_jobs(sh);
    pthread_mutex_lock(&sh->lock);
    while (running && sh->busy > 0)
        pthread_cond_wait(&sh->idle, &sh->lock);
    jobs->running = 0;
    jobs->closed = 0; /* ready for the next band */
    pthread_mutex_unlock(&sh->lock);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        while (sh->generation == seen && !sh->quit)
            pthread_cond_wait(&sh->go, &sh->lock);
        seen = sh->generation;
        int quit = sh->quit, phase = sh->phase;
        pthread_mutex_unlock(&sh->lock);
        if (quit)
            return NULL;
        if (phase == PHASE_ROWS)
            take_jobs(sh);
        else
            work_strip(sh, &w->mem);
        pthread_mutex_lock(&sh->lock);
        if (--sh->busy == 0)
            pthread_cond_signal(&sh->idle);
        pthread_mutex_unlock(&sh->lock);
    }
}

int tproc__run_threads(const tproc_ctx *ctx, const tproc_run_options *options)
{
    return options && options->threads > 0 ? options->threads : tproc_ctx_threads(ctx);
}

static int threads_for(const tproc__plan *plan, const tproc_run_options *options, int one_pass)
{
    int n = tproc__run_threads(plan->ctx, options);
    size_t per_pass = plan->tiles_across * (one_pass ? plan->tiles_down : 1);
    /* More threads than tiles in a pass would only wait. */
    if ((size_t)n > per_pass)
        n = (int)per_pass;
    return n < 1 ? 1 : n;
}

int tproc__execute(tproc__plan *plan, const tproc_run_options *options, const tproc__exec_io *io)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.plan = plan;
    sh.options = options;
    sh.io = io;
    sh.total = plan->tiles_across * plan->tiles_down;
    atomic_init(&sh.status, TPROC_OK);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.next, 0);
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.go, NULL);
    pthread_cond_init(&sh.idle, NULL);
    pthread_cond_init(&sh.more, NULL);
    sh.jobs.sh = &sh;

    int nthreads = threads_for(plan, options, io->one_pass);
    worker *workers = NULL;
    void *p;
    int status = tproc__alloc(plan->ctx, (size_t)nthreads * sizeof(worker), "workers", &p);
    if (!status) {
        workers = p;
        for (int i = 0; i < nthreads && !status; i++) {
            workers[i].sh = &sh;
            status = arena_new(plan, &workers[i].mem);
        }
    }
    if (workers)
        sh.caller_arena = &workers[0].mem;
    int started = 0;
    for (int i = 1; i < nthreads && !status; i++, started++)
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
            status = tproc__error(plan->ctx, TPROC_ERR_NOMEM, "cannot start a worker thread");
    sh.started = started;

    /* A pass is one strip, or every strip at once when nothing changes between them. */
    size_t per_pass = io->one_pass ? plan->tiles_down : 1;
    for (size_t strip = 0; strip < plan->tiles_down && !status; strip += per_pass) {
        ptrdiff_t y0 = (ptrdiff_t)strip * plan->tile_height;
        ptrdiff_t y1 = y0 + (ptrdiff_t)per_pass * plan->tile_height;
        if (y1 > plan->output.height)
            y1 = plan->output.height;
        ptrdiff_t sy0 = 0, sy1 = plan->source.height;
        if (!io->one_pass)
            tproc__plan_source_rows(plan, y0, y1, &sy0, &sy1);
        sh.band.jobs = &sh.jobs;
        status = io->band(io->user, sy0, sy1, &sh.band);
        finish_jobs(&sh);
        if (status)
            break;
        if ((status = io->strip_view(io->user, y0, y1, &sh.strip_out)))
            break;
        sh.strip_y0 = y0;
        pthread_mutex_lock(&sh.lock);
        sh.first = strip * plan->tiles_across;
        sh.end = (strip + per_pass) * plan->tiles_across;
        if (sh.end > sh.total)
            sh.end = sh.total;
        atomic_store(&sh.next, sh.first);
        sh.busy = started;
        sh.phase = PHASE_TILES;
        sh.generation++;
        pthread_cond_broadcast(&sh.go);
        pthread_mutex_unlock(&sh.lock);

        work_strip(&sh, &workers[0].mem);

        pthread_mutex_lock(&sh.lock);
        while (sh.busy > 0)
            pthread_cond_wait(&sh.idle, &sh.lock);
        pthread_mutex_unlock(&sh.lock);
        status = atomic_load(&sh.status);
        if (!status && io->strip_done)
            status = io->strip_done(io->user, &sh.strip_out, y0);
    }
    if (status == TPROC_ERR_CANCELLED)
        tproc__error(plan->ctx, status, "cancelled after %zu of %zu tiles", atomic_load(&sh.done),
                     sh.total);
    else if (status && sh.noted && sh.note.status == status) /* a worker thread's failure */
        tproc__error_note_give(plan->ctx, &sh.note);

    pthread_mutex_lock(&sh.lock);
    sh.quit = 1;
    pthread_cond_broadcast(&sh.go);
    pthread_mutex_unlock(&sh.lock);
    for (int i = 1; i <= started; i++)
        pthread_join(workers[i].thread, NULL);
    for (int i = 0; workers && i < nthreads; i++)
        arena_free(plan, &workers[i].mem);
    tproc__dealloc(plan->ctx, workers);
    pthread_cond_destroy(&sh.go);
    pthread_cond_destroy(&sh.idle);
    pthread_cond_destroy(&sh.more);
    pthread_mutex_destroy(&sh.lock);
    return status;
}
