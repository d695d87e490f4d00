/* SPDX-License-Identifier: MIT */
/* view_internal.h: view helpers shared inside the library. */
#ifndef TILEPROC_VIEW_INTERNAL_H
#define TILEPROC_VIEW_INTERNAL_H

#include "internal.h"

/*
 * The byte range a valid view touches, relative to view->data: [*lo, *hi). Any view that passed
 * tproc_view_validate() has a range that fits in ptrdiff_t.
 */
void tproc__view_extent(const tproc_view *view, ptrdiff_t *lo, ptrdiff_t *hi);

/* Whether the byte ranges of two views intersect (a conservative test for aliasing). */
int tproc__views_overlap(const tproc_view *a, const tproc_view *b);

/* A packed view over a scratch buffer. */
void tproc__view_packed(tproc_view *out, void *data, ptrdiff_t width, ptrdiff_t height,
                        int channels, tproc_sample sample);

/* Encodes value[0..channels-1] (natural range) as one pixel's bytes in pixel (>= 16 bytes). */
void tproc__encode_pixel(unsigned char *pixel, tproc_sample sample, int channels,
                         const double *value);

/*
 * tproc_view_read_border() for an image of full_width x full_height of which only the
 * rectangle `at` is available, in region. Every pixel rect needs must map (through the border
 * rule) into `at`; the planner guarantees it.
 */
int tproc__read_border_region(const tproc_view *region, tproc_rect at, ptrdiff_t full_width,
                              ptrdiff_t full_height, tproc_rect rect, tproc_border border,
                              const double *value, const tproc_view *dst);

#endif
