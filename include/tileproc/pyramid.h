/* SPDX-License-Identifier: MIT */
/*
 * pyramid.h: tile pyramids for zoomable viewers (OpenSeadragon, Leaflet, IIIF viewers), in
 * the layouts, file names, metadata and level numbering `vips dzsave` writes for the same
 * options: DeepZoom (.dzi + NAME_files/LEVEL/COL_ROW.EXT), IIIF Image API 2 and 3 level-0
 * static trees (info.json + REGION/SIZE/0/default.EXT), Zoomify (ImageProperties.xml +
 * TileGroupN/Z-X-Y.EXT) and Google maps (Z/Y/X.EXT, blank.EXT, near-blank tiles skipped).
 *
 * One pass in bounded memory: rows stream in from any source (a file, a view, your callback),
 * through the pipeline's filters; each level is the 2x2 average of the level above, made as
 * rows arrive ((a + b + c + d + 2) / 4 on 8-bit samples, an odd edge row or column repeated,
 * as vips does); each level keeps a band one tile row high (plus the overlap), and a tile is
 * encoded straight from that band on the worker threads through the codec table, so any
 * format tileproc writes is a tile suffix (with JPEG tiles, the full-size level's tiles are
 * instead encoded row by row as strips arrive, overlapping the decoding). Memory grows with
 * width x tile size, never with height. Samples are 8-bit in the pyramid (16-bit and float
 * inputs are converted).
 *
 * Output goes through temporary names renamed into place on success: a failed or
 * interrupted run leaves no half pyramid, and an existing target is refused unless force.
 * The zip container is written as the tiles come (stored entries, Zip64 when needed), with
 * no temporary tree on disk.
 */
#ifndef TILEPROC_PYRAMID_H
#define TILEPROC_PYRAMID_H

#include "base.h"
#include "io.h"
#include "pipeline.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tproc_pyramid_layout {
    TPROC_PYRAMID_DZ,      /* DeepZoom: NAME.dzi + NAME_files/ */
    TPROC_PYRAMID_IIIF,    /* IIIF Image API 2, level 0: NAME/info.json + tiles */
    TPROC_PYRAMID_IIIF3,   /* IIIF Image API 3, level 0 */
    TPROC_PYRAMID_ZOOMIFY, /* NAME/ImageProperties.xml + TileGroupN/ */
    TPROC_PYRAMID_GOOGLE   /* NAME/Z/Y/X.EXT + blank.EXT */
} tproc_pyramid_layout;

typedef enum tproc_pyramid_depth {
    TPROC_PYRAMID_DEPTH_DEFAULT,  /* onepixel for dz, onetile for the others (as vips) */
    TPROC_PYRAMID_DEPTH_ONEPIXEL, /* down to a 1x1 level */
    TPROC_PYRAMID_DEPTH_ONETILE,  /* down to the first level that fits one tile */
    TPROC_PYRAMID_DEPTH_ONE       /* the full-size level only */
} tproc_pyramid_depth;

typedef enum tproc_pyramid_container {
    TPROC_PYRAMID_FS, /* files and directories */
    TPROC_PYRAMID_ZIP /* one .zip file holding the same tree under NAME/ */
} tproc_pyramid_container;

typedef struct tproc_pyramid_options {
    tproc_pyramid_layout layout;
    int tile_size;              /* 0: 254 for dz, 512 for iiif/iiif3, 256 otherwise */
    int overlap;                /* -1: 1 for dz, 0 otherwise */
    tproc_file_format suffix;   /* the tiles' format; TPROC_FILE_UNKNOWN: JPEG */
    int quality;                /* JPEG (and other lossy) quality; 0: 75 as vips */
    tproc_pyramid_depth depth;
    double background[4];       /* padding and blank colour, 0-255 per channel; init: white */
    int skip_blanks;            /* -2: 5 for google, -1 (never) otherwise; else a tile whose
                                 * every sample is within this of background is not written */
    const char *id;             /* IIIF: info.json's id is ID/NAME; NULL: https://example.com/iiif */
    tproc_pyramid_container container;
    int force;                  /* 1: replace an existing pyramid */
    /* When not NULL, also write a page NAME.html beside the output that opens it in
     * OpenSeadragon loaded from this script URL (fs container only). */
    const char *viewer_script;
    /* WebP tiles: libwebp's method, 0 (fastest) to 6 (smallest); -1 (what init sets):
     * TPROC_PYRAMID_WEBP_EFFORT. (Last, so code built against the struct before it still
     * lines up.) */
    int effort;
} tproc_pyramid_options;

/*
 * The default effort of WebP tiles: libwebp's method 0, not the 4 vips uses (4 is --effort 4).
 * At 4 a pyramid of WebP tiles took 4-6x the time of JPEG tiles; at 0 it takes under 2x, for
 * tiles about 20 % larger at the same PSNR (README, "WebP tiles", has the figures).
 */
#define TPROC_PYRAMID_WEBP_EFFORT 0

/* The defaults above: dz, JPEG Q75, white background, fs. */
TPROC_API void tproc_pyramid_options_init(tproc_pyramid_options *options);

/*
 * Runs the pipeline from source into a pyramid named by output: for dz "out.dzi" or "out"
 * writes out.dzi and out_files/; for the other layouts "out" is a directory; with the zip
 * container (or an output ending in .zip) "out.zip" holds the same tree under out/.
 * run_options and stream_options as for tproc_pipeline_stream (either may be NULL). Targets
 * are checked and the memory the levels need is checked against the limit before any work.
 * Every tile carries the ICC profile the source carries under its colour policy
 * (tproc_source_icc(): none when converted to sRGB, the output profile, or the file's under
 * TPROC_COLOUR_KEEP).
 */
TPROC_API int tproc_pipeline_pyramid(tproc_pipeline *pipeline, tproc_source *source,
                                     const char *output, const tproc_pyramid_options *options,
                                     const tproc_run_options *run_options,
                                     const tproc_stream_options *stream_options);

/* The layout's name ("dz", "iiif", "iiif3", "zoomify", "google") and back (-1 if unknown). */
TPROC_API const char *tproc_pyramid_layout_name(tproc_pyramid_layout layout);
TPROC_API int tproc_pyramid_layout_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_PYRAMID_H */
