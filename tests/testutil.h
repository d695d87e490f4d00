/* SPDX-License-Identifier: MIT */
/*
 * testutil.h: helpers the suites share: test data paths, a deterministic random generator,
 * reading whole files, and a counting allocator for memory-limit tests.
 */
#ifndef TILEPROC_TESTUTIL_H
#define TILEPROC_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "tileproc/tileproc.h"

/* Path of a file under tests/data ("pngsuite/basn0g01.png"); a static buffer per thread. */
const char *tu_data(const char *relative);

/* A small deterministic PRNG (xorshift64*), so failures reproduce. */
typedef struct tu_rng {
    uint64_t state;
} tu_rng;
void tu_rng_seed(tu_rng *rng, uint64_t seed);
uint64_t tu_rng_next(tu_rng *rng);
/* Uniform integer in [lo, hi]. */
ptrdiff_t tu_rng_range(tu_rng *rng, ptrdiff_t lo, ptrdiff_t hi);

/* Reads a whole file into malloc'd memory; NULL on failure. */
unsigned char *tu_read_file(const char *path, size_t *size);

/* Fills every sample of an image with pseudo-random values (all bits of u8/u16; f32 in [0,1]). */
void tu_fill_random(tproc_image *image, tu_rng *rng);

/* Makes a new image (asserting success) and fills it with random samples. */
tproc_image *tu_random_image(tproc_ctx *ctx, ptrdiff_t w, ptrdiff_t h, int channels,
                             tproc_sample sample, uint64_t seed);

/* A counting allocator: tracks bytes live and the peak. */
typedef struct tu_counter {
    size_t live, peak, calls;
} tu_counter;
tproc_allocator tu_counting_allocator(tu_counter *counter);

/* Asserts a status is TPROC_OK, printing the context's message if not. */
#define tu_ok(ctx, expr)                                                                           \
    do {                                                                                           \
        int tu_status_ = (expr);                                                                   \
        ck_assert_msg(tu_status_ == TPROC_OK, "%s failed: %s (%s)", #expr,                         \
                      tproc_strerror(tu_status_), tproc_ctx_message(ctx));                         \
    } while (0)

#endif
