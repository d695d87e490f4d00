/* SPDX-License-Identifier: MIT */
/*
 * stream_random.h: streaming from a random-access source (stream_random.c) for stream.c: a
 * chain that starts by turning or mirroring the image reads a tiled file in the order its
 * output needs instead of holding the whole input.
 */
#ifndef TILEPROC_STREAM_RANDOM_H
#define TILEPROC_STREAM_RANDOM_H

#include "stream_internal.h"

/* How a chain's head is read from a random-access source. */
typedef struct tproc__random_head {
    size_t stages;       /* the leading stages the reads do (rotate by 90s, flip) */
    int orientation;     /* 1-8 (EXIF's numbering): the stored image into stage `stages`'s input */
    tproc_format format; /* that input: what the reader's rows are */
} tproc__random_head;

/*
 * 1 when source can be read in any order (a tiled file, not shrunk) and the chain's head (its
 * leading rotations by multiples of 90 and flips, with the file's own orientation) changes the
 * order of the pixels; *head then says how. 0 otherwise, or a negative status on failure
 * (recorded).
 */
int tproc__random_head_find(tproc_pipeline *pipeline, tproc_source *source,
                            tproc__random_head *head);

/* A window of the reoriented image's rows, filled by reading rectangles of the stored one. */
typedef struct tproc__random_reader {
    tproc_source *source;
    tproc__random_head head;
    ptrdiff_t tile;        /* the tile's side across which the rows cut the stored image */
    ptrdiff_t phase;       /* reads end at rows y = phase (mod tile): tile boundaries */
    unsigned char *buf;    /* capacity rows of the reoriented image */
    ptrdiff_t stride, capacity;
    ptrdiff_t base;         /* the row at buf's first row */
    ptrdiff_t have0, have1; /* rows [have0, have1) are in buf */
    unsigned char *stored;  /* one read of the stored image (at most `tile` rows' worth) */
} tproc__random_reader;

/* Bytes a reader for bands up to tallest rows holds (SIZE_MAX if that overflows). */
size_t tproc__random_reader_bytes(tproc_source *source, const tproc__random_head *head,
                                  ptrdiff_t tallest);
/* Allocates the reader's buffers (counted against the limit). Close it even on failure. */
int tproc__random_reader_open(tproc_source *source, const tproc__random_head *head,
                              ptrdiff_t tallest, tproc__random_reader *r);
void tproc__random_reader_close(tproc__random_reader *r);
/* Rows [y0, y1) of the reoriented image into the window (y0 and y1 never move up), and the
 * window's view of them; a tproc__band_fn when user is the reader and the band is wanted. */
int tproc__random_band(void *user, ptrdiff_t y0, ptrdiff_t y1, tproc__source_band *band);

#endif
