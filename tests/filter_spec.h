/* SPDX-License-Identifier: MIT */
/*
 * filter_spec.h: random filter specs drawn from the filters' own parameter tables, so that the
 * suites and fuzzers that run "every filter" (the limits suite, the concurrency suite, the
 * chain fuzzer) cover each filter in the registry, built-in or registered at run time, without
 * naming any. Shared by the Check runner and the fuzz harnesses (no Check dependency).
 */
#ifndef TILEPROC_TESTS_FILTER_SPEC_H
#define TILEPROC_TESTS_FILTER_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "tileproc/tileproc.h"

/* A deterministic generator (splitmix64): the same seed draws the same specs. */
typedef struct fspec_rng {
    uint64_t state;
} fspec_rng;
uint64_t fspec_next(fspec_rng *rng);

/*
 * The filter the chain fuzzer takes for one header byte: the byte modulo the registry's size,
 * so every filter, built-in or registered (the first 256), is among its choices.
 */
const tproc_filter *fspec_choose(unsigned byte);

/*
 * Writes "name:key=value,..." for f with parameters drawn from its table: required ones
 * always, optional ones half the time, the others three times in four (else the default).
 * Numbers come from a small part of their range, so kernels and images stay small: integers
 * with a range wider than 64 (sizes, positions, radii) half the time the minimum, otherwise
 * log-uniformly from [min, min + 63],
 * the others uniformly within 3 of the default; enums from their choices; a matrix of 1, 3 or
 * 5 rows and columns of small numbers (any size in the table's bounds for TPROC_PARAM_ANY_SIZE);
 * colours of 1-4 numbers or #rrggbb[aa]; TEXT parameters (paths) fspec_text_value(). The spec
 * always parses; the filter may still refuse
 * the combination for an input (a crop outside the image, a resize given neither a scale nor
 * a size).
 */
void fspec_draw(const tproc_filter *f, fspec_rng *rng, char *buf, size_t size);

/*
 * The value TEXT parameters get: the path of a small RGBA PNG (9x7, alpha from transparent to
 * opaque) written once per process into $TMPDIR (or /tmp) and removed at exit, so a filter that
 * reads an image file (composite) runs in every suite. fspec_draw escapes it for the spec.
 */
const char *fspec_text_value(void);

/*
 * Draws specs for f until the filter accepts one for an input of format *in (the spec parses
 * and tproc_pipeline_output_format succeeds), at most `tries` draws. Returns 1 with that spec
 * in buf, or 0 if every draw was refused.
 */
int fspec_valid(tproc_ctx *ctx, const tproc_filter *f, const tproc_format *in, fspec_rng *rng,
                int tries, char *buf, size_t size);

#endif
