/* SPDX-License-Identifier: MIT */
/*
 * brightness.c: adds a constant to every colour sample, v' = v + amount * max, where max is the
 * sample type's maximum (255, 65535, or 1.0 for f32), so amount (in [-1, 1], default 0.1) means
 * the same for every type. Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table of map(), that same double formula (kernels/point_lut.c
 * builds and applies it; on u8 the table is clamp(v + k) for one integer k, so it runs as a
 * saturating add at memory speed). f32 is computed in double, stored as float and not clamped
 * (0.95 + 0.1 stays 1.05), so a later stage still sees the values.
 */
#include "kernels/point_lut.h"

static const tproc_param_desc params[] = {
    {"amount", TPROC_PARAM_FLOAT, 0.1, -1.0, 1.0, 0, NULL,
     "added to every colour sample, as a fraction of the maximum"},
};

/* The definition; k holds the parameters in table order. */
static double map(const double *k, double v, double max)
{
    return v + k[0] * max;
}

TPROC__MAP_ROW(map) /* f32 rows with map inlined; u8 and u16 through the tables */

const tproc_filter tproc__filter_brightness = {
    .abi = TPROC_FILTER_ABI,
    .name = "brightness",
    .summary = "add amount * max to every colour sample (alpha unchanged)",
    .params = params,
    .param_count = 1,
    .map = map,
    .process_row = map_row,
};
