/* SPDX-License-Identifier: MIT */
/*
 * context.c: contexts (allocator, memory limit, threads, last error) and the counted, aligned
 * allocation every other file goes through.
 *
 * The default context (a NULL ctx argument) is one static object shared by the process; its
 * error message is kept per thread so that two threads using it never see each other's errors.
 * An explicit context keeps its message in itself, under a mutex, because a pipeline's worker
 * threads may report into the caller's context.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define TPROC__ALIGN 64
/* Bytes in front of each aligned block: the raw pointer and the requested size. */
#define TPROC__HEADER 16

/* The last error (internal.h's note of it). */
typedef tproc__error_note tproc__error_state;

/* What limit messages call the memory limit unless the caller names it. */
#define TPROC__LIMIT_NAME "the memory limit"
#define TPROC__LIMIT_NAME_MAX 64

struct tproc_ctx {
    tproc_allocator allocator;
    int custom_allocator;
    size_t memory_limit;
    uint64_t pixel_limit;
    _Atomic size_t in_use;
    _Atomic size_t peak;
    int threads;
    int is_default;
    char limit_name[TPROC__LIMIT_NAME_MAX]; /* "" for TPROC__LIMIT_NAME */
    pthread_mutex_t error_lock;
    tproc__error_state error;
};

static tproc_ctx default_ctx = {
    .memory_limit = TPROC_DEFAULT_MEMORY_LIMIT,
    .pixel_limit = TPROC_DEFAULT_PIXEL_LIMIT,
    .is_default = 1,
    .error_lock = PTHREAD_MUTEX_INITIALIZER,
};
static _Thread_local tproc__error_state default_error;

tproc_ctx *tproc__ctx(tproc_ctx *ctx)
{
    return ctx ? ctx : &default_ctx;
}

/* The most worker threads a context uses. */
#define TPROC__MAX_THREADS 256

static int clamp_threads(long n)
{
    return n < 0 ? 0 : n > TPROC__MAX_THREADS ? TPROC__MAX_THREADS : (int)n;
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : clamp_threads(n);
}

int tproc_ctx_new(const tproc_ctx_options *options, tproc_ctx **out)
{
    if (!out)
        return TPROC_ERR_ARG;
    *out = NULL;
    tproc_ctx_options defaults = {0};
    if (!options)
        options = &defaults;
    if (options->allocator && (!options->allocator->malloc || !options->allocator->free))
        return tproc__error(NULL, TPROC_ERR_ARG, "allocator needs both malloc and free");
    if (options->threads < 0)
        return tproc__error_subject(NULL, TPROC_ERR_ARG, TPROC_SUBJECT_OPTION, "threads",
                                    "must be >= 0, got %d", options->threads);
    tproc_ctx *ctx;
    if (options->allocator)
        ctx = options->allocator->malloc(options->allocator->user, sizeof *ctx);
    else
        ctx = malloc(sizeof *ctx);
    if (!ctx)
        return tproc__error(NULL, TPROC_ERR_NOMEM, "out of memory creating a context");
    memset(ctx, 0, sizeof *ctx);
    if (options->allocator) {
        ctx->allocator = *options->allocator;
        ctx->custom_allocator = 1;
    }
    ctx->memory_limit = options->memory_limit ? options->memory_limit : TPROC_DEFAULT_MEMORY_LIMIT;
    ctx->pixel_limit = TPROC_DEFAULT_PIXEL_LIMIT;
    atomic_init(&ctx->in_use, 0);
    atomic_init(&ctx->peak, 0);
    ctx->threads = clamp_threads(options->threads);
    pthread_mutex_init(&ctx->error_lock, NULL);
    *out = ctx;
    return TPROC_OK;
}

void tproc_ctx_free(tproc_ctx **pctx)
{
    if (!pctx || !*pctx)
        return;
    tproc_ctx *ctx = *pctx;
    *pctx = NULL;
    if (ctx->is_default)
        return;
    pthread_mutex_destroy(&ctx->error_lock);
    if (ctx->custom_allocator)
        ctx->allocator.free(ctx->allocator.user, ctx, sizeof *ctx);
    else
        free(ctx);
}

void tproc_ctx_set_memory_limit(tproc_ctx *ctx, size_t bytes)
{
    tproc__ctx(ctx)->memory_limit = bytes ? bytes : TPROC_DEFAULT_MEMORY_LIMIT;
}

