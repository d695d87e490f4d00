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
 *
 * In a pyramid a band's batch also 2x2-reduces its rows for the next level (items of their own,
 * into a buffer per slot), so the thread producing the rows only copies the reduced rows on when
 * it writes the band: the reduction was about 8 % of that thread's time.
 */
#include <libdeflate.h>
#include <stdio.h>
#include <string.h>

#include "tiff_codec.h"

/* What libdeflate allocates for a compressor itself, counted against the limit: 656 KiB at
 * level 6 (libdeflate 1.14, mallinfo2 around libdeflate_alloc_compressor), with room to spare. */
#define DEFLATER_BYTES ((size_t)1 << 20)

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

/* Rows [0, rows) of job's tile col into the worker's tile buffer, zero past the edges. */
static unsigned char *gather(const tproc__tiff_band_job *j, uint32_t col, unsigned char *dst)
{
    const tproc__tiff_tile_row *r = j->row;
    const tproc__tiff_tile_codec *c = r->codec;
    uint32_t x = col * c->tw, w = r->width - x < c->tw ? r->width - x : c->tw;
    size_t tile_row = (size_t)c->tw * c->pixel;
    memset(dst, 0, tile_row * c->th);
    for (uint32_t y = 0; y < j->rows; y++)
        memcpy(dst + y * tile_row, j->band + y * r->row_bytes + x * c->pixel, w * c->pixel);
    return dst;
}

/* Hands tile `index` of job j over (its compressed bytes, NULL when it failed) and writes the
 * tiles that are then next in order, freeing them: a deflated tile row is not held whole until
 * its last tile is done (9 MB at 30000 pixels wide). One thread writes at a time, under the
 * lock, in tile order, so the file's bytes do not depend on which thread finished what. */
static int hand_over(tproc__tiff_band_job *j, ptrdiff_t index, tproc__tiff_tile tile)
{
    tproc__tiff_tile_row *r = j->row;
    int status = TPROC_OK;
    pthread_mutex_lock(&r->lock);
    j->tiles[index] = tile;
    while (!status && !r->failed && j->written < r->count && j->tiles[j->written].data) {
        tproc__tiff_tile *t = &j->tiles[j->written];
        uint32_t n = TIFFComputeTile(j->tif, j->written * r->codec->tw, j->first, 0, 0);
        if (TIFFWriteRawTile(j->tif, n, t->data, (tmsize_t)t->size) != (tmsize_t)t->size) {
            status = tproc__tiff_fail(r->ctx, r->name, j->io, TPROC_ERR_IO, "");
            r->failed = 1; /* nothing more goes into the file */
        }
        tproc__dealloc(r->ctx, t->data);
        *t = (tproc__tiff_tile){NULL, 0};
        j->written++;
    }
    pthread_mutex_unlock(&r->lock);
    return status;
}

/* batch.run for deflate: tile `index` of a whole tile row. */
static int deflate_tile(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_band_job *j = user;
    tproc__tiff_tile_row *r = j->row;
    const tproc__tiff_tile_codec *c = r->codec;
    tproc__tiff_scratch *s = &r->scratch[worker];
    size_t bytes = (size_t)c->tw * c->th * c->pixel;
    gather(j, (uint32_t)index, s->tile);
    if (c->predictor == PREDICTOR_HORIZONTAL)
        predict(c, s->tile);
    if (!s->deflater) {
        int counted = tproc__reserve_file(r->ctx, DEFLATER_BYTES, r->name,
                                          "a deflate compressor's own memory");
        if (counted)
            return counted;
        if (!(s->deflater = libdeflate_alloc_compressor(6))) {
            tproc__release(r->ctx, DEFLATER_BYTES);
            return tproc__error_file(r->ctx, TPROC_ERR_NOMEM, r->name,
                                     "out of memory for a deflate state");
        }
    }
    /* Into the worker's buffer of the worst case, then an exact copy: a row of tiles held at
     * the worst case would be a second band. */
    size_t bound = libdeflate_zlib_compress_bound(s->deflater, bytes);
    void *mem;
    int status = TPROC_OK;
    if (!s->out) {
        status = tproc__alloc_file(r->ctx, bound, 0, r->name, "a compressed tile", &mem);
        s->out = mem;
    }
    size_t size = status ? 0 : libdeflate_zlib_compress(s->deflater, s->tile, bytes, s->out, bound);
    if (!status &&
        !size) /* cannot happen with the bound's room; say so rather than write nothing */
        status =
            tproc__error_file(r->ctx, TPROC_ERR_STATE, r->name, "deflate did not fit its bound");
    if (!status)
        status = tproc__alloc_file(r->ctx, size, 0, r->name, "a compressed tile", &mem);
    if (status)
        return status;
    memcpy(mem, s->out, size);
    return hand_over(j, index, (tproc__tiff_tile){mem, size});
}

static void encoder_close(tproc_ctx *ctx, tproc__tiff_tile_encoder *e)
{
    if (e->open)
        tproc__encoding_close(&e->enc);
    e->open = 0;
    tproc__dealloc(ctx, e->out.data);
    e->out.data = NULL;
}

