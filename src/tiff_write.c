/* SPDX-License-Identifier: MIT */
/*
 * tiff_write.c: TIFF encoding through libtiff: strips or tiles, any compression the options
 * name, BigTIFF when asked or when the file could pass 4 GiB, the ICC profile, and pyramids.
 *
 * Rows come top to bottom and are gathered into a band (one strip, or one row of tiles), which
 * is written when full, so the encoder holds one band whatever the image height.
 *
 * A pyramid is written in the same single pass: every row of a level also feeds the next level,
 * 2x2 box-averaged as soon as two rows are there, so each level holds its own band and one
 * pending row. When we compress the tiles (tiff_tiles.c) each band is reduced by the pool with
 * its tiles instead, off the thread that produces the rows, and its reduced rows reach the next
 * level as the band is written. The full-size level goes straight into the output; libtiff writes
 * one directory at a time, so every reduced level goes to an unlinked temporary TIFF (tmpfile(),
 * about a third of the output's size on disk in all) and its compressed tiles are copied into the
 * output unchanged once the full-size directory is written (TIFFReadRawTile / TIFFWriteRawTile,
 * with the JPEG tables), the way libvips does it. Levels follow the image as IFDs marked
 * reduced-resolution (NEWSUBFILETYPE 1), the layout libvips, tifffile and OpenSlide read as a
 * pyramid; the smallest level fits one tile.
 */
#include <stdio.h>
#include <string.h>

#include "reduce.h"
#include "tiff_codec.h"

/* The deepest pyramid: 2^32 pixels wide halves to one tile in fewer steps. */
#define MAX_LEVELS 32
/* Past this many bytes the output is made BigTIFF (room for headers and worse-than-raw
 * compression under 4 GiB). */
#define CLASSIC_LIMIT ((unsigned long long)3900 << 20)

typedef struct tiff_level {
    tproc__tiff_io io;
    tproc__output out; /* a reduced level's temporary file */
    FILE *tmp;
    TIFF *tif;
    uint32_t width, height;
    size_t row_bytes;       /* one packed row */
    unsigned char *band;    /* band_rows rows, row_bytes apart */
    unsigned char *own_band; /* band when libtiff compresses; else the band is tiles' */
    tproc__tiff_tile_row tiles; /* tiles we compress (tiff_tiles.c) */
    uint32_t rows_in;       /* rows received */
    unsigned char *pending; /* the first row of a pair, for the next level */
    struct tiff_writer *writer; /* for the rows the level above reduced on the pool */
    int index;
} tiff_level;

typedef struct tiff_writer {
    tproc_ctx *ctx;
    const char *name;
    tproc_format format; /* rows as given */
    tproc_format stored; /* as written (JPEG and WebP take u8) */
    size_t pixel;        /* bytes of a stored pixel */
    int tiled;
    uint32_t tw, th; /* tile size; th is the rows per strip when not tiled */
    uint16_t compression, predictor;
    int quality;
    const void *icc;
    uint32_t icc_size;
    int levels;
    tiff_level level[MAX_LEVELS];
    unsigned char *tile; /* one tile, packed (libtiff's path) */
    /* Tiles compressed by us on a pool of workers (tiff_tiles.c), when ours. */
    int ours;
    uint32_t band_rows; /* rows of a band: th, or 16 for JPEG tiles we compress */
    tproc__tiff_tile_codec codec;
    tproc__workers *pool;
    int threads;
    tproc__tiff_scratch *scratch; /* [threads] */
    ptrdiff_t rows_done;
    int failed, finished;
} tiff_writer;

static int writer_fail(tiff_writer *w, tiff_level *l, const char *doing)
{
    w->failed = tproc__tiff_fail(w->ctx, w->name, &l->io, TPROC_ERR_IO, doing);
    return w->failed;
}

