/* SPDX-License-Identifier: MIT */
/*
 * tiff_read.c: TIFF decoding through libtiff, one page or pyramid level of a file.
 *
 * Rows are handed out top to bottom in bounded memory: a strip image with its planes together
 * is read a scanline at a time (libtiff decodes a strip incrementally, and splits a big
 * uncompressed strip itself); a tiled image, or one with separate planes, is read one band at a
 * time (one row of tiles, or one strip of every plane), so a streamed read holds a tile row, not
 * the image. What tiff_rows.c cannot convert itself (old-style JPEG, L*a*b*, raw YCbCr) goes
 * through libtiff's TIFFRGBAImage, a band at a time too.
 *
 * Pages and levels: the pages are the file's IFDs that are not reduced-resolution images
 * (NEWSUBFILETYPE bit 0); a page's levels are its SubIFDs when it has any, else the
 * reduced-resolution IFDs right after it (the two ways pyramids are written). Level 0 is the
 * page itself.
 */
#include <stdio.h>
#include <string.h>

#include "tiff_codec.h"

enum { READ_SCANLINES, READ_BANDS, READ_RGBA };

/* The most SubIFDs of a page taken as levels. */
#define MAX_SUBIFDS 64

typedef struct tiff_reader {
    tproc__tiff_io io;
    tproc_ctx *ctx;
    const char *name;
    TIFF *tif;
    tproc__tiff_layout l;
    uint32_t width, height;
    int mode, tiled, planes;
    uint32_t tw, th;        /* tile size (tiled), else th is the rows per strip */
    size_t raw_bytes;       /* one raw row, planes interleaved */
    size_t plane_row_bytes; /* one row of one plane in the band */
    uint32_t band_rows;     /* rows a band holds */
    uint32_t band_first;    /* first row of the band held; band_valid: whether one is */
    int band_valid;
    unsigned char *band, *block, *raw;
    size_t block_bytes;
    TIFFRGBAImage rgba;
    int rgba_open;
    size_t next_row;
    int failed;
    /* The page and level walk. */
    int pages, levels, page_dir;
    int subifds;
    toff_t subifd[MAX_SUBIFDS];
} tiff_reader;

static int reader_fail(tiff_reader *r, const char *doing)
{
    r->failed = tproc__tiff_fail(r->ctx, r->name, &r->io, TPROC_ERR_CORRUPT, doing);
    return r->failed;
}

static int is_reduced(TIFF *tif)
{
    uint32_t type = 0;
    return TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &type) && (type & FILETYPE_REDUCEDIMAGE);
}

/*
 * Walks the IFD chain: counts the pages, finds page `page` (its IFD index, its SubIFDs) and the
 * number of its levels. A damaged IFD after the first ends the walk; libtiff refuses loops.
 */
static int walk_pages(tiff_reader *r, int page)
{
    TIFF *tif = r->tif;
    int dir = 0, current = -1, following = 0;
    r->page_dir = -1;
    r->pages = 0;
    do {
        if (!is_reduced(tif) || dir == 0) {
            current = r->pages++;
            if (current == page) {
                uint16_t n = 0;
                toff_t *offsets = NULL;
                r->page_dir = dir;
                r->subifds = 0;
                if (TIFFGetField(tif, TIFFTAG_SUBIFD, &n, &offsets) && offsets)
                    for (uint16_t i = 0; i < n && i < MAX_SUBIFDS; i++)
                        r->subifd[r->subifds++] = offsets[i];
            }
        } else if (current == page) {
            following++;
        }
    } while (++dir < TPROC__TIFF_MAX_DIRS && TIFFReadDirectory(tif));
    /* Reading past the last IFD or into a broken one is the end of the chain, not a failure. */
    r->io.diag.cause[0] = '\0';
    if (r->page_dir < 0)
        return tproc__error_file(r->ctx, TPROC_ERR_ARG, r->name,
                                 "no page %d: the file has %d page%s", page, r->pages,
                                 r->pages == 1 ? "" : "s");
    r->levels = 1 + (r->subifds ? r->subifds : following);
    return TPROC_OK;
}