/* The rows of job j into encoder e (begun at the tile row's first row, finished at its last,
 * zero rows below the image's bottom edge); the tile's bytes into *tile when finished. */
static int feed(tproc__tiff_band_job *j, ptrdiff_t index, unsigned char *scratch)
{
    tproc__tiff_tile_row *r = j->row;
    const tproc__tiff_tile_codec *c = r->codec;
    tproc__tiff_tile_encoder *e = &r->encoders[index];
    int status = TPROC_OK;
    if (j->first % c->th == 0) {
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
        tproc_view_init(&v, j->band + x * c->pixel, c->tw, j->rows, c->stored.channels, TPROC_U8, 0,
                        (ptrdiff_t)r->row_bytes);
    else
        tproc_view_init(&v, gather(j, (uint32_t)index, scratch), c->tw, j->rows, c->stored.channels,
                        TPROC_U8, 0, (ptrdiff_t)(c->tw * c->pixel));
    status = tproc__encoding_write(&e->enc, &v);
    uint32_t end = j->first + j->rows, tile_end = j->first - j->first % c->th + c->th;
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
            j->tiles[index] = (tproc__tiff_tile){e->out.data, e->out.size};
            e->out.data = NULL;
        }
        encoder_close(r->ctx, e);
    }
    return status;
}

/* batch.run for JPEG: job's rows into tile column `index`'s open encoder, after the band
 * before (another job, maybe on another worker) has been fed to it. */
static int jpeg_feed(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_band_job *j = user;
    tproc__tiff_tile_row *r = j->row;
    tproc__tiff_tile_encoder *e = &r->encoders[index];
    pthread_mutex_lock(&r->lock);
    while (e->fed != j->first && !r->failed)
        pthread_cond_wait(&r->fed, &r->lock);
    int failed = r->failed;
    pthread_mutex_unlock(&r->lock);
    int status = failed ? TPROC_ERR_CANCELLED : feed(j, index, r->scratch[worker].tile);
    pthread_mutex_lock(&r->lock);
    e->fed = j->first + j->rows;
    if (status)
        r->failed = 1; /* the later bands' items for this column must not wait for it */
    pthread_cond_broadcast(&r->fed);
    pthread_mutex_unlock(&r->lock);
    return status;
}

/* batch.run: the band's first `reducing` items reduce a pair of its rows each for the next
 * level (independent of everything else, so first); the rest compress its tile columns. */
static int band_item(void *user, ptrdiff_t index, int worker)
{
    tproc__tiff_band_job *j = user;
    tproc__tiff_tile_row *r = j->row;
    if (index >= (ptrdiff_t)j->reducing)
        return r->codec->compression == COMPRESSION_JPEG
                   ? jpeg_feed(j, index - (ptrdiff_t)j->reducing, worker)
                   : deflate_tile(j, index - (ptrdiff_t)j->reducing, worker);
    uint32_t y = 2 * (uint32_t)index;
    const unsigned char *a = j->band + y * r->row_bytes;
    const unsigned char *b = y + 1 < j->rows ? a + r->row_bytes : a;
    tproc__tiff_average_rows(&r->codec->stored, a, b, r->width, r->below_width,
                             j->reduced + (size_t)index * r->below_row_bytes);
    return TPROC_OK;
}

int tproc__tiff_tile_row_init(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                              tproc__tiff_scratch *scratch, uint32_t width, uint32_t height,
                              uint32_t below_width, tproc__tiff_rows_fn below, void *below_user,
                              tproc__tiff_tile_row *r)
{
    memset(r, 0, sizeof *r);
    r->open = 1;
    r->ctx = ctx;
    r->name = name;
    r->codec = c;
    r->scratch = scratch;
    r->width = width;
    r->height = height;
    r->count = (width + c->tw - 1) / c->tw;
    r->row_bytes = (size_t)width * c->pixel;
    r->below_width = below ? below_width : 0;
    r->below_row_bytes = (size_t)r->below_width * c->pixel;
    r->below = below;
    r->below_user = below_user;
    int jpeg = c->compression == COMPRESSION_JPEG;
    r->slots = jpeg ? TPROC__TIFF_MAX_SLOTS : 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->fed, NULL);
    uint32_t rows = tproc__tiff_tiles_band_rows(c);
    size_t band;
    if (rows > height)
        rows = height;
    if (tproc__mul(r->row_bytes, rows, &band))
        return tproc__error_file(ctx, TPROC_ERR_OVERFLOW, name, "a TIFF band is too large");
    char what[128];
    snprintf(what, sizeof what, "a TIFF band of %u rows of %u pixels", (unsigned)rows,
             (unsigned)width);
    void *mem;
    int status = TPROC_OK;
    for (int i = 0; i < r->slots && !status; i++) {
        tproc__tiff_band_job *j = &r->job[i];
        j->row = r;
        j->batch.run = band_item;
        j->batch.user = j;
        j->batch.count = (ptrdiff_t)r->count;
        status = tproc__alloc_file(ctx, band, 0, name, what, &mem);
        j->band = mem;
        if (!status)
            status = tproc__alloc_file(ctx, r->count * sizeof(tproc__tiff_tile), 1, name,
                                       "a row of compressed tiles", &mem);
        j->tiles = mem;
        if (!status && r->below_width) { /* below is half as wide: no overflow past band's */
            status = tproc__alloc_file(ctx, (rows + 1) / 2 * r->below_row_bytes, 0, name,
                                       "a reduced TIFF band", &mem);
            j->reduced = mem;
        }
    }
    if (!status && jpeg) {
        status = tproc__alloc_file(ctx, r->count * sizeof(tproc__tiff_tile_encoder), 1, name,
                                   "a row of JPEG tile encoders", &mem);
        r->encoders = mem;
    }
    return status;
}