static uint16_t compression_of(tproc_tiff_compression c)
{
    switch (c) {
    case TPROC_TIFF_NONE:
        return COMPRESSION_NONE;
    case TPROC_TIFF_LZW:
        return COMPRESSION_LZW;
    case TPROC_TIFF_JPEG:
        return COMPRESSION_JPEG;
    case TPROC_TIFF_ZSTD:
        return COMPRESSION_ZSTD;
    case TPROC_TIFF_WEBP:
        return COMPRESSION_WEBP;
    default:
        return COMPRESSION_ADOBE_DEFLATE;
    }
}

/* The tags of one level (level 0 is the image; the others are reduced-resolution). */
static int set_tags(tiff_writer *w, TIFF *tif, uint32_t width, uint32_t height, int reduced)
{
    const tproc_format *f = &w->stored;
    int alpha = f->channels == 2 || f->channels == 4;
    int ok =
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width) &&
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height) &&
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)f->channels) &&
        TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)(8 * tproc_sample_size(f->sample))) &&
        TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT,
                     f->sample == TPROC_F32 ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT) &&
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
        TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT) &&
        TIFFSetField(tif, TIFFTAG_COMPRESSION, w->compression);
    if (ok && w->levels > 1)
        ok = TIFFSetField(tif, TIFFTAG_SUBFILETYPE, reduced ? FILETYPE_REDUCEDIMAGE : 0);
    if (ok && alpha) {
        uint16_t extra = EXTRASAMPLE_UNASSALPHA; /* tileproc's alpha is straight */
        ok = TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    if (ok && w->compression == COMPRESSION_JPEG && f->channels == 3)
        ok = TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR) &&
             TIFFSetField(tif, TIFFTAG_YCBCRSUBSAMPLING, 2, 2) &&
             TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    else if (ok)
        ok = TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                          f->channels >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    if (ok && w->compression == COMPRESSION_JPEG)
        ok = TIFFSetField(tif, TIFFTAG_JPEGQUALITY, w->quality);
    if (ok && w->compression == COMPRESSION_WEBP)
        ok = w->quality >= 100 ? TIFFSetField(tif, TIFFTAG_WEBP_LOSSLESS, 1)
                               : TIFFSetField(tif, TIFFTAG_WEBP_LEVEL, w->quality);
    if (ok && w->predictor != PREDICTOR_NONE)
        ok = TIFFSetField(tif, TIFFTAG_PREDICTOR, w->predictor);
    if (ok && w->tiled)
        ok = TIFFSetField(tif, TIFFTAG_TILEWIDTH, w->tw) &&
             TIFFSetField(tif, TIFFTAG_TILELENGTH, w->th);
    else if (ok)
        ok = TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, w->th);
    if (ok && !reduced && w->icc)
        ok = TIFFSetField(tif, TIFFTAG_ICCPROFILE, w->icc_size, w->icc);
    return ok;
}

/* Writes the band of a level: its tiles across, or one strip. Tiles we compress are queued,
 * the level's previous band written, and the rows to come go into that band. */
static int flush_band(tiff_writer *w, tiff_level *l, uint32_t first, uint32_t rows)
{
    if (w->ours) {
        int status = tproc__tiff_tile_row_flush(w->pool, &l->tiles, l->tif, &l->io, first, rows);
        l->band = tproc__tiff_tile_row_band(&l->tiles);
        return status ? (w->failed = status) : TPROC_OK;
    }
    if (!w->tiled) {
        if (TIFFWriteEncodedStrip(l->tif, first / w->th, l->band, (tmsize_t)(rows * l->row_bytes)) <
            0)
            return writer_fail(w, l, "");
        return TPROC_OK;
    }
    size_t tile_row = (size_t)w->tw * w->pixel;
    for (uint32_t x = 0; x < l->width; x += w->tw) {
        size_t n = (l->width - x < w->tw ? l->width - x : w->tw) * w->pixel;
        memset(w->tile, 0, tile_row * w->th); /* the parts past the image's edges */
        for (uint32_t y = 0; y < rows; y++)
            memcpy(w->tile + y * tile_row, l->band + y * l->row_bytes + x * w->pixel, n);
        if (TIFFWriteEncodedTile(l->tif, TIFFComputeTile(l->tif, x, first, 0, 0), w->tile,
                                 (tmsize_t)(tile_row * w->th)) < 0)
            return writer_fail(w, l, "");
    }
    return TPROC_OK;
}

