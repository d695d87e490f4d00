/* SPDX-License-Identifier: MIT */
/*
 * new_filter.c: a filter that exists nowhere in the tree but here, loaded at run time to show
 * that every place that lists or exercises "all filters" picks it up by itself: the CLI's
 * filter list, help and man page (tests/cli/new_filter.sh), the limits suite and the chain
 * fuzzer's choices (test_plugin.c).
 *
 * tu_extremum:mode=min|max,radius=R: the minimum (erosion) or maximum (dilation) of each colour
 * channel over the (2R + 1)-pixel square; alpha is the centre pixel's. Halo R, so it also
 * exercises tiles and borders. Only the public headers.
 */
#include <string.h>
#include <tileproc/tileproc.h>

static const char *const modes[] = {"min", "max", NULL};
static const tproc_param_desc params[] = {
    {"mode", TPROC_PARAM_ENUM, 0, 0, 0, 0, modes, "min (erode) or max (dilate)"},
    {"radius", TPROC_PARAM_INT, 1, 1, 4, 0, NULL, "half the window's width"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* nothing can fail */
    ptrdiff_t r = (ptrdiff_t)stage->params->value[1];
    stage->halo.left = stage->halo.top = stage->halo.right = stage->halo.bottom = r;
    return TPROC_OK;
}

static double get(const unsigned char *p, tproc_sample s, int c)
{
    if (s == TPROC_U8)
        return p[c];
    if (s == TPROC_U16) {
        uint16_t v;
        memcpy(&v, p + 2 * c, 2);
        return v;
    }
    float v;
    memcpy(&v, p + 4 * c, 4);
    return v;
}

static void put(unsigned char *p, tproc_sample s, int c, double v)
{
    if (s == TPROC_U8) {
        p[c] = (unsigned char)v;
    } else if (s == TPROC_U16) {
        uint16_t u = (uint16_t)v;
        memcpy(p + 2 * c, &u, 2);
    } else {
        float f = (float)v;
        memcpy(p + 4 * c, &f, 4);
    }
}

static int process(const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    int max = call->stage->params->value[0] == 1;
    int r = (int)call->stage->params->value[1], ch = in->channels;
    int colour = ch == 2 || ch == 4 ? ch - 1 : ch;
    /* Output (x, y) is centred on input (x + ox, y + oy). */
    ptrdiff_t ox = call->out_rect.x - call->in_rect.x, oy = call->out_rect.y - call->in_rect.y;
    for (ptrdiff_t y = 0; y < out->height; y++)
        for (ptrdiff_t x = 0; x < out->width; x++) {
            unsigned char *d = tproc_view_pixel(out, x, y);
            for (int c = 0; c < colour; c++) {
                double best = get(tproc_view_pixel(in, ox + x, oy + y), in->sample, c);
                for (int j = -r; j <= r; j++)
                    for (int i = -r; i <= r; i++) {
                        double v = get(tproc_view_pixel(in, ox + x + i, oy + y + j), in->sample, c);
                        best = max ? (v > best ? v : best) : (v < best ? v : best);
                    }
                put(d, in->sample, c, best);
            }
            if (colour < ch)
                put(d, in->sample, colour,
                    get(tproc_view_pixel(in, ox + x, oy + y), in->sample, colour));
        }
    return TPROC_OK;
}

static const tproc_filter extremum = {
    .abi = TPROC_FILTER_ABI,
    .name = "tu_extremum",
    .summary = "test plugin: minimum or maximum over a square (erode or dilate)",
    .params = params,
    .param_count = 2,
    .prepare = prepare,
    .process = process,
};

__attribute__((visibility("default"))) int tproc_plugin_init(int abi, tproc_ctx *ctx,
                                                             tproc_plugin_register_fn reg)
{
    if (abi != TPROC_FILTER_ABI)
        return TPROC_ERR_UNSUPPORTED;
    return reg(ctx, &extremum);
}
