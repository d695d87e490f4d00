/* SPDX-License-Identifier: MIT */
/*
 * fit.h: the output geometry of resize: how large the scaled image is and which part of it (or
 * what canvas around it) becomes the output, from the input size and resize's parameters.
 *
 * scale=S:            max(1, round(side * S)), rounding half up (S capped at 1 by enlarge=0).
 * fit=fill (default): width and height as given; one of them alone keeps the aspect ratio,
 *                     max(1, round(other * given / side)) in exact integers, rounding half up
 *                     (tileproc's rule from before fit modes; sharp's fill would keep the other
 *                     side unchanged). enlarge=0 caps each side at the input's.
 * fit=contain, cover, inside, outside (sharp's fit modes, CSS object-fit names) follow sharp's
 *                     ResolveShrink: shrink factors hs = W / width and vs = H / height in double;
 *                     with both sides, cover and outside take the smaller, contain and inside the
 *                     larger for both axes; with one side, its factor for both axes; enlarge=0
 *                     (sharp's withoutEnlargement) raises a factor below 1 to 1; a factor never
 *                     exceeds its side (no axis below one pixel). The scaled image is
 *                     round(W / hs) x round(H / vs), rounded to nearest with ties to even (sharp's
 *                     rint). Then, with both sides given:
 *                       inside, outside: the output is the scaled image;
 *                       cover: a crop of min(width, scaled) x min(height, scaled) at position
 *                         (sharp's CalculateCrop: centred is (scaled - out + 1) / 2), or around
 *                         the focus point focus_x, focus_y (fractions of the image): the crop
 *                         whose centre is nearest it, left = clamp(round(fx scaled_w - out_w / 2));
 *                       contain: the scaled image on a width x height canvas at position (sharp's
 *                         CalculateEmbedPosition: centred is (out - scaled) / 2), the rest
 *                         background.
 */
#ifndef TILEPROC_KERNELS_FIT_H
#define TILEPROC_KERNELS_FIT_H

#include <stddef.h>

typedef enum tproc__fit_mode {
    TPROC__FIT_FILL = 0,
    TPROC__FIT_CONTAIN = 1,
    TPROC__FIT_COVER = 2,
    TPROC__FIT_INSIDE = 3,
    TPROC__FIT_OUTSIDE = 4
} tproc__fit_mode;

/* Positions in the order of resize's position parameter (sharp's gravities). */
typedef enum tproc__fit_position {
    TPROC__POS_CENTRE = 0,
    TPROC__POS_NORTH,
    TPROC__POS_NORTHEAST,
    TPROC__POS_EAST,
    TPROC__POS_SOUTHEAST,
    TPROC__POS_SOUTH,
    TPROC__POS_SOUTHWEST,
    TPROC__POS_WEST,
    TPROC__POS_NORTHWEST,
    TPROC__POS_ENTROPY, /* cover only: placed by a pre-pass (smartcrop.h); centred until then */
    TPROC__POS_ATTENTION
} tproc__fit_position;

extern const char *const tproc__fit_mode_names[];
/* The nine gravities (composite's gravity); resize's position adds entropy and attention. */
extern const char *const tproc__fit_position_names[];
extern const char *const tproc__fit_resize_position_names[];

typedef struct tproc__fit_request {
    ptrdiff_t in_width, in_height;
    int has_scale;
    double scale;
    ptrdiff_t width, height; /* 0 when not given */
    tproc__fit_mode fit;
    tproc__fit_position position;
    int has_focus;
    double focus_x, focus_y;
    int enlarge;
} tproc__fit_request;

typedef struct tproc__fit_geometry {
    ptrdiff_t scaled_width, scaled_height; /* the resized image */
    ptrdiff_t width, height;               /* the output */
    ptrdiff_t x, y; /* output pixel (0, 0) is scaled pixel (x, y); negative for contain's bars */
} tproc__fit_geometry;

/* Fills *g; -1 if a size does not fit in a ptrdiff_t (or is not finite). */
int tproc__fit_compute(const tproc__fit_request *r, tproc__fit_geometry *g);

#endif