/* The 2x2 average of rows a and b (the same row at the bottom edge) into out, width out_w. */
void tproc__tiff_average_rows(const tproc_format *f, const unsigned char *a, const unsigned char *b,
                              uint32_t in_w, uint32_t out_w, unsigned char *out)
{
    size_t ch = (size_t)f->channels;
    if (f->sample == TPROC_U8 && (ch == 1 || ch == 3)) { /* the common case, faster (no alpha) */
        tproc__reduce_2x2_u8(a, b, out, in_w, f->channels);
        return;
    }
    for (uint32_t x = 0; x < out_w; x++) {
        size_t x0 = 2 * (size_t)x, x1 = 2 * (size_t)x + 1 < in_w ? 2 * (size_t)x + 1 : x0;
        for (size_t c = 0; c < ch; c++) {
            size_t i0 = x0 * ch + c, i1 = x1 * ch + c, o = (size_t)x * ch + c;
            if (f->sample == TPROC_U8) {
                out[o] = (unsigned char)(((unsigned)a[i0] + a[i1] + b[i0] + b[i1] + 2u) / 4u);
            } else if (f->sample == TPROC_U16) {
                uint16_t p[4], r;
                memcpy(&p[0], a + 2 * i0, 2);
                memcpy(&p[1], a + 2 * i1, 2);
                memcpy(&p[2], b + 2 * i0, 2);
                memcpy(&p[3], b + 2 * i1, 2);
                r = (uint16_t)(((unsigned)p[0] + p[1] + p[2] + p[3] + 2u) / 4u);
                memcpy(out + 2 * o, &r, 2);
            } else {
                float p[4], r;
                memcpy(&p[0], a + 4 * i0, 4);
                memcpy(&p[1], a + 4 * i1, 4);
                memcpy(&p[2], b + 4 * i0, 4);
                memcpy(&p[3], b + 4 * i1, 4);
                r = (p[0] + p[1] + p[2] + p[3]) * 0.25f;
                memcpy(out + 4 * o, &r, 4);
            }
        }
    }
}

/* Row `row` of level k (already in its band at the right place) is complete. Tiles we
 * compress have their bands reduced for the next level on the pool (tiff_tiles.c), whose rows
 * come back through level_rows_reduced; libtiff's are reduced here, a pair of rows at a time. */
static int level_row_done(tiff_writer *w, int k)
{
    tiff_level *l = &w->level[k];
    uint32_t y = l->rows_in++;
    uint32_t n = w->band_rows;
    const unsigned char *row = l->band + (y % n) * l->row_bytes;
    int status;
    if ((y % n == n - 1 || y == l->height - 1) && (status = flush_band(w, l, y - y % n, y % n + 1)))
        return status;
    if (k + 1 >= w->levels || w->ours)
        return TPROC_OK;
    if (y % 2 == 0 && y != l->height - 1) {
        memcpy(l->pending, row, l->row_bytes);
        return TPROC_OK;
    }
    tiff_level *next = &w->level[k + 1];
    unsigned char *dst = next->band + (next->rows_in % n) * next->row_bytes;
    tproc__tiff_average_rows(&w->stored, y % 2 ? l->pending : row, row, l->width, next->width, dst);
    return level_row_done(w, k + 1);
}

/* tproc__tiff_rows_fn: rows of level user that the level above reduced on the pool. */
static int level_rows_reduced(void *user, const unsigned char *rows, uint32_t count)
{
    tiff_level *l = user;
    tiff_writer *w = l->writer;
    for (uint32_t i = 0; i < count; i++) {
        memcpy(l->band + (l->rows_in % w->band_rows) * l->row_bytes, rows + i * l->row_bytes,
               l->row_bytes);
        int status = level_row_done(w, l->index);
        if (status)
            return status;
    }
    return TPROC_OK;
}

