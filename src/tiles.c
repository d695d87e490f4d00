/* SPDX-License-Identifier: MIT */
/*
 * tiles.c: the tile iterator. Interior tiles are plain sub-views of the source (no copy); a
 * tile whose halo crosses an edge is assembled into one scratch buffer, allocated on first need
 * and reused by every later tile.
 */
#include <string.h>

#include "internal.h"
#include "view_internal.h"

struct tproc_tiles {
    tproc_ctx *ctx;
    tproc_view src;
    tproc_tiles_options options;
    size_t across, down, count, next;
    void *scratch;
};

static size_t ceil_div(ptrdiff_t a, ptrdiff_t b)
{
    return (size_t)((a + b - 1) / b);
}

int tproc_tiles_new(tproc_ctx *ctx, const tproc_view *src, const tproc_tiles_options *options,
                    tproc_tiles **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_tiles_new: no output pointer");
    *out = NULL;
    if (!src || tproc_view_validate(src) || !options)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_tiles_new: invalid view or options");
    const tproc_halo *h = &options->halo;
    if (options->tile_width < 1 || options->tile_height < 1)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "tiles: tile size must be at least 1x1, got %tdx%td",
                            options->tile_width, options->tile_height);
    /* A halo may exceed the image (reflections bounce), but not absurdly: keep the tile plus
     * halo addressable and under the memory limit, checked below. */
    if (h->left < 0 || h->top < 0 || h->right < 0 || h->bottom < 0)
        return tproc__error(ctx, TPROC_ERR_ARG, "tiles: halo must not be negative");
    if ((unsigned)options->border > TPROC_BORDER_WRAP)
        return tproc__error(ctx, TPROC_ERR_ARG, "tiles: unknown border rule %d",
                            (int)options->border);
    ptrdiff_t tw = options->tile_width < src->width ? options->tile_width : src->width;
    ptrdiff_t th = options->tile_height < src->height ? options->tile_height : src->height;
    size_t gw, gh, bytes;
    if (tproc__add((size_t)tw, (size_t)h->left, &gw) || tproc__add(gw, (size_t)h->right, &gw) ||
        tproc__add((size_t)th, (size_t)h->top, &gh) || tproc__add(gh, (size_t)h->bottom, &gh) ||
        tproc__mul(gw, gh, &bytes) || tproc__mul(bytes, tproc_view_pixel_size(src), &bytes) ||
        bytes > PTRDIFF_MAX)
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "tiles: tile plus halo is too large");
    int status = tproc__check_limit(ctx, bytes, "tile scratch");
    if (status)
        return status;
    void *p;
    if ((status = tproc__alloc(ctx, sizeof(tproc_tiles), "tile iterator", &p)))
        return status;
    tproc_tiles *tiles = p;
    tiles->ctx = tproc__ctx(ctx);
    tiles->src = *src;
    tiles->options = *options;
    tiles->options.tile_width = tw;
    tiles->options.tile_height = th;
    tiles->across = ceil_div(src->width, tw);
    tiles->down = ceil_div(src->height, th);
    tiles->count = tiles->across * tiles->down;
    *out = tiles;
    return TPROC_OK;
}

int tproc_tiles_next(tproc_tiles *tiles, tproc_tile *tile)
{
    if (!tiles || !tile)
        return TPROC_ERR_ARG;
    if (tiles->next >= tiles->count)
        return 0;
    const tproc_tiles_options *o = &tiles->options;
    const tproc_halo *h = &o->halo;
    const tproc_view *src = &tiles->src;
    size_t index = tiles->next;
    tproc_rect r;
    r.x = (ptrdiff_t)(index % tiles->across) * o->tile_width;
    r.y = (ptrdiff_t)(index / tiles->across) * o->tile_height;
    r.width = src->width - r.x < o->tile_width ? src->width - r.x : o->tile_width;
    r.height = src->height - r.y < o->tile_height ? src->height - r.y : o->tile_height;
    tproc_rect g = {r.x - h->left, r.y - h->top, r.width + h->left + h->right,
                    r.height + h->top + h->bottom};
    tile->out = r;
    tile->index = index;
    if (g.x >= 0 && g.y >= 0 && g.x + g.width <= src->width && g.y + g.height <= src->height) {
        tproc_view_sub(src, g.x, g.y, g.width, g.height, &tile->in);
        tile->assembled = 0;
    } else {
        if (!tiles->scratch) {
            size_t bytes = (size_t)(o->tile_width + h->left + h->right) *
                           (size_t)(o->tile_height + h->top + h->bottom) *
                           tproc_view_pixel_size(src);
            int status = tproc__alloc_uninit(tiles->ctx, bytes, "tile scratch", &tiles->scratch);
            if (status)
                return status;
        }
        tproc__view_packed(&tile->in, tiles->scratch, g.width, g.height, src->channels,
                           src->sample);
        tproc_view_read_border(src, g, o->border, o->border_value, &tile->in);
        tile->assembled = 1;
    }
    tiles->next++;
    return 1;
}

size_t tproc_tiles_count(const tproc_tiles *tiles)
{
    return tiles->count;
}

size_t tproc_tiles_across(const tproc_tiles *tiles)
{
    return tiles->across;
}

size_t tproc_tiles_down(const tproc_tiles *tiles)
{
    return tiles->down;
}

void tproc_tiles_rewind(tproc_tiles *tiles)
{
    tiles->next = 0;
}

void tproc_tiles_free(tproc_tiles **ptiles)
{
    if (!ptiles || !*ptiles)
        return;
    tproc_tiles *tiles = *ptiles;
    *ptiles = NULL;
    tproc__dealloc(tiles->ctx, tiles->scratch);
    tproc__dealloc(tiles->ctx, tiles);
}
