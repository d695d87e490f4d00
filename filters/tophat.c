/* SPDX-License-Identifier: MIT */
/*
 * tophat.c: tophat:radius=R,shape=square|cross|disk, f - open(f) (OpenCV morphologyEx
 * MORPH_TOPHAT, the white top-hat): the bright details smaller than the element, on black. Never
 * negative, since open(f) <= f. Halo 2R. Alpha kept. src/kernels/morph.c does the work.
 */
#include "filter_internal.h"
#include "kernels/morph.h"

TPROC__MORPH_FILTER(tophat, TPROC__MORPH_TOPHAT,
                    "white top-hat: the image minus its opening (small bright details)");
