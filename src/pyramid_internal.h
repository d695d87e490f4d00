/* SPDX-License-Identifier: MIT */
/*
 * pyramid_internal.h: the pieces of a pyramid run. pyramid_layout.c knows each layout's
 * geometry, names and metadata (what vips dzsave writes); pyramid_out.c puts named files into
 * the output (a directory tree under temporary names, or a zip through zip_out.c); pyramid.c
 * builds the levels from streamed rows and encodes the tiles.
 */
#ifndef TILEPROC_PYRAMID_INTERNAL_H
#define TILEPROC_PYRAMID_INTERNAL_H

#include <stdio.h>

#include "internal.h"
#include "tileproc/pyramid.h"

#define TPROC__PYRAMID_MAX_LEVELS 64
#define TPROC__PYRAMID_NAME_MAX 256

/* A pyramid's geometry and naming, from the options and the image size. Level index 0 is
 * the full-size image; index levels - 1 the smallest. */
typedef struct tproc__pyramid_geom {
    tproc_pyramid_options o; /* resolved: no defaults left */
    ptrdiff_t width, height;
    int channels;
    int levels;
    ptrdiff_t level_width[TPROC__PYRAMID_MAX_LEVELS], level_height[TPROC__PYRAMID_MAX_LEVELS];
    /* Zoomify numbers tiles from the smallest level up: the first index of each level. */
    size_t first_tile[TPROC__PYRAMID_MAX_LEVELS];
    size_t tile_count;
    const char *ext;  /* the tiles' extension: "jpeg" (dz) or "jpg", "png", ... */
    char name[TPROC__PYRAMID_NAME_MAX]; /* NAME: the output's base name without .dzi/.zip */
    char dir[4096];   /* the directory the output goes in ("" for the current one) */
} tproc__pyramid_geom;

/* Resolves the options' defaults and checks them (errors about output). */
int tproc__pyramid_resolve(tproc_ctx *ctx, const char *output, const tproc_pyramid_options *in,
                           tproc_pyramid_options *out);
/* Fills g for an image of width x height x channels (options resolved). */
int tproc__pyramid_geom_init(tproc_ctx *ctx, const char *output, const tproc_pyramid_options *o,
                        ptrdiff_t width, ptrdiff_t height, int channels, tproc__pyramid_geom *g);

/* A tile of a level: its rectangle in the level (overlap included), in tiles (col, row). */
typedef struct tproc__pyramid_tile {
    int level;
    ptrdiff_t col, row;
    ptrdiff_t x, y, width, height; /* the pixels taken from the level */
    ptrdiff_t out_width, out_height; /* the tile's size (google pads with background) */
} tproc__pyramid_tile;

ptrdiff_t tproc__pyramid_tiles_across(const tproc__pyramid_geom *g, int level);
ptrdiff_t tproc__pyramid_tiles_down(const tproc__pyramid_geom *g, int level);
/* The rows of the level tile row `row` reads: [*y0, *y1). */
void tproc__pyramid_tile_rows(const tproc__pyramid_geom *g, int level, ptrdiff_t row,
                              ptrdiff_t *y0, ptrdiff_t *y1);
void tproc__pyramid_tile_at(const tproc__pyramid_geom *g, int level, ptrdiff_t col, ptrdiff_t row,
                            tproc__pyramid_tile *t);
/* The tile's path inside the output ("out_files/12/3_4.jpeg", "out/0,0,512,512/512,/0/
 * default.jpg"); 0, or 1 if it does not fit in size. */
int tproc__pyramid_tile_path(const tproc__pyramid_geom *g, const tproc__pyramid_tile *t, char *buf,
                             size_t size);

/* A metadata file: its path inside the output and its text (malloc'd; free it). */
typedef struct tproc__pyramid_file {
    char path[TPROC__PYRAMID_NAME_MAX * 2];
    char *text;
} tproc__pyramid_file;
/* The layout's metadata file (.dzi, info.json, ImageProperties.xml); google has none
 * (returns 0 with text NULL). */
int tproc__pyramid_metadata(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_file *f);
/* The viewer page, NAME.html beside the output. */
int tproc__pyramid_viewer(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_file *f);
/* Google's blank tile path ("out/blank.jpg"). */
void tproc__pyramid_blank_path(const tproc__pyramid_geom *g, char *buf, size_t size);

