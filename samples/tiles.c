/* SPDX-License-Identifier: MIT */
/*
 * tiles.c: iterate over the tiles of an image and process them with your own code.
 *
 * Each tile comes with a one-pixel halo, so a 3x3 neighbourhood (here a plain box average,
 * written by hand) can be computed for every output pixel of the tile. Interior tiles are
 * zero-copy views into the loaded image; tiles at the edges are assembled with the
 * reflect-101 border rule. The result goes to a new image, saved as PNG or JPEG by its name.
 *
 *     usage: tiles INPUT OUTPUT
 */
#include <stdio.h>
#include <tileproc/tileproc.h>

/* Box-average the 3x3 neighbourhood of every pixel of tile->out into dst (u8 samples). */
static void box3(const tproc_tile *tile, const tproc_view *dst)
{
    const tproc_view *in = &tile->in;
    for (ptrdiff_t y = 0; y < tile->out.height; y++) {
        for (ptrdiff_t x = 0; x < tile->out.width; x++) {
            unsigned char *d = tproc_view_pixel(dst, tile->out.x + x, tile->out.y + y);
            for (int c = 0; c < in->channels; c++) {
                int sum = 0;
                for (int dy = 0; dy < 3; dy++)
                    for (int dx = 0; dx < 3; dx++)
                        sum += tproc_view_pixel(in, x + dx, y + dy)[c];
                d[c] = (unsigned char)((sum + 4) / 9);
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s INPUT OUTPUT\n", argv[0]);
        return 2;
    }
    tproc_image *src = NULL, *dst = NULL;
    tproc_tiles *tiles = NULL;
    tproc_tile tile;
    int status = tproc_load(NULL, argv[1], NULL, &src);
    if (!status && tproc_image_sample(src) != TPROC_U8)
        status = TPROC_ERR_UNSUPPORTED; /* this sample only handles 8-bit images */
    if (!status)
        status = tproc_image_new(NULL, tproc_image_width(src), tproc_image_height(src),
                                 tproc_image_channels(src), TPROC_U8, &dst);
    tproc_view in = {0}, out = {0};
    if (!status) {
        in = tproc_image_view(src);
        out = tproc_image_view(dst);
        tproc_tiles_options options = {64, 64, {1, 1, 1, 1}, TPROC_BORDER_REFLECT_101, {0}};
        status = tproc_tiles_new(NULL, &in, &options, &tiles);
    }
    int more;
    while (!status && (more = tproc_tiles_next(tiles, &tile)) != 0) {
        if (more < 0)
            status = more;
        else
            box3(&tile, &out);
    }
    if (!status)
        status = tproc_save(NULL, &out, argv[2], NULL);
    if (status) {
        fprintf(stderr, "tiles: error: %s\n",
                tproc_ctx_message(NULL)[0] ? tproc_ctx_message(NULL) : tproc_strerror(status));
    } else {
        printf("wrote %s: %tdx%td, %zu tiles of 64x64 with a 1-pixel halo\n", argv[2], out.width,
               out.height, tproc_tiles_count(tiles));
    }
    tproc_tiles_free(&tiles);
    tproc_image_free(&dst);
    tproc_image_free(&src);
    return status ? 1 : 0;
}