/* Makes page `page`, level `level` the current directory. */
static int select_image(tiff_reader *r, int page, int level)
{
    if (page < 0 || level < 0)
        return tproc__error_file(r->ctx, TPROC_ERR_ARG, r->name, "page and level must be >= 0");
    int status = walk_pages(r, page);
    if (status)
        return status;
    if (level >= r->levels)
        return tproc__error_file(r->ctx, TPROC_ERR_ARG, r->name,
                                 "no level %d: page %d has %d level%s", level, page, r->levels,
                                 r->levels == 1 ? "" : "s");
    int ok = level > 0 && r->subifds ? TIFFSetSubDirectory(r->tif, r->subifd[level - 1])
                                     : TIFFSetDirectory(r->tif, (tdir_t)(r->page_dir + level));
    return ok ? TPROC_OK : reader_fail(r, "cannot read the page's directory: ");
}

static void reader_free(tiff_reader *r)
{
    if (!r)
        return;
    if (r->rgba_open)
        TIFFRGBAImageEnd(&r->rgba);
    if (r->tif)
        TIFFClose(r->tif);
    tproc__dealloc(r->ctx, r->band);
    tproc__dealloc(r->ctx, r->block);
    tproc__dealloc(r->ctx, r->raw);
    tproc__dealloc(r->ctx, r);
}

/* Opens the TIFF and selects the image; r's buffers are not allocated yet. */
static int reader_new(tproc_ctx *ctx, tproc__input *in, int page, int level, tiff_reader **out)
{
    *out = NULL;
    void *mem;
    int status =
        tproc__alloc_file(ctx, sizeof(tiff_reader), 1, in->name, "TIFF decoder state", &mem);
    if (status)
        return status;
    tiff_reader *r = mem;
    r->ctx = ctx;
    r->name = in->name;
    r->io.ctx = ctx;
    r->io.in = in;
    r->tif = tproc__tiff_open(&r->io, in->name, "r");
    if (!r->tif)
        status = tproc_ctx_status(ctx) ? tproc_ctx_status(ctx) : TPROC_ERR_CORRUPT;
    if (!status)
        status = select_image(r, page, level);
    if (!status) {
        TIFFGetField(r->tif, TIFFTAG_IMAGEWIDTH, &r->width);
        TIFFGetField(r->tif, TIFFTAG_IMAGELENGTH, &r->height);
        if (r->width < 1 || r->height < 1)
            status = tproc__error_file(ctx, TPROC_ERR_CORRUPT, in->name, "a %ux%u image",
                                       (unsigned)r->width, (unsigned)r->height);
    }
    if (!status)
        status = tproc__tiff_layout_read(ctx, in->name, r->tif, &r->l);
    if (status) {
        reader_free(r);
        return status;
    }
    *out = r;
    return TPROC_OK;
}

static int too_large(tiff_reader *r)
{
    return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->name,
                             "a %ux%u image of %d samples of %d bits is too large to address",
                             (unsigned)r->width, (unsigned)r->height, r->l.spp, r->l.bps);
}

