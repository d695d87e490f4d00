/* SPDX-License-Identifier: MIT */
/*
 * tiff_dump.c: the TIFF tests' window into the decoder, for tiff_reference.py.
 *
 *   tiff_dump FILE PAGE LEVEL [LIMIT]
 *
 * Loads page PAGE, level LEVEL of FILE as stored (orientation ignored) and, independently,
 * streams it through the codec's row decoder in chunks of 1, 2, 3, ... rows; the two must be
 * identical (exit 3 otherwise). Prints "WIDTH HEIGHT CHANNELS SAMPLE ORIENTATION ICCBYTES" on a
 * line and then the pixels, packed, native-endian. On failure prints the library's message to
 * stderr and exits 1. LIMIT is a memory limit in bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "decode_colour.h"

static int streamed_equal(tproc_ctx *ctx, const unsigned char *data, size_t size,
                          const tproc_load_options *lo, const tproc_view *whole)
{
    tproc__input in = {"<dump>", NULL, data, size, 0, 0};
    tproc__decode_request request = {0};
    request.page = lo->page;
    request.level = lo->level;
    tproc__decoder dec;
    /* Through the colour step as source.c opens decoders (CMYK ink becomes RGB there). */
    if (tproc__codec_of(TPROC_FILE_TIFF)->decoder_open(ctx, &in, &request, &dec) != TPROC_OK ||
        tproc__decode_colour(ctx, in.name, lo, &dec) != TPROC_OK)
        return 0;
    size_t pixel = tproc_view_pixel_size(whole), row = (size_t)whole->width * pixel;
    unsigned char *rows = malloc(row * 16);
    int same = rows != NULL;
    size_t chunk = 1;
    for (ptrdiff_t y = 0; same && y < whole->height;
         y += (ptrdiff_t)chunk, chunk = chunk % 16 + 1) {
        size_t n = (size_t)(whole->height - y) < chunk ? (size_t)(whole->height - y) : chunk;
        same = dec.read_rows(dec.state, rows, (ptrdiff_t)row, n) == TPROC_OK;
        for (size_t i = 0; same && i < n; i++)
            same = memcmp(rows + i * row, tproc_view_pixel(whole, 0, y + (ptrdiff_t)i), row) == 0;
    }
    free(rows);
    dec.close(dec.state);
    return same;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tiff_dump FILE PAGE LEVEL [LIMIT]\n");
        return 2;
    }
    tproc_ctx *ctx;
    if (tproc_ctx_new(NULL, &ctx) != TPROC_OK)
        return 1;
    if (argc > 4)
        tproc_ctx_set_memory_limit(ctx, (size_t)strtoull(argv[4], NULL, 10));
    /* The stored values and the stored profile: the reference decoders do no colour management. */
    tproc_load_options lo = {.ignore_orientation = 1, .colour = TPROC_COLOUR_KEEP};
    lo.page = atoi(argv[2]);
    lo.level = atoi(argv[3]);
    tproc_image *image = NULL;
    if (tproc_load(ctx, argv[1], &lo, &image) != TPROC_OK) {
        fprintf(stderr, "%s\n", tproc_ctx_message(ctx));
        tproc_ctx_free(&ctx);
        return 1;
    }
    tproc_view v = tproc_image_view(image);
    FILE *fp = fopen(argv[1], "rb");
    unsigned char *data = NULL;
    size_t size = 0;
    if (fp && fseek(fp, 0, SEEK_END) == 0) {
        long end = ftell(fp);
        size = end > 0 ? (size_t)end : 0;
        data = malloc(size ? size : 1);
        rewind(fp);
        if (!data || fread(data, 1, size, fp) != size)
            size = 0;
    }
    if (fp)
        fclose(fp);
    if (!size || !streamed_equal(ctx, data, size, &lo, &v)) {
        fprintf(stderr, "streamed rows differ from the load: %s\n", tproc_ctx_message(ctx));
        return 3;
    }
    free(data);
    size_t icc = 0;
    tproc_image_icc(image, &icc);
    printf("%td %td %d %s %d %zu\n", v.width, v.height, v.channels, tproc_sample_name(v.sample),
           tproc_image_orientation(image), icc);
    size_t row = (size_t)v.width * tproc_view_pixel_size(&v);
    for (ptrdiff_t y = 0; y < v.height; y++)
        fwrite(tproc_view_pixel(&v, 0, y), 1, row, stdout);
    tproc_image_free(&image);
    tproc_ctx_free(&ctx);
    return 0;
}
