/* SPDX-License-Identifier: MIT */
/*
 * posterize.c: a custom filter written as a plugin. Build it as a shared object, then
 *     tileproc run --plugin ./libposterize.so photo.jpg out.png posterize:levels=4
 * or load it from C with tproc_plugin_load(). It needs only the public headers: the library
 * hands it the function to register with, so the plugin does not even link to libtileproc.
 *
 * posterize:levels=N keeps N evenly spaced levels per colour channel (alpha untouched):
 *     v' = round(round(v / max * (N - 1)) * max / (N - 1))   (rounding half up)
 */
#include <math.h>
#include <string.h>
#include <tileproc/tileproc.h>

static const tproc_param_desc params[] = {
    {"levels", TPROC_PARAM_INT, 4, 2, 256, 0, NULL, "levels kept per channel"},
};

static double max_of(tproc_sample s)
{
    return s == TPROC_U8 ? 255.0 : s == TPROC_U16 ? 65535.0 : 1.0;
}

static int prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                   tproc_stage *stage)
{
    (void)ctx;
    (void)p;
    (void)in;
    stage->point = 1; /* no halo, same format: the defaults the engine filled in */
    return TPROC_OK;
}

/* One row of packed pixels. A real plugin would build a lookup table in prepare. */
static void posterize_row(const tproc_params *p, const tproc_stage *stage, const unsigned char *in,
                          unsigned char *out, ptrdiff_t width, const tproc_format *fin,
                          const tproc_format *fout)
{
    (void)stage;
    (void)fout;
    double max = max_of(fin->sample), steps = p->value[0] - 1;
    int colour = fin->channels == 2 || fin->channels == 4 ? fin->channels - 1 : fin->channels;
    size_t n = (size_t)width * (size_t)fin->channels;
    for (size_t i = 0; i < n; i++) {
        int is_alpha = (int)(i % (size_t)fin->channels) >= colour;
        double v;
        if (fin->sample == TPROC_U8) {
            v = in[i];
        } else if (fin->sample == TPROC_U16) {
            uint16_t u;
            memcpy(&u, in + 2 * i, 2);
            v = u;
        } else {
            float f;
            memcpy(&f, in + 4 * i, 4);
            v = f;
        }
        if (!is_alpha) {
            double q = floor(v / max * steps + 0.5);
            v = floor(q * max / steps + 0.5 * (fin->sample != TPROC_F32));
            if (fin->sample == TPROC_F32)
                v = q / steps;
        }
        if (fin->sample == TPROC_U8) {
            out[i] = (unsigned char)v;
        } else if (fin->sample == TPROC_U16) {
            uint16_t u = (uint16_t)v;
            memcpy(out + 2 * i, &u, 2);
        } else {
            float f = (float)v;
            memcpy(out + 4 * i, &f, 4);
        }
    }
}

static const tproc_filter posterize = {
    .abi = TPROC_FILTER_ABI,
    .name = "posterize",
    .summary = "keep N levels per colour channel (a sample plugin)",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .process_row = posterize_row,
};

/* The one entry point a plugin exports. */
__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    if (abi != TPROC_FILTER_ABI)
        return TPROC_ERR_UNSUPPORTED;
    return reg(ctx, &posterize);
}
