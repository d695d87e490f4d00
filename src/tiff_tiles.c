/* SPDX-License-Identifier: MIT */
/*
 * tiff_tiles.c: TIFF tiles compressed by us on worker threads instead of by libtiff on the
 * writing thread, then handed to libtiff already compressed (TIFFWriteRawTile), in order, so
 * the file's bytes do not depend on the number of threads. libvips does the same, for the same
 * reason: libtiff compresses one tile at a time on the thread that calls it.
 *
 * Each tile is what libtiff would store for it, the tile's samples zero past the image's edges:
 *  - JPEG: a complete JPEG stream (tables in every tile and no JPEGTABLES tag, which TIFF
 *    technical note 2 allows and libtiff, tifffile, vips and OpenSlide read), YCbCr 4:2:0 from
 *    RGB as the writer's PHOTOMETRIC_YCBCR and YCbCrSubsampling 2,2 tags say. JPEG encoders
 *    are small and take rows as they come, so every tile of a level's current tile row keeps
 *    an open encoder and the level is fed in strips of 16 rows (one MCU row), in the
 *    background while the next strip fills: no level holds a tile row, and compressing
 *    overlaps whatever produces the rows (a JPEG decode on one thread, say).
 *  - deflate: a zlib stream after libtiff's horizontal predictor (libdeflate at level 6, as
 *    libtiff uses it), a whole tile row at a time, its tiles shared by the caller and the
 *    workers while the caller waits (a deflate state is too big to keep one per tile open).
 * Everything else (LZW, zstd, WebP, the float predictor) stays with libtiff.
 */
#include <libdeflate.h>
#include <string.h>

#include "tiff_codec.h"

int tproc__tiff_tiles_ours(uint16_t compression, uint16_t predictor, const tproc_format *stored)
{
    if (compression == COMPRESSION_JPEG)
        return stored->sample == TPROC_U8 && (stored->channels == 1 || stored->channels == 3);
    if (compression == COMPRESSION_ADOBE_DEFLATE)
        return (predictor == PREDICTOR_NONE || predictor == PREDICTOR_HORIZONTAL) &&
               (stored->sample == TPROC_U8 || stored->sample == TPROC_U16);
    return 0;
}

uint32_t tproc__tiff_tiles_band_rows(const tproc__tiff_tile_codec *c)
{
    return c->compression == COMPRESSION_JPEG && c->th % 16 == 0 ? 16 : c->th;
}

/* libtiff's horizontal predictor over a packed tile: each sample minus the one a pixel left. */
static void predict(const tproc__tiff_tile_codec *c, unsigned char *tile)
{
    size_t ch = (size_t)c->stored.channels, n = (size_t)c->tw * ch;
    for (uint32_t y = 0; y < c->th; y++) {
        if (c->stored.sample == TPROC_U8) {
            unsigned char *r = tile + y * n;
            for (size_t i = n - 1; i >= ch; i--)
                r[i] = (unsigned char)(r[i] - r[i - ch]);
        } else {
            unsigned char *r = tile + y * n * 2;
            for (size_t i = n - 1; i >= ch; i--) {
                uint16_t a, b;
                memcpy(&a, r + 2 * i, 2);
                memcpy(&b, r + 2 * (i - ch), 2);
                a = (uint16_t)(a - b);
                memcpy(r + 2 * i, &a, 2);
            }
        }
    }
}

/* Rows [0, rows) of the band's tile col into the worker's tile buffer, zero past the edges. */
static unsigned char *gather(tproc__tiff_tile_row *r, uint32_t col, uint32_t rows,
                             unsigned char *dst)
{
    const tproc__tiff_tile_codec *c = r->codec;
    uint32_t x = col * c->tw, w = r->width - x < c->tw ? r->width - x : c->tw;
    size_t tile_row = (size_t)c->tw * c->pixel;
    memset(dst, 0, tile_row * c->th);
    for (uint32_t y = 0; y < rows; y++)
        memcpy(dst + y * tile_row, r->band + y * r->row_bytes + x * c->pixel, w * c->pixel);
    return dst;
}

