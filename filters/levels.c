/* SPDX-License-Identifier: MIT */
/*
 * levels.c: the levels control of photo editors. The input range [in_black, in_white] is
 * stretched onto the output range [out_black, out_white]:
 *     v' = out_black*max + (out_white - out_black)*max
 *          * clamp((v/max - in_black) / (in_white - in_black), 0, 1)
 * where max is the sample type's maximum (255, 65535, or 1.0 for f32) and every level is a
 * fraction of max in [0, 1] (defaults 0, 1, 0, 1: the identity), so the parameters mean the
 * same for every type. prepare() refuses in_white <= in_black; out_black > out_white is allowed
 * and inverts. Alpha, the last channel of gray+alpha and RGBA, is copied unchanged.
 *
 * Rounding: u8 and u16 results are the exact value rounded half up and clamped to the type's
 * range; they come from a lookup table of map(), the same double formula that f32 uses, so every
 * tiling gives the same bytes (kernels/point_lut.c builds and applies the tables).
 * f32 is computed in double and stored as float; the definition's clamp keeps it between
 * out_black and out_white (a NaN sample gives out_black).
 */
#include "kernels/point_lut.h"

static const tproc_param_desc params[] = {
    {"in_black", TPROC_PARAM_FLOAT, 0.0, 0.0, 1.0, 0, NULL,
     "input level that becomes out_black (fraction of max)"},
    {"in_white", TPROC_PARAM_FLOAT, 1.0, 0.0, 1.0, 0, NULL,
     "input level that becomes out_white (fraction of max; above in_black)"},
    {"out_black", TPROC_PARAM_FLOAT, 0.0, 0.0, 1.0, 0, NULL,
     "output level for in_black and below (fraction of max)"},
    {"out_white", TPROC_PARAM_FLOAT, 1.0, 0.0, 1.0, 0, NULL,
     "output level for in_white and above (fraction of max)"},
};

/* The definition; k holds the parameters in table order. */
static double map(const double *k, double v, double max)
{
    double t = tproc__clamp((v / max - k[0]) / (k[1] - k[0]), 0.0, 1.0);
    return k[2] * max + (k[3] - k[2]) * max * t;
}

TPROC__MAP_ROW(map) /* f32 rows with map inlined; u8 and u16 through the tables */

/* The engine builds the tables; this only refuses an empty input range. */
static int check(tproc_ctx *ctx, tproc_stage *stage)
{
    double black = tproc__param(stage, 0), white = tproc__param(stage, 1);
    if (!(white > black))
        return tproc__filter_error(ctx, stage->filter,
                                   "in_white must be greater than in_black, got in_black=%g, "
                                   "in_white=%g",
                                   black, white);
    return TPROC_OK;
}

const tproc_filter tproc__filter_levels = {
    .abi = TPROC_FILTER_ABI,
    .name = "levels",
    .summary = "map [in_black, in_white] onto [out_black, out_white] (alpha unchanged)",
    .params = params,
    .param_count = 4,
    .prepare = check,
    .map = map,
    .process_row = map_row,
};
