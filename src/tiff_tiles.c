/* SPDX-License-Identifier: MIT */
/*
 * tiff_tiles.c: a row of TIFF tiles compressed by us on worker threads instead of by libtiff
 * on the writing thread, then handed to libtiff already compressed (TIFFWriteRawTile), in
 * order, so the file's bytes do not depend on the number of threads. This is what libvips
 * does for the same reason: libtiff compresses one tile at a time on the thread that calls it.
 *
 * Each tile is what libtiff would store for it: the tile's samples (zero past the image's
 * edges) as a complete JPEG stream (tables in every tile, no JPEGTABLES tag: TIFF technical
 * note 2 allows it, and libtiff, tifffile, vips and OpenSlide read it; YCbCr 4:2:0 from RGB as
 * the writer's PHOTOMETRIC_YCBCR / YCbCrSubsampling 2,2 tags say), or a zlib stream of them
 * after libtiff's horizontal predictor (libdeflate, at libtiff's default level 6). Everything
 * else (LZW, zstd, WebP, the float predictor) stays with libtiff.
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

static int deflate_tile(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                        tproc__tiff_scratch *s, tproc__tiff_tile *out)
{
    size_t bytes = (size_t)c->tw * c->th * c->pixel;
    if (c->predictor == PREDICTOR_HORIZONTAL)
        predict(c, s->tile);
    if (!s->deflater && !(s->deflater = libdeflate_alloc_compressor(6)))
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, name, "out of memory for a deflate state");
    size_t bound = libdeflate_zlib_compress_bound(s->deflater, bytes);
    void *mem;
    int status = tproc__alloc_file(ctx, bound, 0, name, "a compressed tile", &mem);
    if (status)
        return status;
    out->data = mem;
    out->size = libdeflate_zlib_compress(s->deflater, s->tile, bytes, mem, bound);
    if (!out->size) /* cannot happen with the bound's room; say so rather than write nothing */
        return tproc__error_file(ctx, TPROC_ERR_STATE, name, "deflate did not fit its bound");
    return TPROC_OK;
}

static int jpeg_tile(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                     const tproc_view *v, tproc__tiff_tile *out)
{
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.quality = c->quality;
    tproc__output mem = {name, ctx, NULL, NULL, 0, 0, TPROC_OK, 0};
    int status = tproc__encode_view(ctx, v, &mem, &o);
    if (status) {
        tproc__dealloc(ctx, mem.data);
        return status;
    }
    out->data = mem.data;
    out->size = mem.size;
    return TPROC_OK;
}

/* batch.run: tile `index` of the row. */
static int compress_tile(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_tile_row *r = user;
    const tproc__tiff_tile_codec *c = r->codec;
    tproc__tiff_scratch *s = &r->scratch[worker];
    tproc__tiff_tile *t = &r->tiles[index];
    uint32_t x = (uint32_t)index * c->tw;
    uint32_t w = r->width - x < c->tw ? r->width - x : c->tw;
    size_t tile_row = (size_t)c->tw * c->pixel;
    tproc_view v;
    if (c->compression == COMPRESSION_JPEG && w == c->tw && r->rows == c->th) {
        /* a whole tile: straight from the band */
        tproc_view_init(&v, (unsigned char *)r->band + x * c->pixel, c->tw, c->th,
                        c->stored.channels, TPROC_U8, 0, (ptrdiff_t)r->row_bytes);
    } else {
        memset(s->tile, 0, tile_row * c->th); /* the parts past the image's edges */
        for (uint32_t y = 0; y < r->rows; y++)
            memcpy(s->tile + y * tile_row, r->band + y * r->row_bytes + x * c->pixel,
                   w * c->pixel);
        tproc_view_init(&v, s->tile, c->tw, c->th, c->stored.channels, c->stored.sample, 0,
                        (ptrdiff_t)tile_row);
    }
    if (c->compression == COMPRESSION_JPEG)
        return jpeg_tile(r->ctx, r->name, c, &v, t);
    return deflate_tile(r->ctx, r->name, c, s, t);
}

int tproc__tiff_tile_row_init(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                              tproc__tiff_scratch *scratch, uint32_t width,
                              tproc__tiff_tile_row *r)
{
    memset(r, 0, sizeof *r);
    r->ctx = ctx;
    r->name = name;
    r->codec = c;
    r->scratch = scratch;
    r->width = width;
    r->count = (width + c->tw - 1) / c->tw;
    void *mem;
    int status = tproc__alloc_file(ctx, r->count * sizeof(tproc__tiff_tile), 1, name,
                                   "a row of compressed tiles", &mem);
    r->tiles = mem;
    r->batch.run = compress_tile;
    r->batch.user = r;
    r->batch.count = (ptrdiff_t)r->count;
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
    tproc__dealloc(r->ctx, r->tiles);
    r->tiles = NULL;
}

void tproc__tiff_scratch_free(tproc_ctx *ctx, tproc__tiff_scratch *s)
{
    tproc__dealloc(ctx, s->tile);
    if (s->deflater)
        libdeflate_free_compressor(s->deflater);
    s->tile = NULL;
    s->deflater = NULL;
}
