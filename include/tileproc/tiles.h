/* SPDX-License-Identifier: MIT */
/*
 * tiles.h: cutting a view into tiles with a halo, and reading a rectangle of a view that may
 * reach past its edges through a border rule.
 *
 * For each tile the iterator gives the output rectangle and an input view of the rectangle grown
 * by the halo. Where the grown rectangle lies inside the source, the input view is a zero-copy
 * sub-view of it; only where it crosses an edge is it assembled into the iterator's scratch
 * memory, which the next call to tproc_tiles_next() reuses.
 */
#ifndef TILEPROC_TILES_H
#define TILEPROC_TILES_H

#include "base.h"
#include "context.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The index of the source sample that position i (any integer) reads from along an axis of n
 * samples under a border rule; -1 for TPROC_BORDER_CONSTANT outside [0, n).
 */
TPROC_API ptrdiff_t tproc_border_index(ptrdiff_t i, ptrdiff_t n, tproc_border border);

/*
 * Fills dst, which has the size of rect, with the pixels of src at rect; rect may reach outside
 * src, and those pixels follow the border rule (value[channel] for CONSTANT, in the sample's
 * natural range; NULL means 0). dst must have src's channels and sample type.
 */
TPROC_API int tproc_view_read_border(const tproc_view *src, tproc_rect rect, tproc_border border,
                                     const double *value, const tproc_view *dst);

typedef struct tproc_tile {
    tproc_rect out; /* the tile, in the source's pixel coordinates */
    tproc_view in;  /* out grown by the halo: (out.width + left + right) x (... height) */
    size_t index;   /* 0, 1, ... in row-major tile order */
    int assembled;  /* 1 when in lies in scratch (the halo crossed an edge), 0 zero-copy */
} tproc_tile;

typedef struct tproc_tiles tproc_tiles;

typedef struct tproc_tiles_options {
    ptrdiff_t tile_width, tile_height; /* >= 1; edge tiles are smaller */
    tproc_halo halo;                   /* each side >= 0 */
    tproc_border border;               /* for halo pixels outside the source */
    double border_value[4];            /* TPROC_BORDER_CONSTANT's value per channel */
} tproc_tiles_options;

/* Starts iterating the tiles of src. src must stay valid while the iterator is used. */
TPROC_API int tproc_tiles_new(tproc_ctx *ctx, const tproc_view *src,
                              const tproc_tiles_options *options, tproc_tiles **out);
/* Gives the next tile: returns 1 with *tile set, 0 when done, or a negative status. */
TPROC_API int tproc_tiles_next(tproc_tiles *tiles, tproc_tile *tile);
/* Number of tiles in all, and across / down. */
TPROC_API size_t tproc_tiles_count(const tproc_tiles *tiles);
TPROC_API size_t tproc_tiles_across(const tproc_tiles *tiles);
TPROC_API size_t tproc_tiles_down(const tproc_tiles *tiles);
/* Starts again at the first tile. */
TPROC_API void tproc_tiles_rewind(tproc_tiles *tiles);
/* Frees the iterator (NULL is a no-op) and sets *tiles to NULL. */
TPROC_API void tproc_tiles_free(tproc_tiles **tiles);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_TILES_H */
