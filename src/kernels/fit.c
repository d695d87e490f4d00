/* SPDX-License-Identifier: MIT */
/*
 * fit.c: resize's output geometry (fit.h has the rules).
 */
#include "fit.h"

#include <math.h>
#include <stdint.h>

#include "internal.h"

const char *const tproc__fit_mode_names[] = {"fill", "contain", "cover", "inside", "outside", NULL};
const char *const tproc__fit_position_names[] = {"centre",    "north", "northeast", "east",
                                                 "southeast", "south", "southwest", "west",
                                                 "northwest", NULL};
const char *const tproc__fit_resize_position_names[] = {"centre",    "north",   "northeast", "east",
                                                        "southeast", "south",   "southwest", "west",
                                                        "northwest", "entropy", "attention", NULL};

/* max(1, round(v)) with round half up; -1 if it does not fit. */
static ptrdiff_t round_size(double v)
{
    double r = floor(v + 0.5);
    if (!(r < 9007199254740992.0) || r > (double)PTRDIFF_MAX)
        return -1;
    return r < 1.0 ? 1 : (ptrdiff_t)r;
}

/* max(1, rint(v)), ties to even as sharp's std::rint; -1 if it does not fit. */
static ptrdiff_t rint_size(double v)
{
    double r = nearbyint(v);
    if (!(r < 9007199254740992.0) || r > (double)PTRDIFF_MAX)
        return -1;
    return r < 1.0 ? 1 : (ptrdiff_t)r;
}

/* max(1, round(other * side / base)) with round half up, in integers; -1 on overflow. */
static ptrdiff_t keep_aspect(ptrdiff_t other, ptrdiff_t side, ptrdiff_t base)
{
    size_t num, den;
    if (tproc__mul((size_t)other, (size_t)side, &num) || tproc__mul(num, 2, &num) ||
        tproc__add(num, (size_t)base, &num) || tproc__mul((size_t)base, 2, &den))
        return -1;
    size_t r = num / den;
    if (r > (size_t)PTRDIFF_MAX)
        return -1;
    return r < 1 ? 1 : (ptrdiff_t)r;
}

/* tileproc's own rules: scale, and fill (fit.h). */
static int fill_size(const tproc__fit_request *r, ptrdiff_t *w, ptrdiff_t *h)
{
    ptrdiff_t W = r->in_width, H = r->in_height;
    if (r->has_scale) {
        double s = r->enlarge || r->scale < 1.0 ? r->scale : 1.0;
        *w = round_size((double)W * s);
        *h = round_size((double)H * s);
    } else if (r->width && r->height) {
        *w = r->enlarge || r->width < W ? r->width : W;
        *h = r->enlarge || r->height < H ? r->height : H;
    } else if (!r->enlarge && (r->width ? r->width >= W : r->height >= H)) {
        *w = W; /* one side, which would enlarge: unchanged */
        *h = H;
    } else if (r->width) {
        *w = r->width;
        *h = keep_aspect(H, r->width, W);
    } else {
        *h = r->height;
        *w = keep_aspect(W, r->height, H);
    }
    return *w < 1 || *h < 1 ? -1 : 0;
}

/* sharp's ResolveShrink for the fit modes, then the scaled size. */
static int sharp_size(const tproc__fit_request *r, ptrdiff_t *w, ptrdiff_t *h)
{
    double W = (double)r->in_width, H = (double)r->in_height, hs = 1.0, vs = 1.0;
    if (r->width && r->height) {
        hs = W / (double)r->width;
        vs = H / (double)r->height;
        int smaller = r->fit == TPROC__FIT_COVER || r->fit == TPROC__FIT_OUTSIDE;
        if (smaller == (hs < vs))
            vs = hs;
        else
            hs = vs;
    } else if (r->width) {
        hs = vs = W / (double)r->width;
    } else {
        hs = vs = H / (double)r->height;
    }
    if (!r->enlarge) {
        hs = hs < 1.0 ? 1.0 : hs;
        vs = vs < 1.0 ? 1.0 : vs;
    }
    hs = hs > W ? W : hs;
    vs = vs > H ? H : vs;
    *w = rint_size(W / hs);
    *h = rint_size(H / vs);
    return *w < 1 || *h < 1 ? -1 : 0;
}

/* Horizontal and vertical thirds of a position: 0 left/top, 1 centre, 2 right/bottom. */
static void position_parts(tproc__fit_position p, int *hx, int *vy)
{
    static const int h[] = {1, 1, 2, 2, 2, 1, 0, 0, 0, 1, 1};
    static const int v[] = {1, 0, 0, 1, 2, 2, 2, 1, 0, 1, 1};
    *hx = h[p];
    *vy = v[p];
}

/* sharp's CalculateCrop along one axis: where a crop of out starts in scaled. */
static ptrdiff_t crop_start(int part, ptrdiff_t scaled, ptrdiff_t out)
{
    return part == 0 ? 0 : part == 2 ? scaled - out : (scaled - out + 1) / 2;
}

/* sharp's CalculateEmbedPosition along one axis: where scaled starts on a canvas of out. */
static ptrdiff_t embed_start(int part, ptrdiff_t scaled, ptrdiff_t out)
{
    return part == 0 ? 0 : part == 2 ? out - scaled : (out - scaled) / 2;
}

/* The crop of out in scaled whose centre is nearest to focus * scaled. */
static ptrdiff_t focus_start(double focus, ptrdiff_t scaled, ptrdiff_t out)
{
    double s = floor(focus * (double)scaled - (double)out / 2.0 + 0.5);
    double hi = (double)(scaled - out);
    return (ptrdiff_t)(s < 0 ? 0 : s > hi ? hi : s);
}

int tproc__fit_compute(const tproc__fit_request *r, tproc__fit_geometry *g)
{
    ptrdiff_t w, h;
    int status =
        r->fit == TPROC__FIT_FILL || r->has_scale ? fill_size(r, &w, &h) : sharp_size(r, &w, &h);
    if (status)
        return status;
    g->scaled_width = g->width = w;
    g->scaled_height = g->height = h;
    g->x = g->y = 0;
    if (!r->width || !r->height || r->has_scale)
        return 0;
    int hx, vy;
    position_parts(r->position, &hx, &vy);
    if (r->fit == TPROC__FIT_COVER) {
        g->width = r->width < w ? r->width : w;
        g->height = r->height < h ? r->height : h;
        g->x = r->has_focus ? focus_start(r->focus_x, w, g->width) : crop_start(hx, w, g->width);
        g->y = r->has_focus ? focus_start(r->focus_y, h, g->height) : crop_start(vy, h, g->height);
    } else if (r->fit == TPROC__FIT_CONTAIN) {
        g->width = r->width > w ? r->width : w;
        g->height = r->height > h ? r->height : h;
        g->x = -embed_start(hx, w, g->width);
        g->y = -embed_start(vy, h, g->height);
    }
    return 0;
}
