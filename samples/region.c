/* SPDX-License-Identifier: MIT */
/*
 * region.c: reading a small part of a large tiled TIFF (a scan, a map, a slide) without
 * decoding the rest. tproc_info_read tells the file's size, tile size and pyramid levels;
 * tproc_load_region decodes only the tiles the rectangle touches; a reduced level of the
 * pyramid gives an overview at a fraction of the cost. The program prints what it read and the
 * context's peak memory next to what the whole image would take.
 *
 *     usage: region INPUT.tif OUTPUT.png [X Y WIDTH HEIGHT]   (default: 512x512 at the centre)
 *
 * A tiled pyramidal TIFF to try it on, 8x the sample photo (5120x3416):
 *     tileproc run --tiled --pyramid samples/rocket.jpg big.tif resize:scale=8
 *     region big.tif part.png 3000 2000 512 512
 * The overview (the pyramid's smallest level that is at least 256 pixels wide) is written
 * beside OUTPUT as OUTPUT-overview.png.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tileproc/tileproc.h>

static double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

/* Writes the smallest level of at least 256 pixels across next to output. */
static int write_overview(tproc_ctx *ctx, const char *input, const tproc_info *info,
                          const char *output)
{
    int level = 0;
    for (int k = 1; k < info->levels; k++) {
        tproc_info li;
        int status = tproc_info_read_page(ctx, input, 0, k, &li);
        if (status)
            return status;
        if (li.width < 256)
            break;
        level = k;
    }
    tproc_load_options options = {.level = level};
    tproc_image *overview = NULL;
    int status = tproc_load(ctx, input, &options, &overview);
    if (status)
        return status;
    char path[4096];
    size_t n = strlen(output);
    if (n > 4 && strcmp(output + n - 4, ".png") == 0)
        n -= 4;
    snprintf(path, sizeof path, "%.*s-overview.png", (int)n, output);
    tproc_view view = tproc_image_view(overview);
    status = tproc_save(ctx, &view, path, NULL);
    if (!status)
        printf("level %d of %d: %tdx%td, written to %s\n", level, info->levels, view.width,
               view.height, path);
    tproc_image_free(&overview);
    return status;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 7) {
        fprintf(stderr, "usage: %s INPUT.tif OUTPUT.png [X Y WIDTH HEIGHT]\n", argv[0]);
        return 2;
    }
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(NULL, &ctx)) {
        fprintf(stderr, "region: out of memory\n");
        return 1;
    }
    tproc_info info;
    int status = tproc_info_read(ctx, argv[1], &info);
    if (!status) {
        printf("%s: %tdx%td, %d channels, %s, %d level(s), ", argv[1], info.width, info.height,
               info.channels, info.compression ? info.compression : "-", info.levels);
        if (info.tile_width)
            printf("tiles %tdx%td\n", info.tile_width, info.tile_height);
        else /* strips, or another format: rows below the region are still never decoded */
            printf("not tiled\n");
        /* Sizes of the upright image: orientations 5-8 swap width and height. */
        int swap = info.orientation >= 5;
        ptrdiff_t width = swap ? info.height : info.width;
        ptrdiff_t height = swap ? info.width : info.height;
        ptrdiff_t w = width < 512 ? width : 512, h = height < 512 ? height : 512;
        ptrdiff_t x = (width - w) / 2, y = (height - h) / 2;
        if (argc == 7) {
            x = strtol(argv[3], NULL, 10);
            y = strtol(argv[4], NULL, 10);
            w = strtol(argv[5], NULL, 10);
            h = strtol(argv[6], NULL, 10);
        }
        tproc_image *part = NULL;
        status = tproc_load_region(ctx, argv[1], x, y, w, h, NULL, &part);
        if (!status) {
            tproc_view view = tproc_image_view(part);
            status = tproc_save(ctx, &view, argv[2], NULL);
            double whole = (double)width * (double)height * info.channels *
                           (double)tproc_sample_size(info.sample);
            if (!status)
                printf("%tdx%td at (%td, %td) written to %s: peak memory %.1f MiB; the whole "
                       "image would take %.1f MiB\n",
                       w, h, x, y, argv[2], mib((double)tproc_ctx_memory_peak(ctx)), mib(whole));
            tproc_image_free(&part);
        }
    }
    if (!status && info.levels > 1)
        status = write_overview(ctx, argv[1], &info, argv[2]);
    if (status)
        fprintf(stderr, "region: %s\n", tproc_ctx_message(ctx));
    tproc_ctx_free(&ctx);
    return status ? 1 : 0;
}