/* Chooses how rows are read and allocates what that needs (counted, limit checked). */
static int reader_start(tiff_reader *r)
{
    uint16_t planar = PLANARCONFIG_CONTIG;
    TIFFGetFieldDefaulted(r->tif, TIFFTAG_PLANARCONFIG, &planar);
    r->tiled = TIFFIsTiled(r->tif);
    r->planes = planar == PLANARCONFIG_SEPARATE && r->l.spp > 1 ? r->l.spp : 1;
    if (r->tiled) {
        TIFFGetField(r->tif, TIFFTAG_TILEWIDTH, &r->tw);
        TIFFGetField(r->tif, TIFFTAG_TILELENGTH, &r->th);
        if (r->tw < 1 || r->th < 1)
            return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->name, "tiles of %ux%u",
                                     (unsigned)r->tw, (unsigned)r->th);
    } else {
        r->th = r->height;
        TIFFGetFieldDefaulted(r->tif, TIFFTAG_ROWSPERSTRIP, &r->th);
        if (r->th < 1 || r->th > r->height)
            r->th = r->height;
    }
    r->mode = r->l.rgba ? READ_RGBA : r->tiled || r->planes > 1 ? READ_BANDS : READ_SCANLINES;
    if (tproc__tiff_raw_row_bytes(&r->l, &r->raw_bytes))
        return too_large(r);
    size_t band = 0, bits;
    r->band_rows = r->th;
    if (r->mode == READ_SCANLINES) {
        uint64_t line = TIFFScanlineSize64(r->tif);
        if (line == 0)
            return reader_fail(r, "");
        if (line > r->raw_bytes)
            r->raw_bytes = (size_t)line; /* libtiff's size wins if it is larger */
    } else if (r->mode == READ_RGBA) {
        if (tproc__mul(r->raw_bytes, r->band_rows, &band))
            return too_large(r);
    } else {
        size_t across = r->tiled ? (r->width + r->tw - 1) / r->tw : 1;
        size_t block_width = r->tiled ? r->tw : r->width;
        size_t spp = r->planes > 1 ? 1 : (size_t)r->l.spp;
        if (tproc__mul(block_width, spp * (size_t)r->l.bps, &bits))
            return too_large(r);
        size_t block_row = bits / 8 + (bits % 8 != 0);
        if (tproc__mul(block_row, across, &r->plane_row_bytes) ||
            tproc__mul(r->plane_row_bytes, r->band_rows, &band) ||
            tproc__mul(band, (size_t)r->planes, &band) ||
            tproc__mul(block_row, r->tiled ? r->th : 1, &r->block_bytes))
            return too_large(r);
        if (r->tiled && (uint64_t)TIFFTileSize64(r->tif) != r->block_bytes)
            return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->name,
                                     "tile size does not match its layout");
        if (!r->tiled)
            r->block_bytes = 0;
    }
    char what[160];
    snprintf(what, sizeof what, "a TIFF band of %u rows of a %ux%u image", (unsigned)r->band_rows,
             (unsigned)r->width, (unsigned)r->height);
    void *mem;
    int status = tproc__alloc_file(r->ctx, r->raw_bytes, 1, r->name, "a TIFF row", &mem);
    if (status)
        return status;
    r->raw = mem;
    if (band && (status = tproc__alloc_file(r->ctx, band, 1, r->name, what, &mem)))
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

/* Reads the band that starts at row first (a multiple of band_rows). */
static int load_band(tiff_reader *r, uint32_t first)
{
    r->band_valid = 0;
    uint32_t rows = r->height - first < r->band_rows ? r->height - first : r->band_rows;
    size_t plane_bytes = r->plane_row_bytes * r->band_rows;
    if (r->mode == READ_RGBA) {
        r->rgba.row_offset = (int)first;
        r->rgba.col_offset = 0;
        if (!TIFFRGBAImageGet(&r->rgba, (uint32_t *)(void *)r->band, r->width, rows))
            return reader_fail(r, "");
    } else if (r->tiled) {
        size_t tile_row = r->block_bytes / r->th;
        for (int p = 0; p < r->planes; p++)
            for (uint32_t x = 0, i = 0; x < r->width; x += r->tw, i++) {
                uint32_t tile = TIFFComputeTile(r->tif, x, first, 0, (uint16_t)p);
                if (TIFFReadEncodedTile(r->tif, tile, r->block, (tmsize_t)r->block_bytes) < 0)
                    return reader_fail(r, "");
                for (uint32_t y = 0; y < rows; y++)
                    memcpy(r->band + (size_t)p * plane_bytes + y * r->plane_row_bytes +
                               i * tile_row,
                           r->block + y * tile_row, tile_row);
            }
    } else {
        uint32_t strips = TIFFNumberOfStrips(r->tif) / (uint32_t)r->planes;
        for (int p = 0; p < r->planes; p++) {
            uint32_t strip = (uint32_t)p * strips + first / r->band_rows;
            if (TIFFReadEncodedStrip(r->tif, strip, r->band + (size_t)p * plane_bytes,
                                     (tmsize_t)(rows * r->plane_row_bytes)) < 0)
                return reader_fail(r, "");
        }
    }
    r->band_first = first;
    r->band_valid = 1;
    return TPROC_OK;
}

/* Row y of the band as a raw row (planes interleaved into r->raw when separate). */
static const unsigned char *band_row(tiff_reader *r, uint32_t y)
{
    size_t local = y - r->band_first;
    if (r->mode == READ_RGBA)
        return r->band + local * r->raw_bytes;
    if (r->planes == 1)
        return r->band + local * r->plane_row_bytes;
    size_t bs = (size_t)r->l.bps / 8, plane_bytes = r->plane_row_bytes * r->band_rows;
    for (int p = 0; p < r->planes; p++) {
        const unsigned char *src = r->band + (size_t)p * plane_bytes + local * r->plane_row_bytes;
        for (size_t x = 0; x < r->width; x++)
            memcpy(r->raw + (x * (size_t)r->planes + (size_t)p) * bs, src + x * bs, bs);
    }
    return r->raw;
}

