/* SPDX-License-Identifier: MIT */
/*
 * fuzz_common.h: what every fuzz harness shares: the libFuzzer entry point's prototype, a
 * context with tight limits (so one input can neither take much memory nor run for long), and
 * the size checks the harnesses make before decoding. Included by the harnesses only; the same
 * sources build as libFuzzer targets (clang, scripts/fuzz.sh) and as CTest replay programs
 * (replay_main.c, any compiler).
 */
#ifndef TILEPROC_FUZZ_COMMON_H
#define TILEPROC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <tileproc/tileproc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Memory one input may use through the context (the library default is 2 GiB). */
#define FUZZ_MEMORY_LIMIT ((size_t)64 << 20)
/* Images with more pixels than this are refused before decoding: a valid 65500x65500 JPEG
 * header costs nothing to write but seconds to decode, which is time, not coverage. */
#define FUZZ_MAX_PIXELS ((ptrdiff_t)1 << 20)

/* A context with the fuzz memory limit and one worker thread (runs must be reproducible). */
static inline tproc_ctx *fuzz_ctx(void)
{
    tproc_ctx_options o = {NULL, FUZZ_MEMORY_LIMIT, 1};
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(&o, &ctx) != TPROC_OK)
        abort(); /* a harness bug, not a finding */
    return ctx;
}

/* Whether the header parses and declares at most max_pixels; reads the header only. */
static inline int fuzz_header_ok(tproc_ctx *ctx, const uint8_t *data, size_t size,
                                 ptrdiff_t max_pixels, tproc_info *info)
{
    if (tproc_info_read_memory(ctx, data, size, info) != TPROC_OK)
        return 0;
    return info->width >= 1 && info->height >= 1 && info->width <= max_pixels &&
           info->height <= max_pixels / info->width;
}

/* A failed invariant: crash loudly so that libFuzzer (or the replay) reports the input. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif /* TILEPROC_FUZZ_COMMON_H */