/* tproc__encoder.write_rows. */
static int encoder_write(void *state, const tproc_view *rows)
{
    tiff_writer *w = state;
    int status = tproc__encoder_rows(w->ctx, w->name, w->failed, w->finished, &w->format,
                                     w->rows_done, rows);
    if (status)
        return status;
    tiff_level *l = &w->level[0];
    for (ptrdiff_t y = 0; y < rows->height; y++) {
        tproc_view src, dst;
        tproc_view_sub(rows, 0, y, rows->width, 1, &src);
        tproc_view_init(&dst, l->band + (l->rows_in % w->band_rows) * l->row_bytes, rows->width, 1,
                        w->stored.channels, w->stored.sample, 0, (ptrdiff_t)l->row_bytes);
        if ((status = tproc_view_copy(w->ctx, &src, &dst)) || (status = level_row_done(w, 0))) {
            w->failed = status;
            return status;
        }
        w->rows_done++;
    }
    return TPROC_OK;
}

/* Writes the level's tiles still being compressed (the last band's). */
static int level_drain(tiff_writer *w, tiff_level *l)
{
    int status = w->ours ? tproc__tiff_tile_row_drain(w->pool, &l->tiles, l->tif, &l->io) : 0;
    return status ? (w->failed = status) : TPROC_OK;
}

/* Copies reduced level k's tiles from its temporary file into the output's next directory. */
static int copy_level(tiff_writer *w, int k)
{
    tiff_level *l = &w->level[k], *out = &w->level[0];
    int status = level_drain(w, l);
    if (status)
        return status;
    TIFFClose(l->tif);
    l->tif = NULL;
    if (l->io.diag.status)
        return w->failed = l->io.diag.status;
    rewind(l->tmp);
    tproc__input in = {w->name, l->tmp, NULL, 0, 0, 0};
    tproc__tiff_io rio = {0};
    rio.ctx = w->ctx;
    rio.in = &in;
    TIFF *src = tproc__tiff_open(&rio, w->name, "r");
    if (!src)
        return w->failed = TPROC_ERR_IO;
    if (!set_tags(w, out->tif, l->width, l->height, 1))
        status = writer_fail(w, out, "cannot set a level's tags: ");
    uint32_t count = 0;
    void *tables = NULL;
    if (!status && w->compression == COMPRESSION_JPEG &&
        TIFFGetField(src, TIFFTAG_JPEGTABLES, &count, &tables) && tables)
        TIFFSetField(out->tif, TIFFTAG_JPEGTABLES, count, tables);
    void *buf = NULL;
    size_t buf_size = 0;
    uint32_t tiles = TIFFNumberOfTiles(src);
    for (uint32_t t = 0; !status && t < tiles; t++) {
        uint64_t n = TIFFGetStrileByteCount(src, t);
        if (n > buf_size) {
            tproc__dealloc(w->ctx, buf);
            buf = NULL;
            buf_size = 0;
            if ((status = tproc__alloc_file(w->ctx, (size_t)n, 0, w->name, "a pyramid tile", &buf)))
                break;
            buf_size = (size_t)n;
        }
        tmsize_t got = TIFFReadRawTile(src, t, buf, (tmsize_t)n);
        if (got < 0 || (uint64_t)got != n)
            status = tproc__tiff_fail(w->ctx, w->name, &rio, TPROC_ERR_IO,
                                      "cannot read back a pyramid level: ");
        else if (TIFFWriteRawTile(out->tif, t, buf, got) != got)
            status = writer_fail(w, out, "");
    }
    tproc__dealloc(w->ctx, buf);
    TIFFClose(src);
    if (!status && !TIFFWriteDirectory(out->tif))
        status = writer_fail(w, out, "");
    return w->failed = status;
}

/* tproc__encoder.finish. */
static int encoder_finish(void *state)
{
    tiff_writer *w = state;
    int status =
        tproc__encoder_finishing(w->ctx, w->name, w->failed, w->finished, &w->format, w->rows_done);
    if (status)
        return status;
    tiff_level *l = &w->level[0];
    if ((status = level_drain(w, l)))
        return status;
    if (!TIFFWriteDirectory(l->tif))
        return writer_fail(w, l, "");
    for (int k = 1; k < w->levels; k++)
        if ((status = copy_level(w, k)))
            return status;
    TIFFClose(l->tif);
    l->tif = NULL;
    if (l->io.diag.status)
        return w->failed = l->io.diag.status;
    w->finished = 1;
    return TPROC_OK;
}