size_t tproc_ctx_memory_limit(const tproc_ctx *ctx)
{
    return ctx ? ctx->memory_limit : default_ctx.memory_limit;
}

size_t tproc_ctx_memory_in_use(const tproc_ctx *ctx)
{
    return atomic_load(ctx ? &ctx->in_use : &default_ctx.in_use);
}

size_t tproc_ctx_memory_peak(const tproc_ctx *ctx)
{
    return atomic_load(ctx ? &ctx->peak : &default_ctx.peak);
}

void tproc_ctx_set_pixel_limit(tproc_ctx *ctx, uint64_t pixels)
{
    tproc__ctx(ctx)->pixel_limit = pixels ? pixels : TPROC_DEFAULT_PIXEL_LIMIT;
}

uint64_t tproc_ctx_pixel_limit(const tproc_ctx *ctx)
{
    return ctx ? ctx->pixel_limit : default_ctx.pixel_limit;
}

void tproc_ctx_set_threads(tproc_ctx *ctx, int threads)
{
    tproc__ctx(ctx)->threads = clamp_threads(threads);
}

int tproc_ctx_threads(const tproc_ctx *ctx)
{
    int n = ctx ? ctx->threads : default_ctx.threads;
    return n > 0 ? n : cores();
}

/* --- errors ------------------------------------------------------------------------------- */

/* The error state of ctx (the calling thread's for the default context). */
static tproc__error_state *error_state(tproc_ctx *ctx)
{
    return ctx->is_default ? &default_error : &ctx->error;
}

static const tproc__error_state *error_state_of(const tproc_ctx *ctx)
{
    return !ctx || ctx->is_default ? &default_error : &ctx->error;
}

/* Records an error in e: "subject: cause", or the cause alone when there is no subject. */
static void record(tproc__error_state *e, int status, tproc_subject kind, const char *subject,
                   const char *cause)
{
    if (!subject || !subject[0])
        kind = TPROC_SUBJECT_NONE;
    e->status = status;
    e->kind = kind;
    e->subject[0] = '\0';
    if (kind == TPROC_SUBJECT_NONE) {
        e->cause_at = 0;
        snprintf(e->message, sizeof e->message, "%s", cause);
        return;
    }
    snprintf(e->subject, sizeof e->subject, "%s", subject);
    int n = snprintf(e->message, sizeof e->message, "%s: %s", subject, cause);
    size_t at = strlen(e->subject) + 2;
    e->cause_at = n < 0 || at > strlen(e->message) ? strlen(e->message) : at;
}

/* Records under the context's lock (the default context's state is per thread). */
static void record_in(tproc_ctx *ctx, int status, tproc_subject kind, const char *subject,
                      const char *cause)
{
    if (ctx->is_default) {
        record(&default_error, status, kind, subject, cause);
        return;
    }
    pthread_mutex_lock(&ctx->error_lock);
    record(&ctx->error, status, kind, subject, cause);
    pthread_mutex_unlock(&ctx->error_lock);
}

static int verror_subject(tproc_ctx *ctx, int status, tproc_subject kind, const char *subject,
                          const char *fmt, va_list ap)
{
    char cause[TPROC__MESSAGE_MAX];
    vsnprintf(cause, sizeof cause, fmt, ap);
    record_in(tproc__ctx(ctx), status, kind, subject, cause);
    return status;
}

int tproc__verror(tproc_ctx *ctx, int status, const char *fmt, va_list ap)
{
    return verror_subject(ctx, status, TPROC_SUBJECT_NONE, NULL, fmt, ap);
}

int tproc__error(tproc_ctx *ctx, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_subject(ctx, status, TPROC_SUBJECT_NONE, NULL, fmt, ap);
    va_end(ap);
    return status;
}

int tproc__error_subject(tproc_ctx *ctx, int status, tproc_subject kind, const char *subject,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_subject(ctx, status, kind, subject, fmt, ap);
    va_end(ap);
    return status;
}

