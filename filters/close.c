/* SPDX-License-Identifier: MIT */
/*
 * close.c: close:radius=R,shape=square|cross|disk, erode(dilate(f)) with the same element
 * (OpenCV morphologyEx MORPH_CLOSE): fills dark details smaller than the element. Halo 2R, as
 * open.c explains. Alpha kept. src/kernels/morph.c does the work.
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(close, TPROC__MORPH_CLOSE,
                    "closing: dilate then erode (fills small dark details)");
