/* SPDX-License-Identifier: MIT */
/*
 * stream_random.c: streaming a chain that starts by turning or mirroring the image from a
 * random-access source. Read top to bottom, a quarter turn or a vertical flip needs the whole
 * input before its first output row (that row is the input's first column, or its last row),
 * so stream.c holds the image. A tiled TIFF's tiles can be decoded in any order, so here the
 * turned image is read in its own row order instead: each band of its rows is the rectangle of
 * the stored image it comes from (a column strip, full height, for a quarter turn; rows from
 * the bottom up for a vertical flip), decoded by a region read (source.c), turned by a view
 * and copied into a window of rows that feeds the rest of the chain as any streamed source.
 *
 * The leading stages and the file's own orientation make one of the eight orientations (EXIF's
 * numbering, as tproc_view_orient): found by letting the stages' own as_view hooks turn a
 * small probe view and matching the result. Reads end on tile boundaries, at most one tile
 * column (or row) each, so a decoder that decodes only the tiles a region meets decodes every
 * tile once; the memory held is the window (the bands' rows plus one tile's worth) and one
 * read, each a tile wide (or high) and as long as the image, never the image.
 */
#include <string.h>

#include "stream_random.h"
#include "view_internal.h"

extern const tproc_filter tproc__filter_rotate;
extern const tproc_filter tproc__filter_flip;

/* Whether the rows of orientation o cut the stored image's rows (1-4) or its columns (5-8),
 * and whether in the same order (1, 2, 5, 6) or from the far end (3, 4, 7, 8). */
static int cuts_rows(int o)
{
    return o <= 4;
}

static int forwards(int o)
{
    return o == 1 || o == 2 || o == 5 || o == 6;
}

/* Two views of the same pixels in the same order. */
static int same_view(const tproc_view *a, const tproc_view *b)
{
    return a->data == b->data && a->width == b->width && a->height == b->height &&
           a->pixel_stride == b->pixel_stride && a->row_stride == b->row_stride;
}

/*
 * The leading stages that only move pixels (rotate by multiples of 90, flip) and the
 * orientation they make with the file's own: each stage turns a 3x2 probe view through its
 * as_view hook (a rotate by other angles declines), then the result is matched against the
 * eight orientations of the probe.
 */
static int compose_head(tproc_pipeline *pipeline, int file_orientation, size_t *stages,
                        int *orientation)
{
    unsigned char pixels[6] = {0};
    tproc_view probe, v;
    tproc__view_packed(&probe, pixels, 3, 2, 1, TPROC_U8);
    tproc_view_orient(&probe, file_orientation, &v);
    tproc_ctx *ctx = tproc__pipeline_ctx(pipeline);
    size_t k = 0;
    for (; k < tproc_pipeline_length(pipeline); k++) {
        const tproc_params *params;
        const tproc_filter *filter = tproc__pipeline_stage(pipeline, k, &params);
        if (filter != &tproc__filter_rotate && filter != &tproc__filter_flip)
            break;
        int status = tproc__stage_as_view(ctx, filter, params, &v, &v);
        if (status == TPROC_ERR_NOT_FOUND)
            break;
        if (status)
            return status;
    }
    *stages = k;
    for (int o = 1; o <= 8; o++) {
        tproc_view turned;
        tproc_view_orient(&probe, o, &turned);
        if (same_view(&turned, &v)) {
            *orientation = o;
            return TPROC_OK;
        }
    }
    return tproc__error(ctx, TPROC_ERR_STATE, "stream: the chain's head is no orientation");
}