int tproc__error_about_file(tproc_ctx *ctx, int status, const char *path)
{
    ctx = tproc__ctx(ctx);
    if (!path || !path[0])
        return status;
    char cause[TPROC__MESSAGE_MAX];
    if (!ctx->is_default)
        pthread_mutex_lock(&ctx->error_lock);
    tproc__error_state *e = error_state(ctx);
    int about_file = e->kind == TPROC_SUBJECT_FILE;
    snprintf(cause, sizeof cause, "%s", e->message[0] ? e->message : tproc_strerror(status));
    if (!ctx->is_default)
        pthread_mutex_unlock(&ctx->error_lock);
    if (!about_file)
        record_in(ctx, status, TPROC_SUBJECT_FILE, path, cause);
    return status;
}

const char *tproc_ctx_message(const tproc_ctx *ctx)
{
    return error_state_of(ctx)->message;
}

int tproc_ctx_status(const tproc_ctx *ctx)
{
    return error_state_of(ctx)->status;
}

int tproc_ctx_error(const tproc_ctx *ctx, tproc_error *out)
{
    const tproc__error_state *e = error_state_of(ctx);
    if (out) {
        out->status = e->status;
        out->kind = e->kind;
        out->subject = e->subject;
        out->cause = e->message + e->cause_at;
    }
    return e->status;
}

void tproc__error_note_take(tproc_ctx *ctx, tproc__error_note *note)
{
    tproc_ctx *c = ctx && !ctx->is_default ? ctx : NULL;
    if (c)
        pthread_mutex_lock(&c->error_lock);
    *note = *error_state_of(ctx);
    if (c)
        pthread_mutex_unlock(&c->error_lock);
}

void tproc__error_note_give(tproc_ctx *ctx, const tproc__error_note *note)
{
    if ((!ctx || ctx->is_default) && note->status)
        default_error = *note; /* an explicit context's record is shared: already there */
}

void tproc_ctx_clear_error(tproc_ctx *ctx)
{
    ctx = tproc__ctx(ctx);
    if (!ctx->is_default)
        pthread_mutex_lock(&ctx->error_lock);
    tproc__error_state *e = error_state(ctx);
    e->status = TPROC_OK;
    e->kind = TPROC_SUBJECT_NONE;
    e->cause_at = 0;
    e->subject[0] = '\0';
    e->message[0] = '\0';
    if (!ctx->is_default)
        pthread_mutex_unlock(&ctx->error_lock);
}

void tproc_ctx_set_limit_name(tproc_ctx *ctx, const char *name)
{
    ctx = tproc__ctx(ctx);
    snprintf(ctx->limit_name, sizeof ctx->limit_name, "%s", name ? name : "");
}

const char *tproc__limit_name(const tproc_ctx *ctx)
{
    const tproc_ctx *c = ctx ? ctx : &default_ctx;
    return c->limit_name[0] ? c->limit_name : TPROC__LIMIT_NAME;
}

/* --- memory ------------------------------------------------------------------------------- */

