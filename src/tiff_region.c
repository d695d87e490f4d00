/* SPDX-License-Identifier: MIT */
/*
 * tiff_region.c: the rows a TIFF decoder hands out: its window (the request's region in stored
 * coordinates, or the whole image), read in bounded memory from only the strips and tiles the
 * window meets. Nothing above, left or right of it is decoded beyond the strip or tile that
 * holds a window pixel, and nothing below its last row.
 *
 * - Strips with the planes together: libtiff's scanline reader, started at the first row of the
 *   strip that holds the window's top (a compressed strip decodes from its start; rows of that
 *   strip above the window are decoded and dropped). libtiff decodes a strip incrementally and
 *   splits a big uncompressed strip itself, so a row is all it holds.
 * - Tiles: one band per row of tiles, holding only the tiles of the window's columns (of every
 *   plane when planes are separate): a tile's height times the window's width, rounded out to
 *   whole tiles.
 * - Strips with separate planes: one strip of every plane per band.
 * - What libtiff's TIFFRGBAImage converts for us (old-style JPEG, L*a*b*, raw YCbCr): a strip's
 *   or tile row's rows at a time, whole rows: its col_offset misplaces subsampled YCbCr (an
 *   old-style JPEG cut at an odd column comes out wrong), so the columns are cut here.
 * A band starts at a multiple of band_rows, a strip's or a tile row's first row in the file.
 */
#include <stdio.h>
#include <string.h>

#include "tiff_codec.h"

enum { READ_SCANLINES, READ_BANDS, READ_RGBA };

int tproc__tiff_reader_fail(tproc__tiff_reader *r, const char *doing)
{
    r->failed = tproc__tiff_fail(r->ctx, r->name, &r->io, TPROC_ERR_CORRUPT, doing);
    return r->failed;
}

static int too_large(tproc__tiff_reader *r)
{
    return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->name,
                             "a %ux%u image of %d samples of %d bits is too large to address",
                             (unsigned)r->width, (unsigned)r->height, r->l.spp, r->l.bps);
}

/* The strip or tile geometry of the current directory into r->tw, r->th. */
static int read_geometry(tproc__tiff_reader *r)
{
    if (r->tiled) {
        TIFFGetField(r->tif, TIFFTAG_TILEWIDTH, &r->tw);
        TIFFGetField(r->tif, TIFFTAG_TILELENGTH, &r->th);
        if (r->tw < 1 || r->th < 1)
            return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->name, "tiles of %ux%u",
                                     (unsigned)r->tw, (unsigned)r->th);
        /* Tiles of samples under a byte must end on a byte for their rows to join up. */
        if (!r->l.rgba && (uint64_t)r->tw * (uint64_t)r->l.spp * (uint64_t)r->l.bps % 8 != 0)
            return tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->name,
                                     "tiles %u pixels wide of %d-bit samples (TIFF tiles are "
                                     "multiples of 16 wide)",
                                     (unsigned)r->tw, r->l.bps);
    } else {
        r->th = r->height;
        TIFFGetFieldDefaulted(r->tif, TIFFTAG_ROWSPERSTRIP, &r->th);
        if (r->th < 1 || r->th > r->height)
            r->th = r->height;
    }
    return TPROC_OK;
}

/* The band's and the raw row's sizes for READ_BANDS: tiles of the window's columns, or a whole
 * strip of each plane. Returns the band's bytes in *band (0 on overflow, reported). */
static int band_sizes(tproc__tiff_reader *r, size_t *band)
{
    size_t bits, block_row, across = 1, block_width = r->width;
    if (r->tiled) {
        r->band_x = r->x / r->tw * r->tw;
        across = (r->x + r->w - 1) / r->tw - r->x / r->tw + 1;
        block_width = r->tw;
    }
    size_t spp = r->planes > 1 ? 1 : (size_t)r->l.spp;
    if (tproc__mul(block_width, spp * (size_t)r->l.bps, &bits))
        return too_large(r);
    block_row = bits / 8 + (bits % 8 != 0);
    if (tproc__mul(block_row, across, &r->plane_row_bytes) ||
        tproc__mul(r->plane_row_bytes, r->band_rows, band) ||
        tproc__mul(*band, (size_t)r->planes, band) ||
        tproc__mul(block_row, r->tiled ? r->th : 0, &r->block_bytes))
        return too_large(r);
    if (r->tiled && (uint64_t)TIFFTileSize64(r->tif) != r->block_bytes)
        return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->name,
                                 "tile size does not match its layout");
    /* Separate planes are interleaved into r->raw, the window's pixels only (8+ bits). */
    r->raw_bytes = 0;
    if (r->planes > 1 &&
        tproc__mul((size_t)r->w, (size_t)r->l.spp * (size_t)(r->l.bps / 8), &r->raw_bytes))
        return too_large(r);
    return TPROC_OK;
}

