/* SPDX-License-Identifier: MIT */
/*
 * point_lut.h: the engine's machinery for map filters (tproc_filter.map): point filters whose
 * result is a function of one colour sample (brightness, contrast, gamma, levels, plugins).
 * Such a filter supplies only its definition, a map of one sample in the natural range of a
 * type whose maximum is max (255, 65535, or 1.0 for f32), and this module does the rest:
 * - prepare builds a table of the map for u8 (256 entries) or u16 (65536), each entry the
 *   exact double result rounded half up and clamped (tproc__to_u8/tproc__to_u16), so integer
 *   output is the same bytes whatever the tiling or the CPU;
 * - the integer rows apply that table to the colour channels and copy alpha (the last channel
 *   of gray+alpha and RGBA). u8 picks its fastest exact loop once, in prepare: a saturating add
 *   when the table is clamp(v + k), SIMD table lookups on x86-64 CPUs that have them, or a
 *   portable scalar loop; all give the table's bytes;
 * - f32 calls map in double and stores the result as float, unclamped.
 * Every row allows in == out. The built-in map filters give a process_row too
 * (TPROC__MAP_ROW), so that their f32 rows run with the map inlined; point filters with integer
 * rows of their own (invert, threshold) borrow the f32 row the same way.
 */
#ifndef TILEPROC_KERNELS_POINT_LUT_H
#define TILEPROC_KERNELS_POINT_LUT_H

#include <stddef.h>
#include <string.h>

#include "filter_internal.h"

/* One colour sample through a filter's definition; values is the filter's value[] array. */
typedef double (*tproc__point_map)(const double *values, double v, double max);

/*
 * The table of the stage's map filter (stage->filter->map of stage->params->value) for u8 and
 * u16 input, as stage->state (allocated from ctx; f32 has none). Free with
 * tproc__point_lut_release().
 */
int tproc__point_lut_prepare(tproc_ctx *ctx, tproc_stage *stage);
void tproc__point_lut_release(tproc_ctx *ctx, tproc_stage *stage);

/* One packed row of width pixels of a map filter's stage, any sample type. */
void tproc__point_lut_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width);

/*
 * For tests and benchmarks: makes the stage's u8 rows use the implementation called name
 * ("scalar", "add", "avx2", "avx512vbmi"). Returns TPROC_ERR_UNSUPPORTED when this
 * build or CPU lacks it, or ("add") when the table is not a saturating add.
 */
int tproc__point_lut_force_u8(tproc_stage *stage, const char *name);

/*
 * One packed f32 row of width pixels: map(values, v, 1.0) on colour samples, in double, stored
 * as float without clamping; alpha copied. Inline so that a constant map is inlined too.
 */
static inline void tproc__point_row_f32(tproc__point_map map, const double *values,
                                        const unsigned char *in, unsigned char *out, size_t width,
                                        int channels)
{
    int colour = tproc__colour_channels(channels);
    for (size_t x = 0; x < width; x++, in += 4 * channels, out += 4 * channels) {
        for (int c = 0; c < colour; c++) {
            float v;
            memcpy(&v, in + 4 * c, 4);
            v = (float)map(values, v, 1.0);
            memcpy(out + 4 * c, &v, 4);
        }
        if (colour != channels)
            memmove(out + 4 * colour, in + 4 * colour, 4);
    }
}

/*
 * For a built-in map filter: defines map_row(), a process_row that runs f32 rows with MAP
 * inlined (several times faster than the engine's call per sample, which cannot vectorise)
 * and u8 and u16 rows through the engine's tables. The descriptor then gives
 * `.map = MAP, .process_row = MAP_row`.
 */
#define TPROC__MAP_ROW(MAP)                                                                        \
    static void MAP##_row(const tproc_stage *stage, const void *in, void *out, ptrdiff_t width)    \
    {                                                                                              \
        if (stage->in.sample == TPROC_F32)                                                         \
            tproc__point_row_f32(MAP, stage->params->value, in, out, (size_t)width,                \
                                 stage->in.channels);                                              \
        else                                                                                       \
            tproc__point_lut_row(stage, in, out, width);                                           \
    }

#endif