void tproc__format_bytes(size_t n, char *buf, size_t size)
{
    static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double v = (double)n;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%zu bytes", n);
    else if (v == (double)(size_t)v)
        snprintf(buf, size, "%zu %s", (size_t)v, units[u]);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

static int limit_error(tproc_ctx *ctx, size_t want, const char *file, const char *what)
{
    char need[32], limit[32];
    tproc__format_bytes(want, need, sizeof need);
    tproc__format_bytes(ctx->memory_limit, limit, sizeof limit);
    return tproc__error_subject(ctx, TPROC_ERR_LIMIT, TPROC_SUBJECT_FILE, file,
                                "%s needs %s, over %s of %s (%zu bytes already in use)",
                                what ? what : "allocation", need, tproc__limit_name(ctx), limit,
                                atomic_load(&ctx->in_use));
}

int tproc__check_limit_file(tproc_ctx *ctx, size_t size, const char *file, const char *what)
{
    ctx = tproc__ctx(ctx);
    size_t in_use = atomic_load(&ctx->in_use);
    if (size > ctx->memory_limit || in_use > ctx->memory_limit - size)
        return limit_error(ctx, size, file, what);
    return TPROC_OK;
}

int tproc__check_limit(tproc_ctx *ctx, size_t size, const char *what)
{
    return tproc__check_limit_file(ctx, size, NULL, what);
}

/* Adds n to in_use unless that would pass the limit; 0 on success. */
static int reserve(tproc_ctx *ctx, size_t n)
{
    size_t cur = atomic_load(&ctx->in_use);
    do {
        if (n > ctx->memory_limit || cur > ctx->memory_limit - n)
            return 1;
    } while (!atomic_compare_exchange_weak(&ctx->in_use, &cur, cur + n));
    size_t now = cur + n, peak = atomic_load(&ctx->peak);
    while (now > peak && !atomic_compare_exchange_weak(&ctx->peak, &peak, now)) {
    }
    return 0;
}

int tproc__reserve_file(tproc_ctx *ctx, size_t size, const char *file, const char *what)
{
    ctx = tproc__ctx(ctx);
    return reserve(ctx, size) ? limit_error(ctx, size, file, what) : TPROC_OK;
}

void tproc__release(tproc_ctx *ctx, size_t size)
{
    atomic_fetch_sub(&tproc__ctx(ctx)->in_use, size);
}

static int alloc_impl(tproc_ctx *ctx, size_t size, int zero, const char *file, const char *what,
                      void **out)
{
    *out = NULL;
    ctx = tproc__ctx(ctx);
    if (!what)
        what = "allocation";
    size_t total;
    if (tproc__add(size, TPROC__HEADER + TPROC__ALIGN - 1, &total))
        return tproc__error_subject(ctx, TPROC_ERR_OVERFLOW, TPROC_SUBJECT_FILE, file,
                                    "%s: size overflows", what);
    if (reserve(ctx, total))
        return limit_error(ctx, size, file, what);
    unsigned char *raw;
    if (ctx->custom_allocator) {
        raw = ctx->allocator.malloc(ctx->allocator.user, total);
        if (raw && zero)
            memset(raw, 0, total);
    } else {
        raw = zero ? calloc(1, total) : malloc(total);
    }
    if (!raw) {
        atomic_fetch_sub(&ctx->in_use, total);
        return tproc__error_subject(ctx, TPROC_ERR_NOMEM, TPROC_SUBJECT_FILE, file,
                                    "%s: out of memory (%zu bytes)", what, size);
    }
    uintptr_t start = (uintptr_t)raw + TPROC__HEADER;
    uintptr_t aligned = (start + TPROC__ALIGN - 1) & ~(uintptr_t)(TPROC__ALIGN - 1);
    unsigned char *block = raw + (aligned - (uintptr_t)raw);
    memcpy(block - TPROC__HEADER, &raw, sizeof raw);
    memcpy(block - TPROC__HEADER + sizeof raw, &total, sizeof total);
    *out = block;
    return TPROC_OK;
}

int tproc__alloc(tproc_ctx *ctx, size_t size, const char *what, void **out)
{
    return alloc_impl(ctx, size, 1, NULL, what, out);
}

int tproc__alloc_uninit(tproc_ctx *ctx, size_t size, const char *what, void **out)
{
    return alloc_impl(ctx, size, 0, NULL, what, out);
}

int tproc__alloc_file(tproc_ctx *ctx, size_t size, int zero, const char *file, const char *what,
                      void **out)
{
    return alloc_impl(ctx, size, zero, file, what, out);
}

int tproc__memdup(tproc_ctx *ctx, const char *file, const char *what, const void *data, size_t size,
                  void **out)
{
    *out = NULL;
    if (!data || !size)
        return TPROC_OK;
    int status = alloc_impl(ctx, size, 0, file, what, out);
    if (!status)
        memcpy(*out, data, size);
    return status;
}

void tproc__dealloc(tproc_ctx *ctx, void *ptr)
{
    if (!ptr)
        return;
    ctx = tproc__ctx(ctx);
    unsigned char *block = ptr, *raw;
    size_t total;
    memcpy(&raw, block - TPROC__HEADER, sizeof raw);
    memcpy(&total, block - TPROC__HEADER + sizeof raw, sizeof total);
    atomic_fetch_sub(&ctx->in_use, total);
    if (ctx->custom_allocator)
        ctx->allocator.free(ctx->allocator.user, raw, total);
    else
        free(raw);
}

void *tproc_malloc(tproc_ctx *ctx, size_t size)
{
    void *p;
    return tproc__alloc_uninit(ctx, size, "buffer", &p) == TPROC_OK ? p : NULL;
}

void tproc_free(tproc_ctx *ctx, void *ptr)
{
    tproc__dealloc(ctx, ptr);
}