static int read_one(tiff_reader *r, uint32_t y, unsigned char *out)
{
    const unsigned char *raw;
    if (r->mode == READ_SCANLINES) {
        if (TIFFReadScanline(r->tif, r->raw, y, 0) < 0)
            return reader_fail(r, "");
        raw = r->raw;
    } else {
        uint32_t first = y / r->band_rows * r->band_rows;
        int status;
        if ((!r->band_valid || r->band_first != first) && (status = load_band(r, first)))
            return status;
        raw = band_row(r, y);
    }
    tproc__tiff_convert_row(&r->l, raw, out);
    return TPROC_OK;
}

static int decoder_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    tiff_reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->name, r->failed, &r->next_row, r->height, NULL, 0,
                                     first, stride, count);
    if (status != TPROC__DECODE_ROWS)
        return status;
    for (size_t i = 0; i < count; i++)
        if ((status = read_one(r, (uint32_t)(r->next_row + i), first + (ptrdiff_t)i * stride)))
            return status;
    r->next_row += count;
    return TPROC_OK;
}

static void decoder_close(void *state)
{
    reader_free(state);
}

static int orientation_of(TIFF *tif)
{
    uint16_t o = ORIENTATION_TOPLEFT;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ORIENTATION, &o);
    return o >= 1 && o <= 8 ? o : 1;
}

static const void *icc_of(TIFF *tif, size_t *size)
{
    uint32_t n = 0;
    void *data = NULL;
    *size = 0;
    if (!TIFFGetField(tif, TIFFTAG_ICCPROFILE, &n, &data) || !data || !n)
        return NULL;
    *size = n;
    return data;
}

int tproc__tiff_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                             tproc__decoder *out)
{
    tproc__decode_request q;
    tiff_reader *r;
    int status = tproc__decoder_prepare(ctx, in, request, out, "TIFF", &q);
    if (status || (status = reader_new(ctx, in, q.page, q.level, &r)))
        return status;
    if ((status = reader_start(r))) {
        reader_free(r);
        return status;
    }
    out->format.width = (ptrdiff_t)r->width;
    out->format.height = (ptrdiff_t)r->height;
    out->format.channels = r->l.channels;
    out->format.sample = r->l.sample;
    out->orientation = orientation_of(r->tif);
    out->icc = icc_of(r->tif, &out->icc_size);
    out->tile_width = r->tiled ? (ptrdiff_t)r->tw : 0; /* random access (codec.h) */
    out->tile_height = r->tiled ? (ptrdiff_t)r->th : 0;
    out->state = r;
    out->read_rows = decoder_read;
    out->close = decoder_close;
    return TPROC_OK;
}

int tproc__tiff_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info)
{
    tiff_reader *r;
    int status = reader_new(ctx, in, info->page, info->level, &r);
    if (status)
        return status;
    uint16_t compression = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(r->tif, TIFFTAG_COMPRESSION, &compression);
    info->format = TPROC_FILE_TIFF;
    info->width = (ptrdiff_t)r->width;
    info->height = (ptrdiff_t)r->height;
    info->channels = r->l.channels;
    info->sample = r->l.sample;
    info->bit_depth = r->l.bps;
    info->orientation = orientation_of(r->tif);
    size_t icc_size;
    info->has_icc = icc_of(r->tif, &icc_size) != NULL;
    info->pages = r->pages;
    info->levels = r->levels;
    info->compression = tproc__tiff_compression_name(compression);
    if (TIFFIsTiled(r->tif)) {
        uint32_t tw = 0, th = 0;
        TIFFGetField(r->tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(r->tif, TIFFTAG_TILELENGTH, &th);
        info->tile_width = (ptrdiff_t)tw;
        info->tile_height = (ptrdiff_t)th;
    }
    info->bigtiff = TIFFIsBigTIFF(r->tif) != 0;
    reader_free(r);
    return TPROC_OK;
}