/* batch.run for deflate: tile `index` of a whole tile row. */
static int deflate_tile(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_tile_row *r = user;
    const tproc__tiff_tile_codec *c = r->codec;
    tproc__tiff_scratch *s = &r->scratch[worker];
    tproc__tiff_tile *t = &r->tiles[index];
    size_t bytes = (size_t)c->tw * c->th * c->pixel;
    gather(r, (uint32_t)index, r->rows, s->tile);
    if (c->predictor == PREDICTOR_HORIZONTAL)
        predict(c, s->tile);
    if (!s->deflater && !(s->deflater = libdeflate_alloc_compressor(6)))
        return tproc__error_file(r->ctx, TPROC_ERR_NOMEM, r->name,
                                 "out of memory for a deflate state");
    size_t bound = libdeflate_zlib_compress_bound(s->deflater, bytes);
    void *mem;
    int status = tproc__alloc_file(r->ctx, bound, 0, r->name, "a compressed tile", &mem);
    if (status)
        return status;
    t->data = mem;
    t->size = libdeflate_zlib_compress(s->deflater, s->tile, bytes, mem, bound);
    if (!t->size) /* cannot happen with the bound's room; say so rather than write nothing */
        return tproc__error_file(r->ctx, TPROC_ERR_STATE, r->name,
                                 "deflate did not fit its bound");
    return TPROC_OK;
}

static void encoder_close(tproc_ctx *ctx, tproc__tiff_tile_encoder *e)
{
    if (e->open)
        tproc__encoding_close(&e->enc);
    e->open = 0;
    tproc__dealloc(ctx, e->out.data);
    e->out.data = NULL;
}

/* batch.run for JPEG: the strip's rows into tile `index`'s encoder, which is begun at the tile
 * row's first row and finished at its last (zero rows below the image's bottom edge). */
static int jpeg_feed(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_tile_row *r = user;
    const tproc__tiff_tile_codec *c = r->codec;
    tproc__tiff_tile_encoder *e = &r->encoders[index];
    unsigned char *scratch = r->scratch[worker].tile;
    int status = TPROC_OK;
    if (r->first % c->th == 0) {
        encoder_close(r->ctx, e);
        e->out = (tproc__output){r->name, r->ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
        tproc_format f = {c->tw, c->th, c->stored.channels, TPROC_U8};
        status = tproc__encoding_begin(r->ctx, &e->out, &f, &c->save, &e->enc);
        e->open = status == TPROC_OK;
        if (status)
            return status;
    }
    if (!e->open)
        return tproc__error_file(r->ctx, TPROC_ERR_STATE, r->name, "TIFF tile not begun");
    uint32_t x = (uint32_t)index * c->tw;
    tproc_view v;
    if (r->width - x >= c->tw)
        tproc_view_init(&v, (unsigned char *)r->band + x * c->pixel, c->tw, r->rows,
                        c->stored.channels, TPROC_U8, 0, (ptrdiff_t)r->row_bytes);
    else
        tproc_view_init(&v, gather(r, (uint32_t)index, r->rows, scratch), c->tw, r->rows,
                        c->stored.channels, TPROC_U8, 0, (ptrdiff_t)(c->tw * c->pixel));
    status = tproc__encoding_write(&e->enc, &v);
    uint32_t end = r->first + r->rows, tile_end = r->first - r->first % c->th + c->th;
    if (!status && end == r->height && end < tile_end) { /* the bottom edge: zero rows */
        memset(scratch, 0, (size_t)c->tw * c->pixel * (tile_end - end));
        tproc_view_init(&v, scratch, c->tw, tile_end - end, c->stored.channels, TPROC_U8, 0,
                        (ptrdiff_t)(c->tw * c->pixel));
        status = tproc__encoding_write(&e->enc, &v);
        end = tile_end;
    }
    if (!status && end == tile_end) {
        status = tproc__encoding_finish(&e->enc);
        if (!status) {
            r->tiles[index] = (tproc__tiff_tile){e->out.data, e->out.size};
            e->out.data = NULL;
        }
        encoder_close(r->ctx, e);
    }
    return status;
}

int tproc__tiff_tile_row_init(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                              tproc__tiff_scratch *scratch, uint32_t width, uint32_t height,
                              tproc__tiff_tile_row *r)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->name = name;
    r->codec = c;
    r->scratch = scratch;
    r->width = width;
    r->height = height;
    r->count = (width + c->tw - 1) / c->tw;
    r->batch.run = c->compression == COMPRESSION_JPEG ? jpeg_feed : deflate_tile;
    r->batch.user = r;
    r->batch.count = (ptrdiff_t)r->count;
    void *mem;
    int status = tproc__alloc_file(ctx, r->count * sizeof(tproc__tiff_tile), 1, name,
                                   "a row of compressed tiles", &mem);
    r->tiles = mem;
    if (!status && c->compression == COMPRESSION_JPEG) {
        status = tproc__alloc_file(ctx, r->count * sizeof(tproc__tiff_tile_encoder), 1, name,
                                   "a row of JPEG tile encoders", &mem);
        r->encoders = mem;
    }
    return status;
}