static void writer_free(tiff_writer *w)
{
    if (!w)
        return;
    for (int k = 0; k < MAX_LEVELS; k++) /* first: the workers may be reading the bands */
        tproc__tiff_tile_row_free(w->pool, &w->level[k].tiles);
    tproc__workers_free(w->pool);
    for (int t = 0; w->scratch && t < w->threads; t++)
        tproc__tiff_scratch_free(w->ctx, &w->scratch[t]);
    tproc__dealloc(w->ctx, w->scratch);
    for (int k = 0; k < MAX_LEVELS; k++) {
        tiff_level *l = &w->level[k];
        if (l->tif)
            TIFFClose(l->tif);
        if (l->tmp)
            fclose(l->tmp);
        tproc__dealloc(w->ctx, l->own_band);
        tproc__dealloc(w->ctx, l->pending);
    }
    tproc__dealloc(w->ctx, w->tile);
    tproc__dealloc(w->ctx, w);
}

static void encoder_close(void *state)
{
    writer_free(state);
}

/* The format written for rows of format f: JPEG takes u8 gray or RGB, WebP u8 RGB or RGBA. */
static tproc_format stored_format(const tproc_format *f, uint16_t compression)
{
    tproc_format s = *f;
    if (compression == COMPRESSION_JPEG) {
        s.sample = TPROC_U8;
        s.channels = f->channels >= 3 ? 3 : 1;
    } else if (compression == COMPRESSION_WEBP) {
        s.sample = TPROC_U8;
        s.channels = f->channels == 2 || f->channels == 4 ? 4 : 3;
    }
    return s;
}

static uint16_t predictor_of(tproc_tiff_predictor p, uint16_t compression, tproc_sample sample)
{
    int compressible = compression == COMPRESSION_ADOBE_DEFLATE || compression == COMPRESSION_LZW ||
                       compression == COMPRESSION_ZSTD;
    switch (p) {
    case TPROC_TIFF_PREDICTOR_NONE:
        return PREDICTOR_NONE;
    case TPROC_TIFF_PREDICTOR_HORIZONTAL:
        return PREDICTOR_HORIZONTAL;
    case TPROC_TIFF_PREDICTOR_FLOAT:
        return PREDICTOR_FLOATINGPOINT;
    default:
        if (!compressible)
            return PREDICTOR_NONE;
        return sample == TPROC_F32 ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL;
    }
}