int tproc__random_head_find(tproc_pipeline *pipeline, tproc_source *s, tproc__random_head *head)
{
    memset(head, 0, sizeof *head);
    if (s->kind != TPROC__SOURCE_FILE || s->dec.tile_width < 1 || s->dec.tile_height < 1 ||
        s->dec.whole_image || s->shrink != 1 || s->next != 0)
        return 0;
    size_t stages = 0;
    int o = 1, status = compose_head(pipeline, s->orientation, &stages, &o);
    if (status)
        return -status;
    if (stages == 0 && s->orientation <= 2)
        return 0; /* rows come in order already */
    /* The stored image: the region read of the file, else all of it. */
    ptrdiff_t w = s->region.width ? s->region.width : s->full_format.width;
    ptrdiff_t h = s->region.width ? s->region.height : s->full_format.height;
    head->stages = stages;
    head->orientation = o;
    head->format = s->format;
    head->format.width = cuts_rows(o) ? w : h;
    head->format.height = cuts_rows(o) ? h : w;
    return 1;
}

/* The stored image's size, the tile side the reads cut and the file's offset along it. */
static void geometry(const tproc_source *s, const tproc__random_head *head, ptrdiff_t *stored_w,
                     ptrdiff_t *stored_h, ptrdiff_t *tile, ptrdiff_t *offset)
{
    int rows = cuts_rows(head->orientation);
    *stored_w = rows ? head->format.width : head->format.height;
    *stored_h = rows ? head->format.height : head->format.width;
    *tile = rows ? s->dec.tile_height : s->dec.tile_width;
    *offset = rows ? s->region.y : s->region.x;
}

/* Rows a read holds at most, and the window's rows, for bands up to tallest rows. */
static void sizes(ptrdiff_t tile, ptrdiff_t height, ptrdiff_t tallest, ptrdiff_t *read_rows,
                  ptrdiff_t *capacity)
{
    *read_rows = tile < height ? tile : height;
    *capacity = tallest < height - tile ? tallest + tile : height;
}

size_t tproc__random_reader_bytes(tproc_source *s, const tproc__random_head *head,
                                  ptrdiff_t tallest)
{
    ptrdiff_t sw, sh, tile, offset, read_rows, capacity;
    geometry(s, head, &sw, &sh, &tile, &offset);
    sizes(tile, head->format.height, tallest, &read_rows, &capacity);
    const tproc_format *f = &head->format;
    size_t packed, aligned, window, one_read, total;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)capacity, &window) ||
        tproc__mul(packed, (size_t)read_rows, &one_read) || tproc__add(window, one_read, &total))
        return SIZE_MAX;
    return total;
}

int tproc__random_reader_open(tproc_source *s, const tproc__random_head *head, ptrdiff_t tallest,
                              tproc__random_reader *r)
{
    memset(r, 0, sizeof *r);
    r->source = s;
    r->head = *head;
    ptrdiff_t sw, sh, offset, read_rows;
    geometry(s, head, &sw, &sh, &r->tile, &offset);
    sizes(r->tile, head->format.height, tallest, &read_rows, &r->capacity);
    ptrdiff_t length = cuts_rows(head->orientation) ? sh : sw;
    /* Where the file's tile boundaries fall in the turned image's rows. */
    r->phase = forwards(head->orientation) ? (r->tile - offset % r->tile) % r->tile
                                           : (offset + length) % r->tile;
    const tproc_format *f = &head->format;
    size_t packed, aligned, window, one_read;
    if (tproc__row_bytes(f->width, f->channels, f->sample, &packed, &aligned) ||
        tproc__mul(aligned, (size_t)r->capacity, &window) ||
        tproc__mul(packed, (size_t)read_rows, &one_read))
        return tproc__error(s->ctx, TPROC_ERR_OVERFLOW, "stream: band too large");
    r->stride = (ptrdiff_t)aligned;
    int status = tproc__alloc_uninit(s->ctx, window, "stream input band (random access)",
                                     (void **)&r->buf);
    if (!status)
        status = tproc__alloc_uninit(s->ctx, one_read, "stream tile read (random access)",
                                     (void **)&r->stored);
    return status;
}

void tproc__random_reader_close(tproc__random_reader *r)
{
    if (!r->source)
        return;
    tproc__dealloc(r->source->ctx, r->buf);
    tproc__dealloc(r->source->ctx, r->stored);
    memset(r, 0, sizeof *r);
}