/* --- the output (pyramid_out.c) ---------------------------------------------------------- */

typedef struct tproc__pyramid_out tproc__pyramid_out;
/*
 * Opens the output for g: refuses existing targets unless force (the layout's top-level
 * names: out.dzi and out_files, out, out.zip, out.html), then creates the temporary
 * directory or zip file. Paths given to add are relative to g->dir and start with one of
 * the top-level names.
 */
int tproc__pyramid_out_open(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_out **out);
/* Adds one file; safe from several threads. */
int tproc__pyramid_out_add(tproc__pyramid_out *o, const char *path, const void *data, size_t size);
/* With TPROC_OK renames everything into place (replacing old targets when forced); with an
 * error removes what was written. Frees o; returns the final status. */
int tproc__pyramid_out_close(tproc__pyramid_out *o, int status);

/* --- the full-size level through streaming tile encoders (pyramid_strips.c) -------------- */

typedef struct tproc__pyramid_strips tproc__pyramid_strips;
/* For g's full-size level (a JPEG-like suffix, no padding): strips of up to strip_rows rows,
 * threads worker threads. */
int tproc__pyramid_strips_new(tproc_ctx *ctx, const tproc__pyramid_geom *g,
                              tproc__pyramid_out *out, const tproc_save_options *save, int threads,
                              ptrdiff_t strip_rows, const int *cancel,
                              tproc__pyramid_strips **result);
/* Rows [y, y + rows->height) of the full-size level (8-bit, packed rows): copied, then encoded
 * in the background. Returns an earlier strip's failure. */
int tproc__pyramid_strips_write(tproc__pyramid_strips *s, ptrdiff_t y, const tproc_view *rows);
/* Waits for the last strip; the status of the whole level. */
int tproc__pyramid_strips_finish(tproc__pyramid_strips *s);
/* Waits, stops the threads, drops unfinished tiles. NULL is a no-op. */
void tproc__pyramid_strips_free(tproc__pyramid_strips *s);

/* --- the threads encoding banded tile rows (pyramid_pool.c) ------------------------------ */

/* A tile row of a level, cut from a band: rows [base, ...) of the level at band. The pool's
 * fields are set by submit. */
typedef struct tproc__pyramid_job {
    int level;
    ptrdiff_t row, count; /* the tile row; its tiles */
    const unsigned char *band;
    ptrdiff_t base;
    ptrdiff_t next, left; /* the pool's: the next tile to take; tiles not yet done */
    struct tproc__pyramid_job *queue_next;
} tproc__pyramid_job;

/* Encodes tile col of the job on worker `worker` (0 to threads - 1); a status. */
typedef int tproc__pyramid_encode_fn(void *user, const tproc__pyramid_job *job, ptrdiff_t col,
                                     int worker);

typedef struct tproc__pyramid_pool tproc__pyramid_pool;
int tproc__pyramid_pool_new(tproc_ctx *ctx, int threads, tproc__pyramid_encode_fn *encode,
                            void *user, const int *cancel, tproc__pyramid_pool **out);
/* Queues the job's tiles (job->count of them) and returns: the job and its band must stay
 * until tproc__pyramid_pool_wait(job). Returns an earlier failure (nothing queued then). */
int tproc__pyramid_pool_submit(tproc__pyramid_pool *p, tproc__pyramid_job *job);
/* Waits until the job's tiles are done (at once for a job never submitted, left 0); returns
 * the pool's status: the first failure of any job. */
int tproc__pyramid_pool_wait(tproc__pyramid_pool *p, tproc__pyramid_job *job);
/* Stops the threads (wait for the jobs first); NULL is a no-op. */
void tproc__pyramid_pool_free(tproc__pyramid_pool *p);

/* --- zip (zip_out.c): a streamed zip writer, stored entries, Zip64 as needed ------------- */

typedef struct tproc__zip tproc__zip;
/* Writes onto fp (open for writing at its start); name is for messages. */
int tproc__zip_new(tproc_ctx *ctx, FILE *fp, const char *name, tproc__zip **out);
int tproc__zip_add(tproc__zip *z, const char *path, const void *data, size_t size);
/* Writes the central directory (with TPROC_OK) and frees z. */
int tproc__zip_finish(tproc__zip *z, int status);

#endif /* TILEPROC_PYRAMID_INTERNAL_H */