/* Checks what the options ask against the image, and fills in w's layout. */
static int writer_plan(tiff_writer *w, const tproc_format *format, const tproc_save_options *o)
{
    const char *name = w->name;
    w->format = *format;
    w->compression = compression_of(o ? o->tiff_compression : TPROC_TIFF_DEFAULT);
    if (!TIFFIsCODECConfigured(w->compression))
        return tproc__error_file(w->ctx, TPROC_ERR_UNSUPPORTED, name,
                                 "this libtiff cannot write %s compression",
                                 tproc__tiff_compression_name(w->compression));
    w->stored = stored_format(format, w->compression);
    w->pixel = (size_t)w->stored.channels * tproc_sample_size(w->stored.sample);
    w->predictor = predictor_of(o ? o->tiff_predictor : TPROC_TIFF_PREDICTOR_DEFAULT,
                                w->compression, w->stored.sample);
    if (w->predictor == PREDICTOR_FLOATINGPOINT && w->stored.sample != TPROC_F32)
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, name,
                                 "the float predictor needs f32 samples, the image has %s",
                                 tproc_sample_name(w->stored.sample));
    w->quality = o && o->quality > 0 ? o->quality : 90;
    if (o && o->icc && o->icc_size && o->icc_size <= UINT32_MAX) {
        w->icc = o->icc;
        w->icc_size = (uint32_t)o->icc_size;
    }
    if ((uint64_t)format->width > UINT32_MAX || (uint64_t)format->height > UINT32_MAX)
        return tproc__error_file(w->ctx, TPROC_ERR_ARG, name, "%tdx%td is larger than TIFF allows",
                                 format->width, format->height);
    int pyramid = o && o->pyramid;
    w->tiled = pyramid || (o && o->tile_width > 0);
    size_t row_bytes; /* the stored pixel may be wider than the format's (gray as RGB for WebP) */
    if (tproc__mul((size_t)format->width, w->pixel, &row_bytes))
        return tproc__error_file(w->ctx, TPROC_ERR_OVERFLOW, name,
                                 "rows of %td pixels are too long", format->width);
    if (w->tiled) {
        w->tw = o && o->tile_width > 0 ? (uint32_t)o->tile_width : 256;
        w->th = o && o->tile_height > 0 ? (uint32_t)o->tile_height : w->tw;
    } else {
        /* Strips of about 64 KiB; whole 16-row groups for JPEG's YCbCr subsampling. */
        size_t rows = row_bytes >= 65536 ? 1 : 65536 / row_bytes;
        if (w->compression == COMPRESSION_JPEG)
            rows = (rows + 15) / 16 * 16;
        w->th = (uint32_t)(rows < (size_t)format->height ? rows : (size_t)format->height);
        if (w->compression == COMPRESSION_JPEG)
            w->th = (w->th + 15) / 16 * 16;
    }
    w->band_rows = w->th;
    uint32_t width = (uint32_t)format->width, height = (uint32_t)format->height;
    w->levels = 1;
    w->level[0].width = width;
    w->level[0].height = height;
    while (pyramid && w->levels < MAX_LEVELS && (width > w->tw || height > w->th)) {
        width = (width + 1) / 2;
        height = (height + 1) / 2;
        w->level[w->levels].width = width;
        w->level[w->levels].height = height;
        w->levels++;
    }
    return TPROC_OK;
}

/* Whether the output could pass 4 GiB: every level's samples, uncompressed, with margin. */
static int needs_bigtiff(const tiff_writer *w)
{
    unsigned long long total = 0;
    for (int k = 0; k < w->levels; k++)
        total += (unsigned long long)w->level[k].width * w->level[k].height * w->pixel;
    return total + total / 16 > CLASSIC_LIMIT;
}

/* Opens level k's TIFF (the output for 0, a temporary file otherwise) and its buffers. */
static int level_open(tiff_writer *w, int k, tproc__output *out, const char *mode)
{
    tiff_level *l = &w->level[k];
    l->io.ctx = w->ctx;
    if (k == 0) {
        l->io.out = out;
    } else {
        l->tmp = tmpfile();
        if (!l->tmp)
            return tproc__error_file(w->ctx, TPROC_ERR_IO, w->name,
                                     "cannot create a temporary file for a pyramid level");
        l->out = (tproc__output){w->name, w->ctx, l->tmp, NULL, 0, 0, TPROC_OK, 0};
        l->io.out = &l->out;
    }
    l->tif = tproc__tiff_open(&l->io, w->name, mode);
    if (!l->tif)
        return w->failed = tproc_ctx_status(w->ctx) ? tproc_ctx_status(w->ctx) : TPROC_ERR_IO;
    if (!set_tags(w, l->tif, l->width, l->height, k > 0))
        return writer_fail(w, l, "cannot set the TIFF tags: ");
    l->row_bytes = (size_t)l->width * w->pixel;
    int status;
    l->writer = w;
    l->index = k;
    if (w->ours) {
        tiff_level *below = k + 1 < w->levels ? &w->level[k + 1] : NULL;
        status = tproc__tiff_tile_row_init(w->ctx, w->name, &w->codec, w->scratch, l->width,
                                           l->height, below ? below->width : 0,
                                           below ? level_rows_reduced : NULL, below, &l->tiles);
        l->band = tproc__tiff_tile_row_band(&l->tiles);
    } else {
        size_t rows = w->th < l->height ? w->th : l->height, band;
        if (tproc__mul(l->row_bytes, rows, &band))
            return tproc__error_file(w->ctx, TPROC_ERR_OVERFLOW, w->name, "a band is too large");
        char what[128];
        snprintf(what, sizeof what, "a TIFF band of %zu rows of %u pixels", rows,
                 (unsigned)l->width);
        void *mem;
        status = tproc__alloc_file(w->ctx, band, 0, w->name, what, &mem);
        l->band = l->own_band = mem;
    }
    if (status)
        return status;
    if (k + 1 < w->levels && !w->ours) {
        void *mem;
        if ((status = tproc__alloc_file(w->ctx, l->row_bytes, 0, w->name, "a pyramid row", &mem)))
            return status;
        l->pending = mem;
    }
    return TPROC_OK;
}

