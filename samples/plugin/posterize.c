/* SPDX-License-Identifier: MIT */
/*
 * posterize.c: a custom filter written as a plugin. Build it as a shared object, then
 *     tileproc run --plugin ./libposterize.so photo.jpg out.png posterize:levels=4
 * or load it from C with tproc_plugin_load(). It needs only the public headers: the library
 * hands it the function to register with, so the plugin does not even link to libtileproc.
 *
 * posterize:levels=N keeps N evenly spaced levels per colour channel (alpha untouched):
 *     v' = round(round(v / max * (N - 1)) * max / (N - 1))   (rounding half up)
 *
 * Its result depends on one sample value only, so the filter is a parameter table and a map:
 * the library builds the lookup tables (256 entries for u8, 65536 for u16), applies them to
 * the colour channels with its fastest exact loop, copies alpha, rounds integer results half
 * up and calls the map directly for f32. A filter that needs more gives prepare() (check the
 * parameters, change the output format, ask for a halo), process() (fill a tile from an input
 * view that already holds the halo) and the other members of tproc_filter in filter.h.
 */
#include <math.h>
#include <tileproc/tileproc.h>

static const tproc_param_desc params[] = {
    {"levels", TPROC_PARAM_INT, 4, 2, 256, 0, NULL, "levels kept per channel"},
};

/* One colour sample v in [0, max] (max: 255, 65535, or 1 for f32); k[0] is `levels`. The
 * library rounds the result for integer samples. */
static double map(const double *k, double v, double max)
{
    double steps = k[0] - 1;
    return floor(v / max * steps + 0.5) * max / steps;
}

static const tproc_filter posterize = {
    .abi = TPROC_FILTER_ABI,
    .name = "posterize",
    .summary = "keep N levels per colour channel (a sample plugin)",
    .params = params,
    .param_count = 1,
    .map = map,
};

/* The one entry point a plugin exports. */
__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    if (abi != TPROC_FILTER_ABI)
        return TPROC_ERR_UNSUPPORTED;
    return reg(ctx, &posterize);
}
