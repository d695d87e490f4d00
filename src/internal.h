/* SPDX-License-Identifier: MIT */
/*
 * internal.h: library-internal helpers shared by the source files: error recording, counted
 * allocation, checked size arithmetic. Nothing here is exported (names start with tproc__).
 */
#ifndef TILEPROC_INTERNAL_H
#define TILEPROC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tileproc/tileproc.h"

#if defined(__GNUC__)
#define TPROC__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TPROC__PRINTF(fmt, args)
#endif

/* The process-wide default context used when a call is given NULL. */
tproc_ctx *tproc__ctx(tproc_ctx *ctx);

/*
 * Records status and a printf-style message in ctx (NULL: the default context, per thread) and
 * returns status, so that `return tproc__error(ctx, TPROC_ERR_ARG, "...")` reads naturally.
 */
int tproc__error(tproc_ctx *ctx, int status, const char *fmt, ...) TPROC__PRINTF(3, 4);

#define TPROC__MESSAGE_MAX 1024
/* A context's record of its last error: the whole message ("subject: cause"), the subject on
 * its own, where the cause starts. */
typedef struct tproc__error_note {
    int status;
    tproc_subject kind;
    size_t cause_at;
    char subject[TPROC__MESSAGE_MAX];
    char message[TPROC__MESSAGE_MAX];
} tproc__error_note;
/* A failure recorded on one thread, carried to the thread that reports it: the default
 * context keeps its record per thread, so a worker's error would be lost to the caller. take
 * copies the calling thread's record of ctx; give makes note the calling thread's record (for
 * the default context; an explicit context's record is shared and already holds it). */
void tproc__error_note_take(tproc_ctx *ctx, tproc__error_note *note);
void tproc__error_note_give(tproc_ctx *ctx, const tproc__error_note *note);
int tproc__verror(tproc_ctx *ctx, int status, const char *fmt, va_list ap);
/*
 * The same about a subject (tproc_ctx_error()): the message is the cause, the context's message
 * "subject: cause". An empty or NULL subject records no subject.
 */
int tproc__error_subject(tproc_ctx *ctx, int status, tproc_subject kind, const char *subject,
                         const char *fmt, ...) TPROC__PRINTF(5, 6);
/* An error about a file: its path, "<stdin>", "<memory>" or the name given with a FILE*. */
#define tproc__error_file(ctx, status, file, ...)                                                  \
    tproc__error_subject(ctx, status, TPROC_SUBJECT_FILE, file, __VA_ARGS__)
/* An error about a filter, by name. */
#define tproc__error_filter(ctx, status, filter_name, ...)                                         \
    tproc__error_subject(ctx, status, TPROC_SUBJECT_FILTER, filter_name, __VA_ARGS__)
/* Makes path the subject of the last error unless it is about a file already: its whole
 * message becomes the cause ("photo.jpg: rotate:angle=90 needs the whole image ..."). */
int tproc__error_about_file(tproc_ctx *ctx, int status, const char *path);
/* What limit messages call the memory limit: "the memory limit" or the caller's name for it. */
const char *tproc__limit_name(const tproc_ctx *ctx);

/*
 * Counted allocation: fails with TPROC_ERR_LIMIT (message naming the limit and what) when the
 * bytes in use would pass the context's limit, TPROC_ERR_NOMEM when the allocator fails. The
 * memory is 64-byte aligned and zeroed. what names the purpose for messages ("image buffer").
 */
int tproc__alloc(tproc_ctx *ctx, size_t size, const char *what, void **out);
/* The same without zeroing, for buffers that are overwritten at once. */
int tproc__alloc_uninit(tproc_ctx *ctx, size_t size, const char *what, void **out);
void tproc__dealloc(tproc_ctx *ctx, void *ptr);
/* Whether size more bytes would fit under the limit now; records the error if not. */
int tproc__check_limit(tproc_ctx *ctx, size_t size, const char *what);
/* The same for memory that belongs to reading or writing a file: a failure is an error about
 * the file (its subject), what says what the memory is for ("a 640x480 3-channel u8 image"). */
int tproc__check_limit_file(tproc_ctx *ctx, size_t size, const char *file, const char *what);
/* Counts size bytes against the limit (a limit error about file if they do not fit) for memory
 * a codec library allocates itself, out of our sight: its estimate, given back with
 * tproc__release when the library frees it. */
int tproc__reserve_file(tproc_ctx *ctx, size_t size, const char *file, const char *what);
void tproc__release(tproc_ctx *ctx, size_t size);
int tproc__alloc_file(tproc_ctx *ctx, size_t size, int zero, const char *file, const char *what,
                      void **out);
/* A counted copy of size bytes of data (*out NULL when there are none); file (may be NULL) is
 * the subject of a failure. */
int tproc__memdup(tproc_ctx *ctx, const char *file, const char *what, const void *data, size_t size,
                  void **out);

/* Formats a byte count for messages in binary units, as --memory-limit reads them:
 * "2 GiB", "187.5 KiB", "4096 bytes". */
void tproc__format_bytes(size_t n, char *buf, size_t size);

/* Checked size arithmetic: return 0 on success, nonzero on overflow. */
static inline int tproc__mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 1;
    *out = a * b;
    return 0;
}
static inline int tproc__add(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return 1;
    *out = a + b;
    return 0;
}
/* Rounds n up to a multiple of align (a power of two); 0 on success. */
static inline int tproc__align_up(size_t n, size_t align, size_t *out)
{
    if (n > SIZE_MAX - (align - 1))
        return 1;
    *out = (n + align - 1) & ~(align - 1);
    return 0;
}

/* Bytes for a packed row of width pixels and a 64-byte aligned stride for it; 0 on success. */
int tproc__row_bytes(ptrdiff_t width, int channels, tproc_sample sample, size_t *packed,
                     size_t *aligned);

/* Clamps and rounds a double to an integer sample range (NaN becomes 0). */
static inline double tproc__clamp(double v, double lo, double hi)
{
    if (!(v >= lo))
        return lo;
    return v > hi ? hi : v;
}

/* Largest value of a sample type in its natural range: 255, 65535 or 1.0. */
static inline double tproc__sample_max(tproc_sample s)
{
    return s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
}

/* Reads/writes channel c of the pixel at p as a double in the natural range. */
double tproc__get_sample(const unsigned char *p, tproc_sample s, int c);
void tproc__put_sample(unsigned char *p, tproc_sample s, int c, double v);

/* --- Image internals used by the decoders ------------------------------------------------- */

/* tproc_image_new for an image that belongs to something named: a file being decoded
 * (TPROC_SUBJECT_FILE, the subject of errors) or a part of the library ("source": the name
 * leads the message). */
int tproc__image_new_named(tproc_ctx *ctx, tproc_subject kind, const char *name, ptrdiff_t width,
                           ptrdiff_t height, int channels, tproc_sample sample, tproc_image **out);

#endif /* TILEPROC_INTERNAL_H */
