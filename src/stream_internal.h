/* SPDX-License-Identifier: MIT */
/*
 * stream_internal.h: what the stream runner (stream.c) needs from sources (source.c) and
 * sinks (sink.c).
 */
#ifndef TILEPROC_STREAM_INTERNAL_H
#define TILEPROC_STREAM_INTERNAL_H

#include "codec.h"
#include "engine.h"

enum { TPROC__SOURCE_VIEW, TPROC__SOURCE_CALLBACK, TPROC__SOURCE_FILE };

struct tproc_source {
    tproc_ctx *ctx;
    int kind;
    tproc_format format; /* rows as delivered (after orientation) */
    ptrdiff_t next;      /* the next row read_rows delivers */
    /* TPROC__SOURCE_VIEW */
    tproc_view view;
    /* TPROC__SOURCE_CALLBACK */
    tproc_read_rows_fn read;
    void *user;
    /* TPROC__SOURCE_FILE */
    char *path; /* the input's name for messages: the path, "<stdin>", "<memory>" */
    tproc__opened_input input;
    const tproc__codec *codec;
    tproc__decoder dec;
    int dec_open;
    int dec_whole; /* the decoder was opened for a caller holding the whole image */
    tproc_file_format file_format;
    tproc_load_options options;
    int orientation; /* applied on delivery: 2 mirrors each row; 3-8 need the whole image */
    int shrink;      /* the DCT scale denominator the decoder runs at */
    tproc_format full_format; /* the stored size at scale 1 */
    tproc_image *held;        /* a callback source's rows, held after a pre-pass read them (it is a
                               * view source from then on) */
    tproc_rect region;        /* of the stored image read (tproc_source_set_region); width 0:
                               * all of it */
    void *icc, *exif;         /* copies of the header's metadata: the decoder's go when it is
                               * reopened (to stream, or at another scale) */
    size_t icc_size, exif_size;
};

/* Why the source needs the whole image in memory (NULL if it streams), and how many bytes. */
const char *tproc__source_whole_reason(const tproc_source *source, size_t *bytes);
/* The next count rows, in order, into packed rows at first, first + stride, ... */
int tproc__source_read(tproc_source *source, unsigned char *first, ptrdiff_t stride,
                       ptrdiff_t count);
/* The same, handing work on the rows (a file's colour conversion) to jobs (NULL: none): the
 * rows are only complete once the caller's jobs are done. */
int tproc__source_read_jobs(tproc_source *source, unsigned char *first, ptrdiff_t stride,
                            ptrdiff_t count, tproc__row_jobs *jobs);
/*
 * Decodes every row into a new image, the orientation applied as a view transform; for a file
 * source with metadata, the image also gets its ICC profile, EXIF and orientation, as
 * tproc_load gives them. The source must not have been read from. A file's rows held whole
 * decode as tproc_load decodes them: data that ends early gives the codec's made-up rows
 * unless strict, where streamed rows stop there.
 */
int tproc__source_load_whole(tproc_source *source, int metadata, tproc_image **out);
/* A source reading an opened input (which it takes over, and closes on failure too). */
int tproc__source_open_input(tproc_ctx *ctx, tproc__opened_input *input,
                             const tproc_load_options *options, tproc_source **out);
/* For a file not yet read from whose codec scales (JPEG): reopen the decoder at 1/denom size.
 * 0 if it cannot. */
int tproc__source_shrink(tproc_source *source, int denom);
/*
 * A file source read in any order (stream_random.c): rectangle r of its stored image (rows as
 * the decoder gives them, before orientation; within the region if one is set) decoded by a
 * decoder opened for r alone into packed rows at first, first + stride, ... The source counts
 * as read from afterwards.
 */
int tproc__source_read_stored(tproc_source *source, tproc_rect r, unsigned char *first,
                              ptrdiff_t stride);
/* Makes the source deliver its rows again from the top (a file's decoder is opened again);
 * a callback source cannot (TPROC_ERR_UNSUPPORTED). For pre-passes (analyse.c). */
int tproc__source_rewind(tproc_source *source);
/* Turns the source into a view of image (every row of it, as a pre-pass loaded them), which
 * it then owns: a callback source read once is read again from memory. */
void tproc__source_hold(tproc_source *source, tproc_image *image);
/* The source's format at full scale (after orientation for views and callbacks; as stored
 * for files, whose shrink only applies to unrotated ones). */
tproc_format tproc__source_full_format(const tproc_source *source);

/* Sinks: begin once with the output format (threads: what a file sink's encoder may use), write
 * strips in order, then finish or abort. */
int tproc__sink_begin(tproc_sink *sink, const tproc_format *format, int threads);
int tproc__sink_write(tproc_sink *sink, ptrdiff_t y, const tproc_view *rows);
int tproc__sink_finish(tproc_sink *sink);
void tproc__sink_abort(tproc_sink *sink);
/* Whether the sink's strips are worth writing on another thread than the run's (after begin):
 * a file's encoder that encodes rows as they come; not a caller's callback, an image that is
 * only a copy, or an encoder that gathers a row of tiles or the whole image first. */
int tproc__sink_writes_behind(const tproc_sink *sink);
/* Bytes the sink will hold for an output of format (an image sink: the whole image), for the
 * stream plan's memory check. */
size_t tproc__sink_whole_bytes(const tproc_sink *sink, const tproc_format *format);

#endif
