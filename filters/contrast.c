/* SPDX-License-Identifier: MIT */
/*
 * contrast.c: scales colour samples away from (or towards) mid-grey,
 *     v' = (v - max/2) * amount + max/2,
 * where max is the sample type's maximum (255, 65535, or 1.0 for f32). amount is in [0, 10],
 * default 1.2: 1 is the identity, 0 makes every colour sample mid-grey, above 1 adds contrast.
 * Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table of map(), the same double formula that f32 uses, so every
 * tiling gives the same bytes (kernels/point_lut.c builds and applies the tables).
 * f32 is computed in double, stored as float and not clamped, so a later stage still sees
 * values pushed past 0 and 1.
 */
#include "kernels/point_lut.h"

static const tproc_param_desc params[] = {
    {"amount", TPROC_PARAM_FLOAT, 1.2, 0.0, 10.0, 0, NULL,
     "contrast factor around mid-grey (1: unchanged, 0: flat grey)"},
};

/* The definition; k holds the parameters in table order. */
static double map(const double *k, double v, double max)
{
    return (v - max / 2) * k[0] + max / 2;
}

TPROC__MAP_ROW(map) /* f32 rows with map inlined; u8 and u16 through the tables */

const tproc_filter tproc__filter_contrast = {
    .abi = TPROC_FILTER_ABI,
    .name = "contrast",
    .summary = "scale colour samples around mid-grey by amount (alpha unchanged)",
    .params = params,
    .param_count = 1,
    .map = map,
    .process_row = map_row,
};
