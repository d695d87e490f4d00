/* SPDX-License-Identifier: MIT */
/*
 * tiff_read.c: TIFF decoding through libtiff: opening one page or pyramid level of a file for
 * its decoder (whose rows, of a region or the whole image, tiff_region.c reads), and its info.
 *
 * Pages and levels: the pages are the file's IFDs that are not reduced-resolution images
 * (NEWSUBFILETYPE bit 0); a page's levels are its SubIFDs when it has any, else the
 * reduced-resolution IFDs right after it (the two ways pyramids are written). Level 0 is the
 * page itself.
 */
#include <stdio.h>
#include <string.h>

#include "tiff_codec.h"

typedef tproc__tiff_reader tiff_reader;

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
                    for (uint16_t i = 0; i < n && i < TPROC__TIFF_MAX_SUBIFDS; i++)
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
    return ok ? TPROC_OK : tproc__tiff_reader_fail(r, "cannot read the page's directory: ");
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
    if ((status = tproc__tiff_reader_start(r, &q.region))) {
        reader_free(r);
        return status;
    }
    out->format.width = (ptrdiff_t)r->w;
    out->format.height = (ptrdiff_t)r->h;
    out->region_done = q.region.width != 0;
    out->cmyk = r->l.colour == 4;
    out->format.channels = r->l.channels;
    out->format.sample = r->l.sample;
    out->orientation = orientation_of(r->tif);
    out->icc = icc_of(r->tif, &out->icc_size);
    /* Random access (codec.h): tiles read one by one. libtiff's RGBA reader decodes whole
     * tile rows, so a column strip would cost the whole image: such files are not offered. */
    int random = r->tiled && !r->l.rgba;
    out->tile_width = random ? (ptrdiff_t)r->tw : 0;
    out->tile_height = random ? (ptrdiff_t)r->th : 0;
    out->state = r;
    out->read_rows = tproc__tiff_read_rows;
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
    info->channels = r->l.colour == 4 ? 3 : r->l.channels; /* CMYK loads as RGB */
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
