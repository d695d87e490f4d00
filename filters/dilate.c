/* SPDX-License-Identifier: MIT */
/*
 * dilate.c: dilate:radius=R,shape=square|cross|disk, the maximum of each colour channel over the
 * structuring element (OpenCV dilate / morphologyEx MORPH_DILATE with the same element). Halo R,
 * read through the run's border rule; alpha kept. src/kernels/morph.c does the work.
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(dilate, TPROC__MORPH_DILATE,
                    "maximum over a square, cross or disk (grey-level dilation)");