unsigned char *tproc__tiff_tile_row_band(tproc__tiff_tile_row *r)
{
    return r->job[r->current].band;
}

static void drop_tiles(tproc__tiff_tile_row *r, tproc__tiff_band_job *j)
{
    for (uint32_t i = 0; j->tiles && i < r->count; i++) {
        tproc__dealloc(r->ctx, j->tiles[i].data);
        j->tiles[i] = (tproc__tiff_tile){NULL, 0};
    }
}

/* Waits for job j and writes the tile row it completes, if it does. */
static int job_write(tproc__workers *p, tproc__tiff_band_job *j, TIFF *tif, tproc__tiff_io *io)
{
    if (!j->pending)
        return TPROC_OK;
    tproc__tiff_tile_row *r = j->row;
    j->pending = 0;
    int status = tproc__workers_wait(p, &j->batch);
    uint32_t end = j->first + j->rows;
    if (!status && j->reducing)
        status = r->below(r->below_user, j->reduced, j->reducing);
    /* What the items have not written yet (deflate writes as tiles finish; JPEG tiles here). */
    if (!status && (end % r->codec->th == 0 || end == r->height))
        for (uint32_t i = j->written; !status && i < r->count; i++) {
            tproc__tiff_tile *t = &j->tiles[i];
            uint32_t tile = TIFFComputeTile(tif, i * r->codec->tw, j->first, 0, 0);
            if (TIFFWriteRawTile(tif, tile, t->data, (tmsize_t)t->size) != (tmsize_t)t->size)
                status = tproc__tiff_fail(r->ctx, r->name, io, TPROC_ERR_IO, "");
        }
    drop_tiles(r, j);
    return status;
}

int tproc__tiff_tile_row_flush(tproc__workers *p, tproc__tiff_tile_row *r, TIFF *tif,
                               tproc__tiff_io *io, uint32_t first, uint32_t rows)
{
    tproc__tiff_band_job *j = &r->job[r->current];
    j->first = first;
    j->rows = rows;
    j->written = 0;
    j->tif = tif;
    j->io = io;
    j->reducing = r->below_width ? (rows + 1) / 2 : 0;
    j->batch.count = (ptrdiff_t)(j->reducing + r->count);
    j->pending = 1;
    tproc__workers_submit(p, &j->batch);
    r->current = (r->current + 1) % r->slots;
    return job_write(p, &r->job[r->current], tif, io);
}

int tproc__tiff_tile_row_drain(tproc__workers *p, tproc__tiff_tile_row *r, TIFF *tif,
                               tproc__tiff_io *io)
{
    int status = TPROC_OK;
    for (int i = 0; i < r->slots && !status; i++) /* the oldest first */
        status = job_write(p, &r->job[(r->current + i) % r->slots], tif, io);
    return status;
}

void tproc__tiff_tile_row_free(tproc__workers *p, tproc__tiff_tile_row *r)
{
    if (!r->open) /* never initialised (the context may be NULL: tproc_save's default) */
        return;
    pthread_mutex_lock(&r->lock);
    r->failed = 1;
    pthread_cond_broadcast(&r->fed);
    pthread_mutex_unlock(&r->lock);
    for (int i = 0; i < r->slots; i++) {
        tproc__tiff_band_job *j = &r->job[i];
        if (j->pending && p)
            tproc__workers_cancel(p, &j->batch, TPROC_ERR_CANCELLED);
        j->pending = 0;
        drop_tiles(r, j);
        tproc__dealloc(r->ctx, j->tiles);
        tproc__dealloc(r->ctx, j->band);
        tproc__dealloc(r->ctx, j->reduced);
    }
    for (uint32_t i = 0; r->encoders && i < r->count; i++)
        encoder_close(r->ctx, &r->encoders[i]);
    tproc__dealloc(r->ctx, r->encoders);
    pthread_cond_destroy(&r->fed);
    pthread_mutex_destroy(&r->lock);
    r->open = 0;
}

void tproc__tiff_scratch_free(tproc_ctx *ctx, tproc__tiff_scratch *s)
{
    tproc__dealloc(ctx, s->tile);
    tproc__dealloc(ctx, s->out);
    s->out = NULL;
    if (s->deflater) {
        libdeflate_free_compressor(s->deflater);
        tproc__release(ctx, DEFLATER_BYTES);
    }
    s->tile = NULL;
    s->deflater = NULL;
}