static int start_window(tproc__tiff_reader *r, const tproc_rect *region)
{
    if (region->width == 0) {
        r->x = r->y = 0;
        r->w = r->width;
        r->h = r->height;
        return TPROC_OK;
    }
    int status =
        tproc__region_check(r->ctx, r->name, region, (ptrdiff_t)r->width, (ptrdiff_t)r->height);
    r->x = (uint32_t)region->x;
    r->y = (uint32_t)region->y;
    r->w = (uint32_t)region->width;
    r->h = (uint32_t)region->height;
    return status;
}

int tproc__tiff_reader_start(tproc__tiff_reader *r, const tproc_rect *region)
{
    uint16_t planar = PLANARCONFIG_CONTIG;
    TIFFGetFieldDefaulted(r->tif, TIFFTAG_PLANARCONFIG, &planar);
    r->tiled = TIFFIsTiled(r->tif);
    r->planes = planar == PLANARCONFIG_SEPARATE && r->l.spp > 1 ? r->l.spp : 1;
    int status = start_window(r, region);
    if (status || (status = read_geometry(r)))
        return status;
    r->mode = r->l.rgba ? READ_RGBA : r->tiled || r->planes > 1 ? READ_BANDS : READ_SCANLINES;
    r->band_rows = r->th;
    size_t band = 0;
    if (r->mode == READ_SCANLINES) {
        uint64_t line = TIFFScanlineSize64(r->tif);
        if (line == 0)
            return tproc__tiff_reader_fail(r, "");
        if (tproc__tiff_raw_row_bytes(&r->l, &r->raw_bytes))
            return too_large(r);
        if (line > r->raw_bytes)
            r->raw_bytes = (size_t)line;     /* libtiff's size wins if it is larger */
        r->scan_next = r->y / r->th * r->th; /* the window's first strip, from its start */
    } else if (r->mode == READ_RGBA) {
        if (tproc__mul((size_t)r->width * 4, r->band_rows, &band))
            return too_large(r);
    } else if ((status = band_sizes(r, &band))) {
        return status;
    }
    char what[200];
    snprintf(what, sizeof what, "a TIFF band of %u rows of a %ux%u image", (unsigned)r->band_rows,
             (unsigned)r->width, (unsigned)r->height);
    void *mem;
    if (r->raw_bytes &&
        (status = tproc__alloc_file(r->ctx, r->raw_bytes, 1, r->name, "a TIFF row", &mem)))
        return status;
    r->raw = r->raw_bytes ? mem : NULL;
    /* What libtiff decodes into starts zeroed, so a decoder that stops short without failing
     * leaves zeros or this file's earlier pixels, never old heap bytes; a band of tiles is
     * filled from the tile, every byte read. */
    int zero_band = !(r->tiled && r->mode == READ_BANDS);
    if (band && (status = tproc__alloc_file(r->ctx, band, zero_band, r->name, what, &mem)))
        return status;
    r->band = band ? mem : NULL;
    if (r->block_bytes &&
        (status = tproc__alloc_file(r->ctx, r->block_bytes, 1, r->name, "a TIFF tile", &mem)))
        return status;
    r->block = r->block_bytes ? mem : NULL;
    if (r->mode == READ_RGBA) {
        char why[1024] = "";
        if (!TIFFRGBAImageBegin(&r->rgba, r->tif, 0, why))
            return tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->name, "%s", why);
        r->rgba_open = 1;
        r->rgba.req_orientation = r->rgba.orientation; /* rows as stored */
    }
    return TPROC_OK;
}

