/* SPDX-License-Identifier: MIT */
/*
 * write_behind.h: the strips of a streamed run handed to its sink. A file sink's strips are
 * encoded on a thread of their own while the executor computes the next strip into a second
 * buffer (libvips' vips_sink_disc writes behind the same way), so decoding, the chain and
 * encoding overlap instead of taking turns on the calling thread. Other sinks (a caller's
 * callback, an image, an encoder that gathers a row of tiles or the whole image before it
 * encodes), one thread, or a memory limit without room for the second strip write each strip on
 * the calling thread when it is done. The sink sees the same strips in the same
 * order either way, so the output's bytes are the same.
 */
#ifndef TILEPROC_WRITE_BEHIND_H
#define TILEPROC_WRITE_BEHIND_H

#include "stream_internal.h"

typedef struct tproc__write_behind tproc__write_behind;

/* Strips of strip_rows rows of format f for sink, which has begun; threads is the run's. */
int tproc__write_behind_open(tproc_ctx *ctx, tproc_sink *sink, const tproc_format *f,
                             ptrdiff_t strip_rows, int threads, tproc__write_behind **out);
/* A view of the next strip's rows to fill (rows <= strip_rows), once the writer is done with
 * that buffer; a failed write is reported here, or by the next done or finish. */
int tproc__write_behind_strip(tproc__write_behind *wb, ptrdiff_t rows, tproc_view *out);
/* The strip last asked for is filled: rows (within it) are output rows y0 onwards. */
int tproc__write_behind_done(tproc__write_behind *wb, const tproc_view *rows, ptrdiff_t y0);
/* Waits until every strip done has been written; the first failure. The sink is then the
 * caller's again (to finish or abort). */
int tproc__write_behind_finish(tproc__write_behind *wb);
/* Stops the writer (strips not yet written are dropped) and frees everything. NULL is a no-op. */
void tproc__write_behind_free(tproc__write_behind *wb);

#endif /* TILEPROC_WRITE_BEHIND_H */
