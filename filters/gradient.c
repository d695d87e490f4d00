/* SPDX-License-Identifier: MIT */
/*
 * gradient.c: gradient:radius=R,shape=square|cross|disk, dilate(f) - erode(f) (OpenCV
 * morphologyEx MORPH_GRADIENT): the outline of every edge, as wide as the element. Both from the
 * same input, so the halo is R. Alpha kept. src/kernels/morph.c does the work.
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(gradient, TPROC__MORPH_GRADIENT,
                    "morphological gradient: dilation minus erosion (outlines)");