/* The tiles of the window's columns in the tile row at row first, every plane. */
static int load_tiles(tproc__tiff_reader *r, uint32_t first, uint32_t rows)
{
    size_t tile_row = r->block_bytes / r->th, plane_bytes = r->plane_row_bytes * r->band_rows;
    for (int p = 0; p < r->planes; p++)
        for (uint32_t x = r->band_x, i = 0; x < r->x + r->w; x += r->tw, i++) {
            uint32_t tile = TIFFComputeTile(r->tif, x, first, 0, (uint16_t)p);
            if (TIFFReadEncodedTile(r->tif, tile, r->block, (tmsize_t)r->block_bytes) < 0)
                return tproc__tiff_reader_fail(r, "");
            unsigned char *to = r->band + (size_t)p * plane_bytes + i * tile_row;
            for (uint32_t y = 0; y < rows; y++)
                memcpy(to + y * r->plane_row_bytes, r->block + y * tile_row, tile_row);
        }
    return TPROC_OK;
}

/* Reads the band that starts at row first (a multiple of band_rows). */
static int load_band(tproc__tiff_reader *r, uint32_t first)
{
    r->band_valid = 0;
    uint32_t rows = r->height - first < r->band_rows ? r->height - first : r->band_rows;
    size_t plane_bytes = r->plane_row_bytes * r->band_rows;
    if (r->mode == READ_RGBA) {
        r->rgba.row_offset = (int)first;
        r->rgba.col_offset = 0;
        if (!TIFFRGBAImageGet(&r->rgba, (uint32_t *)(void *)r->band, r->width, rows))
            return tproc__tiff_reader_fail(r, "");
    } else if (r->tiled) {
        int status = load_tiles(r, first, rows);
        if (status)
            return status;
    } else {
        uint32_t strips = TIFFNumberOfStrips(r->tif) / (uint32_t)r->planes;
        for (int p = 0; p < r->planes; p++) {
            uint32_t strip = (uint32_t)p * strips + first / r->band_rows;
            if (TIFFReadEncodedStrip(r->tif, strip, r->band + (size_t)p * plane_bytes,
                                     (tmsize_t)(rows * r->plane_row_bytes)) < 0)
                return tproc__tiff_reader_fail(r, "");
        }
    }
    r->band_first = first;
    r->band_valid = 1;
    return TPROC_OK;
}

/* Row y of the band as a raw row whose pixel *from is the window's first (planes interleaved
 * into r->raw when separate). */
static const unsigned char *band_row(tproc__tiff_reader *r, uint32_t y, size_t *from)
{
    size_t local = y - r->band_first;
    *from = r->x;
    if (r->mode == READ_RGBA)
        return r->band + local * r->width * 4;
    *from = 0;
    size_t skip = r->x - r->band_x;
    if (r->planes == 1) {
        *from = skip;
        return r->band + local * r->plane_row_bytes;
    }
    size_t bs = (size_t)r->l.bps / 8, plane_bytes = r->plane_row_bytes * r->band_rows;
    for (int p = 0; p < r->planes; p++) {
        const unsigned char *src =
            r->band + (size_t)p * plane_bytes + local * r->plane_row_bytes + skip * bs;
        for (size_t x = 0; x < r->w; x++)
            memcpy(r->raw + (x * (size_t)r->planes + (size_t)p) * bs, src + x * bs, bs);
    }
    return r->raw;
}

/* Stored row y (inside the window) into out. */
static int read_one(tproc__tiff_reader *r, uint32_t y, unsigned char *out)
{
    const unsigned char *raw;
    size_t from = r->x;
    if (r->mode == READ_SCANLINES) {
        for (; r->scan_next <= y; r->scan_next++) /* rows of the strip above y: dropped */
            if (TIFFReadScanline(r->tif, r->raw, r->scan_next, 0) < 0)
                return tproc__tiff_reader_fail(r, "");
        raw = r->raw;
    } else {
        uint32_t first = y / r->band_rows * r->band_rows;
        int status;
        if ((!r->band_valid || r->band_first != first) && (status = load_band(r, first)))
            return status;
        raw = band_row(r, y, &from);
    }
    tproc__tiff_convert_row(&r->l, raw, from, r->w, out);
    return TPROC_OK;
}

int tproc__tiff_read_rows(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    tproc__tiff_reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->name, r->failed, &r->next_row, r->h, NULL, 0, first,
                                     stride, count);
    if (status != TPROC__DECODE_ROWS)
        return status;
    for (size_t i = 0; i < count; i++) {
        uint32_t y = r->y + (uint32_t)(r->next_row + i);
        if ((status = read_one(r, y, first + (ptrdiff_t)i * stride)))
            return status;
    }
    r->next_row += count;
    return TPROC_OK;
}
