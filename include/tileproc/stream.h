/* SPDX-License-Identifier: MIT */
/*
 * stream.h: processing images larger than memory. A source delivers rows top to bottom (an
 * image file, a view in memory, or your own callback); a sink takes rows top to bottom (an
 * image file, an image, or your callback). tproc_pipeline_stream() runs a pipeline between
 * them keeping only a band of input rows (the rows the next strip of output tiles needs,
 * including every stage's halo) and one strip of output rows, so its memory does not grow with
 * the image's height.
 *
 * Whether a chain can stream is decided before any work: vertical flips, rotations, Adam7
 * interlaced PNGs, progressive JPEGs and EXIF orientations other than a horizontal mirror need
 * the whole image. Such a run falls back to holding the whole input in memory when that fits
 * the memory limit, and otherwise fails at once with a message that says why, e.g.
 *     rotate:angle=90 needs the whole image (28.8 GB) but the memory limit is 2 GB
 * Streamed output is byte-identical to tproc_pipeline_run() on the same input.
 */
#ifndef TILEPROC_STREAM_H
#define TILEPROC_STREAM_H

#include "base.h"
#include "context.h"
#include "filter.h"
#include "io.h"
#include "pipeline.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tproc_source tproc_source;
typedef struct tproc_sink tproc_sink;

/*
 * A user source: fill `rows` (a view of count rows, packed, of the source's format) with rows
 * [y, y + count) of your image. Calls come in order, top to bottom, each row once. Return
 * TPROC_OK or an error status (record a message with the context if you like).
 */
typedef int (*tproc_read_rows_fn)(void *user, ptrdiff_t y, ptrdiff_t count, const tproc_view *rows);
/* A user sink: take rows [y, y + rows->height) of the output. Calls come in order, on the
 * thread that called tproc_pipeline_stream. */
typedef int (*tproc_write_rows_fn)(void *user, ptrdiff_t y, const tproc_view *rows);

/* Rows from your callback, for an image of the given format. */
TPROC_API int tproc_source_new_callback(tproc_ctx *ctx, const tproc_format *format,
                                        tproc_read_rows_fn read, void *user, tproc_source **out);
/* Rows from a view in memory (zero copy; the view must outlive the source). */
TPROC_API int tproc_source_new_view(tproc_ctx *ctx, const tproc_view *view, tproc_source **out);
/*
 * Rows decoded from an image file as they are needed (path "-" means stdin, read whole first
 * when it is a pipe). Only the header is read here. options as for tproc_load (orientation
 * applies unless ignored). Where a file's data ends early while its rows stream, the run fails
 * there with TPROC_ERR_CORRUPT ("truncated JPEG data"), strict or not: nothing would bound a
 * stream of made-up rows from a tiny file declaring a huge size. A run that holds the whole
 * input (a chain or file that cannot stream, or whole_input) decodes it as tproc_load() does:
 * leniently unless strict, filling what is missing with grey, since the memory limit bounds it.
 */
TPROC_API int tproc_source_open(tproc_ctx *ctx, const char *path, const tproc_load_options *options,
                                tproc_source **out);
/* Rows decoded from a PNG or JPEG held in memory (which must outlive the source). */
TPROC_API int tproc_source_open_memory(tproc_ctx *ctx, const void *data, size_t size,
                                       const tproc_load_options *options, tproc_source **out);
/* The format of the rows the source delivers (after orientation). */
TPROC_API tproc_format tproc_source_format(const tproc_source *source);
/*
 * Reads only a rectangle of the source: x, y, width, height in the coordinates of its format
 * (upright, as tproc_source_format() gives it), inside it. The source's format becomes the
 * rectangle's size. Once per source, before reading (and before shrink-on-load, which a
 * region turns off). For a file, only what intersects the rectangle is decoded: a JPEG skips
 * the rows above it without their pixels and stops after its last row, decoding only the
 * iMCU columns it covers where libjpeg-turbo can (see README: Regions); other formats decode
 * rows down to the rectangle's last and copy its columns. For a view source: a sub-view.
 * Callback sources have no regions (TPROC_ERR_UNSUPPORTED). TPROC_ERR_RANGE if the rectangle
 * reaches outside the image.
 */
TPROC_API int tproc_source_set_region(tproc_source *source, ptrdiff_t x, ptrdiff_t y,
                                      ptrdiff_t width, ptrdiff_t height);
