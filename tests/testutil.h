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

/* How many entries a directory holds (besides . and ..): a failed run must leave none. */
int tu_files_in(const char *dir);

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

/* Writes a random "name:key=value" spec for filter f that the filter accepts for an input of
 * format *in, drawn from its parameter table (filter_spec.h: small parts of the ranges, so
 * kernels stay small); fails the test if 256 draws find none. */
void tu_random_spec(tu_rng *rng, const tproc_filter *f, const tproc_format *in, char *buf,
                    size_t size);

/* One round of the limits suite's drift check (test_limits.c), which every filter in the
 * registry gets: on ctx (holding nothing yet), loads a photo, runs f with random parameters
 * from its table on a random part, and asserts the memory count comes back to zero. */
void tu_limits_drift_round(tproc_ctx *ctx, const tproc_filter *f, uint64_t seed);

#endif

/*
 * A test-only filter, "tu_shift": copies its input to its output through a halo of
 * (left, top, right, bottom) = params (0-8 each), reading the pixel at offset (dx, dy) in
 * [-halo, +halo] of each output pixel: out(x, y) = in(x + dx, y + dy). It exercises the engine's
 * halo and border handling mid-chain with a result that is easy to compute naively.
 * Keys: left, top, right, bottom, dx, dy. Registered on first use.
 */
const tproc_filter *tu_shift_filter(void);

/* A new pipeline of the filter specs; asserts success. */
tproc_pipeline *tu_chain(tproc_ctx *ctx, const char *const *specs, size_t n);

/* Runs one chain given as filter specs on a view; asserts success; returns the new image. */
tproc_image *tu_run(tproc_ctx *ctx, const tproc_view *in, const char *const *specs, size_t n,
                    ptrdiff_t tile_w, ptrdiff_t tile_h, int threads, tproc_border border);

/* Channel c of pixel (x, y) as a double in the sample's natural range. */
double tu_sample(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c);

/* The output format of the one-filter chain spec for a w x h u8 input of `channels`. */
tproc_format tu_output_format(const char *spec, ptrdiff_t w, ptrdiff_t h, int channels);

/* Asserts two views are byte-identical (same format, every sample equal). */
void tu_assert_same(const tproc_view *a, const tproc_view *b, const char *what);