void tproc__tiff_tile_row_submit(tproc__workers *p, tproc__tiff_tile_row *r,
                                 const unsigned char *band, size_t row_bytes, uint32_t first,
                                 uint32_t rows)
{
    r->band = band;
    r->row_bytes = row_bytes;
    r->first = first;
    r->rows = rows;
    r->pending = 1;
    tproc__workers_submit(p, &r->batch);
}

static void drop_tiles(tproc__tiff_tile_row *r)
{
    for (uint32_t i = 0; i < r->count; i++) {
        tproc__dealloc(r->ctx, r->tiles[i].data);
        r->tiles[i] = (tproc__tiff_tile){NULL, 0};
    }
}

int tproc__tiff_tile_row_write(tproc__workers *p, tproc__tiff_tile_row *r, TIFF *tif,
                               tproc__tiff_io *io)
{
    if (!r->pending)
        return TPROC_OK;
    r->pending = 0;
    int status = tproc__workers_wait(p, &r->batch);
    uint32_t end = r->first + r->rows;
    if (status || (end % r->codec->th != 0 && end != r->height))
        return status; /* failed, or the tile row goes on */
    for (uint32_t i = 0; !status && i < r->count; i++) {
        tproc__tiff_tile *t = &r->tiles[i];
        uint32_t tile = TIFFComputeTile(tif, i * r->codec->tw, r->first, 0, 0);
        if (TIFFWriteRawTile(tif, tile, t->data, (tmsize_t)t->size) != (tmsize_t)t->size)
            status = tproc__tiff_fail(r->ctx, r->name, io, TPROC_ERR_IO, "");
    }
    drop_tiles(r);
    return status;
}

void tproc__tiff_tile_row_free(tproc__workers *p, tproc__tiff_tile_row *r)
{
    if (!r->ctx) /* never initialised */
        return;
    if (r->pending && p)
        tproc__workers_cancel(p, &r->batch, TPROC_ERR_CANCELLED);
    r->pending = 0;
    if (r->tiles)
        drop_tiles(r);
    for (uint32_t i = 0; r->encoders && i < r->count; i++)
        encoder_close(r->ctx, &r->encoders[i]);
    tproc__dealloc(r->ctx, r->tiles);
    tproc__dealloc(r->ctx, r->encoders);
    r->tiles = NULL;
    r->encoders = NULL;
}

void tproc__tiff_scratch_free(tproc_ctx *ctx, tproc__tiff_scratch *s)
{
    tproc__dealloc(ctx, s->tile);
    if (s->deflater)
        libdeflate_free_compressor(s->deflater);
    s->tile = NULL;
    s->deflater = NULL;
}