/* The first tile boundary after row a (or the last row). */
static ptrdiff_t read_end(const tproc__random_reader *r, ptrdiff_t a)
{
    ptrdiff_t d = ((r->phase - a) % r->tile + r->tile) % r->tile;
    ptrdiff_t end = a + (d ? d : r->tile);
    return end < r->head.format.height ? end : r->head.format.height;
}

/* Copies src to dst (same size) in squares, so that a turned view is read along cache lines
 * for a while instead of one pixel per line. */
static void copy_in_squares(const tproc_view *src, const tproc_view *dst)
{
    enum { SIDE = 64 };
    for (ptrdiff_t y = 0; y < src->height; y += SIDE)
        for (ptrdiff_t x = 0; x < src->width; x += SIDE) {
            ptrdiff_t w = src->width - x < SIDE ? src->width - x : SIDE;
            ptrdiff_t h = src->height - y < SIDE ? src->height - y : SIDE;
            tproc_view s, d;
            tproc_view_sub(src, x, y, w, h, &s);
            tproc_view_sub(dst, x, y, w, h, &d);
            tproc_view_copy(NULL, &s, &d);
        }
}

/* Rows [a, b) of the turned image, read from the stored rectangle they come from, into the
 * window. */
static int read_rows(tproc__random_reader *r, ptrdiff_t a, ptrdiff_t b)
{
    const tproc_format *f = &r->head.format;
    int o = r->head.orientation;
    ptrdiff_t sw, sh, tile, offset, n = b - a;
    geometry(r->source, &r->head, &sw, &sh, &tile, &offset);
    ptrdiff_t length = cuts_rows(o) ? sh : sw, first = forwards(o) ? a : length - b;
    tproc_rect rect = {0, first, sw, n};
    if (!cuts_rows(o)) {
        rect.x = first;
        rect.y = 0;
        rect.width = n;
        rect.height = sh;
    }
    size_t pixel = (size_t)f->channels * tproc_sample_size(f->sample);
    ptrdiff_t stored_stride = rect.width * (ptrdiff_t)pixel;
    int status = tproc__source_read_stored(r->source, rect, r->stored, stored_stride);
    if (status)
        return status;
    tproc_view stored, turned, window;
    tproc__view_packed(&stored, r->stored, rect.width, rect.height, f->channels, f->sample);
    tproc_view_orient(&stored, o, &turned);
    tproc__view_packed(&window, r->buf + (a - r->base) * r->stride, f->width, n, f->channels,
                       f->sample);
    window.row_stride = r->stride;
    copy_in_squares(&turned, &window);
    return TPROC_OK;
}

int tproc__random_band(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band)
{
    tproc__random_reader *r = user;
    const tproc_format *f = &r->head.format;
    if (y1 <= y0) { /* the strip reads no source row (only constant border pixels) */
        y0 = y1 = r->base;
    } else {
        if (y0 >= r->have1) /* nothing kept: rows before y0 are never read */
            r->base = r->have0 = r->have1 = y0;
        if (y0 > r->have0)
            r->have0 = y0;
        while (r->have1 < y1) {
            ptrdiff_t end = read_end(r, r->have1);
            if (end - r->base > r->capacity) { /* move the kept rows to the start */
                memmove(r->buf, r->buf + (r->have0 - r->base) * r->stride,
                        (size_t)((r->have1 - r->have0) * r->stride));
                r->base = r->have0;
            }
            int status = read_rows(r, r->have1, end);
            if (status)
                return status;
            r->have1 = end;
        }
    }
    tproc__view_packed(&band->view, r->buf + (y0 - r->base) * r->stride, f->width,
                       y1 > y0 ? y1 - y0 : 1, f->channels, f->sample);
    band->view.row_stride = r->stride;
    band->rows.x = 0;
    band->rows.y = y0;
    band->rows.width = f->width;
    band->rows.height = y1 - y0;
    return TPROC_OK;
}
