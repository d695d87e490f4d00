/* SPDX-License-Identifier: MIT */
/*
 * open.c: open:radius=R,shape=square|cross|disk, dilate(erode(f)) with the same element (OpenCV
 * morphologyEx MORPH_OPEN): removes bright details smaller than the element. Two passes, so the
 * halo is 2R: the erosion is computed over the tile plus R, from the input read through the
 * run's border rule. Alpha kept. src/kernels/morph.c does the work.
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(open, TPROC__MORPH_OPEN,
                    "opening: erode then dilate (removes small bright details)");