/* The file format of a file source (from its magic bytes); TPROC_FILE_UNKNOWN for others. */
TPROC_API tproc_file_format tproc_source_file_format(const tproc_source *source);
/*
 * Decodes the whole source into a new image, as tproc_load() would (for a file source: its
 * ICC profile, EXIF and orientation, the orientation applied as a view transform). The source
 * must not have been read from, and is spent afterwards (free it).
 */
TPROC_API int tproc_source_load(tproc_source *source, tproc_image **out);
/* Metadata the file's header carried (NULL and 0 if none, or not a file source); valid while
 * the source lives. Pass them in tproc_save_options to keep them. */
TPROC_API const void *tproc_source_icc(const tproc_source *source, size_t *size);
TPROC_API const void *tproc_source_exif(const tproc_source *source, size_t *size);
/* Whether rows can come one band at a time (0: the whole image must be decoded first). */
TPROC_API int tproc_source_streams(const tproc_source *source);
/* Frees the source (NULL is a no-op) and sets *source to NULL. */
TPROC_API void tproc_source_free(tproc_source **source);

/* Rows to your callback. */
TPROC_API int tproc_sink_new_callback(tproc_ctx *ctx, tproc_write_rows_fn write, void *user,
                                      tproc_sink **out);
/* Rows into a new image, taken with tproc_sink_take_image() after the run. */
TPROC_API int tproc_sink_new_image(tproc_ctx *ctx, tproc_sink **out);
TPROC_API tproc_image *tproc_sink_take_image(tproc_sink *sink);
/*
 * Rows encoded into a PNG, JPEG, TIFF or WebP file (format from options or the name; path "-"
 * means stdout, which needs options->format). The metadata options point to is copied. A file is
 * written to a temporary name beside path and renamed over it only when the run succeeds; a
 * failed run leaves nothing behind. With more than one thread a run encodes each strip on a
 * thread of its own while the next strip is computed (one strip more in memory, when the limit
 * has room for it); the file's bytes are the same.
 */
TPROC_API int tproc_sink_open(tproc_ctx *ctx, const char *path, const tproc_save_options *options,
                              tproc_sink **out);
/* Frees the sink (NULL is a no-op), removing an unfinished file, and sets *sink to NULL. */
TPROC_API void tproc_sink_free(tproc_sink **sink);

typedef struct tproc_stream_options {
    /* Decode a JPEG source at 1/2, 1/4 or 1/8 size (libjpeg's DCT scaling) when the chain's
     * first filter can give the same output from that smaller decode (its shrink_input hook:
     * a resize that shrinks at least that much). Faster, and within a stated tolerance of the
     * full path, but no longer byte-identical to it. */
    int shrink_on_load;
    /* 1: refuse to fall back to the whole image in memory (fail instead). */
    int no_fallback;
    /* 1: hold the whole input in memory even when the chain could stream (decoded first, as
     * tproc_load() decodes it); the output is still written strip by strip. The result is the
     * same bytes. Contradicts no_fallback (TPROC_ERR_ARG). */
    int whole_input;
    /* 1: don't read only the crop's rectangle of a file when the chain starts with crop (the
     * default does: see tproc_source_set_region). The output is the same bytes either way;
     * this is for comparing the two. */
    int no_region;
} tproc_stream_options;

/*
 * Runs the pipeline from source to sink. run_options as for tproc_pipeline_run (tile size,
 * threads, border, progress, cancel); stream_options may be NULL. Before any work, what the
 * run will hold at once (the whole input when it does not stream, the output of an image
 * sink) is checked against the memory limit. The sink is finished (file renamed into place)
 * only on success. Errors about the input as a whole are about the file of a file source.
 */
TPROC_API int tproc_pipeline_stream(tproc_pipeline *pipeline, tproc_source *source,
                                    tproc_sink *sink, const tproc_run_options *run_options,
                                    const tproc_stream_options *stream_options);

/*
 * What a stream run would do, without doing it (the source is left as it was): *streams is 1
 * when the chain streams from this source, 0 when it needs the whole input (or whole_input
 * asks for it), and *bytes the memory the whole input would take (whether or not it is
 * needed). A chain that starts by turning or flipping the image (rotate by multiples of 90, a
 * vertical flip) needs the whole input read top to bottom, but streams from a random-access
 * source (a tiled TIFF): its tiles are read in the order the output needs them. Fails, as the run would, when the whole input is needed and does not fit the
 * memory limit. (A run also counts its sink's memory, which the plan does not know.)
 */
TPROC_API int tproc_pipeline_stream_plan(tproc_pipeline *pipeline, tproc_source *source,
                                         const tproc_run_options *run_options,
                                         const tproc_stream_options *stream_options, int *streams,
                                         size_t *bytes);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_STREAM_H */
