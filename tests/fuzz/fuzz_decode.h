/* SPDX-License-Identifier: MIT */
/*
 * fuzz_decode.h: the body of the PNG and JPEG load harnesses. One input goes through every way
 * the library decodes a file: the header reader, a lenient load, a strict load with the EXIF
 * orientation applied, and the row-streaming decoder (codec.h) read in uneven chunks,
 * and the results must agree with each other:
 *   - a header that fails to parse means the load fails too;
 *   - what a strict load decodes, a lenient load decodes identically;
 *   - the streaming decoder's rows equal the lenient load's pixels.
 * Sizes are bounded first (fuzz_common.h) so that no input runs for long.
 */
#ifndef TILEPROC_FUZZ_DECODE_H
#define TILEPROC_FUZZ_DECODE_H

#include <string.h>

#include "codec.h"
#include "decode_colour.h"
#include "fuzz_common.h"

/* Reads every sample of a view, so that a view pointing outside its buffer trips ASan. */
static inline unsigned fuzz_touch(const tproc_view *v)
{
    unsigned sum = 0;
    size_t pixel = tproc_view_pixel_size(v);
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++) {
            const unsigned char *p = tproc_view_pixel(v, x, y);
            for (size_t i = 0; i < pixel; i++)
                sum += p[i];
        }
    return sum;
}

static inline int fuzz_same_pixels(const tproc_view *a, const tproc_view *b)
{
    tproc_diff d;
    return tproc_view_compare(a, b, &d) == TPROC_OK && d.differing == 0;
}

/*
 * Streams the file through the row decoder in chunks of 1 to 7 rows. With scale_denom 1 and a
 * reference image, the rows must equal the reference's stored rows.
 */
static inline void fuzz_stream_decode(tproc_ctx *ctx, const uint8_t *data, size_t size,
                                      tproc_file_format format, int scale_denom,
                                      const tproc_image *reference)
{
    tproc__input in = {"<fuzz>", NULL, data, size, 0, 0};
    tproc__decoder dec;
    tproc__decode_request request = {0};
    request.scale_denom = scale_denom;
    /* Through the colour step, as source.c opens every decoder: the reference load converted
     * the same rows with the same (default) policy. */
    int status = tproc__codec_of(format)->decoder_open(ctx, &in, &request, &dec);
    if (status == TPROC_OK)
        status = tproc__decode_colour(ctx, in.name, NULL, &dec);
    if (status != TPROC_OK)
        return;
    const tproc_format *f = &dec.format;
    FUZZ_CHECK(f->width >= 1 && f->height >= 1 && f->channels >= 1 && f->channels <= 4);
    size_t pixel = (size_t)f->channels * tproc_sample_size(f->sample);
    size_t row_bytes = (size_t)f->width * pixel;
    size_t chunk = 1 + size % 7;
    unsigned char *rows = malloc(row_bytes * chunk);
    FUZZ_CHECK(rows != NULL);
    tproc_view ref = {0};
    if (reference) {
        /* The reference was loaded with ignore_orientation, so its view is the stored layout. */
        ref = tproc_image_view(reference);
        FUZZ_CHECK(ref.width == f->width && ref.height == f->height &&
                   ref.channels == f->channels && ref.sample == f->sample);
    }
    for (ptrdiff_t y = 0; y < f->height; y += (ptrdiff_t)chunk) {
        size_t n = (size_t)(f->height - y) < chunk ? (size_t)(f->height - y) : chunk;
        if (dec.read_rows(dec.state, rows, (ptrdiff_t)row_bytes, n) != TPROC_OK) {
            /* A lenient load of the same bytes failed as well, or there is no reference, or
             * the JPEG's data ran out: a row decoder stops there where a lenient load goes on
             * with grey rows. */
            FUZZ_CHECK(!reference || (format == TPROC_FILE_JPEG &&
                                      strstr(tproc_ctx_message(ctx), "truncated JPEG data")));
            break;
        }
        for (size_t i = 0; reference && i < n; i++)
            FUZZ_CHECK(memcmp(rows + i * row_bytes, tproc_view_pixel(&ref, 0, y + (ptrdiff_t)i),
                              row_bytes) == 0);
    }
    /* Asking past the end fails cleanly. */
    FUZZ_CHECK(dec.read_rows(dec.state, rows, (ptrdiff_t)row_bytes, 1) != TPROC_OK);
    free(rows);
    dec.close(dec.state);
}

static inline int fuzz_decode(const uint8_t *data, size_t size, tproc_file_format format)
{
    if (tproc_file_format_detect(data, size) != format)
        return 0;
    tproc_ctx *ctx = fuzz_ctx();
    tproc_info info;
    tproc_image *lenient = NULL, *strict = NULL;
    tproc_load_options raw = {.ignore_orientation = 1, .strict = 0};
    tproc_load_options exact = {.ignore_orientation = 0, .strict = 1};
    if (!fuzz_header_ok(ctx, data, size, FUZZ_MAX_PIXELS, &info)) {
        if (tproc_info_read_memory(ctx, data, size, &info) != TPROC_OK) {
            /* Same header code: what the header reader refuses, load refuses. */
            FUZZ_CHECK(tproc_load_memory(ctx, data, size, &raw, &lenient) != TPROC_OK);
            FUZZ_CHECK(lenient == NULL);
        }
        tproc_ctx_free(&ctx);
        return 0;
    }
    FUZZ_CHECK(info.format == format && info.orientation >= 1 && info.orientation <= 8);

    if (tproc_load_memory(ctx, data, size, &raw, &lenient) == TPROC_OK) {
        tproc_view v = tproc_image_view(lenient);
        FUZZ_CHECK(tproc_view_validate(&v) == TPROC_OK);
        FUZZ_CHECK(v.width == info.width && v.height == info.height);
        FUZZ_CHECK(v.channels == info.channels && v.sample == info.sample);
        (void)fuzz_touch(&v);
    } else {
        FUZZ_CHECK(lenient == NULL);
    }

    if (tproc_load_memory(ctx, data, size, &exact, &strict) == TPROC_OK) {
        FUZZ_CHECK(lenient != NULL);
        tproc_view v = tproc_image_view(strict);
        (void)fuzz_touch(&v);
        /* Undo the orientation the strict load applied, then the pixels must be identical. */
        tproc_image_free(&strict);
        tproc_load_options stored = {.ignore_orientation = 1, .strict = 1};
        FUZZ_CHECK(tproc_load_memory(ctx, data, size, &stored, &strict) == TPROC_OK);
        tproc_view a = tproc_image_view(strict), b = tproc_image_view(lenient);
        FUZZ_CHECK(fuzz_same_pixels(&a, &b));
    }
    tproc_image_free(&strict);

    fuzz_stream_decode(ctx, data, size, format, 1, lenient);
    if (format == TPROC_FILE_JPEG)
        fuzz_stream_decode(ctx, data, size, format, 2 << (size % 3), NULL);
    tproc_image_free(&lenient);
    /* Everything the context handed out came back. */
    FUZZ_CHECK(tproc_ctx_memory_in_use(ctx) == 0);
    tproc_ctx_free(&ctx);
    return 0;
}

#endif /* TILEPROC_FUZZ_DECODE_H */
