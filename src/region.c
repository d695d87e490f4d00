/* SPDX-License-Identifier: MIT */
/*
 * region.c: decoding a rectangle of an image with any codec. A codec that can crop natively
 * (a JPEG's jpeg_crop_scanline and jpeg_skip_scanlines; a TIFF reading only the strips and
 * tiles the region meets) does so itself; for every other case the decoder is wrapped here:
 * full rows are decoded a few at a time into a small buffer, the rows above the region are
 * dropped, the region's columns are copied out, and decoding stops after the region's last
 * row, so nothing below it is ever decoded. Rows of a codec
 * that decodes whole images (a WebP, an Adam7 PNG) come from the whole decode it made at open.
 */
#include <string.h>

#include "codec.h"

/* Full rows decoded per call into the buffer. */
#define BAND_ROWS 16

typedef struct region_reader {
    tproc_ctx *ctx;
    const char *name;
    tproc__decoder inner;
    tproc_rect region;
    size_t pixel;       /* bytes of one pixel */
    size_t full_row;    /* bytes of one decoded (full) row */
    size_t band;        /* rows the buffer holds */
    unsigned char *buf; /* band full rows */
    size_t inner_next;  /* the inner decoder's next row */
    size_t next_row;    /* rows of the region handed out */
    int failed;
} region_reader;

static void region_close(void *state)
{
    region_reader *r = state;
    r->inner.close(r->inner.state);
    tproc__dealloc(r->ctx, r->buf);
    tproc__dealloc(r->ctx, r);
}

/* The next n full rows into the buffer. */
static int read_band(region_reader *r, size_t n)
{
    int status = r->inner.read_rows(r->inner.state, r->buf, (ptrdiff_t)r->full_row, n);
    if (status)
        return r->failed = status;
    r->inner_next += n;
    return TPROC_OK;
}

static int region_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    region_reader *r = state;
    int status = tproc__decoder_rows(r->ctx, r->name, r->failed, &r->next_row,
                                     (size_t)r->region.height, NULL, 0, first, stride, count);
    if (status != TPROC__DECODE_ROWS)
        return status;
    size_t top = (size_t)r->region.y;
    while (r->inner_next < top) { /* the rows above: decoded, dropped */
        size_t n = top - r->inner_next;
        if ((status = read_band(r, n < r->band ? n : r->band)))
            return status;
    }
    size_t offset = (size_t)r->region.x * r->pixel, bytes = (size_t)r->region.width * r->pixel;
    for (size_t done = 0; done < count;) {
        size_t n = count - done < r->band ? count - done : r->band;
        if ((status = read_band(r, n)))
            return status;
        for (size_t i = 0; i < n; i++)
            memcpy(first + (ptrdiff_t)(done + i) * stride, r->buf + i * r->full_row + offset,
                   bytes);
        done += n;
    }
    r->next_row += count;
    return TPROC_OK;
}

/* Wraps the open decoder *dec (full rows) into one of region's rows; closes it on failure. */
static int wrap(tproc_ctx *ctx, const char *name, const tproc_rect *region, tproc__decoder *dec)
{
    const tproc_format *f = &dec->format;
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(region_reader), 1, name, "region reader", &mem);
    if (status) {
        dec->close(dec->state);
        return status;
    }
    region_reader *r = mem;
    r->ctx = ctx;
    r->name = name;
    r->inner = *dec;
    r->region = *region;
    r->pixel = (size_t)f->channels * tproc_sample_size(f->sample);
    r->band = (size_t)region->height < BAND_ROWS ? (size_t)region->height : BAND_ROWS;
    size_t bytes;
    if (tproc__mul((size_t)f->width, r->pixel, &r->full_row) ||
        tproc__mul(r->full_row, r->band, &bytes))
        status = tproc__error_file(ctx, TPROC_ERR_OVERFLOW, name, "rows too large");
    else if (!(status = tproc__alloc_file(ctx, bytes, 0, name, "rows around a region", &mem)))
        r->buf = mem;
    if (status) {
        region_close(r);
        return status;
    }
    tproc__decoder out = *dec;
    out.format.width = region->width;
    out.format.height = region->height;
    out.region_done = 1;
    out.state = r;
    out.read_rows = region_read;
    out.trailer = NULL; /* metadata after the image data is not reached */
    out.close = region_close;
    *dec = out;
    return TPROC_OK;
}

int tproc__region_check(tproc_ctx *ctx, const char *name, const tproc_rect *region, ptrdiff_t width,
                        ptrdiff_t height)
{
    const tproc_rect *r = region;
    if (r->x < 0 || r->y < 0 || r->width < 1 || r->height < 1 || r->x >= width || r->y >= height ||
        r->width > width - r->x || r->height > height - r->y)
        return tproc__error_file(ctx, TPROC_ERR_RANGE, name,
                                 "the region %tdx%td at (%td, %td) reaches outside the %tdx%td "
                                 "image",
                                 r->width, r->height, r->x, r->y, width, height);
    return TPROC_OK;
}

int tproc__decoder_open(const tproc__codec *codec, tproc_ctx *ctx, tproc__input *in,
                        const tproc__decode_request *request, tproc__decoder *out)
{
    tproc__decode_request q = {0};
    if (request)
        q = *request;
    tproc_rect region = q.region;
    if (region.width == 0)
        return codec->decoder_open(ctx, in, &q, out);
    if (region.x < 0 || region.y < 0 || region.width < 1 || region.height < 1)
        return tproc__error_file(ctx, TPROC_ERR_RANGE, in->name, "empty or negative region");
    /* A codec that leaves the region to us must give rows piecewise: a streamed decoder
     * does, holding a whole-image decode itself when it must. */
    if (!codec->regions)
        q.whole = 0;
    int status = codec->decoder_open(ctx, in, &q, out);
    if (status || out->region_done)
        return status;
    if ((status =
             tproc__region_check(ctx, in->name, &region, out->format.width, out->format.height))) {
        out->close(out->state);
        return status;
    }
    return wrap(ctx, in->name, &region, out);
}