/* Whether we compress the tiles ourselves, and if so the pool and each worker's scratch. */
static int tiles_ours_open(tiff_writer *w, int threads)
{
    if (!tproc__tiff_tiles_ours(w->compression, w->predictor, &w->stored))
        return TPROC_OK;
    w->ours = 1;
    w->codec = (tproc__tiff_tile_codec){w->compression, w->predictor, w->quality, w->stored,
                                        w->pixel, w->tw, w->th, {0}};
    w->band_rows = tproc__tiff_tiles_band_rows(&w->codec);
    tproc_save_options o;
    tproc_save_options_init(&o);
    o.format = TPROC_FILE_JPEG;
    o.quality = w->quality;
    int status = w->compression == COMPRESSION_JPEG
                     ? tproc__save_options_resolve(w->ctx, w->name, &o, &w->codec.save)
                     : TPROC_OK;
    w->threads = threads > 1 ? (threads < 64 ? threads : 64) : 1;
    size_t tile;
    void *mem = NULL;
    if (tproc__mul((size_t)w->tw * w->th, w->pixel, &tile))
        return tproc__error_file(w->ctx, TPROC_ERR_OVERFLOW, w->name, "tiles too large");
    if (!status)
        status = tproc__alloc_file(w->ctx, (size_t)w->threads * sizeof(tproc__tiff_scratch), 1,
                                   w->name, "TIFF tile workers", &mem);
    w->scratch = status ? NULL : mem;
    for (int t = 0; !status && t < w->threads; t++) {
        status = tproc__alloc_file(w->ctx, tile, 0, w->name, "a TIFF tile", &mem);
        w->scratch[t].tile = mem;
    }
    if (!status)
        status = tproc__workers_new(w->ctx, w->threads, &w->pool);
    return status;
}

int tproc__tiff_encoder_open(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                             const tproc_save_options *options, tproc__encoder *enc)
{
    const char *name = out->name;
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(tiff_writer), 1, name, "TIFF encoder state", &mem);
    if (status)
        return status;
    tiff_writer *w = mem;
    w->ctx = ctx;
    w->name = name;
    status = writer_plan(w, format, options);
    const char *mode = (options && options->bigtiff) || needs_bigtiff(w) ? "w8" : "w";
    if (!status && w->tiled)
        status = tiles_ours_open(w, out->threads);
    if (!status && w->tiled && !w->ours) {
        size_t tile;
        if (tproc__mul((size_t)w->tw * w->th, w->pixel, &tile))
            status = tproc__error_file(ctx, TPROC_ERR_OVERFLOW, name, "tiles too large");
        else if (!(status = tproc__alloc_file(ctx, tile, 0, name, "a TIFF tile", &mem)))
            w->tile = mem;
    }
    for (int k = 0; !status && k < w->levels; k++)
        status = level_open(w, k, out, mode);
    if (status) {
        writer_free(w);
        return status;
    }
    enc->state = w;
    enc->write_rows = encoder_write;
    enc->finish = encoder_finish;
    enc->close = encoder_close;
    /* A row of tiles is gathered, but for the JPEG tiles we compress 16 rows at a time. */
    enc->gathers = w->tiled && w->band_rows > 16;
    return TPROC_OK;
}
