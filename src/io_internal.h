/* SPDX-License-Identifier: MIT */
/*
 * io_internal.h: the byte streams the codecs read and write, and the EXIF helpers. An input is
 * memory or a FILE*, read through one function so that each codec needs one read callback /
 * source manager; an output is a FILE* or a growing memory buffer. Opening an input (a path, a
 * FILE*, standard input) is done in one place, input.c: a seekable file is read in place, a
 * pipe or terminal is read whole into counted memory first, since decoders go back to the
 * start (after detection, or to reopen at another scale).
 */
#ifndef TILEPROC_IO_INTERNAL_H
#define TILEPROC_IO_INTERNAL_H

#include <stdio.h>

#include "internal.h"

typedef struct tproc__input {
    const char *name;          /* for messages: the path, a caller's name, or "<memory>" */
    FILE *fp;                  /* read from here when not NULL */
    const unsigned char *data; /* else from this memory */
    size_t size, pos;
    int error; /* errno of a failed fread, 0 if none */
} tproc__input;

/* Reads up to n bytes; returns how many (fewer only at end of data or on error, see ->error). */
size_t tproc__input_read(tproc__input *in, void *buf, size_t n);

/* An input opened by input.c: the stream the codecs read, what it owns and where it starts. */
typedef struct tproc__opened_input {
    tproc__input in;
    long start;                /* where a FILE* input starts */
    FILE *owned_fp;            /* closed by tproc__input_close */
    unsigned char *owned_data; /* a pipe read whole; freed by tproc__input_close */
    tproc_ctx *ctx;            /* that owned_data counts against */
} tproc__opened_input;

/*
 * Opens path for reading: a directory or a file that cannot be opened is an error about path.
 * With dash_is_stdin, "-" is standard input, named "<stdin>". The input's name is path (or
 * "<stdin>"), so path must outlive it. Close it with tproc__input_close; a failure leaves
 * nothing open.
 */
int tproc__input_open_path(tproc_ctx *ctx, const char *path, int dash_is_stdin,
                           tproc__opened_input *o);
/* An input over fp from its current position (name for messages; NULL: "<stream>"). fp stays
 * the caller's. A seekable fp is read in place, anything else read whole now. */
int tproc__input_open_file(tproc_ctx *ctx, FILE *fp, const char *name, tproc__opened_input *o);
/* An input over memory the caller keeps alive. */
void tproc__input_open_memory(tproc__opened_input *o, const char *name, const void *data,
                              size_t size);
/* Back to the input's first byte. */
int tproc__input_rewind(tproc_ctx *ctx, tproc__opened_input *o);
/* Frees what the input owns; the input can be closed twice. */
void tproc__input_close(tproc__opened_input *o);

typedef struct tproc__output {
    const char *name;
    tproc_ctx *ctx;
    FILE *fp;            /* write here when not NULL */
    unsigned char *data; /* else grow this buffer (tproc_malloc'd) */
    size_t size, capacity;
    int status; /* first failure, TPROC_OK if none */
    /* Threads an encoder may compress on (a run's, or the context's for tproc_save): 0 or 1
     * is the calling thread only. Encoders that cannot use them ignore it. */
    int threads;
} tproc__output;

/* Appends n bytes; on failure records the error in out->ctx, sets out->status, returns it. */
int tproc__output_write(tproc__output *out, const void *data, size_t n);
/* Flushes a FILE* output; returns out->status or the flush failure. */
int tproc__output_flush(tproc__output *out);

/*
 * Fills *o from options (NULL: tproc_save_options_init's defaults) and checks it: every
 * codec's options (unset ones become that codec's defaults) and a format this build encodes.
 * name, the output, is the subject of errors.
 */
int tproc__save_options_resolve(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                                tproc_save_options *o);

/* What the APP1 marker holding a JPEG's EXIF starts with: "Exif\0\0". */
#define TPROC__EXIF_PREFIX "Exif\0"
#define TPROC__EXIF_PREFIX_SIZE 6u

/*
 * EXIF (the TIFF structure after "Exif\0\0"): the orientation tag's value, or 1 when absent or
 * malformed; bounds-checked against size.
 */
int tproc__exif_orientation(const unsigned char *exif, size_t size);
/* Sets the orientation tag in place to value when present; returns 1 if it was changed. */
int tproc__exif_set_orientation(unsigned char *exif, size_t size, int value);
/* A copy of exif (size bytes, counted against ctx) with the orientation set to 1, what
 * encoders write since tileproc saves pixels upright, after `front` bytes left for the
 * caller (a marker's prefix). file names the output in errors. */
int tproc__exif_upright_copy(tproc_ctx *ctx, const char *file, const void *exif, size_t size,
                             size_t front, unsigned char **out);

#endif /* TILEPROC_IO_INTERNAL_H */
