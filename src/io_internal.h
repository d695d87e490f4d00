/* SPDX-License-Identifier: MIT */
/*
 * io_internal.h: what io.c (format detection, dispatch, files) shares with the codecs
 * io_png.c and io_jpeg.c, and with exif.c. An input is memory or a FILE*, read through one
 * function so each codec needs one libpng read callback / one libjpeg source manager; an output
 * is a FILE* or a growing memory buffer.
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

typedef struct tproc__output {
    const char *name;
    tproc_ctx *ctx;
    FILE *fp;            /* write here when not NULL */
    unsigned char *data; /* else grow this buffer (tproc_malloc'd) */
    size_t size, capacity;
    int status; /* first failure, TPROC_OK if none */
} tproc__output;

/* Appends n bytes; on failure records the error in out->ctx, sets out->status, returns it. */
int tproc__output_write(tproc__output *out, const void *data, size_t n);
/* Flushes a FILE* output; returns out->status or the flush failure. */
int tproc__output_flush(tproc__output *out);

/*
 * A file written atomically: tproc__atomic_open() creates "<dir>/.<base>.tmp-XXXXXX" beside
 * path (beside the file a symbolic link names), with the mode of the file it replaces or that
 * of a new file; tproc__atomic_commit() with TPROC_OK flushes it to disk and renames it over
 * the target, with an error status removes it. Either way it returns the final status.
 */
typedef struct tproc__atomic_file {
    const char *name; /* the path as given, for messages */
    char *target;     /* where it goes */
    char *tmp;        /* where it is written */
    FILE *fp;
} tproc__atomic_file;
int tproc__atomic_open(tproc_ctx *ctx, const char *path, tproc__atomic_file *file);
int tproc__atomic_commit(tproc_ctx *ctx, tproc__atomic_file *file, int status);

/* Fills *o from options (NULL: defaults) and checks it: quality, compression, a known format.
 * name is for messages. */
int tproc__save_options_resolve(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                                tproc_save_options *o);
/* The channels and sample type an encoder takes for an image of channels/sample: PNG turns f32
 * into u16; JPEG takes u8 gray or RGB (alpha dropped). */
void tproc__encodable_format(tproc_file_format format, int *channels, tproc_sample *sample);

/*
 * Codecs. Each reads from `in` positioned at the file's first byte (the magic included) and
 * records errors as "<name>: <cause>" through tproc__error. load fills *out with a new image
 * (orientation is recorded in the image, not applied: io.c applies it) and sets ICC/EXIF.
 */
int tproc__png_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info);
int tproc__png_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                    tproc_image **out);
/* view is u8 or u16, 1-4 channels (io.c converts other types first). */
int tproc__png_save(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                    const tproc_save_options *options);

int tproc__jpeg_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info);
int tproc__jpeg_load(tproc_ctx *ctx, tproc__input *in, const tproc_load_options *options,
                     tproc_image **out);
/* view is u8 with 1 or 3 channels (io.c converts first). */
int tproc__jpeg_save(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                     const tproc_save_options *options);

/*
 * What every decoder's read_rows does first: refuse after a failure, past the last row or
 * without memory; copy rows out of a whole-image decode (whole not NULL). Returns a status, or
 * TPROC__DECODE_ROWS when the caller must decode the count rows itself. The caller advances
 * its row counter by count after TPROC_OK with count > 0, or after decoding.
 */
#define TPROC__DECODE_ROWS 1
int tproc__decoder_rows(tproc_ctx *ctx, const char *name, int failed, size_t next_row,
                        size_t height, const unsigned char *whole, size_t row_bytes,
                        unsigned char *first, ptrdiff_t stride, size_t count);

/*
 * EXIF (the TIFF structure after "Exif\0\0"): the orientation tag's value, or 1 when absent or
 * malformed; bounds-checked against size.
 */
int tproc__exif_orientation(const unsigned char *exif, size_t size);
/* Sets the orientation tag in place to value when present; returns 1 if it was changed. */
int tproc__exif_set_orientation(unsigned char *exif, size_t size, int value);

#endif /* TILEPROC_IO_INTERNAL_H */
