/* SPDX-License-Identifier: MIT */
/*
 * context.h: the per-caller state every call runs in: allocator, memory limit, thread count and
 * the last error. Pass NULL wherever a context is asked for to use the process's default context,
 * whose error message is kept per thread.
 *
 * A context may be used by one call at a time from any thread; use one context per concurrent
 * caller so that each keeps its own error message. Images remember the context that allocated
 * them: a context must outlive its images.
 */
#ifndef TILEPROC_CONTEXT_H
#define TILEPROC_CONTEXT_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tproc_ctx tproc_ctx;

/*
 * A caller-supplied allocator. malloc must return memory aligned for any type (as malloc does);
 * tileproc aligns pixel rows itself. free receives the size that was asked for.
 */
typedef struct tproc_allocator {
    void *(*malloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr, size_t size);
    void *user;
} tproc_allocator;

/* The default memory limit: 2 GiB of pixel and working memory in use at once per context. */
#define TPROC_DEFAULT_MEMORY_LIMIT ((size_t)2 << 30)

typedef struct tproc_ctx_options {
    const tproc_allocator *allocator; /* NULL: the C library's malloc/free */
    size_t memory_limit;              /* bytes; 0: TPROC_DEFAULT_MEMORY_LIMIT; SIZE_MAX: none */
    int threads;                      /* worker threads; 0: the number of cores */
} tproc_ctx_options;

/* Creates a context; options may be NULL for the defaults. *out is NULL on failure. */
TPROC_API int tproc_ctx_new(const tproc_ctx_options *options, tproc_ctx **out);
/* Frees a context (NULL is a no-op) and sets *ctx to NULL. Its images must be freed first. */
TPROC_API void tproc_ctx_free(tproc_ctx **ctx);

/* The memory limit in bytes; a request that would take the bytes in use past it fails with
 * TPROC_ERR_LIMIT and a message naming the limit. 0 restores the default. */
TPROC_API void tproc_ctx_set_memory_limit(tproc_ctx *ctx, size_t bytes);
TPROC_API size_t tproc_ctx_memory_limit(const tproc_ctx *ctx);
/* Bytes allocated through the context and not yet freed, and the most ever at once. */
TPROC_API size_t tproc_ctx_memory_in_use(const tproc_ctx *ctx);
TPROC_API size_t tproc_ctx_memory_peak(const tproc_ctx *ctx);

/* The default pixel limit: 2^31 pixels (a 46340 x 46340 image) in any image of a run. */
#define TPROC_DEFAULT_PIXEL_LIMIT ((uint64_t)1 << 31)

/*
 * The most pixels a run may produce or read in any one image of its chain (the input, and
 * every stage's output). Memory does not bound a streamed run, so this is what keeps a small
 * input from being blown up into hours of work (resize:width=1000000,height=1000000 on a
 * thumbnail). A run over it fails before any work with TPROC_ERR_LIMIT. 0 restores the
 * default; UINT64_MAX lifts it.
 */
TPROC_API void tproc_ctx_set_pixel_limit(tproc_ctx *ctx, uint64_t pixels);
TPROC_API uint64_t tproc_ctx_pixel_limit(const tproc_ctx *ctx);

/* Worker threads for pipelines (0: the number of cores, at most 256). */
TPROC_API void tproc_ctx_set_threads(tproc_ctx *ctx, int threads);
TPROC_API int tproc_ctx_threads(const tproc_ctx *ctx);

/*
 * The message of the last failed call made with this context, naming the file and the cause
 * ("photo.jpg: truncated JPEG data"); "" when there is none. Valid until the next call that
 * uses the context.
 */
TPROC_API const char *tproc_ctx_message(const tproc_ctx *ctx);
/* The status of the last failed call (TPROC_OK if none since the last clear). */
TPROC_API int tproc_ctx_status(const tproc_ctx *ctx);
/* Forgets the last error. */
TPROC_API void tproc_ctx_clear_error(tproc_ctx *ctx);

/* What an error is about. */
typedef enum tproc_subject {
    TPROC_SUBJECT_NONE = 0,   /* nothing in particular (an argument, a run as a whole) */
    TPROC_SUBJECT_FILE = 1,   /* a file: its path, "<stdin>", "<stdout>", "<memory>", or the
                               * name given with a FILE* */
    TPROC_SUBJECT_FILTER = 2, /* a filter, by name */
    TPROC_SUBJECT_OPTION = 3  /* an option, by name (a field of an options struct) */
} tproc_subject;

/*
 * The last error as a record, so that a caller need not take the message apart:
 * tproc_ctx_message() is "subject: cause", or the cause alone when kind is TPROC_SUBJECT_NONE.
 * The strings are valid until the next call that uses the context.
 */
typedef struct tproc_error {
    int status;          /* as tproc_ctx_status() */
    tproc_subject kind;  /* what subject names */
    const char *subject; /* "photo.jpg", "<stdin>", "gaussian", ...; "" when kind is NONE */
    const char *cause;   /* the message without the subject: "truncated JPEG data" */
} tproc_error;

/* Fills *out (may be NULL) with the last error and returns its status. */
TPROC_API int tproc_ctx_error(const tproc_ctx *ctx, tproc_error *out);

/*
 * What messages call the memory limit: "the memory limit" by default. A tool that takes the
 * limit from an option can name the option instead, so that a failure says what to change:
 * with "--memory-limit", "... needs the whole image (1.1 MiB) but --memory-limit is 1 MiB".
 * NULL or "" restores the default; at most 63 bytes are kept.
 */
TPROC_API void tproc_ctx_set_limit_name(tproc_ctx *ctx, const char *name);

/* Memory from the context's allocator, counted against its limit; for buffers the library hands
 * out (tproc_save_memory()). tproc_free(ctx, NULL) is a no-op. */
TPROC_API void *tproc_malloc(tproc_ctx *ctx, size_t size);
TPROC_API void tproc_free(tproc_ctx *ctx, void *ptr);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_CONTEXT_H */
