/* SPDX-License-Identifier: MIT */
/*
 * gamma.c: gamma correction, v' = max * (v / max)^(1 / value), where max is the sample type's
 * maximum (255, 65535, or 1.0 for f32). value is in (0, 10], default 2.2: above 1 brightens
 * the mid-tones, below 1 darkens them, 1 is the identity; 0 and max stay where they are.
 * Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table of map(), the same double formula that f32 uses, so every
 * tiling gives the same bytes (kernels/point_lut.c builds and applies the tables).
 * f32 is computed in double, stored as float and not clamped: values above 1 follow the same
 * curve, and negative values mirror it, v' = -max * (-v / max)^(1 / value), instead of
 * becoming NaN.
 */
#include "kernels/point_lut.h"

static const tproc_param_desc params[] = {
    {"value", TPROC_PARAM_FLOAT, 2.2, 0.0, 10.0, TPROC_PARAM_MIN_OPEN, NULL,
     "gamma: v' = max * (v / max)^(1 / value); 1 is unchanged"},
};

/* The definition; k holds the parameters in table order. */
static double map(const double *k, double v, double max)
{
    double e = 1.0 / k[0];
    return v < 0 ? -max * pow(-v / max, e) : max * pow(v / max, e);
}

TPROC__MAP_ROW(map) /* f32 rows with map inlined; u8 and u16 through the tables */

const tproc_filter tproc__filter_gamma = {
    .abi = TPROC_FILTER_ABI,
    .name = "gamma",
    .summary = "gamma correction max * (v / max)^(1 / value) (alpha unchanged)",
    .params = params,
    .param_count = 1,
    .map = map,
    .process_row = map_row,
};
