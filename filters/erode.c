/* SPDX-License-Identifier: MIT */
/*
 * erode.c: erode:radius=R,shape=square|cross|disk, the minimum of each colour channel over the
 * structuring element (OpenCV erode / morphologyEx MORPH_ERODE with getStructuringElement's
 * MORPH_RECT, MORPH_CROSS or MORPH_ELLIPSE of (2R+1) x (2R+1)). Halo R, read through the run's
 * border rule; alpha kept. src/kernels/morph.c does the work (van Herk / Gil-Werman lines).
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(erode, TPROC__MORPH_ERODE,
                    "minimum over a square, cross or disk (grey-level erosion)");
