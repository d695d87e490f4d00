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

#endif
